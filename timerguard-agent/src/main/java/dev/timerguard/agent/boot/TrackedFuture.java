package dev.timerguard.agent.boot;

import dev.timerguard.live.internal.TimerEnd;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RunnableScheduledFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The future the agent hands back from an instrumented {@code schedule*} call: it forwards every
 * method to the executor's own future and, when {@link #cancel(boolean)} succeeds, reports the
 * timer cancelled. {@link #unwrap()} gives the executor's future (the agent also rewrites {@code
 * ThreadPoolExecutor.remove(Runnable)} calls to unwrap it, so removal keeps working).
 *
 * <p>It is a {@link RunnableScheduledFuture}, like the executor's own future, so code that casts it
 * ({@code executor.remove((Runnable) future)}) keeps working. Thread-safe as the wrapped future is.
 *
 * @param <V> the result type
 */
public final class TrackedFuture<V> implements RunnableScheduledFuture<V> {

  private final ScheduledFuture<V> delegate;
  private final TrackedTask<?> task;

  TrackedFuture(ScheduledFuture<V> delegate, TrackedTask<?> task) {
    this.delegate = delegate;
    this.task = task;
  }

  /** The agent's task inside the executor's future. */
  TrackedTask<?> task() {
    return task;
  }

  /** The executor's own future. */
  public ScheduledFuture<V> unwrap() {
    return delegate;
  }

  @Override
  public boolean cancel(boolean mayInterruptIfRunning) {
    boolean ok = delegate.cancel(mayInterruptIfRunning);
    if (ok) {
      task.end(TimerEnd.CANCELLED);
      ExecutorTracker.Entry e = task.executor;
      if (e != null && HookGuard.on(HookGuard.EXECUTOR)) {
        try {
          e.cancelled(task, delegate); // retained in the queue until its deadline?
        } catch (Throwable t) {
          HookGuard.fail(HookGuard.EXECUTOR, t);
        }
      }
    }
    return ok;
  }

  @Override
  public void run() {
    if (delegate instanceof Runnable) {
      ((Runnable) delegate).run();
    }
  }

  @Override
  public boolean isPeriodic() {
    return delegate instanceof RunnableScheduledFuture
        && ((RunnableScheduledFuture<?>) delegate).isPeriodic();
  }

  @Override
  public long getDelay(TimeUnit unit) {
    return delegate.getDelay(unit);
  }

  @Override
  public int compareTo(Delayed o) {
    return delegate.compareTo(o instanceof TrackedFuture ? ((TrackedFuture<?>) o).delegate : o);
  }

  @Override
  public boolean isCancelled() {
    return delegate.isCancelled();
  }

  @Override
  public boolean isDone() {
    return delegate.isDone();
  }

  @Override
  public V get() throws InterruptedException, ExecutionException {
    return delegate.get();
  }

  @Override
  public V get(long timeout, TimeUnit unit)
      throws InterruptedException, ExecutionException, TimeoutException {
    return delegate.get(timeout, unit);
  }

  @Override
  public String toString() {
    return delegate.toString();
  }
}
