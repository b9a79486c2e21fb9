package dev.timerguard.samples.incidents;

import dev.timerguard.Timers;
import dev.timerguard.Watchdog;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Incident 1, "The time.After RPC Loop": a connection's read loop arms a fresh 30-second keepalive
 * timeout for every message. The JVM has two common spellings, both reproduced here:
 *
 * <ul>
 *   <li>{@link LeakyConnection}: {@code schedule} then {@code cancel} on a default {@link
 *       ScheduledThreadPoolExecutor}. {@code cancel} does not remove the task: it stays in the
 *       queue until its deadline unless {@code setRemoveOnCancelPolicy(true)}, so a busy loop keeps
 *       messages-per-second &times; 30 cancelled tasks alive.
 *   <li>{@link LeakyAsyncConnection}: an idle future with {@code orTimeout} raced against the next
 *       message with {@code anyOf}, the closest JVM spelling of {@code select} with {@code
 *       time.After}. The message wins, the idle future is abandoned, and its timeout stays
 *       scheduled until it fires. (A future that <em>completes</em> after {@code orTimeout} cleans
 *       up its own timer; an abandoned one never completes.)
 * </ul>
 *
 * <p>Fix: keep one long-lived keepalive deadline per connection and push it forward on each message
 * (a TimerGuard {@link Watchdog}; with plain JDK, at least {@code setRemoveOnCancelPolicy(true)}),
 * and cancel the idle future when the message wins.
 */
public final class RpcReadLoop extends BaseIncident {

  /** Counter: idle futures whose {@code orTimeout} timer is still pending. */
  public static final String PENDING_IDLE = "orTimeout idle futures pending";

  /** Keepalive interval of the original incident. */
  static final long KEEPALIVE_SECONDS = 30;

  public RpcReadLoop() {
    super(
        1,
        "RPC read loop: a timeout per message",
        "select { case msg := <-c.incoming: ...; case <-time.After(30 * time.Second): keepalive()"
            + " }",
        "a 30 s keepalive timeout is armed per message and cancelled (or abandoned) when the"
            + " message wins; the default scheduler keeps cancelled tasks queued until their"
            + " deadline",
        "one keepalive watchdog per connection, reset per message; cancel the abandoned idle"
            + " future",
        "retained cancelled tasks + pending timeouts",
        40_000);
  }

  /** The leaky read loop over a plain JDK scheduler. Confined to the reading thread. */
  public static final class LeakyConnection {
    private final ScheduledExecutorService scheduler;
    private final FaultSites faults;
    private final AtomicLong dispatched = new AtomicLong();
    private final AtomicLong keepalives = new AtomicLong();

    public LeakyConnection(ScheduledExecutorService scheduler, FaultSites faults) {
      this.scheduler = scheduler;
      this.faults = faults;
    }

    /** Reads {@code messages} messages from {@code incoming}, arming a keepalive for each. */
    public void readLoop(BlockingQueue<String> incoming, int messages, Runnable afterEach) {
      for (int i = 0; i < messages; i++) {
        ScheduledFuture<?> keepalive =
            faults.mark(scheduler.schedule(this::keepalive, KEEPALIVE_SECONDS, TimeUnit.SECONDS));
        String msg = Run.take(incoming);
        if (msg == null) {
          return;
        }
        dispatch(msg);
        keepalive.cancel(false); // cancelled, yet queued for 30 s more
        afterEach.run();
      }
    }

    private void dispatch(String msg) {
      dispatched.incrementAndGet();
    }

    private void keepalive() {
      keepalives.incrementAndGet();
    }

    public long keepalives() {
      return keepalives.get();
    }
  }

  /** The same loop written with {@link CompletableFuture}: an idle timeout raced per message. */
  public static final class LeakyAsyncConnection {
    private final FaultSites faults;
    private final AtomicLong dispatched = new AtomicLong();

    public LeakyAsyncConnection(FaultSites faults) {
      this.faults = faults;
    }

