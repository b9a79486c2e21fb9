package dev.timerguard.bench.api;

import dev.timerguard.Timeout;
import dev.timerguard.TimerSite;
import dev.timerguard.TimerSource;
import dev.timerguard.Timers;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
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
 * What call-site attribution costs on create + cancel of a one-shot timeout, against the raw JDK
 * executor the API replaces.
 *
 * <ul>
 *   <li>{@code rawStpe}: {@code schedule} + {@code cancel} on a {@link ScheduledThreadPoolExecutor}
 *       (default policy: leaks the cancelled task until its deadline; and the leak-free policy);
 *   <li>{@code explicitSite}: the API with a {@link TimerSite} (attribution is one field read): the
 *       API's cost without attribution;
 *   <li>{@code lambdaSite}: the API with automatic attribution, cached per lambda class: the
 *       default;
 *   <li>{@code namedClassSite}: automatic attribution of a named task class, which walks the stack
 *       every time (what {@code TimerSite} exists to avoid).
 * </ul>
 *
 * Attribution overhead = lambdaSite - explicitSite.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 2,
    jvmArgsAppend = {"-Xmx4g"})
public class AttributionBenchmark {

  static final Duration DELAY = Duration.ofSeconds(30);
  static final TimerSite SITE = TimerSite.here();

  /** The API's engine: the default timing wheel, or a leak-free ScheduledThreadPoolExecutor. */
  @Param({"wheel", "stpe"})
  public String engine;

  Timers timers;
  TimerSource sited;
  ScheduledThreadPoolExecutor stpeDefault;
  ScheduledThreadPoolExecutor stpeRemove;
  final Runnable task = () -> {};
  final Runnable named = new Named();

  static final class Named implements Runnable {
    @Override
    public void run() {}
  }

  @Setup(Level.Trial)
  public void setUp() {
    Timers.Builder b = Timers.builder().name("bench");
    if (engine.equals("stpe")) {
      ScheduledThreadPoolExecutor stpe = new ScheduledThreadPoolExecutor(1);
      stpe.setRemoveOnCancelPolicy(true);
      b.engine(stpe);
    }
    timers = b.build();
    sited = timers.at(SITE);
    stpeDefault = new ScheduledThreadPoolExecutor(1);
    stpeRemove = new ScheduledThreadPoolExecutor(1);
    stpeRemove.setRemoveOnCancelPolicy(true);
  }

  /** The default policy keeps every cancelled task queued: empty the queue between iterations. */
  @TearDown(Level.Iteration)
  public void purge() {
    stpeDefault.purge();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    timers.close();
    stpeDefault.shutdownNow();
    stpeRemove.shutdownNow();
  }

  @Benchmark
  public boolean rawStpeDefaultPolicy() {
    ScheduledFuture<?> f = stpeDefault.schedule(task, 30, TimeUnit.SECONDS);
    return f.cancel(false);
  }

  @Benchmark
  public boolean rawStpeRemoveOnCancel() {
    ScheduledFuture<?> f = stpeRemove.schedule(task, 30, TimeUnit.SECONDS);
    return f.cancel(false);
  }

  @Benchmark
  public boolean explicitSite() {
    Timeout t = sited.schedule(DELAY, task);
    return t.cancel();
  }

  @Benchmark
  public boolean lambdaSite() {
    Timeout t = timers.schedule(DELAY, task);
    return t.cancel();
  }

  @Benchmark
  public boolean namedClassSite() {
    Timeout t = timers.schedule(DELAY, named);
    return t.cancel();
  }
}
