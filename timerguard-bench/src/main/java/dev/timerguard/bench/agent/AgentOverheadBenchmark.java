package dev.timerguard.bench.agent;

import dev.timerguard.live.CallSite;
import dev.timerguard.live.internal.SiteCounter;
import dev.timerguard.live.internal.SiteRegistry;
import dev.timerguard.live.internal.TimerEnd;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the TimerGuard agent adds to the hot paths it instruments. Run twice, once plain and once
 * with {@code -jvmArgsAppend -javaagent:timerguard-agent/target/timerguard-agent.jar}; the
 * difference per operation is the agent's overhead (docs/benchmarks.md, "Agent overhead").
 *
 * <ul>
 *   <li>{@link #scheduleCancel}: one {@code schedule} plus {@code cancel} on a {@link
 *       ScheduledThreadPoolExecutor} (removeOnCancelPolicy true, so the queue stays small);
 *   <li>{@link #threadStartJoin}: start a thread that does nothing, and join it;
 *   <li>{@link #siteCounterStartEnd}: the live model's own cost per timer ({@code
 *       SiteCounter.start(0)} then {@code end(stamp, TimerEnd.CANCELLED)}, with no JFR recording
 *       on), which every agent-counted timer pays; the rest of the difference is the hook
 *       (wrappers, checks).
 * </ul>
 *
 * {@link #agentLoaded} is printed at setup so each result says which run it came from.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx256m"})
public class AgentOverheadBenchmark {

  private ScheduledThreadPoolExecutor pool;
  private final Runnable task = () -> {};
  private final Runnable noop = () -> {};
  private SiteCounter counter;

  /** Whether the agent's hooks are on the bootstrap class path of this fork. */
  public static boolean agentLoaded() {
    try {
      Class.forName("dev.timerguard.agent.boot.Hooks", false, null);
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  @Setup
  public void setUp() {
    pool = new ScheduledThreadPoolExecutor(1);
    pool.setRemoveOnCancelPolicy(true);
    counter =
        SiteRegistry.create(16, System::nanoTime)
            .register(CallSite.of(CallSite.Kind.TIMER, "bench", "m", "B.java", 1));
    System.out.println("# timerguard agent loaded: " + agentLoaded());
  }

  @TearDown
  public void tearDown() {
    pool.shutdownNow();
  }

  @Benchmark
  public boolean scheduleCancel() {
    ScheduledFuture<?> f = pool.schedule(task, 1, TimeUnit.HOURS);
    return f.cancel(false);
  }

  @Benchmark
  public long siteCounterStartEnd() {
    long stamp = counter.start(0);
    counter.end(stamp, TimerEnd.CANCELLED);
    return stamp;
  }

  @Benchmark
  public Thread threadStartJoin() throws InterruptedException {
    Thread t = new Thread(noop);
    t.start();
    t.join();
    return t;
  }
}
