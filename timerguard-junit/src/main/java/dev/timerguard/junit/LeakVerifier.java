package dev.timerguard.junit;

import dev.timerguard.junit.internal.Durations;
import dev.timerguard.junit.internal.FramePattern;
import dev.timerguard.junit.internal.ThreadScan;
import dev.timerguard.junit.internal.VirtualThreadDump;
import dev.timerguard.live.CallSite;
import dev.timerguard.live.LiveRegistry;
import dev.timerguard.live.SiteDelta;
import dev.timerguard.live.SiteStats;
import dev.timerguard.live.Snapshot;
import dev.timerguard.live.ThreadOrigins;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;

/**
 * Finds threads, timers, scheduled tasks and executors that outlive a piece of code: the JVM
 * counterpart of goleak's {@code Find}/{@code VerifyNone}, usable without JUnit.
 *
 * <pre>{@code
 * LeakVerifier verifier = LeakVerifier.builder().grace(Duration.ofMillis(500)).build();
 * LeakVerifier.Baseline before = verifier.baseline();   // what exists now is never a leak
 * runTheCode();
 * verifier.verifyNone(before, "runTheCode()");          // throws LeakDetectedError
 * }</pre>
 *
 * <p><b>What counts as a leak</b>, relative to a {@link Baseline}:
 *
 * <ul>
 *   <li>a platform thread alive now that was not alive at the baseline;
 *   <li>on JDK 21+, a virtual thread alive now that was created after the baseline (listed with the
 *       JDK's JSON thread dump, only when some thread was created at all; on JDK 17-20 this check
 *       is skipped and the report says so in a note);
 *   <li>a call site of {@link LiveRegistry#global()} of kind {@code TIMER}, {@code TICKER} or
 *       {@code EXECUTOR} whose live count is higher than at the baseline: TimerGuard timers, and,
 *       when the TimerGuard agent is loaded, JDK timers, scheduled tasks and executors. Counts are
 *       per site: a test that ends one old timer and leaks a new one at the same site nets zero;
 *   <li>an executor site that holds more cancelled-but-retained tasks than at the baseline (the
 *       {@code setRemoveOnCancelPolicy(false)} leak, counted by the agent).
 * </ul>
 *
 * <p>Threads that match an ignore rule are not leaks: a name regex (full match), a top-frame or
 * any-frame pattern ({@code pkg.Class.method}, or a prefix ending in {@code *}), and unless
 * disabled the {@link #DEFAULT_IGNORED_THREAD_NAMES} of the JDK and build tools. Carrier threads of
 * the virtual-thread scheduler are always ignored.
 *
 * <p><b>Grace.</b> {@link #find} looks again with exponential backoff (1 ms doubling up to 100 ms
 * between looks) until nothing leaks or the grace period is over, so threads that are shutting down
 * and timers about to fire do not count.
 *
 * <p>Immutable and thread-safe; a verifier can be shared. Cost when nothing leaks: a baseline and a
 * check each list platform threads without stacks and copy the registry's counters (tens of
 * microseconds); stacks and thread dumps are taken only for suspects.
 */
public final class LeakVerifier {

  /** Property: grace period, e.g. {@code 500ms}, {@code 2s}, {@code PT1S}; default {@code 1s}. */
  public static final String GRACE = "timerguard.leaks.grace";

  /** Property: one regex; threads whose whole name matches are ignored (use {@code |} for more). */
  public static final String IGNORE_THREAD_NAMES = "timerguard.leaks.ignore.threadNames";

  /** Property: comma-separated frame patterns; threads whose top frame matches are ignored. */
  public static final String IGNORE_TOP_FRAMES = "timerguard.leaks.ignore.topFrames";

  /** Property: comma-separated frame patterns; threads with any matching frame are ignored. */
  public static final String IGNORE_FRAMES = "timerguard.leaks.ignore.frames";

  /**
   * Property: {@code false} turns off {@link #DEFAULT_IGNORED_THREAD_NAMES}; default {@code true}.
   */
  public static final String DEFAULT_IGNORES = "timerguard.leaks.ignore.defaults";

