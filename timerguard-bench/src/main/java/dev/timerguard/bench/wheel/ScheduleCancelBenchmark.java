package dev.timerguard.bench.wheel;

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
 * Schedule-then-cancel throughput with 100,000 background timers pending (delays of 10 to 60
 * minutes, so none fires during a run): the cost of a timeout that is armed per request and
 * disarmed when the request completes. The churned timer's delay is 1 s, so peers that keep
 * cancelled timers until their deadline (STPE without removeOnCancel, java.util.Timer) hold at most
 * one second's worth of them.
 *
 * <p>{@code agrona} is single-threaded: run it only in {@link #oneThread}. {@code fjp} exists only
 * on JDK 25+.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 2,
    jvmArgsAppend = {"-Xms2g", "-Xmx6g"})
public class ScheduleCancelBenchmark {

  static final int BACKGROUND = 100_000;
  static final long CHURN_DELAY = TimeUnit.SECONDS.toNanos(1);

  @Param({
    "wheel",
    "wheelCounted",
    "deadlines",
    "netty",
    "kafka",
    "stpe",
    "stpeRemove",
    "timer",
    "agrona"
  })
  public String impl;

  TimerPeer peer;

  @Setup(Level.Trial)
  public void setUp() {
    peer = TimerPeer.create(impl);
    SplittableRandom rnd = new SplittableRandom(42);
    for (int i = 0; i < BACKGROUND; i++) {
      peer.schedule(TimeUnit.MINUTES.toNanos(10) + rnd.nextLong(TimeUnit.MINUTES.toNanos(50)));
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    peer.close();
  }

  @Benchmark
  @Threads(1)
  public void oneThread() {
    peer.scheduleCancel(CHURN_DELAY);
  }

  @Benchmark
  @Threads(2)
  public void twoThreads() {
    peer.scheduleCancel(CHURN_DELAY);
  }
}
