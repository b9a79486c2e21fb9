package dev.timerguard;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** A deterministic engine for tests: time moves only when {@link #advance} is called. */
final class ManualEngine extends AbstractExecutorService implements ScheduledExecutorService {

  final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final PriorityQueue<Task<?>> queue = new PriorityQueue<>();
  private long seq;
  private boolean shutdown;

  long nanoTime() {
    return now.get();
  }

  synchronized int pending() {
    return queue.size();
  }

  /** Moves time forward, running every task that becomes due, in deadline order. */
  void advance(long nanos) {
    long target = now.get() + nanos;
    while (true) {
      Task<?> t;
      synchronized (this) {
        t = queue.peek();
        if (t == null || t.deadline > target) {
          break;
        }
        queue.poll();
      }
      if (t.deadline > now.get()) {
        now.set(t.deadline);
      }
      t.runTask();
    }
    now.set(target);
  }

  void advanceMillis(long ms) {
    advance(TimeUnit.MILLISECONDS.toNanos(ms));
  }

  final class Task<V> extends FutureTask<V> implements ScheduledFuture<V> {
    long deadline;
    final long period; // 0 one-shot, >0 fixed rate, <0 fixed delay
    final long order;

    Task(Callable<V> c, long deadline, long period) {
      super(c);
      this.deadline = deadline;
      this.period = period;
      synchronized (ManualEngine.this) {
        this.order = seq++;
      }
    }

    void runTask() {
      if (period == 0) {
        run();
      } else if (runAndReset()) {
        deadline = period > 0 ? deadline + period : now.get() - period;
        synchronized (ManualEngine.this) {
          if (!shutdown) {
            queue.add(this);
          }
        }
      }
    }

    @Override
    public boolean cancel(boolean mayInterrupt) {
      boolean c = super.cancel(mayInterrupt);
      synchronized (ManualEngine.this) {
        queue.remove(this);
      }
      return c;
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(deadline - now.get(), TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed o) {
      Task<?> t = (Task<?>) o;
      int c = Long.compare(deadline, t.deadline);
      return c != 0 ? c : Long.compare(order, t.order);
    }
  }

  private synchronized <V> Task<V> add(Task<V> t) {
    if (shutdown) {
      throw new RejectedExecutionException("manual engine is shut down");
    }
    queue.add(t);
    return t;
  }

  @Override
  public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    return add(
        new Task<>(
            java.util.concurrent.Executors.callable(command),
            now.get() + Math.max(0, unit.toNanos(delay)),
            0));
  }

  @Override
  public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    return add(new Task<>(callable, now.get() + Math.max(0, unit.toNanos(delay)), 0));
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(
      Runnable command, long initialDelay, long period, TimeUnit unit) {
    return add(
        new Task<>(
            java.util.concurrent.Executors.callable(command),
            now.get() + unit.toNanos(initialDelay),
            unit.toNanos(period)));
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(
      Runnable command, long initialDelay, long delay, TimeUnit unit) {
    return add(
        new Task<>(
            java.util.concurrent.Executors.callable(command),
            now.get() + unit.toNanos(initialDelay),
            -unit.toNanos(delay)));
  }

  @Override
  public synchronized void shutdown() {
    shutdown = true;
  }

  @Override
  public synchronized List<Runnable> shutdownNow() {
    shutdown = true;
    List<Runnable> out = new ArrayList<>(queue);
    queue.clear();
    return out;
  }

  @Override
  public synchronized boolean isShutdown() {
    return shutdown;
  }

  @Override
  public synchronized boolean isTerminated() {
    return shutdown;
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return true;
  }

  @Override
  public void execute(Runnable command) {
    schedule(command, 0, TimeUnit.NANOSECONDS);
  }

  List<Task<?>> snapshot() {
    synchronized (this) {
      return Collections.unmodifiableList(new ArrayList<>(queue));
    }
  }
}
