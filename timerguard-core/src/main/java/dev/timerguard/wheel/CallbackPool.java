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
import java.util.function.LongSupplier;

/**
 * The callback pool a {@link WheelScheduler} owns when no callback executor is given: elastic and
 * bounded, so that callbacks that block cannot starve the timers of others, and no larger than the
 * processors while its callbacks only compute.
 *
 * <p>A callback goes to an idle thread if there is one (the one idle the shortest time, whose cache
 * is warmest), handed to it directly and the thread unparked. If none is idle, the pool starts a
 * new thread only if it has fewer than {@code max} threads <em>and</em> fewer than {@code
 * cpuThreads} of its busy threads are runnable: a thread counts as blocked while its callback
 * waits, sleeps, parks or waits for a monitor ({@link Thread.State} {@code WAITING}, {@code
 * TIMED_WAITING}, {@code BLOCKED}); every other busy thread counts as runnable. Otherwise the
 * callback waits in an unbounded FIFO queue, which threads that come free drain before they go
 * idle. Callbacks that only compute thus share at most {@code cpuThreads} threads (more threads
 * cannot make them faster, only slow each other down), while callbacks that block cost the others a
 * thread each, not their timeliness.
 *
 * <p>A callback can block without showing it in its thread's state (a read from a socket is {@code
 * RUNNABLE} in native code). So while callbacks are queued, the tick thread calls {@link
 * #recheck()} every tick: it starts a thread for the first queued callback when a busy thread has
 * blocked since the callback was queued, or when the queue has not moved for {@code stallNanos} (no
 * thread took a queued callback), one thread per stall at most. No callback is ever dropped or run
 * on the tick thread.
 *
 * <p>The queue can also move, but too slowly: on a machine whose cores are shared with other
 * processes, {@code cpuThreads} threads get a share of the CPU too small for the callbacks' work,
 * and every queued callback is later than the one before. So while the oldest queued callback has
 * waited {@code stallNanos} or more, the tick thread also starts a thread, one per {@code
 * stallNanos} at most, up to {@code ageThreads} threads (a few times {@code cpuThreads}: more
 * threads win a larger share of contended cores, but callbacks that need more CPU than the machine
 * has must not grow the pool to its bound). Those threads retire after {@code keepAlive} without
 * work like the others. Threads are started on demand and retire after {@code keepAlive} without
 * work (all of them, so an idle scheduler holds no callback thread).
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
  private final int cpuThreads;
  private final int ageThreads;
  private final long keepAliveNanos;
  private final long stallNanos;
  private final LongSupplier clock;
  private final AtomicInteger threadNumber = new AtomicInteger();

  /** The threads that have started and not yet ended, for the slow-callback watch. */
  private final Set<CallbackThread> threads = ConcurrentHashMap.newKeySet();

  private final ReentrantLock lock = new ReentrantLock();
  // guarded by lock
  private final ArrayDeque<CallbackThread> idle = new ArrayDeque<>();
  private final TimedQueue queue = new TimedQueue();
  private int poolSize;
  private int largestPoolSize;
  private long taken; // queued callbacks taken by a thread so far: the queue's progress
  private volatile int queued; // queue.size(), for the tick thread's look without the lock
  private volatile int state = RUNNING; // written under lock

  // guarded by lock: the queue's progress as last seen, and when it last moved
  private long lastTaken;
  private long lastProgress;
  private long lastAgeGrowth; // when the age rule last started a thread
  private volatile long rechecks; // written by the tick thread only; read by tests
  private volatile long ageGrowths; // threads started for old callbacks; written under lock

  /**
   * @param max the most threads at once
   * @param cpuThreads the most runnable (not blocked) busy threads for which the pool still starts
   *     another
   * @param ageThreads the most threads for which the pool still starts another because its oldest
   *     queued callback has waited {@code stallNanos} while the queue moves
   * @param stallNanos how long queued callbacks may wait without the queue moving before the pool
   *     starts a thread anyway (a callback blocked in native code looks runnable); also how long
   *     the oldest may wait at all before the pool starts one (below {@code ageThreads})
   * @param clock the scheduler's clock, for the stall
   */
  CallbackPool(
      SlowCallbacks watch,
      String schedulerName,
      int max,
      int cpuThreads,
      int ageThreads,
      long keepAliveNanos,
      long stallNanos,
      LongSupplier clock) {
    this.watch = watch;
    this.schedulerName = schedulerName;
    this.threadPrefix = schedulerName + "-callback-";
    this.max = max;
    this.cpuThreads = cpuThreads;
    this.ageThreads = ageThreads;
    this.keepAliveNanos = keepAliveNanos;
    this.stallNanos = stallNanos;
    this.clock = clock;
  }

  /**
   * Runs {@code r} on an idle thread, a new one (below the bound, unless {@code cpuThreads} busy
   * threads are runnable), or the first that comes free.
   *
   * @throws RejectedExecutionException if the pool is shut down
   */
  @Override
  public void execute(Runnable r) {
    CallbackThread worker;
    boolean grow = false;
    boolean atBound = false;
    lock.lock();
    try {
      if (state != RUNNING) {
        throw new RejectedExecutionException(
            "the callback pool of " + schedulerName + " is shut down; cannot run " + r);
      }
      worker = idle.pollFirst();
      if (worker != null) {
        worker.handOff = r;
      } else if (poolSize < max && runnableBusyBelowCpuThreads()) {
        // FIFO: while callbacks are queued, the new thread takes the first and r queues
        Runnable first = r;
        if (!queue.isEmpty()) {
          first = queue.pollFirst();
          queue.addLast(r, clock.getAsLong());
          taken++; // the queue moved
        }
        worker = newThread(first);
        grow = true;
      } else {
        long now = clock.getAsLong();
        if (queue.isEmpty()) {
          lastTaken = taken; // a stall is counted from the moment callbacks start to queue
          lastProgress = now;
        }
        queue.addLast(r, now);
        queued = queue.size();
        atBound = poolSize >= max;
      }
    } finally {
      lock.unlock();
    }
    if (worker == null) {
      watch.allThreadsBusy(this, atBound);
    } else if (!grow) {
      LockSupport.unpark(worker);
    } else {
      // the busy threads are looked at before the new one starts: its callback is not among them
      watch.allThreadsBusy(this, false);
      start(worker);
    }
  }

  /** A new thread that runs {@code first}, counted in the pool (under the lock; not started). */
  private CallbackThread newThread(Runnable first) {
    CallbackThread worker =
        new CallbackThread(this, first, threadPrefix + threadNumber.incrementAndGet());
    poolSize++;
    largestPoolSize = Math.max(largestPoolSize, poolSize);
    return worker;
  }

  /**
   * Whether fewer than {@code cpuThreads} busy threads are runnable (under the lock, with no idle
   * thread). A busy thread is blocked while it runs a callback and its state is {@code WAITING},
   * {@code TIMED_WAITING} or {@code BLOCKED}; a thread between callbacks, or started and not yet
   * running, counts as runnable.
   */
  private boolean runnableBusyBelowCpuThreads() {
    int busy = poolSize - idle.size();
    if (busy < cpuThreads) {
      return true;
    }
    int blocked = 0;
    for (CallbackThread t : threads) {
      if (t.inCallback && isBlocked(t.getState())) {
        blocked++;
        if (busy - blocked < cpuThreads) {
          return true;
        }
      }
    }
    return false;
  }

  static boolean isBlocked(Thread.State s) {
    return s == Thread.State.WAITING
        || s == Thread.State.TIMED_WAITING
        || s == Thread.State.BLOCKED;
  }

  /** Whether callbacks wait in the queue (the tick thread then calls {@link #recheck()}). */
  boolean hasQueued() {
    return queued > 0;
  }

  /** Calls of {@link #recheck()} so far (tests: the tick thread has looked again). */
  long rechecks() {
    return rechecks;
  }

  /** Callbacks waiting in the queue now. */
  int queuedCount() {
    return queued;
  }

  /**
   * Called by the tick thread every tick while callbacks are queued: starts a thread for the first
   * queued callback if the pool is below its bound and either fewer than {@code cpuThreads} busy
   * threads are runnable (some blocked since), or the queue has not moved for {@code stallNanos},
   * or (below {@code ageThreads}) its oldest callback has waited that long. After a stall or an old
   * callback, one thread per call and per {@code stallNanos}; warns once if the queue waits at the
   * bound.
   */
  void recheck() {
    rechecks++;
    if (queued == 0) {
      return;
    }
    long now = clock.getAsLong();
    List<CallbackThread> started = List.of();
    boolean atBound = false;
    lock.lock();
    try {
      if (queue.isEmpty() || state == STOP) {
        return;
      }
      if (taken != lastTaken) {
        lastTaken = taken;
        lastProgress = now;
      }
      if (poolSize >= max) {
        atBound = true;
      } else if (runnableBusyBelowCpuThreads()) {
        // each new thread counts as runnable: this stops at cpuThreads runnable, or the bound
        started = new ArrayList<>();
        do {
          started.add(newThread(queue.pollFirst()));
        } while (!queue.isEmpty() && poolSize < max && runnableBusyBelowCpuThreads());
      } else if (now - lastProgress >= stallNanos) {
        started = List.of(newThread(queue.pollFirst()));
        lastProgress = now; // the next stall is counted from this thread's start
        lastAgeGrowth = now;
      } else if (poolSize < ageThreads
          && now - queue.firstQueuedAt() >= stallNanos
          && now - lastAgeGrowth >= stallNanos) {
        started = List.of(newThread(queue.pollFirst()));
        lastAgeGrowth = now; // one thread per stallNanos while callbacks keep waiting that long
        ageGrowths++;
      }
      queued = queue.size();
    } finally {
      lock.unlock();
    }
    for (int i = 0; i < started.size(); i++) {
      try {
        start(started.get(i));
      } catch (Throwable t) {
        // out of native threads: the callbacks of the threads that did not start queue again, in
        // order, at the head; the tick thread must not die of it
        requeue(started.subList(i, started.size()));
        break;
      }
    }
    if (atBound) {
      watch.boundReached(this);
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

  private void requeue(List<CallbackThread> notStarted) {
    lock.lock();
    try {
      for (int i = notStarted.size() - 1; i >= 0; i--) {
        CallbackThread t = notStarted.get(i);
        if (i > 0) {
          poolSize--; // start() already took the failed one off
        }
        queue.addFirst(
            t.first, lastProgress); // (their queuing times are lost: count from the last move)
        t.first = null;
      }
      queued = queue.size();
    } finally {
      lock.unlock();
    }
  }

  /** The work loop of one thread: its first callback, then queued ones, then hand-offs. */
  private void work(CallbackThread self, Runnable first) {
    Runnable task = first;
    while (task != null) {
      if (state != STOP) {
        Thread.interrupted(); // an interrupt meant for the previous callback stays with it
      }
      self.inCallback = true;
      try {
        task.run(); // a TimerEntry or a batch of them: they catch and report what tasks throw
      } catch (Throwable ignored) {
        // only an error of the entry itself (a StackOverflowError): the thread carries on
      } finally {
        self.inCallback = false;
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
        taken++;
        queued = queue.size();
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
      neverRan = queue.drain();
      queued = 0;
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

  /** Threads started because the oldest queued callback had waited too long, so far. */
  long ageGrowths() {
    return ageGrowths;
  }

  /** The most threads for which the pool still starts one for a callback that waited long. */
  int ageThreads() {
    return ageThreads;
  }

  /** The most runnable busy threads for which the pool still starts another. */
  int cpuThreads() {
    return cpuThreads;
  }

  /**
   * A thread of the pool (a daemon). {@code entry}, {@code task} and {@code since} are written by
   * the thread itself around each callback (see {@link SlowCallbacks#begin}) and read by the
   * scheduler's slow-callback check; {@code inCallback} is set by the thread while it runs a
   * callback (its state then tells whether the callback blocks); {@code handOff} is the callback
   * handed to it while idle.
   */
  static final class CallbackThread extends Thread {
    private final CallbackPool pool;
    private Runnable first; // until it runs: the thread must not keep its first timer alive
    volatile Runnable handOff;
    volatile boolean inCallback;
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
