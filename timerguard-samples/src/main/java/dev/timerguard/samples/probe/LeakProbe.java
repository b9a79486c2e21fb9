package dev.timerguard.samples.probe;

import dev.timerguard.live.GrowthPolicy;
import dev.timerguard.live.LiveRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.locks.LockSupport;

/**
 * A small harness to point at your own code and ask "does this leak timers, threads or heap?".
 *
 * <p>The probe drives a workload (optionally at a target rate, with the {@link LoadGenerator}), and
 * on a fixed schedule samples: live TimerGuard timers per call site ({@link LiveRegistry}
 * snapshots), the queues of the JDK executors you {@linkplain Builder#observe register} (pending
 * and cancelled-but-retained tasks), live threads, and heap per the {@link HeapMode}. It returns
 * the series and the verdict of the shared {@link dev.timerguard.live.GrowthDetector}, whose robust
 * trend tells a count that grows without bound from a sawtooth that rises and falls around a level.
 *
 * <pre>{@code
 * ProbeReport r = LeakProbe.builder()
 *     .workload(() -> client.fetch("/item/1"))
 *     .rate(2_000)                      // operations per second
 *     .observe("client-timeouts", scheduler)
 *     .samples(20).interval(Duration.ofMillis(250))
 *     .build()
 *     .run();
 * if (r.leaking()) System.out.println(r.summary());
 * }</pre>
 *
 * <p><b>Bounded.</b> A run takes {@code samples} samples {@code interval} apart, then stops the
 * workload; it never runs longer than {@code maxDuration} (default: twice the sampling time plus 5
 * s) and never takes more than {@code samples} samples, even if the workload blocks. Forced GCs
 * ({@link HeapMode#FORCED_GC}) are at most one per sample.
 *
 * <p>Immutable and thread-safe; {@link #run()} may be called again for a fresh run. The probe owns
 * only its load generator's threads; observed executors stay the caller's to shut down.
 */
public final class LeakProbe {

  /** The name of the series of live threads in a {@link ProbeReport}. */
  public static final String THREADS = "live threads";

  /** The name of the heap series (in KiB) in a {@link ProbeReport}. */
  public static final String HEAP = "heap KiB";

  private final Runnable workload;
  private final double rate;
  private final int workers;
  private final int samples;
  private final Duration interval;
  private final Duration maxDuration;
  private final LiveRegistry registry;
  private final Map<String, ThreadPoolExecutor> executors;
  private final HeapMode heapMode;
  private final GrowthPolicy policy;

  private LeakProbe(Builder b) {
    this.workload = b.workload;
    this.rate = b.rate;
    this.workers = b.workers;
    this.samples = b.samples;
    this.interval = b.interval;
    this.maxDuration =
        b.maxDuration != null
            ? b.maxDuration
            : b.interval.multipliedBy(2L * b.samples).plusSeconds(5);
    this.registry = b.registry;
    this.executors = new LinkedHashMap<>(b.executors);
    this.heapMode = b.heapMode;
    this.policy = b.policy;
  }

  /** A builder; {@link Builder#workload} is the only required setting. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The name of the series of tasks waiting in the queue of the executor observed as {@code name}.
   */
  public static String executorQueue(String name) {
    return "executor " + name + " queued";
  }

  /**
   * The name of the series of cancelled tasks still retained by the executor observed as {@code
   * name} (a {@code ScheduledThreadPoolExecutor} without remove-on-cancel keeps them until their
   * deadline).
   */
  public static String executorRetained(String name) {
    return "executor " + name + " cancelled, retained";
  }

  /**
   * Runs the workload, samples, stops, and reports. Blocks the calling thread for about {@code
   * samples × interval}, and at most {@code maxDuration}.
   *
   * @throws IllegalStateException if the calling thread is interrupted (the workload is stopped
   *     first)
   */
  public ProbeReport run() {
    LoadGenerator gen = new LoadGenerator(workload, rate, workers);
    List<ProbeSample> out = new ArrayList<>(samples);
    long start = System.nanoTime();
    long hardStop = start + maxDuration.toNanos();
    boolean stoppedEarly = false;
    int stuck;
    gen.start();
    try {
      for (int i = 0; i < samples; i++) {
        long due = start + interval.toNanos() * i;
        long wait;
        while ((wait = Math.min(due, hardStop) - System.nanoTime()) > 0) {
          LockSupport.parkNanos(wait);
          if (Thread.currentThread().isInterrupted()) {
            throw new IllegalStateException("probe interrupted after " + out.size() + " samples");
          }
        }
        if (System.nanoTime() >= hardStop) {
          stoppedEarly = true;
          break;
        }
        out.add(sample(gen));
      }
    } finally {
      stuck = gen.stop(1_000);
    }
    return new ProbeReport(
        out,
        gen.operations(),
        gen.failures(),
        Duration.ofNanos(System.nanoTime() - start),
        stoppedEarly,
        stuck,
        policy,
        heapMode);
  }

