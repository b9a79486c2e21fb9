package dev.timerguard.bench.load;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Schedule+cancel throughput against the number of timers already pending (0, 100k, 1M, 4M; 10 to
 * 60 minute delays, so none fires during a trial), through each engine's own handle-returning call
 * ({@code ScheduledFuture} for the JDK executors and the wheel). The churned timer's delay is 1 s,
 * so peers that keep cancelled timers until their deadline hold at most a second's worth.
 *
 * <p>Every operation stores into the engine's shared structures under a lock or an atomic (and the
 * default executor keeps the cancelled task), so nothing here can be removed as dead code; the
 * benchmark methods return nothing on purpose. Agrona is behind one lock ({@link Engine}), so it
 * runs on two threads too. {@code fjp} needs JDK 25: pass {@code -p engine=...,fjp} there.
 *
 * <pre>
 * java -jar benchmarks.jar PendingThroughputBenchmark -rf json -rff pending.json
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms6g", "-Xmx6g"})
public class PendingThroughputBenchmark {

  static final long CHURN_DELAY = TimeUnit.SECONDS.toNanos(1);

  @Param({"0", "100000", "1000000", "4000000"})
  public int pending;

  @Param({
    "stpe",
    "stpeRemove",
    "netty",
    "agrona",
    "kafka",
    "wheel",
    "wheelCounted",
    "wheelDeadlines"
  })
  public String engine;

  Engine e;

  @Setup(Level.Trial)
  public void setUp() {
    e = Engine.create(engine);
    Engine.Slots slots = e.slots(Math.max(1, pending));
    SplittableRandom rnd = new SplittableRandom(42);
    for (int i = 0; i < pending; i++) {
      slots.rearm(i, TimeUnit.MINUTES.toNanos(10) + rnd.nextLong(TimeUnit.MINUTES.toNanos(50)));
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    e.close();
  }

  @Benchmark
  @Threads(1)
  public void oneThread() {
    e.scheduleCancel(CHURN_DELAY);
  }

  @Benchmark
  @Threads(2)
  public void twoThreads() {
    e.scheduleCancel(CHURN_DELAY);
  }
}