    /** Handles {@code messages} messages, each raced against a fresh 30 s idle timeout. */
    public void readLoop(BlockingQueue<String> incoming, int messages, Runnable afterEach) {
      for (int i = 0; i < messages; i++) {
        CompletableFuture<String> next = CompletableFuture.completedFuture(Run.take(incoming));
        CompletableFuture<Object> idle =
            faults.mark(new CompletableFuture<>().orTimeout(KEEPALIVE_SECONDS, TimeUnit.SECONDS));
        CompletableFuture.anyOf(next, idle).join(); // the message wins; idle is abandoned
        dispatched.incrementAndGet();
        afterEach.run();
      }
    }
  }

  /**
   * The fixed read loop: one keepalive watchdog for the connection's life, pushed forward by each
   * message (TimerGuard's {@link Watchdog}: one reused timer, and a reset never loses a race with
   * expiry). Confined to the reading thread; the watchdog is closed with the connection.
   */
  public static final class FixedConnection implements AutoCloseable {
    private final Watchdog keepalive;
    private final AtomicLong dispatched = new AtomicLong();
    private final AtomicLong keepalives = new AtomicLong();

    public FixedConnection(Timers timers) {
      this.keepalive =
          timers.watchdog(Duration.ofSeconds(KEEPALIVE_SECONDS), keepalives::incrementAndGet);
    }

    public void readLoop(BlockingQueue<String> incoming, int messages, Runnable afterEach) {
      for (int i = 0; i < messages; i++) {
        String msg = Run.take(incoming);
        if (msg == null) {
          return;
        }
        dispatched.incrementAndGet();
        keepalive.reset(); // the fix: push the one deadline out; no new timer
        afterEach.run();
      }
    }

    @Override
    public void close() {
      keepalive.close();
    }
  }

  /** The fixed async loop: the idle timeout is cancelled when the message wins. */
  public static final class FixedAsyncConnection {
    private final AtomicLong dispatched = new AtomicLong();
    private final FaultSites faults;

    public FixedAsyncConnection(FaultSites faults) {
      this.faults = faults;
    }

    public void readLoop(BlockingQueue<String> incoming, int messages, Runnable afterEach) {
      for (int i = 0; i < messages; i++) {
        CompletableFuture<String> next = CompletableFuture.completedFuture(Run.take(incoming));
        CompletableFuture<Object>
            idle = // timerguard:allow TG101 the minimal JDK fix, cancelled below
            faults.mark(new CompletableFuture<>().orTimeout(KEEPALIVE_SECONDS, TimeUnit.SECONDS));
        CompletableFuture.anyOf(next, idle).join();
        idle.cancel(false); // the fix: completing the idle future unschedules its timeout
        dispatched.incrementAndGet();
        afterEach.run();
      }
    }
  }

  private static BlockingQueue<String> messages(int n) {
    BlockingQueue<String> q = new ArrayBlockingQueue<>(n);
    for (int i = 0; i < n; i++) {
      q.add("msg-" + (i & 1023));
    }
    return q;
  }

  @Override
  void leaky(Run run) {
    ScheduledThreadPoolExecutor scheduler = run.scheduler();
    run.signal(() -> run.timerCounts()[1] + run.pendingFutures());
    int half = run.operations / 2;
    new LeakyConnection(scheduler, run.faults()).readLoop(messages(half), half, run::step);
    new LeakyAsyncConnection(run.faults())
        .readLoop(messages(run.operations - half), run.operations - half, run::step);
    run.counter(PENDING_IDLE).set(run.pendingFutures());
  }

  @Override
  void fixed(Run run) {
    run.scheduler();
    run.signal(() -> run.timerCounts()[1] + run.pendingFutures());
    int half = run.operations / 2;
    try (FixedConnection c = new FixedConnection(run.timers())) {
      c.readLoop(messages(half), half, run::step);
      new FixedAsyncConnection(run.faults())
          .readLoop(messages(run.operations - half), run.operations - half, run::step);
      run.measureTimersNow(); // while the connection is open: its one watchdog is live
      run.counter(PENDING_IDLE).set(run.pendingFutures());
    }
  }
}
