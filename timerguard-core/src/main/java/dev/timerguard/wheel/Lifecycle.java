package dev.timerguard.wheel;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The run state of a {@link WheelScheduler} and its way to the end: running, shut down (no new
 * timers; periodic timers cancelled; pending one-shots still fire), stopped (everything pending
 * cancelled and handed back) and terminated (nothing pending, no callback in flight; the tick
 * thread ends and the owned pool is shut down).
 *
 * <p>The policies are those of {@link java.util.concurrent.ScheduledThreadPoolExecutor} with its
 * defaults; see the scheduler's class documentation. A new timer is refused with a {@link
 * RejectedExecutionException} naming the scheduler; the shards check {@link #rejectsNew()} under
 * their locks, so a timer is either swept by a shutdown or refused, never lost.
 *
 * <p>Thread-safety: every method may be called from any thread. State moves only forward; {@link
 * #tryTerminate()} runs under the tick loop's pass lock.
 */
final class Lifecycle {

  private static final int RUNNING = 0;
  private static final int SHUTDOWN = 1;
  private static final int STOP = 2;
  private static final int TERMINATED = 3;

  private final WheelScheduler owner;
  private volatile int runState = RUNNING;
  private final CountDownLatch terminated = new CountDownLatch(1);

  Lifecycle(WheelScheduler owner) {
    this.owner = owner;
  }

  /** True once shut down: new timers are refused (read by the shards under their locks). */
  boolean rejectsNew() {
    return runState != RUNNING;
  }

  boolean isShutdown() {
    return runState != RUNNING;
  }

  boolean isTerminated() {
    return runState == TERMINATED;
  }

  /** The refusal of a new task on a shut-down scheduler. */
  RejectedExecutionException rejected(Object task) {
    return new RejectedExecutionException(
        "WheelScheduler " + owner.name() + " is shut down; cannot schedule " + task);
  }

  /** Terminates a shut-down scheduler with nothing pending and nothing in flight. */
  void tryTerminate() {
    if (runState == SHUTDOWN || runState == STOP) {
      if (owner.pendingCount() == 0 && owner.callbacks.inFlight() == 0) {
        runState = TERMINATED;
        CallbackPool pool = owner.callbacks.ownedPool;
        if (pool != null) {
          pool.shutdown();
        }
        terminated.countDown();
      }
    }
  }

  void shutdown() {
    synchronized (this) {
      if (runState == RUNNING) {
        runState = SHUTDOWN;
      }
    }
    for (Shard s : owner.shards) {
      s.cancelPeriodic();
    }
    afterStateChange();
  }

  List<Runnable> shutdownNow() {
    synchronized (this) {
      if (runState < STOP) {
        runState = STOP;
      }
    }
    List<Runnable> out = new ArrayList<>();
    TickLoop ticks = owner.ticks;
    ticks.passLock.lock();
    try {
      for (Shard s : owner.shards) {
        s.cancelAll(out);
      }
      for (Deadlines d : owner.deadlineSets) {
        d.cancelForShutdown(out);
      }
      owner.callbacks.cancelQueued(out);
    } finally {
      ticks.passLock.unlock();
    }
    afterStateChange();
    return out;
  }

  /** The tick thread terminates the scheduler; without one (manual ticking), this thread does. */
  private void afterStateChange() {
    TickLoop ticks = owner.ticks;
    if (ticks.thread != null) {
      ticks.wake();
    } else {
      ticks.passLock.lock();
      try {
        tryTerminate();
      } finally {
        ticks.passLock.unlock();
      }
    }
  }

  boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    return terminated.await(timeout, Objects.requireNonNull(unit, "unit"));
  }

  void close() {
    boolean done = isTerminated();
    if (!done) {
      shutdown();
      boolean interrupted = false;
      while (!done) {
        try {
          done = awaitTermination(1L, TimeUnit.DAYS);
        } catch (InterruptedException e) {
          if (!interrupted) {
            shutdownNow();
            interrupted = true;
          }
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public String toString() {
    String[] states = {"running", "shutdown", "stopped", "terminated"};
    return states[runState];
  }
}