  /** Property: {@code false} turns off the live-registry (timer/task/executor) check. */
  public static final String CHECK_TIMERS = "timerguard.leaks.timers";

  /** Property: {@code false} turns off the virtual-thread check (JDK 21+). */
  public static final String CHECK_VIRTUAL_THREADS = "timerguard.leaks.virtualThreads";

  /** The default grace period. */
  public static final Duration DEFAULT_GRACE = Duration.ofSeconds(1);

  /**
   * Names (regexes, full match) of threads the JDK, the JVM and build tools start on their own;
   * ignored unless {@link Builder#defaultIgnores(boolean)} is false. They are shared singletons
   * that live as long as the JVM once started, wherever the first use happened.
   */
  public static final List<String> DEFAULT_IGNORED_THREAD_NAMES =
      List.of(
          // JVM and JDK housekeeping
          "Reference Handler",
          "Finalizer",
          "Signal Dispatcher",
          "Common-Cleaner",
          "Attach Listener",
          "Notification Thread",
          "Service Thread",
          "Monitor Deflation Thread",
          "Sweeper thread",
          "C[12] CompilerThread\\d+",
          "JVMCI.*CompilerThread\\d+",
          "GC Thread#\\d+",
          "G1 .*",
          "VM Thread",
          "VM Periodic Task Thread",
          "JFR .*",
          "process reaper.*",
          // JDK shared schedulers and pools, started on first use and kept for the JVM's life
          "ForkJoinPool\\.commonPool-worker-\\d+",
          "CompletableFutureDelayScheduler",
          "VirtualThread-unparker",
          "VirtualThread-unblocker",
          "ForkJoinPool-\\d+-delayScheduler", // JDK 25: the virtual-thread scheduler's timer
          "(Read|Write|Master)-Poller",
          "Keep-Alive-Timer",
          "Keep-Alive-SocketCleaner",
          "Java2D Disposer",
          "AWT-.*",
          "Monitor Ctrl-Break",
          // TimerGuard's own process-wide engine (Timers.shared()), like the common pool, and
          // its process-wide growth watch (GrowthWatch.shared(), started by the agent or starter)
          "timerguard-shared-(tick|callback-\\d+|watch)",
          // build tools and JUnit
          "surefire-forkedjvm-.*",
          "last-ditch-daemon-shutdown-thread-.*",
          "junit-jupiter-timeout-watcher");

  private static final List<Pattern> DEFAULT_PATTERNS =
      DEFAULT_IGNORED_THREAD_NAMES.stream()
          .map(Pattern::compile)
          .collect(Collectors.toUnmodifiableList());

  private static final int MAX_SLEEP_MILLIS = 100;

  private final Duration grace;
  private final List<Pattern> ignoredNames;
  private final List<FramePattern> ignoredTopFrames;
  private final List<FramePattern> ignoredFrames;
  private final boolean checkTimers;
  private final boolean checkVirtualThreads;
  private final LiveRegistry registry;

  private LeakVerifier(Builder b) {
    this.grace = b.grace;
    List<Pattern> names = new ArrayList<>();
    if (b.defaultIgnores) {
      names.addAll(DEFAULT_PATTERNS);
    }
    names.addAll(b.names);
    this.ignoredNames = List.copyOf(names);
    this.ignoredTopFrames = List.copyOf(b.topFrames);
    this.ignoredFrames = List.copyOf(b.frames);
    this.checkTimers = b.checkTimers;
    this.checkVirtualThreads = b.checkVirtualThreads;
    this.registry = b.registry;
  }

  /** A builder with the defaults: 1 s grace, default ignores on, all checks on. */
  public static Builder builder() {
    return new Builder();
  }

  /** A verifier with the defaults. */
  public static LeakVerifier defaults() {
    return builder().build();
  }

  /** The grace period. */
  public Duration grace() {
    return grace;
  }

