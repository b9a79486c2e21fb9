package dev.timerguard.wheel;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The callback pool a {@link WheelScheduler} owns when no callback executor is given: elastic and
 * bounded, so that callbacks that block cannot starve the timers of others.
 *
 * <p>A callback goes to an idle thread if there is one (the one idle the shortest time, whose cache
 * is warmest), handed to it directly and the thread unparked; else, while the pool has fewer than
 * {@code max} threads, to a new thread; only when all {@code max} threads are busy does it wait in
 * an unbounded FIFO queue, which threads that come free drain before they go idle. No callback is
 * ever dropped or run on the tick thread. Threads are started on demand and retire after {@code
 * keepAlive} without work (all of them, so an idle scheduler holds no callback thread).
 *
 * <p>Idle threads, the thread count and the queue are guarded by one lock. A thread is in the idle
 * stack exactly while it waits for a hand-off, and it retires only by taking itself off that stack
 * under the lock; a hand-off takes the thread off the stack under the same lock. So a callback is
 * never handed to a thread that is retiring: either the hand-off finds the thread still idle and
 * the thread runs the callback, or the thread is gone and the hand-off picks another or starts one.
 * (With a {@link java.util.concurrent.ThreadPoolExecutor}, a thread whose keep-alive ran out could
 * leave a callback queued for "the next thread that comes free", which could be one that blocks.)
 *
 * <p>Each thread records the timer it runs and since when ({@link CallbackThread}), so the
 * scheduler can name callbacks that hold their thread for long while the pool is saturated.
 * Thread-safe. The scheduler shuts it down when it terminates ({@link #shutdown()}: threads end
 * once idle; new callbacks are refused) or on {@code shutdownNow} ({@link #shutdownNow()}: queued
 * callbacks are handed back, running ones interrupted).
 */
final class CallbackPool implements Executor {

  private static final int RUNNING = 0;
  private static final int SHUTDOWN = 1;
  private static final int STOP = 2;

  private final SlowCallbacks watch;
  private final String schedulerName;
  private final String threadPrefix;
  private final int max;
  private final long keepAliveNanos;
  private final AtomicInteger threadNumber = new AtomicInteger();

  /** The threads that have started and not yet ended, for the slow-callback watch. */
  private final Set<CallbackThread> threads = ConcurrentHashMap.newKeySet();

  private final ReentrantLock lock = new ReentrantLock();
  // guarded by lock
  private final ArrayDeque<CallbackThread> idle = new ArrayDeque<>();
  private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
  private int poolSize;
  private int largestPoolSize;
  private volatile int state = RUNNING; // written under lock

  CallbackPool(SlowCallbacks watch, String schedulerName, int max, long keepAliveNanos) {
    this.watch = watch;
    this.schedulerName = schedulerName;
    this.threadPrefix = schedulerName + "-callback-";
    this.max = max;
    this.keepAliveNanos = keepAliveNanos;
  }

  /**
   * Runs {@code r} on an idle thread, a new one, or (at the bound) the first that comes free.
   *
   * @throws RejectedExecutionException if the pool is shut down
   */
  @Override
  public void execute(Runnable r) {
    CallbackThread worker;
    boolean grow = false;
    lock.lock();
    try {
      if (state != RUNNING) {
        throw new RejectedExecutionException(
            "the callback pool of " + schedulerName + " is shut down; cannot run " + r);
      }
      worker = idle.pollFirst();
      if (worker != null) {
        worker.handOff = r;
      } else if (poolSize < max) {
        worker = new CallbackThread(this, r, threadPrefix + threadNumber.incrementAndGet());
        poolSize++;
        largestPoolSize = Math.max(largestPoolSize, poolSize);
        grow = true;
      } else {
        queue.addLast(r);
      }
    } finally {
      lock.unlock();
    }
    if (worker == null) {
      watch.allThreadsBusy(this, true);
    } else if (!grow) {
      LockSupport.unpark(worker);
    } else {
      start(worker);
      watch.allThreadsBusy(this, false);
    }
  }

  /**
   * Starts a new thread; if it cannot start (out of native threads), the pool forgets it and the
   * error reaches the dispatcher, which ends the timer as cancelled and reports the error.
   */
  private void start(CallbackThread worker) {
    try {
      worker.start();
    } catch (Throwable t) {
      lock.lock();
      try {
        poolSize--;
      } finally {
        lock.unlock();
      }
      throw t;
    }
  }

  /** The work loop of one thread: its first callback, then queued ones, then hand-offs. */
  private void work(CallbackThread self, Runnable first) {
    Runnable task = first;
    while (task != null) {
      if (state != STOP) {
        Thread.interrupted(); // an interrupt meant for the previous callback stays with it
      }
      try {
        task.run(); // a TimerEntry or a batch of them: they catch and report what tasks throw
      } catch (Throwable ignored) {
        // only an error of the entry itself (a StackOverflowError): the thread carries on
      }
      task = next(self);
    }
  }

  /**
   * The next callback for {@code self}: a queued one, else one handed to it while it waits idle;
   * null once it retires (keep-alive ran out, or the pool is shut down), having left the pool.
   */
  private Runnable next(CallbackThread self) {
    lock.lock();
    try {
      Runnable r = queue.pollFirst();
      if (r != null) {
        return r;
      }
      if (state != RUNNING) {
        poolSize--;
        return null;
      }
      self.handOff = null;
      idle.addFirst(self);
    } finally {
      lock.unlock();
    }
    long deadline = System.nanoTime() + keepAliveNanos;
    for (; ; ) {
      Runnable r = self.handOff;
      if (r != null) {
        return r;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0 || state != RUNNING) {
        lock.lock();
        try {
          r = self.handOff;
          if (r != null) {
            return r; // handed over just now: run it, then look again
          }
          idle.remove(self);
          poolSize--;
          return null;
        } finally {
          lock.unlock();
        }
      }
      LockSupport.parkNanos(this, left);
    }
  }

  /** No new callbacks; threads end once the queue is empty and they are idle. */
  void shutdown() {
    wakeIdle(SHUTDOWN);
  }

  /**
   * No new callbacks; returns those still queued (never run) and interrupts the threads running
   * callbacks.
   */
  List<Runnable> shutdownNow() {
    List<Runnable> neverRan;
    lock.lock();
    try {
      neverRan = new ArrayList<>(queue);
      queue.clear();
    } finally {
      lock.unlock();
    }
    wakeIdle(STOP);
    for (CallbackThread t : threads) {
      t.interrupt();
    }
    return neverRan;
  }

  private void wakeIdle(int newState) {
    List<CallbackThread> waiting;
    lock.lock();
    try {
      state = Math.max(state, newState);
      waiting = new ArrayList<>(idle);
    } finally {
      lock.unlock();
    }
    for (CallbackThread t : waiting) {
      LockSupport.unpark(t);
    }
  }

  boolean isShutdown() {
    return state != RUNNING;
  }

  /** The threads now alive, each with the callback it runs (if any). */
  Set<CallbackThread> threads() {
    return threads;
  }

  /** Threads started and not retired. */
  int getPoolSize() {
    lock.lock();
    try {
      return poolSize;
    } finally {
      lock.unlock();
    }
  }

  /** The most threads the pool ever had at once. */
  int getLargestPoolSize() {
    lock.lock();
    try {
      return largestPoolSize;
    } finally {
      lock.unlock();
    }
  }

  /** The bound: at most this many threads. */
  int getMaximumPoolSize() {
    return max;
  }

  /**
   * A thread of the pool (a daemon). {@code entry}, {@code task} and {@code since} are written by
   * the thread itself around each callback (see {@link SlowCallbacks#begin}) and read by the
   * scheduler's slow-callback check; {@code handOff} is the callback handed to it while idle.
   */
  static final class CallbackThread extends Thread {
    private final CallbackPool pool;
    private Runnable first; // until it runs: the thread must not keep its first timer alive
    volatile Runnable handOff;
    volatile TimerEntry<?> entry;
    volatile Object task;
    volatile long since;

    CallbackThread(CallbackPool pool, Runnable first, String name) {
      super(name);
      this.pool = pool;
      this.first = first;
      setDaemon(true);
    }

    @Override
    public void run() {
      pool.threads.add(this); // listed once it runs: a thread that fails to start never is
      Runnable r = first;
      first = null;
      try {
        pool.work(this, r);
      } finally {
        pool.threads.remove(this);
      }
    }
  }
}
