package dev.timerguard.wheel;

import dev.timerguard.internal.SiteAware;
import dev.timerguard.live.CallSite;
import dev.timerguard.live.internal.SiteCounter;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The slow-callback watch of a {@link WheelScheduler}: names callbacks that hold their thread
 * longer than the builder's threshold, once per call site, as a warning of the scheduler's {@code
 * System.Logger} (by default the one named {@code dev.timerguard.wheel}); and warns once when the
 * owned callback pool first reaches its bound.
 *
 * <p>A callback is timed by its own thread ({@link #begin}, {@link #end}: one clock read each); on
 * the owned pool, each thread also records what it runs, so that {@link #allThreadsBusy} can name a
 * callback that blocks while it still blocks. A threshold of zero turns the watch off (and its
 * clock reads). At most {@value #MAX_SLOW_SITES} sites are reported over the scheduler's life.
 *
 * <p>Thread-safety: every method may be called from any thread.
 */
final class SlowCallbacks {

  /** Most sites warned about as slow; beyond, further slow sites go unreported. */
  private static final int MAX_SLOW_SITES = 1024;

  private final WheelScheduler owner;
  private final long slowNanos; // 0: slow callbacks are not watched
  private final System.Logger log;

  /** Sites (or task classes) already warned about as slow: one warning each. */
  private final ConcurrentHashMap<Object, Boolean> slowSites = new ConcurrentHashMap<>();

  private volatile boolean boundWarned; // set under this object's monitor, once logged
  private volatile long lastBusyScan = Long.MIN_VALUE;

  SlowCallbacks(WheelScheduler owner, long slowNanos, System.Logger log) {
    this.owner = owner;
    this.slowNanos = slowNanos;
    this.log = log;
  }

  /** Where this watch's warnings go (also the wheel's other warnings). */
  System.Logger log() {
    return log;
  }

  /** Whether callbacks are timed at all (a positive threshold). */
  boolean watches() {
    return slowNanos > 0;
  }

  /**
   * Called by a timer's own thread just before its callback runs: records it on a pool thread, so
   * {@link #allThreadsBusy} can name it while it runs. Returns the start time.
   */
  long begin(TimerEntry<?> e, Object task) {
    long now = owner.now();
    Thread t = Thread.currentThread();
    if (t instanceof CallbackPool.CallbackThread) {
      CallbackPool.CallbackThread ct = (CallbackPool.CallbackThread) t;
      ct.task = task;
      ct.since = now;
      ct.entry = e; // last: a reader that sees the entry sees its task and start
    }
    return now;
  }

  /** Called by the same thread when the callback has returned or thrown. */
  void end(TimerEntry<?> e, Object task, long started) {
    Thread t = Thread.currentThread();
    if (t instanceof CallbackPool.CallbackThread) {
      CallbackPool.CallbackThread ct = (CallbackPool.CallbackThread) t;
      ct.entry = null;
      ct.task = null;
    }
    long took = owner.now() - started;
    if (took >= slowNanos) {
      warnSlow(e, task, took, t.getName(), false);
    }
  }

  /** A callback (an inline one, timed by the dispatcher) ran for {@code nanos}. */
  void ended(TimerEntry<?> e, Object task, long nanos) {
    if (nanos >= slowNanos) {
      warnSlow(e, task, nanos, Thread.currentThread().getName(), false);
    }
  }

  /**
   * Called by the owned pool when a callback finds no idle thread: the pool then grows, or, at its
   * bound, queues the callback ({@code atBound}). Warns once when the bound is first hit, and (at
   * most once per threshold) names callbacks that have been running longer than the threshold, so a
   * callback that blocks for ever is reported while it blocks.
   */
  void allThreadsBusy(CallbackPool pool, boolean atBound) {
    if (atBound) {
      boundReached(pool);
    }
    if (slowNanos <= 0) {
      return;
    }
    scanBusy(pool);
  }

  /**
   * Warns once that the owned pool is at its bound with callbacks queued. Callers on two threads (a
   * caller's execute and the tick thread's recheck) both return only once the warning is logged, so
   * a slow-callback warning that either logs next comes after it.
   */
  void boundReached(CallbackPool pool) {
    if (boundWarned) {
      return;
    }
    synchronized (this) {
      if (boundWarned) {
        return;
      }
      log.log(
          System.Logger.Level.WARNING,
          "all "
              + pool.getMaximumPoolSize()
              + " callback threads of WheelScheduler "
              + owner.name()
              + " are busy; further timer callbacks wait in a queue until one comes free, so"
              + " they fire late. Callbacks that block hold these threads; see the slow-callback"
              + " warnings of this scheduler for where they were scheduled.");
      boundWarned = true;
    }
  }

  private void scanBusy(CallbackPool pool) {
    long now = owner.now();
    long last = lastBusyScan;
    if (last != Long.MIN_VALUE && now - last < slowNanos) {
      return;
    }
    lastBusyScan = now;
    for (CallbackPool.CallbackThread ct : pool.threads()) {
      TimerEntry<?> e = ct.entry;
      Object task = ct.task;
      long since = ct.since;
      if (e != null && task != null && now - since >= slowNanos) {
        warnSlow(e, task, now - since, ct.getName(), true);
      }
    }
  }

  private void warnSlow(TimerEntry<?> e, Object task, long nanos, String thread, boolean running) {
    CallSite site = siteOf(e, task);
    Object key = site != null ? site : task.getClass();
    if (slowSites.size() >= MAX_SLOW_SITES || slowSites.putIfAbsent(key, Boolean.TRUE) != null) {
      return;
    }
    String what =
        site != null
            ? "the callback of the timer created at " + site.location()
            : "a callback of class "
                + task.getClass().getName()
                + " (site unknown: this scheduler does not count its timers)";
    CallbackPool ownedPool = owner.callbacks.ownedPool;
    // the task, not the entry: once run, the entry holds the outcome in its place
    String cost =
        task instanceof InlineTask
            ? "it is an InlineTask: it runs on the tick thread, and every other timer waits"
                + " for it"
            : ownedPool != null
                ? "it holds one of the scheduler's "
                    + ownedPool.getMaximumPoolSize()
                    + " callback threads while it runs, and when all are busy every other timer"
                    + " fires late"
                : "it holds a thread of the callback executor while it runs";
    log.log(
        System.Logger.Level.WARNING,
        "slow timer callback: "
            + what
            + (running ? " has been running for " : " ran for ")
            + TimeUnit.NANOSECONDS.toMillis(nanos)
            + " ms on thread "
            + thread
            + " of WheelScheduler "
            + owner.name()
            + " (threshold "
            + TimeUnit.NANOSECONDS.toMillis(slowNanos)
            + " ms); "
            + cost
            + ". Hand blocking work to an executor of your own. Reported once per site.");
  }

  private static CallSite siteOf(TimerEntry<?> e, Object task) {
    SiteCounter c = e.counter();
    if (c != null) {
      return c.site();
    }
    return task instanceof SiteAware ? ((SiteAware) task).site() : null;
  }
}
