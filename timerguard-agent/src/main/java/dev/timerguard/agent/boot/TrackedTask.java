package dev.timerguard.agent.boot;

import dev.timerguard.live.internal.SiteCounter;
import dev.timerguard.live.internal.TimerEnd;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * The agent's stand-in for a task handed to {@code ScheduledExecutorService.schedule*}: it runs the
 * application's task unchanged and reports the timer's end to the site's {@link SiteCounter}
 * exactly once: {@code fired} when a one-shot starts running, {@code cancelled} when its {@link
 * TrackedFuture} is cancelled, when a periodic task stops by throwing, or when its executor ends (a
 * periodic task is registered with its executor's entry for that).
 *
 * <p>Thread-safe: the end is claimed with one compare-and-set, so a run racing a cancel counts
 * once. Holds the task, the counter, the creation stamp and its executor's entry (with the deadline
 * it is retained until, once cancelled); nothing else is kept per timer.
 *
 * @param <V> the callable's result type ({@code null} for runnables)
 */
public final class TrackedTask<V> implements Runnable, Callable<V> {

  private static final AtomicIntegerFieldUpdater<TrackedTask> STATE =
      AtomicIntegerFieldUpdater.newUpdater(TrackedTask.class, "state");

  private final Runnable runnable;
  private final Callable<V> callable;
  private final SiteCounter counter;
  private final long stamp;
  private final boolean periodic;
  private volatile int state; // 0 live, 1 ended

  /** The executor's entry, to which a cancel reports a retained task; null if not tracked. */
  ExecutorTracker.Entry executor;

  // guarded by the executor's entry: the deadline this task is retained until, once cancelled
  long retainedUntil;
  boolean retained;

  TrackedTask(
      Runnable runnable,
      Callable<V> callable,
      SiteCounter counter,
      boolean periodic,
      long delayNanos) {
    this.runnable = runnable;
    this.callable = callable;
    this.counter = counter;
    this.periodic = periodic;
    this.stamp = counter.start(delayNanos);
  }

  /** Runs the application's task; a one-shot counts as fired first. */
  @Override
  public void run() {
    if (periodic) {
      try {
        runnable.run();
      } catch (RuntimeException | Error e) {
        end(TimerEnd.FAILED); // a periodic task that throws is never run again: it stopped
        throw e;
      }
    } else {
      end(TimerEnd.FIRED);
      runnable.run();
    }
  }

  /** Calls the application's callable; counts as fired first. */
  @Override
  public V call() throws Exception {
    end(TimerEnd.FIRED);
    return callable.call();
  }

  /**
   * Ends the timer, once: counts it and commits its JFR end event in the one call of the model.
   * Later calls (a run racing a cancel) do nothing.
   */
  void end(TimerEnd how) {
    if (state == 0 && STATE.compareAndSet(this, 0, 1)) {
      try {
        counter.end(stamp, how);
        ExecutorTracker.Entry e = executor;
        if (periodic && e != null) {
          e.periodicEnded(this);
        }
      } catch (Throwable t) {
        HookGuard.fail(HookGuard.SCHEDULE, t);
      }
    }
  }

  /** The creation stamp (for tests). */
  long stamp() {
    return stamp;
  }

  @Override
  public String toString() {
    return String.valueOf(runnable != null ? runnable : callable);
  }
}
