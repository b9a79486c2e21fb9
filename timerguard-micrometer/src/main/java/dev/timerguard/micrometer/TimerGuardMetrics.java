package dev.timerguard.micrometer;

import dev.timerguard.live.CallSite;
import dev.timerguard.live.GrowthVerdict;
import dev.timerguard.live.GrowthWatch;
import dev.timerguard.live.LiveRegistry;
import dev.timerguard.live.SiteStats;
import dev.timerguard.live.Snapshot;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * Exports TimerGuard's live model to Micrometer: per call site the live count, the created, fired
 * and cancelled counters, retained cancelled tasks (executor sites), live threads (thread sites)
 * and the {@link GrowthWatch}'s growth rate and severity; the totals; and the {@code
 * timerguard.jvm.*} signals. Rendered by a Prometheus registry these are exactly the names, types
 * and labels of the TimerGuard agent's {@code /metrics} ({@code timerguard_site_live}, {@code
 * timerguard_site_creations_total}, ...), so one dashboard and one rule file serve both.
 *
 * <p><b>{@code creations}, not {@code created}.</b> The count of creations is the counter {@code
 * timerguard.site.creations} ({@code timerguard_site_creations_total}): the Prometheus client that
 * Micrometer renders with reserves the suffix {@code _created} (OpenMetrics' creation timestamps)
 * and strips it, so a counter {@code timerguard.site.created} would come out as {@code
 * timerguard_site_total}. An exporter that writes the text format itself (the agent) must use the
 * same name for one dashboard to serve both.
 *
 * <p><b>One model.</b> The binder counts nothing itself. It follows one {@link GrowthWatch}
 * (default {@link GrowthWatch#shared()}, over {@link LiveRegistry#global()}): after every sample
 * the watch takes, the binder reads that sample's snapshot and report and caches them; meters read
 * the cache, so a scrape takes no snapshot and values are at most one watch interval old. With the
 * TimerGuard agent loaded the global registry also holds the JDK's timers, executors and threads;
 * without it, the timers of the safe API ({@code dev.timerguard.Timers}).
 *
 * <p><b>Bounded labels.</b> At most {@link Builder#maxSites(int) maxSites} sites (default {@value
 * #DEFAULT_MAX_SITES}) are exported by name, chosen by {@link Snapshot#limitSites(int)} (most live
 * first); the rest are summed per kind under {@code site="other"}, whose growth rate is the sum of
 * the summed sites' rates and whose severity is the worst of theirs. When a site leaves the chosen
 * set its meters are removed from every registry this binder is bound to; when one enters, its
 * meters are added. This happens on the watch's sampling thread, never during a scrape. The {@code
 * other} counters can go down when a site moves out of the bucket; Prometheus reads that as a
 * counter reset.
 *
 * <p><b>Labels.</b> {@code kind} ({@code timer}, {@code ticker}, {@code executor}, {@code thread}),
 * {@code site} ({@link CallSite#location()}, {@code other} for the sum), {@code class} ({@link
 * CallSite#className()}, {@code other}) and {@code line} (decimal, {@code -1} when unknown or
 * summed). The JVM signals carry {@code pool} or {@code gc}.
 *
 * <p><b>Lifecycle.</b> {@link #bindTo} may be called for several registries (binding one registry
 * twice is a no-op); the binder starts following the watch at the first binding. {@link #close()}
 * stops following it and removes every meter it registered; the watch itself is not closed (the
 * binder does not own it). Binding after close throws {@link IllegalStateException}.
 *
 * <p>Thread-safe: every method may be called from any thread.
 */
public final class TimerGuardMetrics implements MeterBinder, AutoCloseable {

  /** The default cap on sites exported by name, {@value}. */
  public static final int DEFAULT_MAX_SITES = 200;

  private final GrowthWatch watch;
  private final int maxSites;
  private final Object lock = new Object();
  private final Map<MeterRegistry, Bound> bound = new LinkedHashMap<>(); // guarded by lock
  private Map<CallSite, Cell> cells = new LinkedHashMap<>(); // guarded by lock
  private volatile Totals totals = Totals.EMPTY;
  private boolean listening; // guarded by lock
  private boolean closed; // guarded by lock
  private final GrowthWatch.Listener listener =
      new GrowthWatch.Listener() {
        @Override
        public void levelChanged(GrowthWatch.SiteStatus now, int previousLevel) {
          // the next sampled(...) call carries the change
        }

        @Override
        public void sampled(GrowthWatch.Report report) {
          refresh(report);
        }
      };

  private TimerGuardMetrics(GrowthWatch watch, int maxSites) {
    this.watch = watch;
    this.maxSites = maxSites;
  }

  /** A builder: the shared watch over the global registry, {@value #DEFAULT_MAX_SITES} sites. */
  public static Builder builder() {
    return new Builder();
  }

  /** The watch this binder follows. */
  public GrowthWatch watch() {
    return watch;
  }

  /** The cap on sites exported by name. */
  public int maxSites() {
    return maxSites;
  }

  // ------------------------------------------------------------------------------ binding

  /**
   * Registers the totals and JVM meters and the per-site meters of the latest report, and starts
   * following the watch so the per-site set tracks its samples.
   *
   * @throws NullPointerException if {@code registry} is null
   * @throws IllegalStateException if this binder was closed
   */
  @Override
  public void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("this TimerGuardMetrics was closed");
      }
      if (bound.containsKey(registry)) {
        return;
      }
      Bound b = new Bound(registry);
      bound.put(registry, b);
      registerFixed(b);
      for (Cell c : cells.values()) {
        b.sites.put(c.row.site(), registerSite(registry, c));
      }
      if (!listening) {
        listening = true;
        watch.addListener(listener);
      }
    }
    refresh(watch.report());
  }

  /**
   * Stops following the watch and removes every meter this binder registered from every registry it
   * was bound to. Idempotent.
   */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      watch.removeListener(listener);
      for (Bound b : bound.values()) {
        for (List<Meter> ms : b.sites.values()) {
          removeAll(b.registry, ms);
        }
        removeAll(b.registry, b.fixed);
      }
      bound.clear();
      cells = new LinkedHashMap<>();
    }
  }

  /** Updates the cache from a report and adds/removes per-site meters to match it. */
  private void refresh(GrowthWatch.Report report) {
    Snapshot snap = report.snapshot();
    if (snap == null) {
      return; // the watch has not sampled yet
    }
    List<Row> rows = rows(report, maxSites);
    Totals t =
        new Totals(
            snap.totalLiveTimers(),
            snap.totalRetained(),
            snap.totalLive(CallSite.Kind.THREAD),
            report.worstLevel(),
            snap.nanoTime());
    synchronized (lock) {
      if (closed || t.nanoTime < totals.nanoTime) {
        return; // closed, or an older report than the one already shown
      }
      Map<CallSite, Cell> next = new LinkedHashMap<>();
      for (Row r : rows) {
        Cell c = cells.get(r.site());
        if (c == null) {
          c = new Cell(r);
        } else {
          c.row = r;
        }
        next.put(r.site(), c);
      }
      // values first: whatever happens to one meter below, every other one shows this sample
      cells = next;
      totals = t;
      for (Bound b : bound.values()) {
        for (CallSite gone : new ArrayList<>(b.sites.keySet())) {
          if (!next.containsKey(gone)) {
            try {
              removeAll(b.registry, b.sites.remove(gone));
            } catch (RuntimeException e) {
              failedOnce(gone, e);
            }
          }
        }
        for (Cell c : next.values()) {
          if (!b.sites.containsKey(c.row.site())) {
            // A registry may refuse one meter (a MeterFilter that throws, a clashing id): that
            // site is left out of this registry, the others and the totals go on.
            try {
              b.sites.put(c.row.site(), registerSite(b.registry, c));
            } catch (RuntimeException e) {
              b.sites.put(c.row.site(), List.of());
              failedOnce(c.row.site(), e);
            }
          }
        }
      }
    }
  }

  private final java.util.Set<String> failures = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private void failedOnce(CallSite site, RuntimeException e) {
    if (failures.size() < 16 && failures.add(e.getClass().getName())) {
      System.getLogger("dev.timerguard.micrometer")
          .log(
              System.Logger.Level.WARNING,
              "TimerGuard metrics: the meter registry refused the meters of "
                  + site.location()
                  + "; left out, the other sites go on: "
                  + e);
    }
  }

  private static void removeAll(MeterRegistry registry, List<Meter> meters) {
    for (Meter m : meters) {
      registry.remove(m);
    }
  }

  // ------------------------------------------------------------------------------ meters

  private List<Meter> registerSite(MeterRegistry registry, Cell cell) {
    SiteMeters m = new SiteMeters(registry, cell);
    try {
      return registerSite(m);
    } catch (RuntimeException e) {
      removeAll(registry, m.meters); // none of a refused site's meters stay behind
      throw e;
    }
  }

  private List<Meter> registerSite(SiteMeters m) {
    CallSite.Kind kind = m.cell.row.site().kind();
    m.gauge("timerguard.site.live", "Live entries at the call site", r -> r.stats().live());
    m.counter("timerguard.site.creations", "Created at the call site", r -> r.stats().created());
    m.counter(
        "timerguard.site.fired",
        "Fired (timers) or ended (threads) at the call site",
        r -> r.stats().fired());
    m.counter(
        "timerguard.site.cancelled",
        "Cancelled (timers) or shut down (executors) at the call site",
        r -> r.stats().cancelled());
    if (kind == CallSite.Kind.EXECUTOR) {
      m.gauge(
          "timerguard.executor.retained.cancelled.tasks",
          "Cancelled tasks still held in the queues of executors created at the call site",
          r -> r.stats().retained());
    }
    if (kind == CallSite.Kind.THREAD) {
      m.gauge(
          "timerguard.threads.live",
          "Live threads created at the call site",
          r -> r.stats().live());
    }
    m.gauge(
        "timerguard.site.growth.rate",
        "Growth of the live count over the watch's rapid window, per second",
        Row::ratePerSecond);
    m.gauge(
        "timerguard.site.growth.severity",
        "Growth alert level: 0 none, 1 slow, 2 rapid",
        Row::level);
    return m.meters;
  }

  /** Registers the meters of one site in one registry, all reading the site's cell. */
  private static final class SiteMeters {
    final MeterRegistry registry;
    final Cell cell;
    final Tags tags;
    final List<Meter> meters = new ArrayList<>(8);

    SiteMeters(MeterRegistry registry, Cell cell) {
      this.registry = registry;
      this.cell = cell;
      this.tags = tags(cell.row.site());
    }

    void gauge(String name, String description, ToDoubleFunction<Row> f) {
      meters.add(
          TimerGuardMetrics.gauge(name, description, tags, cell, c -> f.applyAsDouble(c.row))
              .register(registry));
    }

    void counter(String name, String description, ToDoubleFunction<Row> f) {
      meters.add(
          FunctionCounter.builder(name, cell, c -> f.applyAsDouble(c.row))
              .description(description)
              .tags(tags)
              .register(registry));
    }
  }

  private void registerFixed(Bound b) {
    total(
        b, "timerguard.live.timers", "Live timers and tickers over all sites", Totals::liveTimers);
    total(
        b,
        "timerguard.retained.cancelled.tasks",
        "Cancelled tasks still held in executor queues over all sites",
        Totals::retained);
    total(
        b, "timerguard.live.threads", "Live threads over all creation sites", Totals::liveThreads);
    total(
        b,
        "timerguard.growth.worst.severity",
        "Worst growth alert level over all sites: 0 none, 1 slow, 2 rapid",
        Totals::worstLevel);
    MeterRegistry r = b.registry;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null) {
        b.fixed.add(
            Gauge.builder("timerguard.jvm.heap.after.gc", pool, TimerGuardMetrics::usedAfterGc)
                .description("Heap used right after the last collection, per pool")
                .baseUnit("bytes")
                .tag("pool", pool.getName())
                .strongReference(true)
                .register(r));
      }
    }
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      b.keep.add(gc); // function counters hold their object weakly
      b.fixed.add(
          FunctionCounter.builder("timerguard.jvm.gc.pause", gc, g -> g.getCollectionTime() / 1e3)
              .description("Accumulated collection time, per collector")
              .baseUnit("seconds")
              .tag("gc", gc.getName())
              .register(r));
      b.fixed.add(
          FunctionCounter.builder("timerguard.jvm.gc.collections", gc, g -> g.getCollectionCount())
              .description("Collections, per collector")
              .tag("gc", gc.getName())
              .register(r));
    }
    b.fixed.add(
        Gauge.builder(
                "timerguard.jvm.threads.live",
                ManagementFactory.getThreadMXBean(),
                ThreadMXBean::getThreadCount)
            .description("Live threads in the JVM")
            .strongReference(true)
            .register(r));
  }

  /** A gauge over the totals of the last sample. */
  private void total(Bound b, String name, String description, ToDoubleFunction<Totals> f) {
    b.fixed.add(
        gauge(name, description, Tags.empty(), this, m -> f.applyAsDouble(m.totals))
            .register(b.registry));
  }

  private static double usedAfterGc(MemoryPoolMXBean pool) {
    java.lang.management.MemoryUsage u = pool.getCollectionUsage();
    return u == null ? Double.NaN : u.getUsed();
  }

  private static <T> Gauge.Builder<T> gauge(
      String name, String description, Tags tags, T obj, ToDoubleFunction<T> f) {
    return Gauge.builder(name, obj, f).description(description).tags(tags).strongReference(true);
  }

  /** The labels of a site: kind, site, class, line, as the metrics contract defines them. */
  static Tags tags(CallSite site) {
    return Tags.of(
        "kind", site.kind().name().toLowerCase(Locale.ROOT),
        "site", site.location(),
        "class", site.className(),
        "line", Integer.toString(site.line()));
  }

  // ------------------------------------------------------------------------------ rows

  /**
   * The per-site rows this binder exports for a report: at most {@code maxSites} sites by name
   * ({@link Snapshot#limitSites(int)}) and one {@code other} row per kind for the rest, each with
   * its counters, growth rate and alert level. Used by the binder and by readers that want to show
   * the same table (the Spring Boot starter's endpoint).
   *
   * @return the rows in the snapshot's order (kept sites, then {@code other} sites); empty before
   *     the watch's first sample
   * @throws NullPointerException if {@code report} is null
   * @throws IllegalArgumentException if {@code maxSites} is less than 1
   */
  public static List<Row> rows(GrowthWatch.Report report, int maxSites) {
    Objects.requireNonNull(report, "report");
    checkMaxSites(maxSites);
    Snapshot snap = report.snapshot();
    if (snap == null) {
      return List.of();
    }
    Snapshot limited = snap.limitSites(maxSites);
    List<GrowthWatch.SiteStatus> statuses = report.statusesFor(limited);
    List<Row> out = new ArrayList<>(statuses.size());
    for (int i = 0; i < statuses.size(); i++) {
      GrowthWatch.SiteStatus st = statuses.get(i);
      out.add(
          new Row(
              limited.sites().get(i), st.ratePerSecond(), st.severity(), st.sinceEpochMillis()));
    }
    return Collections.unmodifiableList(out);
  }

  private static int checkMaxSites(int maxSites) {
    if (maxSites < 1) {
      throw new IllegalArgumentException(
          "maxSites must be at least 1 (the number of call sites exported by name; the rest are"
              + " summed under site=\"other\"), was "
              + maxSites);
    }
    return maxSites;
  }

  /**
   * One exported site: its counters, its growth rate and severity as the watch sees them.
   *
   * @param stats the site's counters (for {@code other}: the sum of the summed sites)
   * @param ratePerSecond the watch's growth rate of the live count, per second
   * @param severity the watch's severity (for {@code other}: the worst of the summed sites)
   * @param sinceEpochMillis when the site reached its current level ({@code 0}: at none since the
   *     watch started)
   */
  public record Row(
      SiteStats stats,
      double ratePerSecond,
      GrowthVerdict.Severity severity,
      long sinceEpochMillis) {

    public Row {
      Objects.requireNonNull(stats, "stats");
      Objects.requireNonNull(severity, "severity");
    }

    /** The call site. */
    public CallSite site() {
      return stats.site();
    }

    /** The alert level exported as {@code timerguard_site_growth_severity}: 0, 1 or 2. */
    public int level() {
      return GrowthWatch.level(severity);
    }
  }

  // ------------------------------------------------------------------------------ state

  /** The per-site value the meters of one site read; replaced at each refresh. */
  private static final class Cell {
    volatile Row row;

    Cell(Row row) {
      this.row = row;
    }
  }

  private record Totals(
      long liveTimers, long retained, long liveThreads, int worstLevel, long nanoTime) {
    static final Totals EMPTY = new Totals(0, 0, 0, 0, Long.MIN_VALUE);
  }

  /** The meters registered in one registry. */
  private static final class Bound {
    final MeterRegistry registry;
    final List<Meter> fixed = new ArrayList<>();
    final Map<CallSite, List<Meter>> sites = new LinkedHashMap<>();
    final List<Object> keep = new ArrayList<>();

    Bound(MeterRegistry registry) {
      this.registry = registry;
    }
  }

  @Override
  public String toString() {
    return "TimerGuardMetrics[" + maxSites + " sites max, " + watch + "]";
  }

  // ------------------------------------------------------------------------------ builder

  /**
   * Settings of a binder. Every setter checks its argument at once. Not thread-safe; build one
   * binder per builder.
   */
  public static final class Builder {
    private LiveRegistry registry;
    private GrowthWatch watch;
    private int maxSites = DEFAULT_MAX_SITES;

    private Builder() {}

    /**
     * The watch to follow (default {@link GrowthWatch#shared()}, started when the binder is built).
     * The binder does not start, sample or close it.
     */
    public Builder watch(GrowthWatch watch) {
      this.watch = Objects.requireNonNull(watch, "watch");
      return this;
    }

    /**
     * The registry whose sites to export (default: the watch's). A registry other than {@link
     * LiveRegistry#global()} needs a {@link #watch(GrowthWatch) watch} over it.
     */
    public Builder registry(LiveRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /**
     * The most sites exported by name (default {@value #DEFAULT_MAX_SITES}); the rest are summed
     * per kind under {@code site="other"}.
     *
     * @throws IllegalArgumentException if {@code maxSites} is less than 1
     */
    public Builder maxSites(int maxSites) {
      this.maxSites = checkMaxSites(maxSites);
      return this;
    }

    /**
     * Builds the binder.
     *
     * @throws IllegalArgumentException if the registry is not the one the watch watches, or a
     *     registry other than the global one was given without a watch
     */
    public TimerGuardMetrics build() {
      GrowthWatch w = watch;
      if (w == null) {
        if (registry != null && registry != LiveRegistry.global()) {
          throw new IllegalArgumentException(
              "registry "
                  + registry
                  + " is not LiveRegistry.global(): give a watch over it too,"
                  + " watch(GrowthWatch.builder().registry(registry).build())");
        }
        w = GrowthWatch.shared();
      }
      if (registry != null && registry != w.registry()) {
        throw new IllegalArgumentException(
            "registry "
                + registry
                + " is not the registry the watch samples ("
                + w.registry()
                + "): the binder reads the watch's samples only");
      }
      return new TimerGuardMetrics(w, maxSites);
    }
  }
}
