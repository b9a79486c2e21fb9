package dev.timerguard.cli;

import dev.timerguard.live.CallSite;
import dev.timerguard.live.GrowthDetector;
import dev.timerguard.live.GrowthPolicy;
import dev.timerguard.live.GrowthVerdict;
import dev.timerguard.live.SiteStats;
import dev.timerguard.live.Snapshot;
import java.lang.management.ThreadInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One doctor run: samples a {@link DoctorTarget} for a duration, then walks the seed's decision
 * tree ("Is heap growing? Is it timers? Are threads growing?") with the live model's {@link
 * GrowthDetector}, and renders what a person on call can act on, as text or JSON.
 *
 * <p>Growth policy: the production alert rules compressed to the sampling window (see {@link
 * #policy(Duration)}). Not thread-safe; one per run.
 */
final class Diagnosis {

  /** JDK and Netty classes whose instances are pending timers, for the class-histogram diff. */
  static final Set<String> TIMER_CLASSES =
      Set.of(
          "java.util.concurrent.ScheduledThreadPoolExecutor$ScheduledFutureTask",
          "java.util.concurrent.CompletableFuture$Timeout",
          "java.util.concurrent.CompletableFuture$Canceller",
          "java.util.concurrent.CompletableFuture$DelayedExecutor",
          "io.netty.util.HashedWheelTimer$HashedWheelTimeout");

  private static final Pattern HISTO_LINE =
      Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");
  private static final int STACK_KEY_FRAMES = 12;

  /** One finding about a call site. */
  record SiteFinding(
      CallSite site, GrowthVerdict.SiteGrowth growth, long now, long queue, String fix) {}

  /** One growing group of threads with identical stacks. */
  record ThreadFinding(String label, String state, int first, int last, GrowthVerdict.SiteGrowth growth, List<String> stack) {}

  /** One timer class whose instance count changed between the two histograms. */
  record HistoFinding(String className, long before, long after) {}

  /** One answer in the decision tree. */
  record Step(String question, boolean yes, String evidence) {}

  /** Everything the doctor found. */
  record Report(
      long pid,
      Duration duration,
      int samples,
      List<Step> tree,
      String branch,
      List<SiteFinding> timerSites,
      List<SiteFinding> executors,
      List<ThreadFinding> threadGroups,
      List<HistoFinding> histogram,
      boolean leak) {}

  private final DoctorTarget target;
  private final long pid;
  private final Duration duration;
  private final Duration interval;
  private final Sleeper sleeper;

  /** How the sampler waits; tests pass a no-op. */
  interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  /**
   * Sees the raw material as it is read (the evidence bundle keeps it), on the sampling thread.
   * An observer must not throw: it keeps its own failures.
   */
  interface Observer {
    /** A class histogram as read, at the start ({@code start}) or at the end of sampling. */
    default void histogram(boolean start, String text) {}

    /** Sample {@code index}, taken {@code seconds} after the first. */
    default void sample(int index, double seconds, Snapshot snapshot) {}
  }

  private Observer observer = new Observer() {};

  /** Lets {@code o} see what this run reads; returns this diagnosis. */
  Diagnosis observe(Observer o) {
    this.observer = java.util.Objects.requireNonNull(o, "o");
    return this;
  }

  Diagnosis(DoctorTarget target, long pid, Duration duration, Duration interval, Sleeper sleeper) {
    this.target = target;
    this.pid = pid;
    this.duration = duration;
    this.interval = interval;
    this.sleeper = sleeper;
  }

  /**
   * The production alert rules (rapid: 100 live/s over 10 min, slow: 5 live/s over 6 h) with both
   * windows compressed to half the sampling duration, so a 30-second run can say RAPID or SLOW.
   */
  static GrowthPolicy policy(Duration duration) {
    Duration half = duration.dividedBy(2);
    GrowthPolicy d = GrowthPolicy.defaults();
    return GrowthPolicy.of(
        d.rapidRatePerSecond(), half, d.slowRatePerSecond(), half, d.minConfidence(), d.minIncrease());
  }

  /** Samples and analyses. */
  Report run() {
    int n = (int) Math.max(3, duration.toMillis() / Math.max(1, interval.toMillis()));
    List<Snapshot> snaps = new ArrayList<>();
    Map<CallSite, Long> queues = new HashMap<>();
    Map<String, long[]> groupCounts = new LinkedHashMap<>();
    Map<String, ThreadInfo> groupExample = new HashMap<>();
    double[] seconds = new double[n];
    String histoBefore;
    String histoAfter;
    long heapBefore;
    long heapAfter;
    String[] timerTasks;
    int done = 0;
    try {
      histoBefore = target.classHistogram();
      observer.histogram(true, histoBefore);
      heapBefore = target.heapUsed();
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        if (i > 0) {
          sleeper.sleep(interval);
        }
        seconds[i] = (System.nanoTime() - t0) / 1e9;
        snaps.add(parse(target.snapshotRows(), queues));
        observer.sample(i, seconds[i], snaps.get(i));
        for (ThreadInfo t : target.threads()) {
          if (t == null) {
            continue;
          }
          String key = stackKey(t);
          groupCounts.computeIfAbsent(key, k -> new long[n])[i]++;
          groupExample.putIfAbsent(key, t);
        }
        done++;
      }
      timerTasks = target.timerTaskClasses();
      histoAfter = target.classHistogram();
      observer.histogram(false, histoAfter);
      heapAfter = target.heapUsed();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DoctorException("interrupted while sampling JVM " + pid);
    } catch (DoctorException e) {
      throw e;
    } catch (Exception e) {
      boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
      if (!alive) {
        throw new DoctorException(
            "JVM " + pid + " exited during sampling (after " + done + " of " + n + " samples)");
      }
      throw new DoctorException("lost JVM " + pid + " during sampling: " + AttachSession.oneLine(e));
    }
    return analyse(snaps, queues, groupCounts, groupExample, seconds, histoBefore, histoAfter,
        heapBefore, heapAfter, timerTasks);
  }

  private Report analyse(
      List<Snapshot> snaps,
      Map<CallSite, Long> queues,
      Map<String, long[]> groupCounts,
      Map<String, ThreadInfo> groupExample,
      double[] seconds,
      String histoBefore,
      String histoAfter,
      long heapBefore,
      long heapAfter,
      String[] timerTasks) {
    GrowthDetector detector = new GrowthDetector(policy(duration));
    Snapshot last = snaps.get(snaps.size() - 1);

    List<SiteFinding> timerSites = new ArrayList<>();
    List<SiteFinding> executors = new ArrayList<>();
    List<SiteFinding> threadSites = new ArrayList<>();
    for (GrowthVerdict.SiteGrowth g : detector.analyze(snaps, GrowthDetector.Metric.LIVE).growing()) {
      SiteStats s = last.site(g.site());
      long now = s == null ? 0 : s.live();
      switch (g.site().kind()) {
        case TIMER:
          timerSites.add(new SiteFinding(g.site(), g, now, 0,
              "cancel the timer when the work it guards completes (keep the future, cancel it in a"
                  + " finally block), or re-arm one timer per connection instead of one per call"));
          break;
        case TICKER:
          timerSites.add(new SiteFinding(g.site(), g, now, 0,
              "keep the ScheduledFuture of this periodic task and cancel it when its owner closes"));
          break;
        case EXECUTOR:
          executors.add(new SiteFinding(g.site(), g, now, queues.getOrDefault(g.site(), 0L),
              "an executor is created here per call and never shut down: share one executor, or"
                  + " shut it down when done (try-with-resources on JDK 19+)"));
          break;
        case THREAD:
          threadSites.add(new SiteFinding(g.site(), g, now, 0,
              "threads started here never end: give them an exit condition or use a bounded pool"));
          break;
        default:
          break;
      }
    }
    for (GrowthVerdict.SiteGrowth g :
        detector.analyze(snaps, GrowthDetector.Metric.RETAINED).growing()) {
      SiteStats s = last.site(g.site());
      executors.add(new SiteFinding(g.site(), g, s == null ? 0 : s.retained(),
          queues.getOrDefault(g.site(), 0L),
          "this ScheduledThreadPoolExecutor keeps cancelled tasks until their deadline: call"
              + " setRemoveOnCancelPolicy(true) right after creating it (or purge() it periodically)"));
    }

    List<ThreadFinding> threadGroups = new ArrayList<>();
    for (Map.Entry<String, long[]> e : groupCounts.entrySet()) {
      ThreadInfo ex = groupExample.get(e.getKey());
      String label = label(ex);
      CallSite site = CallSite.of(CallSite.Kind.THREAD, label, "stack", "?", -1);
      GrowthVerdict.SiteGrowth g = detector.trend(site, seconds, e.getValue());
      if (g.growing()) {
        List<String> stack = new ArrayList<>();
        StackTraceElement[] st = ex.getStackTrace();
        for (int i = 0; i < Math.min(STACK_KEY_FRAMES, st.length); i++) {
          stack.add(st[i].toString());
        }
        long[] v = e.getValue();
        threadGroups.add(new ThreadFinding(label, String.valueOf(ex.getThreadState()),
            (int) v[0], (int) v[v.length - 1], g, stack));
      }
    }
    threadGroups.sort((a, b) -> Double.compare(b.growth().ratePerSecond(), a.growth().ratePerSecond()));

    Set<String> timerClassNames = new TreeSet<>(TIMER_CLASSES);
    timerClassNames.addAll(List.of(timerTasks));
    Map<String, Long> before = histogram(histoBefore, timerClassNames::contains);
    Map<String, Long> after = histogram(histoAfter, timerClassNames::contains);
    List<HistoFinding> histo = new ArrayList<>();
    for (String c : timerClassNames) {
      long b = before.getOrDefault(c, 0L);
      long a = after.getOrDefault(c, 0L);
      if (a > 0 || b > 0) {
        histo.add(new HistoFinding(c, b, a));
      }
    }
    long minIncrease = detector.policy().minIncrease();
    boolean histoGrows = histo.stream().anyMatch(h -> h.after() - h.before() >= minIncrease);

    long heapDelta = heapAfter - heapBefore;
    boolean heapGrows = heapDelta > 256 * 1024 && heapDelta > heapBefore / 50;
    boolean timersGrow = !timerSites.isEmpty() || !executors.isEmpty() || histoGrows;
    boolean threadsGrow = !threadGroups.isEmpty() || !threadSites.isEmpty();

    List<Step> tree = new ArrayList<>();
    tree.add(new Step("Is heap growing?", heapGrows,
        String.format(Locale.ROOT, "%s after full GC over %ds (%s -> %s)", signedBytes(heapDelta),
            duration.toSeconds(), bytes(heapBefore), bytes(heapAfter))));
    long histoDelta = histo.stream().mapToLong(h -> h.after() - h.before()).sum();
    tree.add(new Step("Is it timers?", timersGrow,
        timerSites.size() + " timer site(s) and " + executors.size()
            + " executor finding(s) grow; pending timer objects " + (histoDelta >= 0 ? "+" : "")
            + histoDelta + " in the class histogram"));
    tree.add(new Step("Are threads growing?", threadsGrow,
        threadGroups.size() + " thread group(s) and " + threadSites.size()
            + " thread-creation site(s) grow"));

    String branch;
    if (timersGrow) {
      branch = (heapGrows ? "heap growing -> timers growing" : "heap not yet visibly growing -> but timers grow")
          + " -> TIMER LEAK: fix the sites below" + (threadsGrow ? "; threads grow too (see below)" : "");
    } else if (threadsGrow) {
      branch = (heapGrows ? "heap growing" : "heap not yet visibly growing")
          + " -> not timers -> threads growing -> THREAD LEAK: fix the thread groups below";
    } else if (heapGrows) {
      branch = "heap growing -> not timers -> not threads -> something else: take class histograms"
          + " over time (jcmd <pid> GC.class_histogram) and look at the top classes";
    } else {
      branch = "heap not growing -> NO LEAK seen in this window (sample longer if in doubt)";
    }
    List<ThreadFinding> allThreads = new ArrayList<>(threadGroups);
    for (SiteFinding f : threadSites) {
      allThreads.add(new ThreadFinding(f.site().location(), "started here", (int) f.growth().first(),
          (int) f.growth().last(), f.growth(), List.of()));
    }
    return new Report(pid, duration, snaps.size(), tree, branch, timerSites, executors, allThreads,
        histo, timersGrow || threadsGrow);
  }

  // ---------------------------------------------------------------- parsing

  /** The columns of a site row of the agent's snapshot rows, in order. */
  static final String ROW_COLUMNS =
      "kind, class, method, file, line, created, fired, cancelled, live, peak,"
          + " oldestLiveAgeNanos, retained, queue";

  /**
   * Rebuilds a {@link Snapshot} from the agent's rows (a header row, one row per site with the
   * 13 tab-separated {@link #ROW_COLUMNS}, and one {@code #nanoTime<TAB>epochMillis} row);
   * records executor queue sizes.
   *
   * @throws DoctorException naming the row and what is wrong with it, for rows this doctor cannot
   *     read: a wrong number of fields, an unknown kind, a number that is not one, a negative
   *     count, live above created or peak, a site listed twice, or no timestamp row
   */
  static Snapshot parse(String[] rows, Map<CallSite, Long> queues) {
    if (rows == null) {
      throw new DoctorException("the agent sent no snapshot rows");
    }
    List<SiteStats> sites = new ArrayList<>();
    Map<CallSite, Long> rowQueues = new HashMap<>();
    long nano = 0;
    long epoch = 0;
    boolean stamped = false;
    for (int i = 0; i < rows.length; i++) {
      String row = rows[i];
      if (row == null) {
        throw badRow(i, "", "the row is missing");
      }
      if (row.startsWith("kind\t")) {
        continue;
      }
      String[] f = row.split("\t", -1);
      if (row.startsWith("#")) {
        if (f.length != 2 || stamped) {
          throw badRow(i, row, stamped ? "a second timestamp row"
              : "a timestamp row is '#nanoTime<TAB>epochMillis'");
        }
        nano = number(i, row, "nanoTime", f[0].substring(1));
        epoch = count(i, row, "epochMillis", f[1]);
        stamped = true;
        continue;
      }
      if (f.length != 13) {
        throw badRow(i, row, "expected 13 tab-separated fields (" + ROW_COLUMNS + "), got " + f.length);
      }
      CallSite.Kind kind;
      try {
        kind = CallSite.Kind.valueOf(f[0]);
      } catch (IllegalArgumentException e) {
        throw badRow(i, row, "kind '" + f[0] + "' is not one of "
            + java.util.Arrays.toString(CallSite.Kind.values()));
      }
      if (f[1].isEmpty() || f[2].isEmpty()) {
        throw badRow(i, row, "class and method must not be empty");
      }
      long line = number(i, row, "line", f[4]);
      if (line < -1 || line > Integer.MAX_VALUE) {
        throw badRow(i, row, "line must be -1 (unknown) or a line number, was " + line);
      }
      CallSite site = CallSite.of(kind, f[1], f[2], f[3], (int) line);
      long created = count(i, row, "created", f[5]);
      long live = count(i, row, "live", f[8]);
      long peak = count(i, row, "peak", f[9]);
      if (live > created || live > peak) {
        throw badRow(i, row, "live (" + live + ") is above created (" + created + ") or peak ("
            + peak + ")");
      }
      SiteStats stats = new SiteStats(site, created, count(i, row, "fired", f[6]),
          count(i, row, "cancelled", f[7]), live, peak, count(i, row, "oldestLiveAgeNanos", f[10]),
          number(i, row, "retained", f[11]));
      if (rowQueues.put(site, count(i, row, "queue", f[12])) != null) {
        throw badRow(i, row, "site " + site.location() + " (" + kind + ") is listed twice");
      }
      sites.add(stats);
    }
    if (!stamped) {
      throw new DoctorException("the agent's snapshot rows have no '#nanoTime<TAB>epochMillis' row;"
          + " is the agent the same version as this doctor?");
    }
    queues.putAll(rowQueues);
    return new Snapshot(nano, epoch, sites);
  }

  private static long number(int i, String row, String column, String text) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw badRow(i, row, column + " '" + text + "' is not a whole number");
    }
  }

  private static long count(int i, String row, String column, String text) {
    long n = number(i, row, column, text);
    if (n < 0) {
      throw badRow(i, row, column + " must not be negative, was " + n);
    }
    return n;
  }

  private static DoctorException badRow(int i, String row, String why) {
    return new DoctorException("the agent's snapshot row " + (i + 1) + " cannot be read: "
        + oneLine(why, 400) + "; the row: '" + oneLine(row, 120) + "'");
  }

  /** One line for the person on call: tabs as spaces, control and line characters as '?'. */
  private static String oneLine(String text, int max) {
    StringBuilder b = new StringBuilder();
    for (int k = 0; k < Math.min(text.length(), max); k++) {
      char c = text.charAt(k);
      b.append(c == '\t' ? ' '
          : Character.isISOControl(c) || c == '\u2028' || c == '\u2029' ? '?' : c);
    }
    return text.length() > max ? b + "..." : b.toString();
  }

  /** Instance counts of the histogram's classes that {@code want} accepts. */
  static Map<String, Long> histogram(String text, java.util.function.Predicate<String> want) {
    Map<String, Long> out = new HashMap<>();
    for (String line : text.split("\n")) {
      Matcher m = HISTO_LINE.matcher(line);
      if (m.find() && want.test(m.group(3))) {
        out.merge(m.group(3), Long.parseLong(m.group(1)), Long::sum);
      }
    }
    return out;
  }

  private static String stackKey(ThreadInfo t) {
    StringBuilder b = new StringBuilder();
    StackTraceElement[] st = t.getStackTrace();
    for (int i = 0; i < Math.min(STACK_KEY_FRAMES, st.length); i++) {
      b.append(st[i]).append('\n');
    }
    return b.toString();
  }

  /** The first application frame of a stack, else an example thread name and the top frame. */
  private static String label(ThreadInfo t) {
    StackTraceElement[] st = t.getStackTrace();
    for (StackTraceElement e : st) {
      String c = e.getClassName();
      if (!c.startsWith("java.") && !c.startsWith("jdk.") && !c.startsWith("sun.")) {
        return e.toString();
      }
    }
    if (st.length > 0) {
      return "threads like \"" + t.getThreadName() + "\", " + st[0];
    }
    return "thread \"" + t.getThreadName() + "\"";
  }

  private static String bytes(long b) {
    return String.format(Locale.ROOT, "%.1f MB", b / 1048576.0);
  }

  private static String signedBytes(long b) {
    return (b >= 0 ? "+" : "") + bytes(b);
  }
}
