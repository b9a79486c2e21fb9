package dev.timerguard.bench.load;

import dev.timerguard.Ticker;
import dev.timerguard.Timeout;
import dev.timerguard.TimerSite;
import dev.timerguard.TimerSource;
import dev.timerguard.Timers;
import dev.timerguard.Watchdog;
import java.time.Duration;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Re-arm cost (issue 17, item 4): pushing a pending 30 s deadline out, the operation of every idle
 * timeout and heartbeat. The safe API re-arms in place: {@link Watchdog#reset()} and {@link
 * Ticker#setPeriod} reuse one timer. Everything else cancels and schedules anew:
 *
 * <ul>
 *   <li>{@code apiWatchdogReset}: {@code watchdog.reset()} (returns whether it moved: consumed);
 *   <li>{@code apiTickerSetPeriod}: {@code ticker.setPeriod(30 s or 31 s)}, alternating;
 *   <li>{@code apiTimeoutCancelSchedule}: the API without re-arm: cancel the {@link Timeout},
 *       schedule a new one (returned: consumed);
 *   <li>{@code peerCancelSchedule}: each engine of {@link Engine}: cancel the slot's timer,
 *       schedule a new 30 s one (the slot array keeps the handle, so nothing is dead code).
 * </ul>
 *
 * The API runs on its default engine, the timing wheel, with an explicit {@link TimerSite} (no
 * attribution cost in the comparison). The default STPE keeps every cancelled task until its
 * deadline: its queue is purged after each iteration, which flatters it. {@code fjp} needs JDK 25:
 * pass {@code -p engine=...,fjp} there.
 *
 * <pre>
 * java -jar benchmarks.jar ReArmBenchmark -rf json -rff rearm.json
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
public class ReArmBenchmark {

  static final Duration TIMEOUT = Duration.ofSeconds(30);
  static final Duration OTHER = Duration.ofSeconds(31);
  static final long TIMEOUT_NANOS = TIMEOUT.toNanos();
  static final TimerSite SITE = TimerSite.here();

  /** The peer engine of {@link #peerCancelSchedule}; the API rows ignore it. */
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

  Timers timers;
  TimerSource api;
  Watchdog watchdog;
  Ticker ticker;
  Timeout timeout;
  boolean flip;
  Engine peer;
  Engine.Slots slot;
  final Runnable task = () -> {};

  @Setup(Level.Trial)
  public void setUp() {
    timers = Timers.builder().name("rearm-bench").build();
    api = timers.at(SITE);
    watchdog = api.watchdog(TIMEOUT, task);
    ticker = api.tickWithFixedDelay(TIMEOUT, task);
    timeout = api.schedule(TIMEOUT, task);
    peer = Engine.create(engine);
    slot = peer.slots(1);
    slot.rearm(0, TIMEOUT_NANOS);
  }

  @TearDown(Level.Iteration)
  public void purge() {
    peer.purge();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    timers.close();
    peer.close();
  }

  @Benchmark
  public boolean apiWatchdogReset() {
    return watchdog.reset();
  }

  @Benchmark
  public void apiTickerSetPeriod() {
    flip = !flip;
    ticker.setPeriod(flip ? OTHER : TIMEOUT);
  }

  @Benchmark
  public Timeout apiTimeoutCancelSchedule() {
    timeout.cancel();
    return timeout = api.schedule(TIMEOUT, task);
  }

  @Benchmark
  public void peerCancelSchedule() {
    slot.rearm(0, TIMEOUT_NANOS);
  }
}
