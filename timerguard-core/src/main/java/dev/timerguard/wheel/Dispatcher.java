package dev.timerguard.wheel;

import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The callback side of a {@link WheelScheduler}: where the timers that fell due in a pass go.
 * {@link InlineTask}s run at once on the tick thread; every other callback is handed to the
 * callback executor (the owned {@link CallbackPool}, or the builder's executor), one task per
 * timer, or, with coalescing on, one {@link Batch} per pass.
 *
 * <p>It counts the callbacks handed off and not yet finished ({@link #inFlight()}): a shut-down
 * scheduler terminates only when none is left. An executor that refuses a callback ends its timer
 * as cancelled and reports the refusal; a task that throws is reported to the builder's exception
 * handler, and nothing a callback or a handler throws reaches the tick thread.
 *
 * <p>Thread-safety: {@link #runDue} runs on the ticking thread under the pass lock; {@link
 * #callbackDone()} and {@link #report} on any thread.
 */
final class Dispatcher {

  /**
   * The most busy callback threads of the owned pool that may compute at once before it stops
   * adding threads for callbacks that do not block: the processors, at least 2.
   */
  static final int CPU_THREADS = Math.max(2, Runtime.getRuntime().availableProcessors());

  /**
   * How long callbacks may wait in the owned pool's queue, the queue not moving, before the pool
   * starts a thread although its busy threads look runnable (a callback blocked in native code,
   * such as a socket read, does): 20 ms.
   */
  static final long STALL_NANOS = 20_000_000L;

  /**
   * The most threads of the owned pool for which it still starts another because its oldest queued
   * callback has waited {@link #STALL_NANOS} while the queue moves (its threads get too small a
   * share of cores that other processes also use): four times {@link #CPU_THREADS}.
   */
  static final int AGE_THREADS = 4 * CPU_THREADS;

  private final WheelScheduler owner;
  private final Executor executor;

  /** Null unless the executor is the scheduler's own pool. */
  final CallbackPool ownedPool;

  private final long coalesceNanos;
  private final Thread.UncaughtExceptionHandler exceptionHandler; // null: none
  private final AtomicLong inFlight = new AtomicLong();

  /** Names callbacks that run long (see {@link SlowCallbacks}). */
  final SlowCallbacks slow;

  /**
   * @param executor the builder's executor, or null for a pool owned by the scheduler
   * @param manual no tick thread: callbacks run on the ticking (test) thread unless {@code
   *     executor} is set
   */
  Dispatcher(
      WheelScheduler owner,
      Executor executor,
      boolean manual,
      int maxCallbackThreads,
      long keepAliveNanos,
      long coalesceNanos,
      Thread.UncaughtExceptionHandler exceptionHandler,
      SlowCallbacks slow) {
    this.owner = owner;
    this.coalesceNanos = coalesceNanos;
    this.exceptionHandler = exceptionHandler;
    this.slow = slow;
    if (executor != null) {
      this.executor = executor;
      this.ownedPool = null;
    } else if (manual) {
      this.executor = Runnable::run;
      this.ownedPool = null;
    } else {
      CallbackPool pool =
          new CallbackPool(
              slow,
              owner.name(),
              maxCallbackThreads,
              CPU_THREADS,
              Math.min(AGE_THREADS, maxCallbackThreads),
              keepAliveNanos,
              STALL_NANOS,
              owner::now);
      this.executor = pool;
      this.ownedPool = pool;
    }
  }

  /**
   * Runs or hands off the timers due in one pass, chained through {@code next} from {@code first}:
   * inline tasks run here, in order; the others go to the executor. Inline callbacks that run one
   * after another are timed with one clock read each (the end of one is the start of the next), not
   * two.
   */
  void runDue(Node first) {
    Node batch = null;
    Node batchTail = null;
    boolean timeInline = slow.watches();
    boolean marked = false; // whether mark is the clock at the end of the last inline callback
    long mark = 0;
    Node n = first;
    while (n != null) {
      TimerEntry<?> e = (TimerEntry<?>) n;
      n = n.next;
      e.next = null;
      if (e.isInline()) {
        if (!timeInline) {
          e.run();
          continue;
        }
        if (!marked) {
          mark = owner.now();
          marked = true;
        }
        Object task = e.runInline();
        if (task != null) {
          long end = owner.now();
          slow.ended(e, task, end - mark);
          mark = end;
        }
        continue;
      }
      marked = false; // a hand-off takes time of its own: the next inline callback reads afresh
      if (coalesceNanos > 0) {
        inFlight.incrementAndGet();
        e.markDispatched();
        if (batch == null) {
          batch = e;
        } else {
          batchTail.next = e;
        }
        batchTail = e;
      } else {
        dispatch(e, e);
      }
    }
    if (batch != null) {
      dispatch(new Batch(batch), batch);
    }
  }

  private void dispatch(Runnable r, Node first) {
    if (r instanceof TimerEntry) {
      inFlight.incrementAndGet();
      ((TimerEntry<?>) r).markDispatched();
    }
    try {
      executor.execute(r);
    } catch (Throwable x) {
      // the executor refused (shut down, saturated): the timers never run; end them as cancelled
      for (Node n = first; n != null; ) {
        TimerEntry<?> e = (TimerEntry<?>) n;
        n = r instanceof Batch ? n.next : null;
        e.next = null;
        e.cancelBySystem();
        e.run(); // a no-op on a cancelled timer, but clears DISPATCHED and the in-flight count
      }
      report(x);
    }
  }

  /** Coalesced timers due in one pass: run one after the other by a single executor task. */
  static final class Batch implements Runnable {
    private Node first;

    Batch(Node first) {
      this.first = first;
    }

    @Override
    public void run() {
      Node n = first;
      first = null;
      while (n != null) {
        TimerEntry<?> e = (TimerEntry<?>) n;
        n = n.next;
        e.next = null;
        e.run();
      }
    }
  }

  /**
   * Shuts the owned pool down now ({@code shutdownNow}): every timer handed to it that never
   * started is cancelled and added to {@code out}.
   */
  void cancelQueued(List<Runnable> out) {
    if (ownedPool == null) {
      return;
    }
    for (Runnable r : ownedPool.shutdownNow()) {
      Node n = r instanceof Batch ? ((Batch) r).first : (Node) r;
      boolean chain = r instanceof Batch;
      while (n != null) {
        TimerEntry<?> e = (TimerEntry<?>) n;
        n = chain ? n.next : null;
        if (e.cancelBySystem()) {
          out.add(e);
        }
        e.run(); // no-op on the cancelled timer; settles the in-flight count
      }
    }
  }

  /**
   * Called by the tick thread after each pass: lets the owned pool start threads for callbacks
   * queued behind callbacks that have blocked or stalled since (see {@link CallbackPool#recheck}).
   * Returns whether callbacks still wait in its queue, so the tick thread keeps looking every tick.
   */
  boolean recheckQueued() {
    CallbackPool pool = ownedPool;
    if (pool == null || !pool.hasQueued()) {
      return false;
    }
    pool.recheck();
    return pool.hasQueued();
  }

  /** Callbacks waiting in the owned pool's queue (0 with a caller-supplied executor). */
  int queuedCallbackCount() {
    return ownedPool == null ? 0 : ownedPool.queuedCount();
  }

  /** Callbacks handed to the executor and not finished. */
  long inFlight() {
    return inFlight.get();
  }

  /** A handed-off callback finished (or was found cancelled): the last one may end a shutdown. */
  void callbackDone() {
    if (inFlight.decrementAndGet() == 0 && owner.lifecycle.isShutdown()) {
      owner.ticks.unpark();
    }
  }

  /** Tells the exception handler, if any, about {@code x}; never throws. */
  void report(Throwable x) {
    Thread.UncaughtExceptionHandler h = exceptionHandler;
    if (h != null) {
      try {
        h.uncaughtException(Thread.currentThread(), x);
      } catch (Throwable ignored) {
        // a failing handler must not stop the wheel either
      }
    }
  }

  /**
   * Tells the exception handler about {@code x}, thrown by a callback of {@code source} that has no
   * future to record it in; without a handler, logs it as a warning. Never throws.
   */
  void reportOrLog(Throwable x, Object source) {
    if (exceptionHandler != null) {
      report(x);
      return;
    }
    try {
      slow.log().log(
          System.Logger.Level.WARNING, "a handler of " + source + " threw; it goes on firing", x);
    } catch (Throwable ignored) {
      // a failing logger must not stop the wheel either
    }
  }

  /** Threads of the owned callback pool now alive (0 with a caller-supplied executor). */
  int callbackThreadCount() {
    return ownedPool == null ? 0 : ownedPool.getPoolSize();
  }

  /** The most threads the owned callback pool ever had at once. */
  int largestCallbackThreadCount() {
    return ownedPool == null ? 0 : ownedPool.getLargestPoolSize();
  }
}
