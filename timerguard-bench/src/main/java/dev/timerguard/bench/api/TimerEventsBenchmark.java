package dev.timerguard.bench.api;

import dev.timerguard.live.CallSite;
import dev.timerguard.live.internal.SiteCounter;
import dev.timerguard.live.internal.SiteRegistry;
import dev.timerguard.live.internal.TimerEnd;
import dev.timerguard.wheel.WheelScheduler;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Recording;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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
 * What the JFR events of the live model cost. Counting and the event happen in one call ({@code
 * SiteCounter.start} / {@code end}); the event part is guarded, so with no recording on it must
 * cost nothing.
 *
 * <ul>
 *   <li>{@code timerSite}: start + end on a TIMER site, whose ends commit JFR events when a
 *       recording wants them;
 *   <li>{@code noEventSite}: the same on an EXECUTOR site, which never emits events: the cost of
 *       counting alone, the baseline;
 *   <li>{@code wheelScheduleCancel}: schedule + cancel on the default, counting {@link
 *       WheelScheduler}: the whole path a user pays.
 * </ul>
 *
 * With {@code recording=off}, {@code timerSite} / {@code noEventSite} is the price of the event
 * guard (target: 1.0 within noise). {@code recording=on} runs a JFR recording with the three
 * TimerGuard events enabled, for what a recording costs when someone turns it on.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 2,
    jvmArgsAppend = {"-Xmx2g"})
public class TimerEventsBenchmark {

  @Param({"off", "on"})
  public String recording;

  SiteCounter timer;
  SiteCounter executor;
  WheelScheduler wheel;
  Recording rec;

  @Setup
  public void setUp() {
    SiteRegistry registry = SiteRegistry.create(16, System::nanoTime);
    timer =
        registry.register(CallSite.of(CallSite.Kind.TIMER, "b.Bench", "timer", "Bench.java", 1));
    executor =
        registry.register(CallSite.of(CallSite.Kind.EXECUTOR, "b.Bench", "pool", "Bench.java", 2));
    wheel = WheelScheduler.create();
    if (recording.equals("on")) {
      rec = new Recording();
      rec.enable("dev.timerguard.TimerScheduled");
      rec.enable("dev.timerguard.TimerFired");
      rec.enable("dev.timerguard.TimerCancelled");
      rec.setToDisk(false);
      rec.setMaxSize(64L << 20);
      rec.start();
    }
  }

  @TearDown
  public void tearDown() {
    wheel.shutdownNow();
    if (rec != null) {
      rec.close();
    }
  }

  @Benchmark
  public long timerSite() {
    long stamp = timer.start(30_000_000_000L);
    timer.end(stamp, TimerEnd.CANCELLED);
    return stamp;
  }

  @Benchmark
  public long noEventSite() {
    long stamp = executor.start(30_000_000_000L);
    executor.end(stamp, TimerEnd.CANCELLED);
    return stamp;
  }

  @Benchmark
  public boolean wheelScheduleCancel() {
    ScheduledFuture<?> f = wheel.schedule(TimerEventsBenchmark::noop, 30, TimeUnit.SECONDS);
    return f.cancel(false);
  }

  private static void noop() {}
}
