package dev.timerguard.cli;

import dev.timerguard.live.GrowthDetector;
import dev.timerguard.live.GrowthVerdict;
import dev.timerguard.live.Series;
import dev.timerguard.live.SiteStats;
import dev.timerguard.live.Snapshot;
import java.lang.management.ThreadInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The doctor's decision: from what {@link DoctorSampler} read, which sites, executors, thread
 * groups and pending timer classes grow ({@link GrowthDetector} with {@link
 * Diagnosis#policy(Duration)}), and the answers to "Is heap growing? Is it timers? Are threads
 * growing?" with the branch taken. Typed findings only; the words come from {@link Advice}.
 * Stateless.
 */
final class DecisionTree {

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

  private DecisionTree() {}

  static Diagnosis.Report analyse(DoctorSampler.Samples in, long pid, Duration duration) {
    GrowthDetector detector = new GrowthDetector(Diagnosis.policy(duration));
    List<Snapshot> snaps = in.snapshots();
    Snapshot last = snaps.get(snaps.size() - 1);

    List<Diagnosis.SiteFinding> timerSites = new ArrayList<>();
    List<Diagnosis.SiteFinding> executors = new ArrayList<>();
    List<Diagnosis.SiteFinding> threadSites = new ArrayList<>();
    for (GrowthVerdict.SiteGrowth g :
        detector.analyze(snaps, GrowthDetector.Metric.LIVE).growing()) {
      SiteStats s = last.site(g.site());
      long now = s == null ? 0 : s.live();
      long queued = s == null ? 0 : s.queued();
      Diagnosis.FindingKind kind = Diagnosis.FindingKind.liveGrowth(g.site().kind());
      switch (kind) {
        case TIMER_SITE_GROWS:
        case TICKER_SITE_GROWS:
          timerSites.add(new Diagnosis.SiteFinding(kind, g.site(), g, now, 0));
          break;
        case EXECUTOR_SITE_GROWS:
          executors.add(new Diagnosis.SiteFinding(kind, g.site(), g, now, queued));
          break;
        default:
          threadSites.add(new Diagnosis.SiteFinding(kind, g.site(), g, now, 0));
          break;
      }
    }
    for (GrowthVerdict.SiteGrowth g :
        detector.analyze(snaps, GrowthDetector.Metric.RETAINED).growing()) {
      SiteStats s = last.site(g.site());
      executors.add(
          new Diagnosis.SiteFinding(
              Diagnosis.FindingKind.CANCELLED_TASKS_RETAINED,
              g.site(),
              g,
              s == null ? 0 : s.retained(),
              s == null ? 0 : s.queued()));
    }

    List<Diagnosis.ThreadFinding> threadGroups = new ArrayList<>();
    for (Map.Entry<String, long[]> e : in.groupCounts().entrySet()) {
      ThreadInfo ex = in.groupExample().get(e.getKey());
      String label = label(ex);
      GrowthVerdict.Trend g = detector.trend(Series.of(label, in.seconds(), e.getValue()));
      if (g.growing()) {
        List<String> stack = new ArrayList<>();
        StackTraceElement[] st = ex.getStackTrace();
        for (int i = 0; i < Math.min(DoctorSampler.STACK_KEY_FRAMES, st.length); i++) {
          stack.add(st[i].toString());
        }
        long[] v = e.getValue();
        threadGroups.add(
            new Diagnosis.ThreadFinding(
                label,
                String.valueOf(ex.getThreadState()),
                (int) v[0],
                (int) v[v.length - 1],
                g,
                stack));
      }
    }
    threadGroups.sort(
        (a, b) -> Double.compare(b.growth().ratePerSecond(), a.growth().ratePerSecond()));

    Set<String> timerClassNames = new TreeSet<>(TIMER_CLASSES);
    timerClassNames.addAll(List.of(in.timerTasks()));
    Map<String, Long> before = histogram(in.histoBefore(), timerClassNames::contains);
    Map<String, Long> after = histogram(in.histoAfter(), timerClassNames::contains);
    List<Diagnosis.HistoFinding> histo = new ArrayList<>();
    for (String c : timerClassNames) {
      long b = before.getOrDefault(c, 0L);
      long a = after.getOrDefault(c, 0L);
      if (a > 0 || b > 0) {
        histo.add(new Diagnosis.HistoFinding(c, b, a));
      }
    }
    long minIncrease = detector.policy().minIncrease();
    boolean histoGrows = histo.stream().anyMatch(h -> h.after() - h.before() >= minIncrease);

    long heapBefore = in.heapBefore();
    long heapAfter = in.heapAfter();
    long heapDelta = heapAfter - heapBefore;
    boolean heapGrows = heapDelta > 256 * 1024 && heapDelta > heapBefore / 50;
    boolean timersGrow = !timerSites.isEmpty() || !executors.isEmpty() || histoGrows;
    boolean threadsGrow = !threadGroups.isEmpty() || !threadSites.isEmpty();

    List<Diagnosis.Step> tree = new ArrayList<>();
    tree.add(
        new Diagnosis.Step(
            "Is heap growing?",
            heapGrows,
            String.format(
                Locale.ROOT,
                "%s after full GC over %ds (%s -> %s)",
                signedBytes(heapDelta),
                duration.toSeconds(),
                bytes(heapBefore),
                bytes(heapAfter))));
    long histoDelta = histo.stream().mapToLong(h -> h.after() - h.before()).sum();
    tree.add(
        new Diagnosis.Step(
            "Is it timers?",
            timersGrow,
            timerSites.size()
                + " timer site(s) and "
                + executors.size()
                + " executor finding(s) grow; pending timer objects "
                + (histoDelta >= 0 ? "+" : "")
                + histoDelta
                + " in the class histogram"));
    tree.add(
        new Diagnosis.Step(
            "Are threads growing?",
            threadsGrow,
            threadGroups.size()
                + " thread group(s) and "
                + threadSites.size()
                + " thread-creation site(s) grow"));

    Diagnosis.Verdict verdict =
        timersGrow
            ? Diagnosis.Verdict.TIMER_LEAK
            : threadsGrow
                ? Diagnosis.Verdict.THREAD_LEAK
                : heapGrows ? Diagnosis.Verdict.SOMETHING_ELSE : Diagnosis.Verdict.NO_LEAK;
    List<Diagnosis.ThreadFinding> allThreads = new ArrayList<>(threadGroups);
    for (Diagnosis.SiteFinding f : threadSites) {
      allThreads.add(
          new Diagnosis.ThreadFinding(
              f.site().location(),
              "started here",
              (int) f.growth().first(),
              (int) f.growth().last(),
              f.growth().trend(),
              List.of()));
    }
    return new Diagnosis.Report(
        pid,
        duration,
        snaps.size(),
        tree,
        verdict,
        Advice.branch(verdict, heapGrows, threadsGrow),
        timerSites,
        executors,
        allThreads,
        histo,
        timersGrow || threadsGrow);
  }

  /** Instance counts of the histogram's classes that {@code want} accepts. */
  static Map<String, Long> histogram(String text, Predicate<String> want) {
    Map<String, Long> out = new HashMap<>();
    for (String line : text.split("\n")) {
      Matcher m = HISTO_LINE.matcher(line);
      if (m.find() && want.test(m.group(3))) {
        out.merge(m.group(3), Long.parseLong(m.group(1)), Long::sum);
      }
    }
    return out;
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
