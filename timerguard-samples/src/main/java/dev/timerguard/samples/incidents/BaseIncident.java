package dev.timerguard.samples.incidents;

import dev.timerguard.live.CallSite;
import dev.timerguard.live.GrowthDetector;
import dev.timerguard.live.GrowthPolicy;
import dev.timerguard.live.GrowthVerdict;
import dev.timerguard.live.Series;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

/**
 * The measuring skeleton every incident shares: baseline, run the variant, measure, verdict,
 * release. Subclasses write only the service code and its workload.
 */
abstract class BaseIncident implements Incident {

  /**
   * The reproducers' growth policy: the production alert rates (rapid above 100/s, slow above 5/s)
   * with the windows compressed 600,000 times (10 minutes become 1 ms, 6 hours 36 ms). A reproducer
   * runs for a fraction of a second, so this makes severity a matter of rate alone; confidence and
   * the minimum rise of 10 still apply, so a flat or sawtooth series stays {@code NONE}.
   */
  static final GrowthPolicy POLICY = GrowthPolicy.defaults().scaled(600_000);

  private static final GrowthDetector DETECTOR = new GrowthDetector(POLICY);
  private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

  private final int id;
  private final String title;
  private final String goOriginal;
  private final String explanation;
  private final String fix;
  private final String signalName;
  private final int defaultOperations;

  BaseIncident(
      int id,
      String title,
      String goOriginal,
      String explanation,
      String fix,
      String signalName,
      int defaultOperations) {
    this.id = id;
    this.title = title;
    this.goOriginal = goOriginal;
    this.explanation = explanation;
    this.fix = fix;
    this.signalName = signalName;
    this.defaultOperations = defaultOperations;
  }

  /** Runs the leaky service under the workload; leaves what it leaked in place. */
  abstract void leaky(Run run) throws Exception;

  /** Runs the fixed service under the same workload. */
  abstract void fixed(Run run) throws Exception;

  @Override
  public final Outcome run(Variant variant, int operations) {
    Objects.requireNonNull(variant, "variant");
    if (operations < 1) {
      throw new IllegalArgumentException("operations must be positive, was " + operations);
    }
    Set<Thread> before = new HashSet<>(Thread.getAllStackTraces().keySet());
    long heapBefore = heapAfterGc();
    Run run = new Run(variant, operations);
    try {
      run.sample();
      try {
        if (variant == Variant.LEAKY) {
          leaky(run);
        } else {
          fixed(run);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while running incident " + id, e);
      } catch (Exception e) {
        throw new IllegalStateException(
            "incident " + id + " " + variant.label() + " failed: " + e, e);
      }
      if (!run.measured()) {
        run.sample();
      }
      long[] timers = run.measuredTimers();
      long threads = settledThreads(before, run);
      long heap = heapAfterGc() - heapBefore;
      List<long[]> samples = run.samples();
      CallSite site = run.faults().first();
      // the incident's signal is a series of its own, whether or not a fault site was recorded
      GrowthVerdict.Trend g =
          DETECTOR.trend(
              Series.of(
                  id + " " + variant.label() + ": " + signalName,
                  seconds(samples),
                  values(samples)));
      List<Long> series = new ArrayList<>();
      for (long[] s : samples) {
        series.add(s[1]);
      }
      return new Outcome(
          id,
          variant,
          operations,
          timers[0],
          timers[1],
          threads,
          heap,
          signalName,
          run.measuredSignal(),
          series,
          run.counters(),
          g.severity(),
          g.ratePerSecond(),
          site,
          run.skipped());
    } finally {
      run.close();
    }
  }

  private static double[] seconds(List<long[]> samples) {
    double[] t = new double[samples.size()];
    for (int i = 0; i < t.length; i++) {
      t[i] = (samples.get(i)[0] - samples.get(0)[0]) / 1e9;
    }
    return t;
  }

  private static long[] values(List<long[]> samples) {
    long[] v = new long[samples.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = samples.get(i)[1];
    }
    return v;
  }

  /**
   * Threads started since {@code before} that are still alive, plus marked (e.g. virtual) threads
   * still alive. Like goleak, retries for a short while so that threads already on their way out
   * are not counted: returns once the count is zero or unchanged for 250 ms (at most 3 s).
   */
  static long settledThreads(Set<Thread> before, Run run) {
    long last = -1;
    int stable = 0;
    long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
    while (true) {
      long n = countThreads(before, run);
      if (n == 0 || System.nanoTime() > deadline) {
        return n;
      }
      stable = n == last ? stable + 1 : 0;
      if (stable >= 10) {
        return n;
      }
      last = n;
      LockSupport.parkNanos(Duration.ofMillis(25).toNanos());
    }
  }

  private static long countThreads(Set<Thread> before, Run run) {
    Set<Thread> seen = new HashSet<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (!before.contains(t) && t.isAlive() && !isInfrastructure(t)) {
        seen.add(t);
      }
    }
    for (Thread t : run.trackedThreads()) {
      if (t.isAlive()) {
        seen.add(t);
      }
    }
    return seen.size();
  }

  /** Threads of the harness and of JDK-internal pools, which no variant owns. */
  static boolean isInfrastructure(Thread t) {
    String n = t.getName();
    return n.startsWith(Run.HARNESS_THREAD_PREFIX)
        || n.startsWith("ForkJoinPool")
        || n.startsWith("CompletableFutureDelayScheduler")
        || n.startsWith("Common-Cleaner")
        || n.startsWith("InnocuousThread")
        || n.startsWith("Attach Listener")
        || n.startsWith("surefire")
        || n.startsWith("process reaper");
  }

  /** Heap in use after a full GC (one System.gc() per measurement, two per run: bounded cost). */
  static long heapAfterGc() {
    System.gc();
    return MEMORY.getHeapMemoryUsage().getUsed();
  }

  @Override
  public int id() {
    return id;
  }

  @Override
  public String title() {
    return title;
  }

  @Override
  public String goOriginal() {
    return goOriginal;
  }

  @Override
  public String explanation() {
    return explanation;
  }

  @Override
  public String fix() {
    return fix;
  }

  @Override
  public String signalName() {
    return signalName;
  }

  @Override
  public int defaultOperations() {
    return defaultOperations;
  }

  @Override
  public String toString() {
    return "Incident " + id + ": " + title;
  }
}
