package dev.timerguard.wheel;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The callback pool a {@link WheelScheduler} owns when no callback executor is given: elastic
 * and bounded, so that callbacks that block cannot starve the timers of others.
 *
 * <p>A callback goes to an idle thread if there is one (through the queue, where that thread
 * waits); else, while the pool has fewer than {@code max} threads, to a new thread; only when all
 * {@code max} threads are busy does it wait in an unbounded FIFO queue for the first thread to come free. No
 * callback is ever dropped or run on the tick thread. Threads beyond need are started on demand
 * and retire after {@code keepAlive} without work (all of them, so an idle scheduler holds no
 * callback thread). Up to {@code core} threads are started without looking for an idle one, as
 * {@link ThreadPoolExecutor} does.
 *
 * <p>Each thread records the timer it runs and since when ({@link CallbackThread}), so the
 * scheduler can name callbacks that hold their thread for long while the pool is saturated.
 * Thread-safe; the scheduler shuts it down when it terminates.
 */
final class CallbackPool extends ThreadPoolExecutor {

  private final SlowCallbacks watch;
  private final String schedulerName;
  private final Set<CallbackThread> threads = ConcurrentHashMap.newKeySet();
  /** Callbacks handed to this pool and not yet finished: more than the threads, none is idle. */
  private final AtomicInteger submitted = new AtomicInteger();

  CallbackPool(SlowCallbacks watch, String schedulerName, int core, int max, long keepAliveNanos) {
    super(
        Math.min(core, max),
        max,
        keepAliveNanos,
        TimeUnit.NANOSECONDS,
        new HandOff(),
        new Factory(schedulerName + "-callback-"),
        CallbackPool::overflow);
    this.watch = watch;
    this.schedulerName = schedulerName;
    ((HandOff) getQueue()).pool = this;
    ((Factory) getThreadFactory()).pool = this;
    allowCoreThreadTimeOut(true);
  }

  @Override
  public void execute(Runnable r) {
    submitted.incrementAndGet();
    try {
      super.execute(r);
    } catch (RuntimeException | Error e) {
      submitted.decrementAndGet();
      throw e;
    }
  }

  @Override
  protected void afterExecute(Runnable r, Throwable t) {
    submitted.decrementAndGet();
  }

  /** The threads now alive, each with the callback it runs (if any). */
  Set<CallbackThread> threads() {
    return threads;
  }

  /**
   * Refused by {@link ThreadPoolExecutor#execute}: either the pool is shut down (the caller ends
   * the timer as cancelled) or another hand-off took the last free slot between the queue's
   * check and the thread's start; then the callback waits in the queue like any other at the
   * bound.
   */
  private static void overflow(Runnable r, ThreadPoolExecutor executor) {
    CallbackPool p = (CallbackPool) executor;
    if (p.isShutdown()) {
      throw new RejectedExecutionException(
          "the callback pool of " + p.schedulerName + " is shut down; cannot run " + r);
    }
    ((HandOff) p.getQueue()).enqueue(r);
    p.watch.allThreadsBusy(p, true);
  }

  /**
   * The pool's queue: {@code offer} accepts a callback when a thread is idle to take it (fewer
   * callbacks in the pool than threads) or, at the bound, to wait for one; otherwise it refuses,
   * which makes the pool start a thread. (A thread that retires at the very moment it was counted
   * idle leaves the callback to the next thread that comes free: late, never lost.)
   */
  private static final class HandOff extends LinkedBlockingQueue<Runnable> {
    private static final long serialVersionUID = 1L;
    transient CallbackPool pool;

    @Override
    public boolean offer(Runnable r) {
      CallbackPool p = pool;
      int threads = p.getPoolSize();
      if (p.submitted.get() <= threads) {
        return super.offer(r);
      }
      boolean atBound = threads >= p.getMaximumPoolSize();
      if (atBound) {
        enqueue(r);
      }
      p.watch.allThreadsBusy(p, atBound);
      return atBound;
    }

    void enqueue(Runnable r) {
      super.offer(r);
    }
  }

  private static final class Factory implements java.util.concurrent.ThreadFactory {
    private final String prefix;
    private final AtomicInteger n = new AtomicInteger();
    CallbackPool pool;

    Factory(String prefix) {
      this.prefix = prefix;
    }

    @Override
    public Thread newThread(Runnable r) {
      CallbackThread t = new CallbackThread(pool.threads, r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t; // it joins pool.threads when it runs: a thread that fails to start is never listed

    }
  }

  /**
   * A thread of the pool. {@code entry} and {@code since} are written by the thread itself
   * around each callback (see {@link SlowCallbacks#begin}) and read by the scheduler's
   * slow-callback check.
   */
  static final class CallbackThread extends Thread {
    private final Set<CallbackThread> threads;
    volatile TimerEntry<?> entry;
    volatile Object task;
    volatile long since;

    CallbackThread(Set<CallbackThread> threads, Runnable r, String name) {
      super(r, name);
      this.threads = threads;
    }

    @Override
    public void run() {
      threads.add(this);
      try {
        super.run();
      } finally {
        threads.remove(this);
      }
    }
  }
}
