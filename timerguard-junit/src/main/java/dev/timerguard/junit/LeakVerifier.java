package dev.timerguard.junit;

import dev.timerguard.junit.internal.Durations;
import dev.timerguard.junit.internal.FramePattern;
import dev.timerguard.junit.internal.RunLedger;
import dev.timerguard.junit.internal.ThreadAttribution;
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
 * <p><b>Attribution.</b> A baseline taken for a test scope (by {@link LeakVerifierExtension} and
 * {@link LeakVerifierListener}) counts only the threads that scope started, through the chain of
 * starting threads (JFR thread-start events; see {@link #ATTRIBUTION}); threads that belong to no
 * test, and resources of the test framework ({@link #DEFAULT_IGNORED_CREATORS}) and of static
 * initializers (unless {@link #STRICT}), are kept for the run's report instead. A plain {@link
 * #baseline()} counts every new thread, and its report shows each thread's creation site.
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

  /**
   * Property: {@code false} turns off attributing threads to the test that started them (JFR
   * thread-start events; see {@link LeakVerifierExtension}); default {@code true}.
   */
  public static final String ATTRIBUTION = "timerguard.leaks.attribution";

  /**
   * Property: comma-separated frame patterns, added to {@link #DEFAULT_IGNORED_CREATORS}: a thread,
   * timer or executor whose creation site (the first frame outside the JDK in the stack of {@code
   * start()}, or the agent's recorded site) matches is the test framework's or build tool's,
   * reported once per run as information and never a test's failure.
   */
  public static final String IGNORE_CREATORS = "timerguard.leaks.ignore.creators";

  /**
   * Property: comma-separated frame patterns of code that creates process-wide resources on purpose
   * (e.g. {@code com.acme.Metrics.instance}): a thread with a matching frame in its creation stack,
   * or a site in such code, is treated like one created in a static initializer.
   */
  public static final String SINGLETONS = "timerguard.leaks.singletons";

  /**
   * Property: {@code true} fails tests also for threads, timers and executors created in static
   * initializers ({@code <clinit>}) or {@link #SINGLETONS}; by default they are reported once per
   * run, naming the holder class, as information. Default {@code false}.
   */
  public static final String STRICT = "timerguard.leaks.strict";

  /**
   * Creation sites (frame patterns) of the test framework and build tools, whose threads and
   * executors a test cannot end: JUnit Platform, Jupiter (e.g. the {@code @Timeout} executor of
   * {@code TimeoutInvocationFactory$SingleThreadExecutorResource}) and Vintage, JUnit 4's runners,
   * Maven Surefire, Gradle's test workers and IDE runners. Ignored unless {@link
   * Builder#defaultIgnores(boolean)} is false.
   */
  public static final List<String> DEFAULT_IGNORED_CREATORS =
      List.of(
          "org.junit.platform.*",
          "org.junit.jupiter.engine.*",
          "org.junit.vintage.*",
          "org.junit.internal.*",
          "org.junit.runners.*",
          "org.apache.maven.surefire.*",
          "org.apache.maven.plugin.surefire.*",
          "org.gradle.*",
          "worker.org.gradle.*",
          "com.intellij.rt.*",
          "org.eclipse.jdt.internal.junit.*");

  private static final List<FramePattern> DEFAULT_CREATOR_PATTERNS =
      DEFAULT_IGNORED_CREATORS.stream()
          .map(p -> FramePattern.parse("DEFAULT_IGNORED_CREATORS", p))
          .collect(Collectors.toUnmodifiableList());

  /** How long a verification waits for JFR to deliver the start events of suspect threads. */
  private static final Duration ATTRIBUTION_WAIT = Duration.ofSeconds(10);

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
          // the JFR stream reader of the verifier's thread attribution
          "timerguard-attribution",
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
  private final boolean attribution;
  private final boolean strict;
  private final List<FramePattern> ignoredCreators;
  private final List<FramePattern> singletons;

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
    this.attribution = b.attribution;
    this.strict = b.strict;
    List<FramePattern> creators = new ArrayList<>();
    if (b.defaultIgnores) {
      creators.addAll(DEFAULT_CREATOR_PATTERNS);
    }
    creators.addAll(b.creators);
    this.ignoredCreators = List.copyOf(creators);
    this.singletons = List.copyOf(b.singletons);
  }

  /** Whether this verifier attributes threads to the test that started them. */
  boolean attributes() {
    return attribution;
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
    return baseline(null);
  }

  /**
   * A baseline for {@code scope}: then only what the scope started (through the chain of starting
   * threads) can be its leak; what other scopes started is theirs, what nobody can be blamed for
   * goes to the run's ledger.
   */
  Baseline baseline(ThreadAttribution.Scope scope) {
    ThreadAttribution attr = attribution();
    Thread[] ts = ThreadScan.platformThreads();
    Set<Thread> set = Collections.newSetFromMap(new IdentityHashMap<>(ts.length * 2));
    Collections.addAll(set, ts);
    long[] mark = VirtualThreadDump.supported() && checkVirtualThreads ? ThreadScan.idMark() : null;
    Snapshot snap = checkTimers ? registry.snapshot() : null;
    return new Baseline(set, mark, snap, Map.of(), Map.of(), Set.of(), attr == null ? null : scope);
  }

  /** The running attribution (started on first use), or {@code null} when off or unavailable. */
  ThreadAttribution attribution() {
    if (!attribution) {
      return null;
    }
    ThreadAttribution a = ThreadAttribution.shared();
    return a.available() ? a : null;
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
    ThreadAttribution attr = attribution();
    long start = System.nanoTime();
    long deadline = start + grace.toNanos();
    long sleep = 1;
    int checks = 0;
    LeakReport r;
    while (true) {
      checks++;
      r = findOnce(baseline, attr, null, checks, Duration.ofNanos(System.nanoTime() - start));
      if ((r.isEmpty() && r.pending.isEmpty()) || System.nanoTime() >= deadline) {
        break;
      }
      if (!r.pending.isEmpty()) {
        attr.awaitOrigins(r.pending, Duration.ofMillis(Math.max(1, sleep)));
      }
      try {
        Thread.sleep(Math.min(sleep, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      sleep = Math.min(sleep * 2, MAX_SLEEP_MILLIS);
    }
    if (attr != null) {
      // The start events of what is left (to judge it, or to name its creation site).
      Set<Long> wanted = new HashSet<>(r.pending);
      for (LeakReport.LeakedThread t : r.threads()) {
        if (!t.virtual() && attr.origin(t.id()) == null) {
          wanted.add(t.id());
        }
      }
      if (!wanted.isEmpty()) {
        attr.awaitOrigins(wanted, ATTRIBUTION_WAIT);
        r =
            findOnce(
                baseline, attr, wanted, checks + 1, Duration.ofNanos(System.nanoTime() - start));
      }
    }
    for (RunLedger.Entry e : r.deferred) {
      RunLedger.global().add(e.kind(), e.key(), e.text());
    }
    return r;
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

  /**
   * One look. {@code awaited}, for the last look only, holds the threads whose start events were
   * waited for: one of them still unknown has no start event; any other unknown thread appeared
   * after the waiting began, is not judged by this look, and is left to whichever verification sees
   * it next.
   */
  private LeakReport findOnce(
      Baseline base, ThreadAttribution attr, Set<Long> awaited, int checks, Duration waited) {
    boolean last = awaited != null;
    ThreadAttribution.Scope scope = base.scope;
    boolean attributing = attr != null && scope != null;
    List<String> notes = new ArrayList<>();
    List<LeakReport.LeakedThread> threads = new ArrayList<>();
    Set<Long> pending = new HashSet<>();
    List<RunLedger.Entry> deferred = new ArrayList<>();
    Thread[] now = ThreadScan.platformThreads();
    Set<Long> platformIds = new HashSet<>();
    Thread self = Thread.currentThread();
    for (Thread t : now) {
      platformIds.add(id(t));
      if (t == self || base.threads.contains(t) || !t.isAlive() || ThreadScan.isCarrier(t)) {
        continue;
      }
      String name = t.getName();
      if (nameIgnored(name) || (attr != null && attr.isScopeThread(id(t)))) {
        continue;
      }
      if (creatorIgnored(
          CallSite.of(CallSite.Kind.THREAD, t.getClass().getName(), "run", null, -1))) {
        // a thread class of the test framework (JUnit's parallel workers): known without waiting
        // for its start event
        deferred.add(
            new RunLedger.Entry(
                RunLedger.Kind.FRAMEWORK,
                "thread:" + id(t),
                "thread \"" + name + "\"#" + id(t) + " of class " + t.getClass().getName()));
        continue;
      }
      ThreadAttribution.Origin o = attr == null ? null : attr.origin(id(t));
      if (attributing && o == null && !last) {
        pending.add(id(t));
        continue;
      }
      if (attributing && o == null && !awaited.contains(id(t))) {
        continue;
      }
      if (attributing && (o == null || o.owner() == null)) {
        deferred.add(
            new RunLedger.Entry(
                RunLedger.Kind.UNATTRIBUTED,
                "thread:" + id(t),
                "thread \""
                    + name
                    + "\"#"
                    + id(t)
                    + (o == null || !o.recorded()
                        ? ": no record of its start (started before attribution began, or from"
                            + " native code)"
                        : ": started by thread \""
                            + o.parentName()
                            + "\", which belongs to no test"
                            + creationText(o))));
        continue;
      }
      if (attributing && !o.owner().within(scope)) {
        continue; // another test's
      }
      StackTraceElement[] stack = t.getStackTrace();
      Thread.State state = t.getState();
      if (state == Thread.State.TERMINATED || framesIgnored(List.of(stack))) {
        continue;
      }
      CallSite agentSite = ThreadOrigins.siteOf(t);
      List<StackTraceElement> creation = creationStack(o);
      StackTraceElement site = creationSite(o);
      CallSite origin =
          agentSite != null
              ? agentSite
              : site == null
                  ? null
                  : CallSite.of(
                      CallSite.Kind.THREAD,
                      site.getClassName(),
                      site.getMethodName(),
                      site.getFileName(),
                      site.getLineNumber());
      String owner = o == null || o.owner() == null ? null : o.owner().name();
      String what = "thread \"" + name + "\"#" + id(t);
      if (origin != null && creatorIgnored(origin)) {
        deferred.add(
            new RunLedger.Entry(
                RunLedger.Kind.FRAMEWORK,
                "thread:" + id(t),
                what + " created at " + origin.location() + ownedBy(owner)));
        continue;
      }
      String holder = singletonHolder(o, origin);
      if (holder != null && !strict) {
        deferred.add(
            new RunLedger.Entry(
                RunLedger.Kind.SINGLETON,
                "thread:" + id(t),
                what
                    + " held by "
                    + holder
                    + (origin == null ? "" : ", created at " + origin.location())
                    + ownedBy(owner)
                    + advice(List.of(stack))));
        continue;
      }
      threads.add(
          new LeakReport.LeakedThread(
              name,
              id(t),
              state,
              t.isDaemon(),
              false,
              List.of(stack),
              origin,
              owner,
              o == null ? null : o.parentName(),
              creation));
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
            if (attributing && scope.overlapped()) {
              // JFR names no parent for virtual threads: with tests running side by side, whose
              // it is cannot be known. (On JDK 21-23 the dump does not mark virtual threads, and
              // a platform thread that ended between listing and dump would look virtual: only
              // marked ones go to the run's report.)
              if (marked) {
                deferred.add(
                    new RunLedger.Entry(
                        RunLedger.Kind.UNATTRIBUTED,
                        "virtual:" + e.tid(),
                        "virtual thread \""
                            + e.name()
                            + "\"#"
                            + e.tid()
                            + ": started while tests ran concurrently (virtual threads cannot be"
                            + " attributed)"));
              }
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
        if (d.site().kind() == CallSite.Kind.THREAD) {
          threadSites.add(leaked);
          continue;
        }
        String key = "site:" + d.site().kind() + ":" + d.site().location();
        String what = d.site().kind() + " site " + d.site().location();
        if (creatorIgnored(d.site())) {
          deferred.add(new RunLedger.Entry(RunLedger.Kind.FRAMEWORK, key, what));
          continue;
        }
        if (!strict && singletonSite(d.site())) {
          deferred.add(
              new RunLedger.Entry(
                  RunLedger.Kind.SINGLETON,
                  key,
                  what
                      + " held by "
                      + d.site().className()
                      + (scope == null ? "" : " (first created during " + scope.name() + ")")));
          continue;
        }
        if (attributing && scope.overlapped()) {
          deferred.add(
              new RunLedger.Entry(
                  RunLedger.Kind.UNATTRIBUTED,
                  key,
                  what
                      + ": grew by "
                      + Math.max(grew, retained)
                      + " while tests ran concurrently (registry counts are per site, not per"
                      + " test)"));
          continue;
        }
        sites.add(leaked);
      }
    }
    return new LeakReport(threads, sites, threadSites, notes, checks, waited, pending, deferred);
  }

  private static String ownedBy(String owner) {
    return owner == null ? "" : " (started during " + owner + ")";
  }

  private static String creationText(ThreadAttribution.Origin o) {
    StackTraceElement site = creationSite(o);
    return site == null ? "" : ", at " + LeakReport.frame(site);
  }

  /** The stack of {@code start()}, or of the first ancestor start with a frame outside the JDK. */
  private static List<StackTraceElement> creationStack(ThreadAttribution.Origin o) {
    for (ThreadAttribution.Origin x = o; x != null; x = x.parent()) {
      for (StackTraceElement f : x.stack()) {
        if (!jdkFrame(f)) {
          return x.stack();
        }
      }
    }
    return o == null ? List.of() : o.stack();
  }

  /**
   * The first frame outside the JDK in the stack of {@code start()}; for a thread the JDK started
   * on its own (a pool replacing a worker), that of the thread that started it, and so on.
   */
  static StackTraceElement creationSite(ThreadAttribution.Origin o) {
    for (ThreadAttribution.Origin x = o; x != null; x = x.parent()) {
      for (StackTraceElement f : x.stack()) {
        if (!jdkFrame(f)) {
          return f;
        }
      }
    }
    return null;
  }

  /** Whether the frame is in the default list of test framework and build tool code. */
  static boolean frameworkFrame(StackTraceElement f) {
    for (FramePattern p : DEFAULT_CREATOR_PATTERNS) {
      if (p.matches(f)) {
        return true;
      }
    }
    return false;
  }

  static boolean jdkFrame(StackTraceElement f) {
    String c = f.getClassName();
    return c.startsWith("java.")
        || c.startsWith("javax.")
        || c.startsWith("jdk.")
        || c.startsWith("sun.")
        || c.startsWith("com.sun.")
        // the agent's hooks sit between the JDK call and its caller
        || c.startsWith("dev.timerguard.agent.");
  }

  private boolean creatorIgnored(CallSite site) {
    StackTraceElement f = new StackTraceElement(site.className(), site.methodName(), null, -1);
    for (FramePattern p : ignoredCreators) {
      if (p.matches(f)) {
        return true;
      }
    }
    return false;
  }

  private boolean singletonSite(CallSite site) {
    if (site.methodName().equals("<clinit>")) {
      return true;
    }
    StackTraceElement f = new StackTraceElement(site.className(), site.methodName(), null, -1);
    for (FramePattern p : singletons) {
      if (p.matches(f)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The class whose static initializer (or configured singleton code) created the thread, looking
   * through the chain of starting threads; {@code null} when none did.
   */
  private String singletonHolder(ThreadAttribution.Origin o, CallSite agentSite) {
    if (agentSite != null && singletonSite(agentSite)) {
      return agentSite.className();
    }
    for (ThreadAttribution.Origin x = o; x != null; x = x.parent()) {
      for (StackTraceElement f : x.stack()) {
        if (f.getMethodName().equals("<clinit>")) {
          return f.getClassName() + " (static initializer)";
        }
        for (FramePattern p : singletons) {
          if (p.matches(f)) {
            return f.getClassName() + "." + f.getMethodName() + " (" + SINGLETONS + ")";
          }
        }
      }
    }
    return null;
  }

  private static String advice(List<StackTraceElement> stack) {
    return "; " + LeakReport.advice(stack, false);
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
        + ", attribution="
        + attribution
        + ", strict="
        + strict
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
    private final ThreadAttribution.Scope scope;

    private Baseline(
        Set<Thread> threads,
        long[] idMark,
        Snapshot registry,
        Map<CallSite, Long> acceptedLive,
        Map<CallSite, Long> acceptedRetained,
        Set<Long> acceptedVirtual,
        ThreadAttribution.Scope scope) {
      this.scope = scope;
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
          ts, idMark, registry, Map.copyOf(live), Map.copyOf(retained), Set.copyOf(virtual), scope);
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
    private boolean attribution = true;
    private boolean strict;
    private final List<FramePattern> creators = new ArrayList<>();
    private final List<FramePattern> singletons = new ArrayList<>();
    // which settings were set explicitly, for merge()
    private boolean graceSet;
    private boolean defaultIgnoresSet;
    private boolean checkTimersSet;
    private boolean checkVirtualThreadsSet;
    private boolean attributionSet;
    private boolean strictSet;

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

    /**
     * Treats threads, timers and executors whose creation site matches one of the patterns as the
     * test framework's or build tool's, added to {@link #DEFAULT_IGNORED_CREATORS}.
     *
     * @throws IllegalArgumentException if a pattern is malformed
     */
    public Builder ignoreCreators(String... patterns) {
      for (String p : patterns) {
        creators.add(FramePattern.parse("ignoreCreators", p));
      }
      return this;
    }

    /**
     * Treats threads created by code matching one of the patterns (anywhere in the creation stack),
     * and sites in such code, as process-wide, like those created in static initializers.
     *
     * @throws IllegalArgumentException if a pattern is malformed
     */
    public Builder singletons(String... patterns) {
      for (String p : patterns) {
        singletons.add(FramePattern.parse("singletons", p));
      }
      return this;
    }

    /**
     * Whether process-wide resources (created in static initializers or {@link #singletons}) fail
     * the test that created them (default false: reported once per run).
     */
    public Builder strict(boolean on) {
      this.strict = on;
      strictSet = true;
      return this;
    }

    /**
     * Whether to attribute threads to the test that started them, through JFR thread-start events
     * (default true). Off, every new thread is the current test's, and tests running concurrently
     * cannot be verified.
     */
    public Builder attribution(boolean on) {
      this.attribution = on;
      attributionSet = true;
      return this;
    }

    /**
     * Whether to ignore {@link #DEFAULT_IGNORED_THREAD_NAMES} and {@link #DEFAULT_IGNORED_CREATORS}
     * (default true).
     */
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
      params.apply(IGNORE_CREATORS).ifPresent(v -> creators.addAll(framesOf(IGNORE_CREATORS, v)));
      params.apply(SINGLETONS).ifPresent(v -> singletons.addAll(framesOf(SINGLETONS, v)));
      params.apply(STRICT).ifPresent(v -> strict(bool(STRICT, v)));
      params.apply(ATTRIBUTION).ifPresent(v -> attribution(bool(ATTRIBUTION, v)));
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
      b.attribution = attribution;
      b.strict = strict;
      b.creators.addAll(creators);
      b.singletons.addAll(singletons);
      b.attributionSet = attributionSet;
      b.strictSet = strictSet;
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
      m.creators.addAll(creators);
      m.singletons.addAll(singletons);
      if (attributionSet) {
        m.attribution = attribution;
      }
      if (strictSet) {
        m.strict = strict;
      }
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

    static boolean bool(String what, String v) {
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
