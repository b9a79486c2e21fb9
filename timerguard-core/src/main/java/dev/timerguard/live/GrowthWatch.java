package dev.timerguard.live;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The always-on growth watch: samples a {@link LiveRegistry} at a fixed interval on one daemon
 * thread, keeps a bounded sliding window of what every site holds (its live count; for an executor
 * site also the cancelled tasks its executors retain), and publishes per site the growth rate and
 * the severity that a {@link GrowthDetector} finds in it. It is what the production exporters (the
 * agent's {@code /metrics}, the Micrometer binder, the Spring Boot starter) read; they never
 * compute growth their own way.
 *
 * <p><b>Windows.</b> Each site keeps two rings of {@value #POINTS} points: a <em>fast</em> ring
 * spanning the policy's rapid window (default 10 minutes, one point per sample at the default
 * interval) and a <em>slow</em> ring spanning the slow window (default 6 hours, one point every
 * {@code slowWindow / 62}). A site's severity is the worse of the two rings' verdicts, so a {@link
 * GrowthVerdict.Severity#RAPID rapid} leak is seen after 10 minutes and a {@link
 * GrowthVerdict.Severity#SLOW slow} one after 6 hours, exactly as the detector's policy defines
 * them; its rate is the fast ring's (the recent trend, in live entries per second). A sawtooth
 * (timers created and fired in bursts) never raises a site; a steady leak under a sawtooth does.
 *
 * <p><b>Bounded.</b> The watch follows the sites of its registry, which has a site cap ({@link
 * LiveRegistry#maxSites()}, default 4,096, plus one overflow site per kind). Per site it keeps two
 * rings of {@value #POINTS} longs, its last status and its entry in the last snapshot: a fixed
 * amount per site, independent of traffic (its size is measured in {@code docs/benchmarks.md});
 * nothing grows with the number of timers or with time.
 *
 * <p><b>Changes.</b> When a site's alert {@link SiteStatus#level() level} (0 none, 1 slow, 2 rapid)
 * changes, the watch logs one line through {@link System.Logger} (logger {@code
 * dev.timerguard.watch}; WARNING when it rises, INFO when it falls), emits the JFR event {@code
 * dev.timerguard.GrowthSeverityChanged} (free when no recording is on) and calls its {@link
 * Listener listeners}.
 *
 * <p><b>Never harms the host.</b> The sampling thread is a daemon that never keeps the JVM alive; a
 * failure while sampling (or in a listener) is logged once per kind of failure and the watch goes
 * on; nothing is thrown into the application. {@link #close()} stops the thread.
 *
 * <p><b>One per JVM, usually.</b> {@link #shared()} is the process-wide watch over {@link
 * LiveRegistry#global()}: the agent and the Spring Boot starter both use it, whichever comes first
 * starts it and the other reads the same one. Separate watches ({@link #builder()}) exist for tests
 * and embedded use; {@link #sampleNow()} lets a test drive a watch without its thread.
 *
 * <p>Thread-safe: every method may be called from any thread.
 */
public final class GrowthWatch implements AutoCloseable {

  /** Points per ring: the fast ring spans the rapid window, the slow ring the slow window. */
  static final int POINTS = 64;

  /** The system-property and configuration prefix, {@value}. */
  public static final String PREFIX = "timerguard.watch.";

  private static final System.Logger LOG = System.getLogger("dev.timerguard.watch");

  private static GrowthWatch shared;

  /** Open {@link Lease leases} on {@link #shared}. */
  private static int sharedLeases;

  /** Whether someone started {@link #shared} for good ({@link #startShared}, {@link #shared()}). */
  private static boolean sharedPinned;

  private final LiveRegistry registry;
  private final GrowthPolicy policy;
  private final Duration interval;
  private final double timeCompression;
  private final List<Runnable> beforeSample = new CopyOnWriteArrayList<>();
  private final GrowthDetector detector;
  private final Ring fast;
  private final Ring slow;
  private final Object lock = new Object();

  /** Scratch for the detector's pairwise slopes, used under {@link #lock}. */
  private final double[] pairs = new double[POINTS * (POINTS - 1) / 2];

  private final Map<CallSite, SiteState> states = new HashMap<>();
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private final java.util.Set<String> reported = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private volatile Report report;
  private Thread thread;
  private String threadName = "timerguard-watch";
  private boolean closed;
  private long samples;

  private GrowthWatch(Builder b) {
    this.registry = b.registry;
    this.timeCompression = b.timeCompression;
    if (b.beforeSample != null) {
      this.beforeSample.add(b.beforeSample);
    }
    this.policy = b.effectivePolicy();
    this.interval = b.effectiveInterval(policy);
    this.detector = new GrowthDetector(policy);
    this.fast = new Ring(policy.rapidWindow().toNanos(), interval.toNanos());
    this.slow = new Ring(policy.slowWindow().toNanos(), interval.toNanos());
    this.report = new Report(null, 0, List.of());
  }

  // ------------------------------------------------------------------------------ construction

  /** A builder over {@link LiveRegistry#global()} with the {@link GrowthPolicy#defaults()}. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The process-wide watch over {@link LiveRegistry#global()}, started on first use with the
   * settings of the {@code timerguard.watch.*} system properties ({@link Builder#properties}).
   * Whoever starts it first (the agent, the Spring Boot starter, the application) decides its
   * settings; later callers get the running watch.
   *
   * @throws IllegalArgumentException if a {@code timerguard.watch.*} system property is unknown or
   *     malformed (the message names it and the accepted values)
   */
  public static GrowthWatch shared() {
    synchronized (GrowthWatch.class) {
      if (shared != null && shared.isRunning()) {
        return shared;
      }
    }
    return startShared(builder().properties(System.getProperties()));
  }

  /**
   * Starts the process-wide watch with these settings unless one runs already, and returns the
   * running one (whose settings may differ: the first start wins).
   *
   * @throws IllegalArgumentException if the builder's registry is not {@link LiveRegistry#global()}
   */
  public static synchronized GrowthWatch startShared(Builder settings) {
    GrowthWatch w = runShared(settings);
    sharedPinned = true;
    return w;
  }

  private static GrowthWatch runShared(Builder settings) {
    Objects.requireNonNull(settings, "settings");
    if (settings.registry != LiveRegistry.global()) {
      throw new IllegalArgumentException("the shared watch watches LiveRegistry.global() only");
    }
    if (shared == null || !shared.isRunning()) {
      GrowthWatch w = settings.build();
      w.threadName = "timerguard-shared-watch";
      w.start();
      shared = w;
      sharedLeases = 0;
      sharedPinned = false;
    } else if (settings.beforeSample != null) {
      // a running watch keeps its settings, but a source that must be polled before each sample
      // (the agent attached after the application started the watch) still gets its turn
      shared.addBeforeSample(settings.beforeSample);
    }
    return shared;
  }

  /**
   * A hold on the process-wide watch for a part with a lifecycle (a Spring application context):
   * starts the watch with these settings unless one runs already, and {@link Lease#close() closing}
   * the lease stops the watch only when it was the last hold and nobody started the watch for good
   * ({@link #startShared}, {@link #shared()}: the agent, the application). So one context closing
   * never stops a watch that others still read.
   *
   * @throws IllegalArgumentException if the builder's registry is not {@link LiveRegistry#global()}
   */
  public static synchronized Lease leaseShared(Builder settings) {
    GrowthWatch w = runShared(settings);
    sharedLeases++;
    return new Lease(w);
  }

  /** A hold on the shared watch; see {@link #leaseShared}. Closing twice is a no-op. */
  public static final class Lease implements AutoCloseable {
    private final GrowthWatch watch;
    private boolean closed;

    private Lease(GrowthWatch watch) {
      this.watch = watch;
    }

    /** The shared watch held. */
    public GrowthWatch watch() {
      return watch;
    }

    @Override
    public void close() {
      GrowthWatch stop = null;
      synchronized (GrowthWatch.class) {
        if (closed) {
          return;
        }
        closed = true;
        if (shared == watch) {
          sharedLeases--;
          if (sharedLeases <= 0 && !sharedPinned) {
            stop = watch;
          }
        }
      }
      if (stop != null) {
        stop.close();
      }
    }
  }

  /**
   * Adds a task run right before each sample's snapshot, on the sampling thread (see {@link
   * Builder#beforeSample}); for a source that joins a watch already running.
   */
  public void addBeforeSample(Runnable task) {
    Objects.requireNonNull(task, "task");
    if (!beforeSample.contains(task)) {
      beforeSample.add(task);
    }
  }

  /** The process-wide watch if one runs, else {@code null}. Starts nothing. */
  public static synchronized GrowthWatch sharedIfRunning() {
    return shared != null && shared.isRunning() ? shared : null;
  }

  // ------------------------------------------------------------------------------ lifecycle

  /**
   * Starts the sampling thread (daemon, named {@code timerguard-watch}, or {@code
   * timerguard-shared-watch} for {@link #shared()}); the first sample is taken at once. Idempotent
   * while running.
   *
   * @throws IllegalStateException if the watch was closed
   */
  public GrowthWatch start() {
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("this GrowthWatch was closed");
      }
      if (thread == null) {
        Thread t = new Thread(this::run, threadName);
        t.setDaemon(true);
        t.setContextClassLoader(null);
        thread = t;
        t.start();
      }
    }
    return this;
  }

  /** True between {@link #start()} and {@link #close()}. */
  public boolean isRunning() {
    synchronized (lock) {
      return thread != null && !closed;
    }
  }

  /** Stops the sampling thread; the last report stays readable. Idempotent. */
  @Override
  public void close() {
    Thread t;
    synchronized (lock) {
      closed = true;
      t = thread;
      lock.notifyAll();
    }
    if (t != null && t != Thread.currentThread()) {
      // Wait a bounded time: a listener or hook stuck in the sample must not hang the closer's
      // shutdown; the daemon thread then ends when that sample returns.
      try {
        t.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void run() {
    long intervalMillis = Math.max(1, interval.toMillis());
    while (true) {
      try {
        sampleNow();
      } catch (Throwable e) {
        reportOnce("sample", "TimerGuard watch: a sample failed and was skipped: " + e);
      }
      synchronized (lock) {
        long end = System.nanoTime() + intervalMillis * 1_000_000L;
        while (!closed) {
          long left = end - System.nanoTime();
          if (left <= 0) {
            break;
          }
          try {
            lock.wait(Math.max(1, left / 1_000_000L));
          } catch (InterruptedException e) {
            // Only close() stops the watch; an interrupt from elsewhere is not ours to obey.
          }
        }
        if (closed) {
          return;
        }
      }
    }
  }

  // ------------------------------------------------------------------------------ sampling

  /**
   * Takes one sample now, on the calling thread: snapshots the registry, appends the sites' live
   * counts to the rings that are due, re-analyses those rings, publishes a new {@link #report()}
   * and signals level changes. The sampling thread calls this at every interval; tests call it with
   * a registry on a test clock. Samples whose registry time did not advance are ignored. The {@link
   * Builder#beforeSample before-sample hook}, if any, runs first, on the calling thread.
   *
   * @return the report after the sample
   */
  public Report sampleNow() {
    for (Runnable task : beforeSample) {
      try {
        task.run();
      } catch (Throwable e) {
        reportOnce(
            "beforeSample",
            "TimerGuard watch: a before-sample hook threw (sampling goes on): " + e);
      }
    }
    List<Change> changes = new ArrayList<>();
    Report r;
    synchronized (lock) {
      Snapshot snap = registry.snapshot();
      long now = snap.nanoTime();
      if (fast.count > 0 && now <= fast.last()) {
        return report;
      }
      samples++;
      boolean addFast = fast.due(now);
      boolean addSlow = slow.due(now);
      int fastPos = addFast ? fast.append(now) : -1;
      int slowPos = addSlow ? slow.append(now) : -1;
      double[] fastT = addFast ? fast.seconds() : null;
      double[] slowT = addSlow ? slow.seconds() : null;
      long[] scratch = new long[POINTS];
      long epochMillis = snap.epochMillis();
      List<SiteStatus> out = new ArrayList<>(snap.sites().size());
      for (SiteStats s : snap.sites()) {
        SiteState st = states.get(s.site());
        if (st == null) {
          st = new SiteState(s.site());
          states.put(s.site(), st);
        }
        if (addFast) {
          st.fast[fastPos] = held(s);
          GrowthVerdict.SiteGrowth g = analyze(st.site, fast, st.fast, fastT, scratch);
          st.fastSeverity = g.severity();
          st.rate = g.ratePerSecond();
          st.confidence = g.confidence();
        }
        if (addSlow) {
          st.slow[slowPos] = held(s);
          st.slowSeverity = analyze(st.site, slow, st.slow, slowT, scratch).severity();
        }
        GrowthVerdict.Severity sev =
            st.fastSeverity.compareTo(st.slowSeverity) >= 0 ? st.fastSeverity : st.slowSeverity;
        int level = level(sev);
        int previous = st.level;
        if (level != previous) {
          st.level = level;
          st.sinceMillis = epochMillis;
        }
        SiteStatus status =
            new SiteStatus(s.site(), s.live(), st.rate, st.confidence, sev, st.sinceMillis);
        if (level != previous) {
          changes.add(new Change(status, previous));
        }
        out.add(status);
      }
      r = new Report(snap, samples, out);
      report = r;
    }
    for (Change c : changes) {
      signal(c.status, c.previous);
    }
    for (Listener l : listeners) {
      try {
        l.sampled(r);
      } catch (Throwable e) {
        reportOnce(
            "listener " + l.getClass().getName(),
            "TimerGuard watch: listener " + l + " threw " + e);
      }
    }
    return r;
  }

  /**
   * What a site holds, the series the watch follows: its live count, plus, for an executor site,
   * the cancelled tasks its executors still retain (the default {@code ScheduledThreadPoolExecutor}
   * keeps a cancelled task queued until its deadline). An executor site therefore grows when
   * executors are created and never shut down, and when cancelled timeouts pile up in them.
   */
  static long held(SiteStats s) {
    return s.site().kind() == CallSite.Kind.EXECUTOR ? s.live() + s.retained() : s.live();
  }

  private GrowthVerdict.SiteGrowth analyze(
      CallSite site, Ring ring, long[] values, double[] seconds, long[] scratch) {
    int n = ring.n;
    long[] v = n == POINTS ? scratch : new long[n];
    boolean flat = true;
    for (int i = 0; i < n; i++) {
      v[i] = values[ring.index(i)];
      flat &= v[i] == v[0];
    }
    if (flat || n < 3) {
      // nothing moved in the window: no trend to compute (the common case, and free)
      long only = n == 0 ? 0 : v[n - 1];
      return new GrowthVerdict.SiteGrowth(
          site, 0, 0, only, only, ring.spanNanos(), GrowthVerdict.Severity.NONE);
    }
    return detector.trend(site, seconds, v, pairs);
  }

  private void signal(SiteStatus now, int previousLevel) {
    CallSite site = now.site();
    String line =
        String.format(
            Locale.ROOT,
            "TimerGuard watch: %s %s %s (was %s): %+.1f/s over the last %s, %d live",
            site.kind(),
            site.location(),
            LEVELS[now.level()],
            LEVELS[previousLevel],
            now.ratePerSecond(),
            human(now.level() == 1 ? policy.slowWindow() : policy.rapidWindow()),
            now.live());
    try {
      LOG.log(
          now.level() > previousLevel ? System.Logger.Level.WARNING : System.Logger.Level.INFO,
          line);
    } catch (Throwable e) {
      // a broken logging back end must not stop the watch
    }
    WatchEvents.severityChanged(site, LEVELS[previousLevel], LEVELS[now.level()], now);
    for (Listener l : listeners) {
      try {
        l.levelChanged(now, previousLevel);
      } catch (Throwable e) {
        reportOnce(
            "listener " + l.getClass().getName(),
            "TimerGuard watch: listener " + l + " threw " + e);
      }
    }
  }

  private void reportOnce(String key, String message) {
    if (reported.size() < 64 && reported.add(key)) {
      try {
        LOG.log(System.Logger.Level.WARNING, message);
      } catch (Throwable ignored) {
        // nothing else to tell it to
      }
    }
  }

  private static final String[] LEVELS = {"NONE", "SLOW", "RAPID"};

  /** The alert level of a severity: 0 none (and watch), 1 slow, 2 rapid. */
  public static int level(GrowthVerdict.Severity severity) {
    switch (Objects.requireNonNull(severity, "severity")) {
      case RAPID:
        return 2;
      case SLOW:
        return 1;
      default:
        return 0;
    }
  }

  private static String human(Duration d) {
    long s = d.getSeconds();
    if (s >= 3600 && s % 3600 == 0) {
      return s / 3600 + "h";
    }
    if (s >= 60 && s % 60 == 0) {
      return s / 60 + "m";
    }
    if (s >= 1) {
      return s + "s";
    }
    return d.toMillis() + "ms";
  }

  // ------------------------------------------------------------------------------ readers

  /** The latest report (empty before the first sample). Never null. */
  public Report report() {
    return report;
  }

  /**
   * Adds a listener for level changes (and, if it overrides {@link Listener#sampled}, for every
   * sample), called on the sampling thread after the report that shows the change is published. A
   * listener that throws is logged once and kept.
   */
  public void addListener(Listener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Removes a listener added earlier; no-op if absent. */
  public void removeListener(Listener listener) {
    listeners.remove(listener);
  }

  /** The policy in force (time compression already applied). */
  public GrowthPolicy policy() {
    return policy;
  }

  /** The sampling interval. */
  public Duration interval() {
    return interval;
  }

  /** The time compression in force (1: real time). */
  public double timeCompression() {
    return timeCompression;
  }

  /** The registry watched. */
  public LiveRegistry registry() {
    return registry;
  }

  @Override
  public String toString() {
    return "GrowthWatch[every "
        + human(interval)
        + ", rapid "
        + policy.rapidRatePerSecond()
        + "/s over "
        + human(policy.rapidWindow())
        + ", slow "
        + policy.slowRatePerSecond()
        + "/s over "
        + human(policy.slowWindow())
        + (isRunning() ? ", running" : "")
        + "]";
  }

  /**
   * Called when a site's alert level changes and, optionally, after every sample. Both methods run
   * on the thread that took the sample (the watch's thread, or the caller of {@link #sampleNow()}),
   * after the report is published; they should return quickly.
   */
  @FunctionalInterface
  public interface Listener {
    /**
     * @param now the site's status after the change
     * @param previousLevel its level before (0 none, 1 slow, 2 rapid)
     */
    void levelChanged(SiteStatus now, int previousLevel);

    /**
     * Called after every sample that published a new report (after the level changes it signalled):
     * for readers that keep a view of the whole report current, such as the Micrometer binder. Does
     * nothing by default.
     *
     * @param report the report the sample published
     */
    default void sampled(Report report) {}
  }

  /**
   * One site's status in a {@link Report}.
   *
   * @param site the call site
   * @param live its live count at the sample
   * @param ratePerSecond the trend of what the site holds over the fast window, per second
   *     (Theil-Sen slope; 0 while fewer than three points are in): its live count, plus retained
   *     cancelled tasks for an executor site
   * @param confidence how monotone that trend is, 0..1
   * @param severity the worse of the fast and the slow window's verdicts
   * @param sinceEpochMillis when the site reached its current level (0: at none since the start)
   */
  public record SiteStatus(
      CallSite site,
      long live,
      double ratePerSecond,
      double confidence,
      GrowthVerdict.Severity severity,
      long sinceEpochMillis) {

    public SiteStatus {
      Objects.requireNonNull(site, "site");
      Objects.requireNonNull(severity, "severity");
    }

    /** The alert level: 0 none (also while only {@code WATCH}), 1 slow, 2 rapid. */
    public int level() {
      return GrowthWatch.level(severity);
    }
  }

  /** What the watch knows after a sample: every site's status. Immutable. */
  public static final class Report {
    private final Snapshot snapshot;
    private final long samples;
    private final List<SiteStatus> sites;
    private final Map<CallSite, SiteStatus> bySite;

    Report(Snapshot snapshot, long samples, List<SiteStatus> sites) {
      this.snapshot = snapshot;
      this.samples = samples;
      this.sites = Collections.unmodifiableList(new ArrayList<>(sites));
      Map<CallSite, SiteStatus> m = new LinkedHashMap<>();
      for (SiteStatus s : this.sites) {
        m.put(s.site(), s);
      }
      this.bySite = m;
    }

    /** The snapshot the report rests on, or {@code null} before the first sample. */
    public Snapshot snapshot() {
      return snapshot;
    }

    /** Samples taken so far. */
    public long samples() {
      return samples;
    }

    /** Every site, in registration order. */
    public List<SiteStatus> sites() {
      return sites;
    }

    /** One site's status, or {@code null} if the watch has not seen it. */
    public SiteStatus site(CallSite site) {
      return bySite.get(Objects.requireNonNull(site, "site"));
    }

    /** The highest alert level over all sites (0 none, 1 slow, 2 rapid). */
    public int worstLevel() {
      int w = 0;
      for (SiteStatus s : sites) {
        w = Math.max(w, s.level());
      }
      return w;
    }

    /** The worst severity over all sites. */
    public GrowthVerdict.Severity worst() {
      GrowthVerdict.Severity w = GrowthVerdict.Severity.NONE;
      for (SiteStatus s : sites) {
        if (s.severity().compareTo(w) > 0) {
          w = s.severity();
        }
      }
      return w;
    }

    /**
     * The watch's status for each site of a snapshot bounded by {@link Snapshot#limitSites(int)}
     * (any snapshot of the same registry, not only this report's): a site kept by name gets its own
     * status; each {@link CallSite#other(CallSite.Kind) other} site stands for the sites of its
     * kind that were not kept, with the sum of their rates, the worst of their severities (and,
     * among those, the earliest {@code since}). A site the watch has not seen yet is at none with
     * rate 0. This is how every exporter labels growth, so the agent's {@code /metrics} and the
     * Micrometer binder agree series by series.
     *
     * @return one status per site of {@code limited}, in its order, with {@code live} from {@code
     *     limited}
     * @throws NullPointerException if {@code limited} is null
     */
    public List<SiteStatus> statusesFor(Snapshot limited) {
      Objects.requireNonNull(limited, "limited");
      java.util.Set<CallSite> kept = new java.util.HashSet<>();
      for (SiteStats s : limited.sites()) {
        if (!s.site().isOther()) {
          kept.add(s.site());
        }
      }
      int kinds = CallSite.Kind.values().length;
      double[] rate = new double[kinds];
      GrowthVerdict.Severity[] worst = new GrowthVerdict.Severity[kinds];
      long[] since = new long[kinds];
      for (SiteStatus st : sites) {
        if (kept.contains(st.site())) {
          continue;
        }
        int k = st.site().kind().ordinal();
        rate[k] += st.ratePerSecond();
        if (worst[k] == null || st.severity().compareTo(worst[k]) > 0) {
          worst[k] = st.severity();
          since[k] = st.sinceEpochMillis();
        } else if (st.severity() == worst[k] && st.sinceEpochMillis() > 0) {
          since[k] =
              since[k] == 0 ? st.sinceEpochMillis() : Math.min(since[k], st.sinceEpochMillis());
        }
      }
      List<SiteStatus> out = new ArrayList<>(limited.sites().size());
      for (SiteStats s : limited.sites()) {
        if (s.site().isOther()) {
          int k = s.site().kind().ordinal();
          GrowthVerdict.Severity sev = worst[k] == null ? GrowthVerdict.Severity.NONE : worst[k];
          out.add(new SiteStatus(s.site(), s.live(), rate[k], 0, sev, since[k]));
        } else {
          SiteStatus st = bySite.get(s.site());
          out.add(
              st == null
                  ? new SiteStatus(s.site(), s.live(), 0, 0, GrowthVerdict.Severity.NONE, 0)
                  : new SiteStatus(
                      s.site(),
                      s.live(),
                      st.ratePerSecond(),
                      st.confidence(),
                      st.severity(),
                      st.sinceEpochMillis()));
        }
      }
      return Collections.unmodifiableList(out);
    }

    /** The sites at level 1 or more, worst first, then fastest first. */
    public List<SiteStatus> alerting() {
      List<SiteStatus> out = new ArrayList<>();
      for (SiteStatus s : sites) {
        if (s.level() > 0) {
          out.add(s);
        }
      }
      out.sort(
          (a, b) -> {
            int c = Integer.compare(b.level(), a.level());
            return c != 0 ? c : Double.compare(b.ratePerSecond(), a.ratePerSecond());
          });
      return out;
    }

    @Override
    public String toString() {
      return "GrowthWatch.Report[" + sites.size() + " sites, worst " + worst() + "]";
    }
  }

  // ------------------------------------------------------------------------------ state

  private record Change(SiteStatus status, int previous) {}

  private static final class SiteState {
    final CallSite site;
    final long[] fast = new long[POINTS];
    final long[] slow = new long[POINTS];
    GrowthVerdict.Severity fastSeverity = GrowthVerdict.Severity.NONE;
    GrowthVerdict.Severity slowSeverity = GrowthVerdict.Severity.NONE;
    double rate;
    double confidence;
    int level;
    long sinceMillis;

    SiteState(CallSite site) {
      this.site = site;
    }
  }

  /** The sample times of one window: a ring of {@link #POINTS} shared by every site. */
  private static final class Ring {
    final long strideNanos;

    /** How far back the analysis looks: the window plus one step, so a full window is covered. */
    final long reachNanos;

    final long[] times = new long[POINTS];
    int head; // next write position
    int count; // points kept (at most POINTS)
    int n; // the newest points within reach: what is analysed

    /**
     * @param windowNanos the span the ring's verdict is about
     * @param intervalNanos the sampling interval (a point is added at most once per sample)
     */
    Ring(long windowNanos, long intervalNanos) {
      this.strideNanos = Math.max(1, windowNanos / (POINTS - 2));
      // With an interval longer than the stride, 64 points would span 64 intervals, far more
      // than the window: analyse only the points within the window and one step more.
      this.reachNanos = windowNanos + Math.max(strideNanos, intervalNanos);
    }

    long last() {
      return times[(head - 1 + POINTS) % POINTS];
    }

    boolean due(long now) {
      return count == 0 || now - last() >= strideNanos;
    }

    int append(long now) {
      int pos = head;
      times[pos] = now;
      head = (head + 1) % POINTS;
      if (count < POINTS) {
        count++;
      }
      int k = 1;
      while (k < count && now - times[(head - 1 - k + 2 * POINTS) % POINTS] <= reachNanos) {
        k++;
      }
      n = k;
      return pos;
    }

    /** Position of the i-th oldest point within reach. */
    int index(int i) {
      return (head - n + i + POINTS) % POINTS;
    }

    double[] seconds() {
      double[] t = new double[n];
      long t0 = times[index(0)];
      for (int i = 0; i < n; i++) {
        t[i] = (times[index(i)] - t0) / 1e9;
      }
      return t;
    }

    long spanNanos() {
      return n < 2 ? 0 : last() - times[index(0)];
    }
  }

  // ------------------------------------------------------------------------------ settings

  /**
   * Settings of a watch. Every setter checks its argument at once and throws with a message naming
   * the setting; {@link #properties} reads them from {@code timerguard.watch.*} keys. Not
   * thread-safe; build one watch per builder.
   */
  public static final class Builder {
    private static final Duration MIN_INTERVAL = Duration.ofMillis(10);
    private static final Duration MAX_WINDOW = Duration.ofDays(365);
    private static final double MAX_COMPRESSION = 3600;

    private static void checkWindow(String name, Duration window) {
      if (window.compareTo(MAX_WINDOW) > 0) {
        throw new IllegalArgumentException(
            PREFIX + name + " must be at most 365 days, was " + window);
      }
    }

    private LiveRegistry registry = LiveRegistry.global();
    private GrowthPolicy policy = GrowthPolicy.defaults();
    private Duration interval;
    private double timeCompression = 1;
    private Runnable beforeSample;

    private Builder() {}

    /**
     * A task run on the sampling thread right before each sample's snapshot (default none): a
     * source that learns of some ends only by polling (the agent's executor and thread trackers)
     * brings its counts up to date here, so the watch never samples stale live counts. It should be
     * quick; if it throws, that is logged once and the sample is taken anyway.
     */
    public Builder beforeSample(Runnable task) {
      this.beforeSample = Objects.requireNonNull(task, "task");
      return this;
    }

    /** The registry to watch (default {@link LiveRegistry#global()}). */
    public Builder registry(LiveRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /**
     * The growth policy (default {@link GrowthPolicy#defaults()}: rapid 100/s over 10 minutes, slow
     * 5/s over 6 hours).
     *
     * @throws IllegalArgumentException if a window of the policy is zero
     */
    public Builder policy(GrowthPolicy policy) {
      Objects.requireNonNull(policy, "policy");
      if (policy.rapidWindow().isZero() || policy.slowWindow().isZero()) {
        throw new IllegalArgumentException(
            "the watch needs positive windows, was rapid "
                + policy.rapidWindow()
                + " and slow "
                + policy.slowWindow());
      }
      checkWindow("rapidWindow", policy.rapidWindow());
      checkWindow("slowWindow", policy.slowWindow());
      this.policy = policy;
      return this;
    }

    /**
     * How often to sample (default: the rapid window divided by 60 after compression, 10 s with the
     * default policy). At most a third of the rapid window, so every window holds at least three
     * samples.
     *
     * @throws IllegalArgumentException if {@code interval} is zero or negative
     */
    public Builder interval(Duration interval) {
      Objects.requireNonNull(interval, "interval");
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException(PREFIX + "interval must be positive, was " + interval);
      }
      if (interval.compareTo(MIN_INTERVAL) < 0) {
        // every sample snapshots every site: a millisecond interval would take a core
        throw new IllegalArgumentException(
            PREFIX + "interval must be at least 10ms, was " + interval);
      }
      this.interval = interval;
      return this;
    }

    /**
     * Divides both windows (and the default interval) by {@code factor}: {@code 600} turns "10
     * minutes" into one second, for demos, tests and end-to-end checks. Rates are unchanged.
     *
     * @throws IllegalArgumentException if {@code factor} is below 1 or not finite
     */
    public Builder timeCompression(double factor) {
      if (!(factor >= 1) || Double.isInfinite(factor)) {
        throw new IllegalArgumentException(
            PREFIX + "timeCompression must be a finite number >= 1, was " + factor);
      }
      if (factor > MAX_COMPRESSION) {
        throw new IllegalArgumentException(
            PREFIX + "timeCompression must be at most 3600 (10 minutes in 1/6 s), was " + factor);
      }
      this.timeCompression = factor;
      return this;
    }

    /**
     * Reads the settings from {@code timerguard.watch.*} entries; other keys are ignored:
     *
     * <ul>
     *   <li>{@code interval}: a duration ({@code 10s}, {@code 500ms}, {@code 5m}, {@code 1h},
     *       {@code 1d} or ISO-8601 such as {@code PT10S});
     *   <li>{@code timeCompression}: a number {@code >= 1};
     *   <li>{@code rapidRatePerSecond}, {@code slowRatePerSecond}: positive numbers;
     *   <li>{@code rapidWindow}, {@code slowWindow}: positive durations.
     * </ul>
     *
     * @throws IllegalArgumentException naming the first unknown or malformed property and its
     *     accepted values
     */
    public Builder properties(Map<?, ?> properties) {
      Objects.requireNonNull(properties, "properties");
      Map<String, String> mine = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : snapshotOf(properties).entrySet()) {
        if (e.getKey() instanceof String && ((String) e.getKey()).startsWith(PREFIX)) {
          mine.put(((String) e.getKey()).substring(PREFIX.length()), String.valueOf(e.getValue()));
        }
      }
      double rapidRate = policy.rapidRatePerSecond();
      double slowRate = policy.slowRatePerSecond();
      Duration rapidWindow = policy.rapidWindow();
      Duration slowWindow = policy.slowWindow();
      for (Map.Entry<String, String> e : mine.entrySet()) {
        String v = e.getValue().trim();
        switch (e.getKey()) {
          case "interval":
            interval(duration("interval", v));
            break;
          case "timeCompression":
            timeCompression(number("timeCompression", v, "a finite number >= 1"));
            break;
          case "rapidRatePerSecond":
            rapidRate = positive("rapidRatePerSecond", v);
            break;
          case "slowRatePerSecond":
            slowRate = positive("slowRatePerSecond", v);
            break;
          case "rapidWindow":
            rapidWindow = duration("rapidWindow", v);
            checkWindow("rapidWindow", rapidWindow);
            break;
          case "slowWindow":
            slowWindow = duration("slowWindow", v);
            checkWindow("slowWindow", slowWindow);
            break;
          default:
            throw new IllegalArgumentException(
                "unknown property "
                    + PREFIX
                    + e.getKey()
                    + " (accepted: interval, timeCompression, rapidRatePerSecond, rapidWindow,"
                    + " slowRatePerSecond, slowWindow)");
        }
      }
      policy(
          GrowthPolicy.of(
              rapidRate,
              rapidWindow,
              slowRate,
              slowWindow,
              policy.minConfidence(),
              policy.minIncrease()));
      return this;
    }

    private static Map<?, ?> snapshotOf(Map<?, ?> m) {
      if (m instanceof Properties) {
        // System properties change under us; copy what is there now
        Map<Object, Object> copy = new LinkedHashMap<>();
        Properties p = (Properties) m;
        for (String k : p.stringPropertyNames()) {
          copy.put(k, p.getProperty(k));
        }
        return copy;
      }
      return m;
    }

    /**
     * Parses a duration setting: {@code 250ms}, {@code 10s}, {@code 5m}, {@code 6h}, {@code 1d} or
     * ISO-8601 ({@code PT10S}). Must be positive.
     *
     * @throws IllegalArgumentException naming {@code timerguard.watch.<name>} and the accepted
     *     forms
     */
    public static Duration duration(String name, String value) {
      Objects.requireNonNull(value, name);
      String v = value.trim();
      Duration d = null;
      try {
        if (v.startsWith("P") || v.startsWith("p")) {
          d = Duration.parse(v);
        } else {
          int i = 0;
          while (i < v.length() && (Character.isDigit(v.charAt(i)) || v.charAt(i) == '.')) {
            i++;
          }
          if (i > 0 && i < v.length()) {
            double n = Double.parseDouble(v.substring(0, i));
            long unitNanos;
            switch (v.substring(i).trim().toLowerCase(Locale.ROOT)) {
              case "ms":
                unitNanos = 1_000_000L;
                break;
              case "s":
                unitNanos = 1_000_000_000L;
                break;
              case "m":
                unitNanos = 60_000_000_000L;
                break;
              case "h":
                unitNanos = 3_600_000_000_000L;
                break;
              case "d":
                unitNanos = 86_400_000_000_000L;
                break;
              default:
                unitNanos = -1;
            }
            double nanos = n * unitNanos;
            if (unitNanos > 0 && nanos < 9.2e18) {
              d = Duration.ofNanos((long) nanos);
            }
          }
        }
      } catch (NumberFormatException | DateTimeParseException | ArithmeticException e) {
        d = null;
      }
      if (d != null && !d.isNegative() && !d.isZero()) {
        try {
          d.toNanos();
        } catch (ArithmeticException e) {
          d = null; // beyond 292 years: not a duration anything here can use
        }
      }
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(
            PREFIX
                + name
                + " must be a positive duration such as 500ms, 10s, 5m, 6h, 1d or PT10S, was '"
                + value
                + "'");
      }
      return d;
    }

    private static double positive(String name, String v) {
      double d = number(name, v, "a positive number");
      if (!(d > 0)) {
        throw new IllegalArgumentException(
            PREFIX + name + " must be a positive number, was '" + v + "'");
      }
      return d;
    }

    private static double number(String name, String v, String accepted) {
      try {
        double d = Double.parseDouble(v);
        if (Double.isNaN(d) || Double.isInfinite(d)) {
          throw new NumberFormatException();
        }
        return d;
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            PREFIX + name + " must be " + accepted + ", was '" + v + "'");
      }
    }

    GrowthPolicy effectivePolicy() {
      return timeCompression == 1 ? policy : policy.scaled(timeCompression);
    }

    Duration effectiveInterval(GrowthPolicy p) {
      Duration max = p.rapidWindow().dividedBy(3);
      if (interval == null) {
        Duration d = p.rapidWindow().dividedBy(60);
        return d.compareTo(MIN_INTERVAL) < 0 ? MIN_INTERVAL : d;
      }
      if (interval.compareTo(max) > 0) {
        throw new IllegalArgumentException(
            PREFIX
                + "interval "
                + interval
                + " is too long for the rapid window "
                + p.rapidWindow()
                + ": at most a third of it ("
                + max
                + ") so that a window holds three samples");
      }
      return interval;
    }

    /**
     * Builds the watch (not started: call {@link GrowthWatch#start()}, or drive it with {@link
     * GrowthWatch#sampleNow()}).
     *
     * @throws IllegalArgumentException if the interval is longer than a third of the rapid window
     */
    public GrowthWatch build() {
      return new GrowthWatch(this);
    }
  }
}
