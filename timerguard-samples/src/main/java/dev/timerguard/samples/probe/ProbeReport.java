package dev.timerguard.samples.probe;

import dev.timerguard.live.CallSite;
import dev.timerguard.live.GrowthDetector;
import dev.timerguard.live.GrowthPolicy;
import dev.timerguard.live.GrowthVerdict;
import dev.timerguard.live.Series;
import dev.timerguard.live.Snapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What a {@link LeakProbe} run saw: the samples, and the shared growth detector's verdicts on them.
 * Immutable and thread-safe.
 *
 * <p>TimerGuard timers are judged under their real call sites ({@link #verdict()} for live counts,
 * {@link #retainedVerdict()} for cancelled tasks executors still retain). Everything else the probe
 * counts is a named {@link Series}, not a call site: live threads ({@link LeakProbe#THREADS}), each
 * observed executor's queue ({@link LeakProbe#executorQueue}) and its retained cancelled tasks
 * ({@link LeakProbe#executorRetained}), and the heap ({@link LeakProbe#HEAP}, in KiB, with its own
 * thresholds: growth must exceed 4 MiB to count); {@link #trend(String)} gives each one's trend.
 */
public final class ProbeReport {

  private final List<ProbeSample> samples;
  private final long operations;
  private final long failures;
  private final Duration elapsed;
  private final boolean stoppedEarly;
  private final int workersStillRunning;
  private final GrowthVerdict live;
  private final GrowthVerdict retained;
  private final GrowthVerdict.Trend heap;

  /** Threads and executor series, in the order the probe took them (heap apart). */
  private final Map<String, GrowthVerdict.Trend> others = new LinkedHashMap<>();

  ProbeReport(
      List<ProbeSample> samples,
      long operations,
      long failures,
      Duration elapsed,
      boolean stoppedEarly,
      int workersStillRunning,
      GrowthPolicy policy,
      HeapMode heapMode) {
    this.samples = List.copyOf(samples);
    this.operations = operations;
    this.failures = failures;
    this.elapsed = elapsed;
    this.stoppedEarly = stoppedEarly;
    this.workersStillRunning = workersStillRunning;
    List<Snapshot> series = new ArrayList<>();
    for (ProbeSample s : this.samples) {
      series.add(s.timers());
    }
    GrowthDetector detector = new GrowthDetector(policy);
    this.live = detector.analyze(series, GrowthDetector.Metric.LIVE);
    this.retained = detector.analyze(series, GrowthDetector.Metric.RETAINED);
    int n = this.samples.size();
    double[] t = new double[n];
    long[] kib = new long[n];
    long[] threads = new long[n];
    for (int i = 0; i < n; i++) {
      ProbeSample s = this.samples.get(i);
      t[i] = (s.nanoTime() - this.samples.get(0).nanoTime()) / 1e9;
      kib[i] = heapMode == HeapMode.OFF ? 0 : s.heapBytes() / 1024;
      threads[i] = s.liveThreads();
    }
    others.put(LeakProbe.THREADS, detector.trend(Series.of(LeakProbe.THREADS, t, threads)));
    for (String name : executorNames(this.samples)) {
      long[] queued = new long[n];
      long[] cancelled = new long[n];
      for (int i = 0; i < n; i++) {
        ProbeSample.QueueStats q = this.samples.get(i).executors().get(name);
        queued[i] = q == null ? 0 : q.queued();
        cancelled[i] = q == null ? 0 : q.cancelled();
      }
      String q = LeakProbe.executorQueue(name);
      String r = LeakProbe.executorRetained(name);
      others.put(q, detector.trend(Series.of(q, t, queued)));
      others.put(r, detector.trend(Series.of(r, t, cancelled)));
    }
    GrowthPolicy heapPolicy =
        GrowthPolicy.of(
            1024, policy.rapidWindow(), 64, policy.slowWindow(), policy.minConfidence(), 4096);
    this.heap = new GrowthDetector(heapPolicy).trend(Series.of(LeakProbe.HEAP, t, kib));
  }

  private static Set<String> executorNames(List<ProbeSample> samples) {
    Set<String> names = new LinkedHashSet<>();
    for (ProbeSample s : samples) {
      names.addAll(s.executors().keySet());
    }
    return names;
  }

  /** The samples, in time order. */
  public List<ProbeSample> samples() {
    return samples;
  }

  /** Workload operations completed. */
  public long operations() {
    return operations;
  }

  /** Workload operations that threw. */
  public long failures() {
    return failures;
  }

  /** How long the run took. */
  public Duration elapsed() {
    return elapsed;
  }

  /** True if the run hit its {@code maxDuration} before taking every sample. */
  public boolean stoppedEarly() {
    return stoppedEarly;
  }

  /** Workers that had not ended a second after the stop (a workload ignoring interrupts). */
  public int workersStillRunning() {
    return workersStillRunning;
  }

  /** Growth of TimerGuard timers' live counts, per call site. */
  public GrowthVerdict verdict() {
    return live;
  }

  /** Growth of cancelled tasks retained per call site (executor sites counted by TimerGuard). */
  public GrowthVerdict retainedVerdict() {
    return retained;
  }

  /** The heap trend in KiB ({@link GrowthVerdict.Severity#NONE} when the heap was not sampled). */
  public GrowthVerdict.Trend heapTrend() {
    return heap;
  }

  /**
   * The trend of one named series of the run ({@link LeakProbe#THREADS}, {@link LeakProbe#HEAP},
   * {@link LeakProbe#executorQueue}, {@link LeakProbe#executorRetained}), or {@code null} if the
   * run had no such series (an executor it did not observe).
   *
   * @throws NullPointerException if {@code series} is null
   */
  public GrowthVerdict.Trend trend(String series) {
    Objects.requireNonNull(series, "series");
    return series.equals(LeakProbe.HEAP) ? heap : others.get(series);
  }

  /**
   * Everything that grows, worst first within each group: call sites' live counts, their retained
   * tasks, threads and executors, heap. Call sites appear under their {@link CallSite#location()}.
   */
  public List<GrowthVerdict.Trend> growing() {
    List<GrowthVerdict.Trend> out = new ArrayList<>();
    for (GrowthVerdict.SiteGrowth g : live.growing()) {
      out.add(g.trend());
    }
    for (GrowthVerdict.SiteGrowth g : retained.growing()) {
      out.add(g.trend());
    }
    List<GrowthVerdict.Trend> rest = new ArrayList<>();
    for (GrowthVerdict.Trend t : others.values()) {
      if (t.growing()) {
        rest.add(t);
      }
    }
    rest.sort((x, y) -> y.severity().compareTo(x.severity()));
    out.addAll(rest);
    if (heap.growing()) {
      out.add(heap);
    }
    return out;
  }

  /** True if anything grows without bound (a sawtooth does not). */
  public boolean leaking() {
    return !growing().isEmpty();
  }

  /** True if the given call site grows in either site verdict. */
  public boolean growing(CallSite site) {
    Objects.requireNonNull(site, "site");
    GrowthVerdict.SiteGrowth l = live.site(site);
    GrowthVerdict.SiteGrowth r = retained.site(site);
    return (l != null && l.growing()) || (r != null && r.growing());
  }

  /** True if the named series grows ({@code false} when the run had no such series). */
  public boolean growing(String series) {
    GrowthVerdict.Trend t = trend(series);
    return t != null && t.growing();
  }

  /** The worst severity over all verdicts and series. */
  public GrowthVerdict.Severity worst() {
    GrowthVerdict.Severity w = live.worst();
    if (retained.worst().compareTo(w) > 0) {
      w = retained.worst();
    }
    for (GrowthVerdict.Trend t : others.values()) {
      if (t.severity().compareTo(w) > 0) {
        w = t.severity();
      }
    }
    if (heap.severity().compareTo(w) > 0) {
      w = heap.severity();
    }
    return w;
  }

  /** A few human-readable lines: what grows, how fast, how sure. */
  public String summary() {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "probe: %d samples over %.1f s, %d operations (%d failed)%s: %s%n",
            samples.size(),
            elapsed.toNanos() / 1e9,
            operations,
            failures,
            stoppedEarly ? ", stopped at maxDuration" : "",
            leaking() ? "LEAKING (" + worst() + ")" : "no unbounded growth"));
    for (GrowthVerdict.Trend g : growing()) {
      b.append(
          String.format(
              Locale.ROOT,
              "  %-6s %s: %d -> %d, %.1f/s, confidence %.2f%n",
              g.severity(),
              g.series(),
              g.first(),
              g.last(),
              g.ratePerSecond(),
              g.confidence()));
    }
    return b.toString();
  }

  @Override
  public String toString() {
    return summary();
  }
}
