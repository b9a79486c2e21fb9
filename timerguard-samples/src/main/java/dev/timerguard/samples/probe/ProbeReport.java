package dev.timerguard.samples.probe;

import dev.timerguard.live.CallSite;
import dev.timerguard.live.GrowthDetector;
import dev.timerguard.live.GrowthPolicy;
import dev.timerguard.live.GrowthVerdict;
import dev.timerguard.live.SiteStats;
import dev.timerguard.live.Snapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a {@link LeakProbe} run saw: the samples, and the shared growth detector's verdicts on them.
 * Immutable and thread-safe.
 *
 * <p>Every counted thing is a "site" of the shared model: TimerGuard timers under their real call
 * sites, each observed executor's queue under {@link LeakProbe#executorSite(String)}, live threads
 * under {@link LeakProbe#THREADS_SITE}. {@link #verdict()} follows their live counts, {@link
 * #retainedVerdict()} the cancelled tasks executors still hold, {@link #heapTrend()} the heap (in
 * KiB, with its own thresholds: growth must exceed 4 MiB to count).
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
  private final GrowthVerdict.SiteGrowth heap;

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
      series.add(merged(s));
    }
    GrowthDetector detector = new GrowthDetector(policy);
    this.live = detector.analyze(series, GrowthDetector.Metric.LIVE);
    this.retained = detector.analyze(series, GrowthDetector.Metric.RETAINED);
    double[] t = new double[this.samples.size()];
    long[] kib = new long[this.samples.size()];
    for (int i = 0; i < t.length; i++) {
      t[i] = (this.samples.get(i).nanoTime() - this.samples.get(0).nanoTime()) / 1e9;
      kib[i] = heapMode == HeapMode.OFF ? 0 : this.samples.get(i).heapBytes() / 1024;
    }
    GrowthPolicy heapPolicy =
        GrowthPolicy.of(
            1024, policy.rapidWindow(), 64, policy.slowWindow(), policy.minConfidence(), 4096);
    this.heap = new GrowthDetector(heapPolicy).trend(LeakProbe.HEAP_SITE, t, kib);
  }

  /** The registry snapshot with the executors and threads added as pseudo-sites. */
  private static Snapshot merged(ProbeSample s) {
    List<SiteStats> sites = new ArrayList<>(s.timers().sites());
    for (Map.Entry<String, ProbeSample.QueueStats> e : s.executors().entrySet()) {
      ProbeSample.QueueStats q = e.getValue();
      sites.add(
          new SiteStats(
              LeakProbe.executorSite(e.getKey()),
              0,
              0,
              0,
              q.queued(),
              q.queued(),
              0,
              q.cancelled()));
    }
    sites.add(
        new SiteStats(LeakProbe.THREADS_SITE, 0, 0, 0, s.liveThreads(), s.liveThreads(), 0, 0));
    return new Snapshot(s.nanoTime(), s.timers().epochMillis(), sites);
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

  /** Growth of live counts: timers per site, executor queues, threads. */
  public GrowthVerdict verdict() {
    return live;
  }

  /** Growth of cancelled tasks retained by observed executors. */
  public GrowthVerdict retainedVerdict() {
    return retained;
  }

  /** The heap trend in KiB ({@link GrowthVerdict.Severity#NONE} when the heap was not sampled). */
  public GrowthVerdict.SiteGrowth heapTrend() {
    return heap;
  }

  /** Everything that grows: live counts, retained tasks, heap. Worst first within each. */
  public List<GrowthVerdict.SiteGrowth> growing() {
    List<GrowthVerdict.SiteGrowth> out = new ArrayList<>(live.growing());
    out.addAll(retained.growing());
    if (heap.growing()) {
      out.add(heap);
    }
    return out;
  }

  /** True if anything grows without bound (a sawtooth does not). */
  public boolean leaking() {
    return !growing().isEmpty();
  }

  /** True if the given site grows in any of the verdicts. */
  public boolean growing(CallSite site) {
    for (GrowthVerdict.SiteGrowth g : growing()) {
      if (g.site().equals(site)) {
        return true;
      }
    }
    return false;
  }

  /** The worst severity over all verdicts. */
  public GrowthVerdict.Severity worst() {
    GrowthVerdict.Severity w = live.worst();
    if (retained.worst().compareTo(w) > 0) {
      w = retained.worst();
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
    for (GrowthVerdict.SiteGrowth g : growing()) {
      b.append(
          String.format(
              Locale.ROOT,
              "  %-6s %s: %d -> %d, %.1f/s, confidence %.2f%n",
              g.severity(),
              g.site().location(),
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