  /**
   * Records what exists now: live platform threads, the thread-id counter and the registry's
   * counters. Nothing in a baseline is ever reported as a leak (goleak's {@code IgnoreCurrent}).
   */
  public Baseline baseline() {
    Thread[] ts = ThreadScan.platformThreads();
    Set<Thread> set = Collections.newSetFromMap(new IdentityHashMap<>(ts.length * 2));
    Collections.addAll(set, ts);
    long[] mark = VirtualThreadDump.supported() && checkVirtualThreads ? ThreadScan.idMark() : null;
    Snapshot snap = checkTimers ? registry.snapshot() : null;
    return new Baseline(set, mark, snap, Map.of(), Map.of(), Set.of());
  }

  /**
   * Looks for leaks since {@code baseline}, again and again with backoff until none is left or the
   * grace period is over, and returns what is left. If the calling thread is interrupted while
   * waiting, returns at once with what it found (and keeps the interrupt flag).
   *
   * @throws NullPointerException if {@code baseline} is null
   */
  public LeakReport find(Baseline baseline) {
    Objects.requireNonNull(baseline, "baseline");
    long start = System.nanoTime();
    long deadline = start + grace.toNanos();
    long sleep = 1;
    int checks = 0;
    while (true) {
      checks++;
      LeakReport r = findOnce(baseline, checks, Duration.ofNanos(System.nanoTime() - start));
      long now = System.nanoTime();
      if (r.isEmpty() || now - deadline >= 0) {
        return r;
      }
      long left = (deadline - now + 999_999) / 1_000_000;
      try {
        Thread.sleep(Math.min(sleep, left));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return r;
      }
      sleep = Math.min(sleep * 2, MAX_SLEEP_MILLIS);
    }
  }

  /**
   * Like {@link #find}, and throws if anything leaked.
   *
   * @param subject what ran since the baseline, for the message (e.g. "test Foo.bar()")
   * @throws LeakDetectedError with the formatted report when anything leaked
   * @throws NullPointerException naming the argument that is null
   */
  public void verifyNone(Baseline baseline, String subject) {
    Objects.requireNonNull(subject, "subject");
    LeakReport r = find(baseline);
    if (!r.isEmpty()) {
      throw new LeakDetectedError(subject, r);
    }
  }

  private LeakReport findOnce(Baseline base, int checks, Duration waited) {
    List<String> notes = new ArrayList<>();
    List<LeakReport.LeakedThread> threads = new ArrayList<>();
    Thread[] now = ThreadScan.platformThreads();
    Set<Long> platformIds = new HashSet<>();
    Thread self = Thread.currentThread();
    for (Thread t : now) {
      platformIds.add(id(t));
      if (t == self || base.threads.contains(t) || !t.isAlive() || ThreadScan.isCarrier(t)) {
        continue;
      }
      String name = t.getName();
      if (nameIgnored(name)) {
        continue;
      }
      StackTraceElement[] stack = t.getStackTrace();
      Thread.State state = t.getState();
      if (state == Thread.State.TERMINATED || framesIgnored(List.of(stack))) {
        continue;
      }
      threads.add(
          new LeakReport.LeakedThread(
              name, id(t), state, t.isDaemon(), false, List.of(stack), ThreadOrigins.siteOf(t)));
    }
    if (checkVirtualThreads) {
      if (base.idMark == null) {
        notes.add(
            "virtual threads were not checked: JDK "
                + Runtime.version().feature()
                + " cannot list them (needs JDK 21+).");
      } else if (ThreadScan.threadsCreatedBetween(base.idMark, ThreadScan.idMark())) {
        try {
          List<VirtualThreadDump.Entry> dump = VirtualThreadDump.dump();
          // JDK 24+ marks virtual threads ("virtual": true); JDK 21-23 do not, so there a thread
          // the platform listing did not see is taken as virtual (a retry settles any race).
          boolean marked = dump.stream().anyMatch(e -> e.virtual() != null);
          for (VirtualThreadDump.Entry e : dump) {
            boolean virtual =
                marked ? Boolean.TRUE.equals(e.virtual()) : !platformIds.contains(e.tid());
            if (!virtual
                || e.tid() <= base.idMark[0]
                || base.acceptedVirtual.contains(e.tid())
                || nameIgnored(e.name())
                || framesIgnored(e.stack())) {
              continue;
            }
            threads.add(
                new LeakReport.LeakedThread(
                    e.name(), e.tid(), state(e.state()), true, true, e.stack(), null));
          }
        } catch (IllegalStateException ex) {
          notes.add("virtual threads were not checked: " + ex.getMessage());
        }
      }
    }
    List<LeakReport.LeakedSite> sites = new ArrayList<>();
    List<LeakReport.LeakedSite> threadSites = new ArrayList<>();
    if (checkTimers && base.registry != null) {
      Snapshot snap = registry.snapshot();
      for (SiteDelta d : snap.diff(base.registry)) {
        long grew = d.live() - base.acceptedLive.getOrDefault(d.site(), 0L);
        long retained = d.retained() - base.acceptedRetained.getOrDefault(d.site(), 0L);
        SiteStats s = snap.site(d.site());
        boolean liveLeak = grew > 0 && d.liveNow() > 0;
        boolean retainedLeak = retained > 0 && s != null && s.retained() > 0;
        if (!liveLeak && !retainedLeak) {
          continue;
        }
        LeakReport.LeakedSite leaked =
            new LeakReport.LeakedSite(
                d.site(),
                Math.max(0, grew),
                d.liveNow(),
                s == null ? 0 : s.oldestLiveAgeNanos(),
                retainedLeak ? retained : 0);
        (d.site().kind() == CallSite.Kind.THREAD ? threadSites : sites).add(leaked);
      }
    }
    return new LeakReport(threads, sites, threadSites, notes, checks, waited);
  }

