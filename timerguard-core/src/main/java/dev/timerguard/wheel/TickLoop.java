package dev.timerguard.wheel;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The tick side of a {@link WheelScheduler}: its tick thread, the expiry pass that thread runs, and
 * the thread's sleep and wake-up protocol.
 *
 * <p>An expiry pass ({@link #tick()}) advances every shard to the clock (which also fixes the
 * deadlines of the timers that arrived without a clock read) and then hands what fell due to the
 * {@link Dispatcher}; then it expires each {@link Deadlines} set, whose handlers run on this
 * thread. Passes are serialized by {@link #passLock}, which {@link Lifecycle} also takes to sweep
 * the wheel on {@code shutdownNow}. The thread ticks every tick while callers schedule, and while
 * callbacks wait in the owned callback pool's queue (it lets the pool recheck them, see {@link
 * Dispatcher#recheckQueued}); when no one scheduled since its last look it sleeps until the first
 * tick with work, and while the wheel is empty it parks until a caller {@linkplain #wakeIfSleeping
 * wakes} it.
 *
 * <p>Thread-safety: {@link #tick()} may be called from any thread (the tick thread, or a test of a
 * scheduler built with {@code manualTicking()}); the loop itself runs only on the tick thread. The
 * loop ends when the scheduler has terminated; a throwable escaping a pass is reported to the
 * scheduler's exception handler and ends the thread.
 */
final class TickLoop {

  private final WheelScheduler owner;
  private final Shard[] shards;
  private final int tickShift;

  /** Null for a scheduler ticked by hand (tests). */
  final Thread thread;

  /** Serializes expiry passes, and passes with the sweep of {@code shutdownNow}. */
  final ReentrantLock passLock = new ReentrantLock();

  private volatile boolean sleeping;
  private final Node due = new Node();
  private volatile long passes; // written under passLock; read by tests

  /**
   * The clock ({@link WheelScheduler#now()}) at the last pass: a tick old at most while the tick
   * thread ticks. Creation stamps for the registry ({@link #recentNow()}).
   */
  private volatile long lastPass;

  /**
   * Creates the tick thread from {@code factory}, or none if {@code factory} is null (manual
   * ticking). The thread is started by {@link #start()}, once the scheduler is fully built.
   */
  TickLoop(WheelScheduler owner, Shard[] shards, int tickShift, ThreadFactory factory) {
    this.owner = owner;
    this.shards = shards;
    this.tickShift = tickShift;
    if (factory == null) {
      this.thread = null;
    } else {
      this.thread = factory.newThread(this::run);
      if (thread == null) {
        throw new IllegalStateException("thread factory returned null for " + owner.name());
      }
    }
  }

  void start() {
    if (thread != null) {
      thread.start();
    }
  }

  private void run() {
    try {
      while (true) {
        tick();
        if (owner.lifecycle.isTerminated()) {
          return;
        }
        Thread.interrupted(); // an interrupt must not turn the loop into a spin
        boolean queued = owner.callbacks.recheckQueued(); // then look again next tick
        if (!insertedSinceCheck() && !queued) {
          sleepUntilWork();
          continue;
        }
        long now = owner.now();
        long next = ((now >>> tickShift) + 1) << tickShift;
        LockSupport.parkNanos(this, next - now);
      }
    } catch (Throwable t) {
      owner.callbacks.report(t);
      throw t;
    }
  }

  private boolean insertedSinceCheck() {
    boolean any = false;
    for (Shard s : shards) {
      any |= s.insertedSinceCheck(); // every shard: each records what it has seen
    }
    for (Deadlines d : owner.deadlineSets) {
      any |= d.insertedSinceCheck();
    }
    return any;
  }

  /**
   * No one scheduled since the last check: sleeps until the first tick with work (forever if the
   * wheel is empty) instead of waking every tick, so an idle wheel holding long timers costs no
   * CPU. {@code sleeping} is set before the shards are checked under their locks, and callers read
   * it after linking under the same locks: either the check sees their timer, or they see the flag
   * and wake this thread.
   */
  private void sleepUntilWork() {
    sleeping = true;
    long work = Long.MAX_VALUE;
    for (Shard s : shards) {
      long w = s.nextWork(); // every shard: each records what it has seen
      work = w < 0 || work < 0 ? -1 : Math.min(work, w);
    }
    for (Deadlines d : owner.deadlineSets) {
      long w = d.nextWork();
      work = w < 0 || work < 0 ? -1 : Math.min(work, w);
    }
    long now = owner.now();
    if (work < 0 || owner.lifecycle.isTerminated()) {
      sleeping = false;
      long next = ((now >>> tickShift) + 1) << tickShift;
      LockSupport.parkNanos(this, next - now);
    } else if (work == Long.MAX_VALUE) {
      LockSupport.park(this);
    } else {
      long until = work > (Long.MAX_VALUE >>> tickShift) ? Long.MAX_VALUE : work << tickShift;
      if (until > now) {
        LockSupport.parkNanos(this, until - now);
      }
    }
    sleeping = false;
  }

  /** Wakes the tick thread if it sleeps: a caller linked a timer (read after linking it). */
  void wakeIfSleeping() {
    if (sleeping) {
      sleeping = false;
      if (thread != null) {
        LockSupport.unpark(thread);
      }
    }
  }

  /** Wakes the tick thread whatever it does: the scheduler's state changed. */
  void wake() {
    if (thread != null) {
      sleeping = false;
      LockSupport.unpark(thread);
    }
  }

  /** Unparks the tick thread (a callback ended after shutdown: it may terminate now). */
  void unpark() {
    if (thread != null) {
      LockSupport.unpark(thread);
    }
  }

  /**
   * A reading of {@link WheelScheduler#now()} at most about a tick old: the last pass's while the
   * tick thread ticks; if it sleeps (its last reading can then be a turn old, or older while the
   * wheel was empty), a fresh one, which the caller follows by waking the thread.
   */
  long recentNow() {
    if (!sleeping) {
      return lastPass;
    }
    long now = owner.now();
    lastPass = now;
    return now;
  }

  /** Expiry passes run so far (tests: an idle wheel must not tick). */
  long passes() {
    return passes;
  }

  /**
   * Runs one expiry pass now: fires every timer due by the clock. Called by the tick thread; in
   * tests of a scheduler built with {@code manualTicking()}, called by the test after moving the
   * clock.
   */
  void tick() {
    passLock.lock();
    try {
      if (owner.lifecycle.isTerminated()) {
        return;
      }
      passes++;
      long now = owner.now();
      lastPass = now;
      // every shard first (which also fixes the deadlines of its arrivals), then the callbacks:
      // a slow inline callback must not hold back the arrivals of the shards after it
      Node tail = due;
      due.next = null;
      for (Shard s : shards) {
        tail = s.expire(now, tail);
      }
      Node first = due.next;
      due.next = null;
      owner.callbacks.runDue(first);
      for (Deadlines d : owner.deadlineSets) {
        d.expire(now); // runs the sets' handlers here, on this thread
      }
      owner.lifecycle.tryTerminate();
    } finally {
      passLock.unlock();
    }
  }
}
