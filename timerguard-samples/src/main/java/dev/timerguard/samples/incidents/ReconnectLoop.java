package dev.timerguard.samples.incidents;

import java.util.Timer;
import java.util.TimerTask;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * Incident 5, "The Reconnect Loop": a client reconnects with exponential backoff (1 s doubling to
 * 60 s) from its transport's disconnect callback. Healthy upstreams disconnect rarely; a flapping
 * one fires the callback thousands of times a second, and every call arms one more backoff timer
 * while the earlier ones are still pending. The legacy spelling, a {@code new java.util.Timer()}
 * per attempt, leaks a thread per attempt as well.
 *
 * <p>Fix: one backoff timer per client, reused: while a reconnect is pending, further disconnect
 * events join it instead of arming another; the legacy client keeps one {@code Timer} for life and
 * cancels it on close.
 */
public final class ReconnectLoop extends BaseIncident {

  static final long INITIAL_BACKOFF_MILLIS = 1_000;
  static final long MAX_BACKOFF_MILLIS = 60_000;

  /** One legacy ({@code java.util.Timer}) attempt per this many disconnect events. */
  static final int LEGACY_EVERY = 40;

  public ReconnectLoop() {
    super(
        5,
        "Reconnect loop under a flapping upstream",
        "select { case <-time.After(backoff): ... } // per reconnect attempt, backoff up to 1 min",
        "every disconnect event arms a new backoff timer (up to 60 s) while earlier ones are"
            + " pending; the legacy path starts a java.util.Timer thread per attempt",
        "one pending backoff timer per client, reused; one java.util.Timer per client, cancelled on"
            + " close",
        "pending backoff timers + timer threads",
        12_000);
  }

  private static long next(long backoff) {
    return Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
  }

  /** The leaky client. Thread-safe (the callback may run on transport and scheduler threads). */
  public static final class LeakyClient {
    private final ScheduledExecutorService scheduler;
    private final FaultSites faults;
    private final BooleanSupplier connect;
    private final AtomicLong backoff = new AtomicLong(INITIAL_BACKOFF_MILLIS);

    public LeakyClient(
        ScheduledExecutorService scheduler, FaultSites faults, BooleanSupplier connect) {
      this.scheduler = scheduler;
      this.faults = faults;
      this.connect = connect;
    }

    /** Transport callback: the connection dropped or a connect attempt failed. */
    public void onDisconnect() {
      long delay = backoff.getAndUpdate(ReconnectLoop::next);
      faults.mark(scheduler.schedule(this::reconnect, delay, TimeUnit.MILLISECONDS)); // one more
    }

    private void reconnect() {
      if (connect.getAsBoolean()) {
        backoff.set(INITIAL_BACKOFF_MILLIS);
      } else {
        onDisconnect();
      }
    }
  }

  /** The legacy leaky client: a new {@link Timer} (and thread) per attempt. */
  public static final class LeakyLegacyClient {
    private final FaultSites faults;
    private final BooleanSupplier connect;
    private final AtomicLong backoff = new AtomicLong(INITIAL_BACKOFF_MILLIS);

    public LeakyLegacyClient(FaultSites faults, BooleanSupplier connect) {
      this.faults = faults;
      this.connect = connect;
    }

    public void onDisconnect() {
      long delay = backoff.getAndUpdate(ReconnectLoop::next);
      Timer timer = faults.mark(new Timer("reconnect-backoff", true)); // a thread per attempt
      timer.schedule(
          new TimerTask() {
            @Override
            public void run() {
              reconnect();
            }
          },
          delay);
    }

    private void reconnect() {
      if (connect.getAsBoolean()) {
        backoff.set(INITIAL_BACKOFF_MILLIS);
      } else {
        onDisconnect();
      }
    }
  }

  /** The fixed client: at most one pending reconnect. Thread-safe. */
  public static final class FixedClient implements AutoCloseable {
    private final ScheduledThreadPoolExecutor scheduler;
    private final BooleanSupplier connect;
    private long backoff = INITIAL_BACKOFF_MILLIS;
    private ScheduledFuture<?> pending;

    public FixedClient(ScheduledThreadPoolExecutor scheduler, BooleanSupplier connect) {
      this.scheduler = scheduler;
      this.connect = connect;
      scheduler.setRemoveOnCancelPolicy(true);
    }

    public synchronized void onDisconnect() {
      if (pending != null && !pending.isDone()) {
        return; // the fix: a reconnect is already scheduled; this event joins it
      }
      pending = scheduler.schedule(this::reconnect, backoff, TimeUnit.MILLISECONDS);
      backoff = next(backoff);
    }

    private void reconnect() {
      boolean ok = connect.getAsBoolean();
      synchronized (this) {
        pending = null;
        if (ok) {
          backoff = INITIAL_BACKOFF_MILLIS;
          return;
        }
      }
      onDisconnect();
    }

    @Override
    public synchronized void close() {
      if (pending != null) {
        pending.cancel(false);
      }
    }
  }

  /** The fixed legacy client: one {@link Timer} for the client's life, one pending task. */
  public static final class FixedLegacyClient implements AutoCloseable {
    private final Timer timer;
    private final BooleanSupplier connect;
    private long backoff = INITIAL_BACKOFF_MILLIS;
    private TimerTask pending;

    public FixedLegacyClient(FaultSites faults, BooleanSupplier connect) {
      this.timer = faults.mark(new Timer("reconnect-backoff", true)); // once per client
      this.connect = connect;
    }

    public synchronized void onDisconnect() {
      if (pending != null) {
        return;
      }
      pending =
          new TimerTask() {
            @Override
            public void run() {
              reconnect();
            }
          };
      timer.schedule(pending, backoff);
      backoff = next(backoff);
    }

    private void reconnect() {
      boolean ok = connect.getAsBoolean();
      synchronized (this) {
        pending = null;
        if (ok) {
          backoff = INITIAL_BACKOFF_MILLIS;
          return;
        }
      }
      onDisconnect();
    }

    @Override
    public void close() {
      timer.cancel();
    }
  }

  private static final BooleanSupplier FLAPPING = () -> false;

  @Override
  void leaky(Run run) {
    LeakyClient client = new LeakyClient(run.scheduler(), run.faults(), FLAPPING);
    LeakyLegacyClient legacy = new LeakyLegacyClient(run.faults(), FLAPPING);
    run.signal(() -> run.timerCounts()[0] + run.utilTimers());
    run.liveTimers(run::utilTimers);
    for (int i = 0; i < run.operations; i++) {
      client.onDisconnect();
      if (i % LEGACY_EVERY == 0) {
        legacy.onDisconnect();
      }
      run.step();
    }
  }

  @Override
  void fixed(Run run) {
    FixedClient client = new FixedClient(run.scheduler(), FLAPPING);
    FixedLegacyClient legacy = new FixedLegacyClient(run.faults(), FLAPPING);
    run.onCleanup(client::close);
    run.onCleanup(legacy::close);
    run.signal(() -> run.timerCounts()[0] + run.utilTimers());
    run.liveTimers(run::utilTimers);
    for (int i = 0; i < run.operations; i++) {
      client.onDisconnect();
      if (i % LEGACY_EVERY == 0) {
        legacy.onDisconnect();
      }
      run.step();
    }
  }
}