  private static Thread.State state(String s) {
    if (s == null) {
      return null;
    }
    try {
      return Thread.State.valueOf(s.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  @SuppressWarnings("deprecation") // Thread.threadId() is JDK 19+
  private static long id(Thread t) {
    return t.getId();
  }

  private boolean nameIgnored(String name) {
    for (Pattern p : ignoredNames) {
      if (p.matcher(name).matches()) {
        return true;
      }
    }
    return false;
  }

  private boolean framesIgnored(List<StackTraceElement> stack) {
    if (!stack.isEmpty()) {
      for (FramePattern p : ignoredTopFrames) {
        if (p.matches(stack.get(0))) {
          return true;
        }
      }
    }
    for (FramePattern p : ignoredFrames) {
      for (StackTraceElement f : stack) {
        if (p.matches(f)) {
          return true;
        }
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return "LeakVerifier[grace="
        + Durations.text(grace)
        + ", ignoredNames="
        + ignoredNames.size()
        + ", ignoredTopFrames="
        + ignoredTopFrames
        + ", ignoredFrames="
        + ignoredFrames
        + ", timers="
        + checkTimers
        + ", virtualThreads="
        + checkVirtualThreads
        + "]";
  }

  /**
   * What existed at one moment; nothing in it is reported as a leak. Immutable; holds the platform
   * threads alive then (strongly, until the baseline is dropped).
   */
  public static final class Baseline {
    private final Set<Thread> threads;
    private final long[] idMark;
    private final Snapshot registry;
    private final Map<CallSite, Long> acceptedLive;
    private final Map<CallSite, Long> acceptedRetained;
    private final Set<Long> acceptedVirtual;

    private Baseline(
        Set<Thread> threads,
        long[] idMark,
        Snapshot registry,
        Map<CallSite, Long> acceptedLive,
        Map<CallSite, Long> acceptedRetained,
        Set<Long> acceptedVirtual) {
      this.threads = threads;
      this.idMark = idMark;
      this.registry = registry;
      this.acceptedLive = acceptedLive;
      this.acceptedRetained = acceptedRetained;
      this.acceptedVirtual = acceptedVirtual;
    }

    /**
     * This baseline plus everything in {@code report}: leaks already reported (for example by a
     * test method) are not reported again (by its class).
     *
     * @throws NullPointerException if {@code report} is null
     */
    public Baseline accepting(LeakReport report) {
      Objects.requireNonNull(report, "report");
      if (report.isEmpty()) {
        return this;
      }
      Set<Thread> ts = Collections.newSetFromMap(new IdentityHashMap<>());
      ts.addAll(threads);
      Set<Long> platformIds = new HashSet<>();
      Set<Long> virtual = new HashSet<>(acceptedVirtual);
      for (LeakReport.LeakedThread t : report.threads()) {
        (t.virtual() ? virtual : platformIds).add(t.id());
      }
      if (!platformIds.isEmpty()) {
        for (Thread t : ThreadScan.platformThreads()) {
          if (platformIds.contains(id(t))) {
            ts.add(t);
          }
        }
      }
      Map<CallSite, Long> live = new HashMap<>(acceptedLive);
      Map<CallSite, Long> retained = new HashMap<>(acceptedRetained);
      List<LeakReport.LeakedSite> all = new ArrayList<>(report.sites());
      all.addAll(report.threadSites());
      for (LeakReport.LeakedSite s : all) {
        live.merge(s.site(), s.leaked(), Long::sum);
        retained.merge(s.site(), s.retained(), Long::sum);
      }
      return new Baseline(
          ts, idMark, registry, Map.copyOf(live), Map.copyOf(retained), Set.copyOf(virtual));
    }
  }

  /**
   * Configures a {@link LeakVerifier}. Not thread-safe; {@link #build()} may be called more than
   * once. Ignore rules add up; other settings keep the last value set.
   */
  public static final class Builder {
    private Duration grace = DEFAULT_GRACE;
    private final List<Pattern> names = new ArrayList<>();
    private final List<FramePattern> topFrames = new ArrayList<>();
    private final List<FramePattern> frames = new ArrayList<>();
    private boolean defaultIgnores = true;
    private boolean checkTimers = true;
    private boolean checkVirtualThreads = true;
    private LiveRegistry registry = LiveRegistry.global();
    // which settings were set explicitly, for merge()
    private boolean graceSet;
    private boolean defaultIgnoresSet;
    private boolean checkTimersSet;
    private boolean checkVirtualThreadsSet;

    private Builder() {}

    /**
     * How long to keep looking before declaring a leak.
     *
     * @throws NullPointerException if {@code grace} is null
     * @throws IllegalArgumentException if {@code grace} is negative
     */
    public Builder grace(Duration grace) {
      this.grace = Durations.requireNonNegative("grace", Objects.requireNonNull(grace, "grace"));
      graceSet = true;
      return this;
    }

    /**
     * Ignores threads whose whole name matches {@code regex}.
     *
     * @throws IllegalArgumentException if {@code regex} is not a valid regular expression
     */
    public Builder ignoreThreadNames(String regex) {
      names.add(regex("ignoreThreadNames", regex));
      return this;
    }

    /**
     * Ignores threads whose top frame matches one of the patterns ({@code pkg.Class.method} or a
     * prefix ending in {@code *}); goleak's {@code IgnoreTopFunction}.
     *
     * @throws IllegalArgumentException if a pattern is malformed
     */
    public Builder ignoreTopFrames(String... patterns) {
      for (String p : patterns) {
        topFrames.add(FramePattern.parse("ignoreTopFrames", p));
      }
      return this;
    }

    /**
     * Ignores threads with any frame matching one of the patterns.
     *
     * @throws IllegalArgumentException if a pattern is malformed
     */
    public Builder ignoreFrames(String... patterns) {
      for (String p : patterns) {
        frames.add(FramePattern.parse("ignoreFrames", p));
      }
      return this;
    }

    /** Whether to ignore {@link #DEFAULT_IGNORED_THREAD_NAMES} (default true). */
    public Builder defaultIgnores(boolean on) {
      this.defaultIgnores = on;
      defaultIgnoresSet = true;
      return this;
    }

    /** Whether to check the live registry for timers, tasks and executors (default true). */
    public Builder checkTimers(boolean on) {
      this.checkTimers = on;
      checkTimersSet = true;
      return this;
    }

    /** Whether to check virtual threads on JDK 21+ (default true). */
    public Builder checkVirtualThreads(boolean on) {
      this.checkVirtualThreads = on;
      checkVirtualThreadsSet = true;
      return this;
    }

    /**
     * The registry to read (default {@link LiveRegistry#global()}).
     *
     * @throws NullPointerException if {@code registry} is null
     */
    public Builder registry(LiveRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /**
     * Applies the {@code timerguard.leaks.*} properties that {@code params} defines (from {@code
     * junit-platform.properties}, launcher configuration parameters or system properties); absent
     * ones change nothing.
     *
     * @throws IllegalArgumentException naming the property, when a value is malformed (a bad
     *     duration, a negative grace, a bad regex or frame pattern, a boolean other than
     *     true/false)
     */
    public Builder configure(Function<String, Optional<String>> params) {
      Objects.requireNonNull(params, "params");
      params.apply(GRACE).ifPresent(v -> grace(Durations.parse(GRACE, v)));
      params
          .apply(IGNORE_THREAD_NAMES)
          .filter(v -> !v.isBlank())
          .ifPresent(v -> names.add(regex(IGNORE_THREAD_NAMES, v.trim())));
      params
          .apply(IGNORE_TOP_FRAMES)
          .ifPresent(v -> topFrames.addAll(framesOf(IGNORE_TOP_FRAMES, v)));
      params.apply(IGNORE_FRAMES).ifPresent(v -> frames.addAll(framesOf(IGNORE_FRAMES, v)));
      params.apply(DEFAULT_IGNORES).ifPresent(v -> defaultIgnores(bool(DEFAULT_IGNORES, v)));
      params.apply(CHECK_TIMERS).ifPresent(v -> checkTimers(bool(CHECK_TIMERS, v)));
      params
          .apply(CHECK_VIRTUAL_THREADS)
          .ifPresent(v -> checkVirtualThreads(bool(CHECK_VIRTUAL_THREADS, v)));
      return this;
    }

    /** A copy of this builder, to derive settings without changing it. */
    public Builder copy() {
      Builder b = new Builder();
      b.grace = grace;
      b.names.addAll(names);
      b.topFrames.addAll(topFrames);
      b.frames.addAll(frames);
      b.defaultIgnores = defaultIgnores;
      b.checkTimers = checkTimers;
      b.checkVirtualThreads = checkVirtualThreads;
      b.registry = registry;
      b.graceSet = graceSet;
      b.defaultIgnoresSet = defaultIgnoresSet;
      b.checkTimersSet = checkTimersSet;
      b.checkVirtualThreadsSet = checkVirtualThreadsSet;
      return b;
    }

    /**
     * A new builder: {@code base} overlaid with this one. Ignore rules of both apply; grace and
     * switches come from this builder where it set them, else from {@code base}.
     */
    Builder merge(Builder base) {
      Builder m = base.copy();
      m.names.addAll(names);
      m.topFrames.addAll(topFrames);
      m.frames.addAll(frames);
      m.registry = registry;
      if (graceSet) {
        m.grace = grace;
      }
      if (defaultIgnoresSet) {
        m.defaultIgnores = defaultIgnores;
      }
      if (checkTimersSet) {
        m.checkTimers = checkTimers;
      }
      if (checkVirtualThreadsSet) {
        m.checkVirtualThreads = checkVirtualThreads;
      }
      return m;
    }

    /** Builds the verifier. */
    public LeakVerifier build() {
      return new LeakVerifier(this);
    }

    private static List<FramePattern> framesOf(String what, String csv) {
      List<FramePattern> out = new ArrayList<>();
      for (String p : csv.split(",")) {
        if (!p.isBlank()) {
          out.add(FramePattern.parse(what, p));
        }
      }
      return out;
    }

    private static Pattern regex(String what, String regex) {
      Objects.requireNonNull(regex, what);
      try {
        return Pattern.compile(regex);
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException(
            what + ": '" + regex + "' is not a valid regular expression: " + e.getDescription(), e);
      }
    }

    private static boolean bool(String what, String v) {
      String t = v.trim().toLowerCase(Locale.ROOT);
      if (t.equals("true")) {
        return true;
      }
      if (t.equals("false")) {
        return false;
      }
      throw new IllegalArgumentException(what + ": '" + v + "' is not true or false");
    }
  }
}