  private ProbeSample sample(LoadGenerator gen) {
    Map<String, ProbeSample.QueueStats> qs = new LinkedHashMap<>();
    for (Map.Entry<String, ThreadPoolExecutor> e : executors.entrySet()) {
      long queued = 0;
      long cancelled = 0;
      for (Runnable r : e.getValue().getQueue().toArray(new Runnable[0])) {
        if (r instanceof Future && ((Future<?>) r).isCancelled()) {
          cancelled++;
        } else {
          queued++;
        }
      }
      qs.put(
          e.getKey(),
          new ProbeSample.QueueStats(
              queued, cancelled, e.getValue().getActiveCount(), e.getValue().getPoolSize()));
    }
    long heap = -1;
    if (heapMode == HeapMode.FORCED_GC) {
      System.gc();
      heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    } else if (heapMode == HeapMode.LAST_GC) {
      heap = 0;
      for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
        if (p.getType() == MemoryType.HEAP && p.getCollectionUsage() != null) {
          heap += p.getCollectionUsage().getUsed();
        }
      }
    }
    return new ProbeSample(
        System.nanoTime(),
        gen.operations(),
        registry.snapshot(),
        qs,
        ManagementFactory.getThreadMXBean().getThreadCount(),
        heap);
  }

  /**
   * Configures a {@link LeakProbe}. Not thread-safe; every setter checks its argument at once and
   * throws a message naming it.
   */
  public static final class Builder {
    private Runnable workload;
    private double rate = Double.POSITIVE_INFINITY;
    private int workers = 1;
    private int samples = 20;
    private Duration interval = Duration.ofMillis(250);
    private Duration maxDuration;
    private LiveRegistry registry = LiveRegistry.global();
    private final Map<String, ThreadPoolExecutor> executors = new LinkedHashMap<>();
    private HeapMode heapMode = HeapMode.FORCED_GC;
    private GrowthPolicy policy = GrowthPolicy.defaults().scaled(600);

    private Builder() {}

    /**
     * The operation to drive, called repeatedly from the workers. Required.
     *
     * @throws NullPointerException if {@code workload} is null
     */
    public Builder workload(Runnable workload) {
      this.workload = Objects.requireNonNull(workload, "workload");
      return this;
    }

    /**
     * Target operations per second over all workers (default: unlimited).
     *
     * @throws IllegalArgumentException if not positive (infinity means unlimited)
     */
    public Builder rate(double operationsPerSecond) {
      if (!(operationsPerSecond > 0)) {
        throw new IllegalArgumentException(
            "rate must be positive (operations per second), was " + operationsPerSecond);
      }
      this.rate = operationsPerSecond;
      return this;
    }

    /**
     * Worker threads driving the workload (default 1).
     *
     * @throws IllegalArgumentException if below 1
     */
    public Builder workers(int workers) {
      if (workers < 1) {
        throw new IllegalArgumentException("workers must be at least 1, was " + workers);
      }
      this.workers = workers;
      return this;
    }

    /**
     * How many samples to take (default 20). The growth detector needs at least 3.
     *
     * @throws IllegalArgumentException if below 3
     */
    public Builder samples(int samples) {
      if (samples < 3) {
        throw new IllegalArgumentException(
            "samples must be at least 3 (a trend needs three points), was " + samples);
      }
      this.samples = samples;
      return this;
    }

    /**
     * Time between samples (default 250 ms).
     *
     * @throws NullPointerException if null
     * @throws IllegalArgumentException if not positive
     */
    public Builder interval(Duration interval) {
      Objects.requireNonNull(interval, "interval");
      if (interval.isZero() || interval.isNegative()) {
        throw new IllegalArgumentException("interval must be positive, was " + interval);
      }
      this.interval = interval;
      return this;
    }

    /**
     * Hard bound on a run (default: twice the sampling time plus 5 s).
     *
     * @throws NullPointerException if null
     * @throws IllegalArgumentException if not positive
     */
    public Builder maxDuration(Duration maxDuration) {
      Objects.requireNonNull(maxDuration, "maxDuration");
      if (maxDuration.isZero() || maxDuration.isNegative()) {
        throw new IllegalArgumentException("maxDuration must be positive, was " + maxDuration);
      }
      this.maxDuration = maxDuration;
      return this;
    }

    /**
     * The registry whose live timers are sampled (default {@link LiveRegistry#global()}).
     *
     * @throws NullPointerException if null
     */
    public Builder registry(LiveRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /**
     * Samples the queue of a JDK executor (e.g. a {@code ScheduledThreadPoolExecutor}) under {@code
     * name}: pending tasks and cancelled tasks it still holds.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code name} is already observed
     */
    public Builder observe(String name, ThreadPoolExecutor executor) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(executor, "executor");
      if (executors.containsKey(name)) {
        throw new IllegalArgumentException("an executor is already observed as '" + name + "'");
      }
      executors.put(name, executor);
      return this;
    }

    /**
     * How to read the heap (default {@link HeapMode#FORCED_GC}).
     *
     * @throws NullPointerException if null
     */
    public Builder heap(HeapMode mode) {
      this.heapMode = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /**
     * The growth policy (default: the production alert rules of {@code GrowthPolicy.defaults()}
     * with windows compressed 600 times, so rapid growth is flagged after one second).
     *
     * @throws NullPointerException if null
     */
    public Builder policy(GrowthPolicy policy) {
      this.policy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /**
     * Builds the probe.
     *
     * @throws IllegalStateException if no workload was set
     */
    public LeakProbe build() {
      if (workload == null) {
        throw new IllegalStateException("a workload is required: call workload(Runnable)");
      }
      return new LeakProbe(this);
    }
  }
}
