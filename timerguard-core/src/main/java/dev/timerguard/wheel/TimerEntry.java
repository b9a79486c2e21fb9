package dev.timerguard.wheel;

import dev.timerguard.live.internal.SiteCounter;
import dev.timerguard.live.internal.TimerEnd;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One pending timer: at once the wheel's bucket node and the caller's {@link ScheduledFuture}.
 *
 * <p>Layout (compressed oops, 12-byte header): {@code prev, next, shard, task} (4 bytes each),
 * {@code deadline} (8), {@code state} (4): 40 bytes, the whole cost of an uncounted one-shot timer
 * besides the caller's task. Counted and periodic timers are subclasses that add the site counter
 * and creation stamp (and the period): a counted one-shot is 48 bytes ({@link Counted}).
 *
 * <p>{@code task} holds the Runnable or Callable while the timer is pending and the outcome (the
 * result or the Throwable) once it completes; it is cleared on cancel, so a cancelled timer retains
 * nothing of the caller's. {@code state} moves PENDING to RUNNING (the firing thread claims it) or
 * to CANCELLED; RUNNING to NORMAL, EXCEPTIONAL, CANCELLED or (periodic) back to PENDING. Exactly
 * one thread wins each move, which is what makes fired/cancelled counting exact. The rule that
 * makes cancel cheap: while a timer is linked in a bucket, its state changes only under the shard's
 * lock (so cancel there is a plain store, no CAS); once unlinked for firing it changes only by CAS.
 * Threads blocked in {@code get} wait on this object's monitor, flagged by {@code WAITERS} (set
 * under the shard lock) so that completion pays for {@code notifyAll} only when someone waits.
 */
class TimerEntry<V> extends Node implements ScheduledFuture<V>, Runnable {

  static final int PENDING = 0;
  static final int RUNNING = 1;
  static final int NORMAL = 2;
  static final int EXCEPTIONAL = 3;
  static final int CANCELLED = 4;
  static final int CODE = 0x0F;

  /** A thread waits in get(). */
  static final int WAITERS = 0x10;

  /** Handed to the callback executor and counted in the scheduler's in-flight count. */
  static final int DISPATCHED = 0x20;

  private static final VarHandle STATE;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(TimerEntry.class, "state", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  final Shard shard;

  /**
   * Due time in nanoseconds relative to the scheduler's origin; saturates at Long.MAX_VALUE. While
   * the timer waits in its shard's arrivals (scheduled without a clock read), {@code -1 - delay}:
   * negative exactly until the shard fixes it, under its lock.
   */
  long deadline;

  /** The task while pending; the outcome once done; null once cancelled. */
  Object task;

  volatile int state;

  TimerEntry(Shard shard, Object task, long deadline) {
    this.shard = shard;
    this.task = task;
    this.deadline = deadline;
  }

  /** The site counter, or null when the scheduler does not count. */
  SiteCounter counter() {
    return null;
  }

  long stamp() {
    return SiteCounter.NO_STAMP;
  }

  boolean isPeriodic() {
    return false;
  }

  final boolean isInline() {
    return task instanceof InlineTask;
  }

  final boolean casState(int expect, int update) {
    return STATE.compareAndSet(this, expect, update);
  }

  /** Sets DISPATCHED; called by the tick thread before handing the entry to the executor. */
  final void markDispatched() {
    STATE.getAndBitwiseOr(this, DISPATCHED);
  }

  /**
   * Claims a pending timer for running. Returns the previous state word, or -1 if the timer was no
   * longer pending.
   */
  private int claim() {
    for (; ; ) {
      int s = state;
      if ((s & CODE) != PENDING) {
        return -1;
      }
      if (casState(s, (s & ~CODE) | RUNNING)) {
        return s;
      }
    }
  }

  /** Runs the timer's task; a no-op unless the timer is still pending. Never throws. */
  @Override
  public void run() {
    int before = state;
    if ((before & DISPATCHED) != 0) { // set by the tick thread before the hand-off we came through
      before = (int) STATE.getAndBitwiseAnd(this, ~DISPATCHED);
    }
    try {
      Object t = task;
      if (claim() < 0) {
        return;
      }
      SlowCallbacks slow = shard.owner.callbacks.slow;
      if (slow.watches()) {
        long started = slow.begin(this, t);
        try {
          runClaimed(t);
        } finally {
          slow.end(this, t, started);
        }
      } else {
        runClaimed(t);
      }
    } finally {
      if ((before & DISPATCHED) != 0) {
        shard.owner.callbacks.callbackDone();
      }
    }
  }

  /**
   * Runs an {@link InlineTask} on the tick thread without timing it (the dispatcher times inline
   * callbacks itself, one clock read each: see {@link Dispatcher#runDue}). Returns the task that
   * ran, or null if the timer was no longer pending. Never throws.
   */
  final Object runInline() {
    Object t = task;
    if (claim() < 0) {
      return null;
    }
    runClaimed(t);
    return t;
  }

  private void runClaimed(Object t) {
    if (isPeriodic()) {
      runPeriodic((Runnable) t);
    } else {
      runOnce(t);
    }
  }

  private void runOnce(Object t) {
    SiteCounter c = counter();
    if (c != null) {
      c.end(stamp(), TimerEnd.FIRED);
    }
    Object outcome;
    int code;
    try {
      if (t instanceof Callable) {
        outcome = ((Callable<?>) t).call();
      } else {
        ((Runnable) t).run();
        outcome = null;
      }
      code = NORMAL;
    } catch (Throwable x) {
      outcome = x;
      code = EXCEPTIONAL;
      shard.owner.callbacks.report(x);
    }
    complete(RUNNING, code, outcome);
  }

  void runPeriodic(Runnable t) {
    throw new AssertionError("not periodic");
  }

  /** Moves RUNNING (or expected) to a terminal state with its outcome; false if cancelled first. */
  final boolean complete(int expectCode, int code, Object outcome) {
    task = outcome;
    for (; ; ) {
      int s = state;
      if ((s & CODE) != expectCode) {
        task = null;
        return false;
      }
      if (casState(s, (s & ~CODE) | code)) {
        signal(s);
        return true;
      }
    }
  }

  final void signal(int witness) {
    if ((witness & WAITERS) != 0) {
      synchronized (this) {
        notifyAll();
      }
    }
  }

  /**
   * Cancels the timer: removes it from its bucket at once and drops the task. Returns true exactly
   * when the callback will not run (again): a one-shot whose callback has started cannot be
   * cancelled (false; its outcome is delivered), a periodic timer can be cancelled between or
   * during runs (no further run). {@code mayInterruptIfRunning} is ignored: a running callback is
   * never interrupted.
   */
  @Override
  public boolean cancel(boolean mayInterruptIfRunning) {
    int witness = shard.cancel(this);
    if (witness < 0) {
      return false;
    }
    task = null;
    SiteCounter c = counter();
    if (c != null) {
      c.end(stamp(), TimerEnd.CANCELLED);
    }
    signal(witness);
    return true;
  }

  /** Writes the state without a fence; only under the shard lock while the timer is linked. */
  final void setStateLocked(int s) {
    STATE.setRelease(this, s);
  }

  /**
   * Cancels a pending timer on behalf of the scheduler (shutdown, shutdownNow, a rejecting
   * executor). The caller unlinks it. Returns false if it was no longer pending.
   */
  final boolean cancelBySystem() {
    for (; ; ) {
      int s = state;
      if ((s & CODE) != PENDING) {
        return false;
      }
      if (casState(s, (s & ~CODE) | CANCELLED)) {
        task = null;
        SiteCounter c = counter();
        if (c != null) {
          c.end(stamp(), TimerEnd.SHUT_DOWN);
        }
        signal(s);
        return true;
      }
    }
  }

  @Override
  public boolean isCancelled() {
    return (state & CODE) == CANCELLED;
  }

  @Override
  public boolean isDone() {
    return (state & CODE) >= NORMAL;
  }

  @Override
  public V get() throws InterruptedException, ExecutionException {
    try {
      return report(awaitDone(false, 0L));
    } catch (TimeoutException e) {
      throw new AssertionError(e);
    }
  }

  @Override
  public V get(long timeout, TimeUnit unit)
      throws InterruptedException, ExecutionException, TimeoutException {
    if (unit == null) {
      throw new NullPointerException("unit");
    }
    return report(awaitDone(true, unit.toNanos(timeout)));
  }

  @SuppressWarnings("unchecked")
  private V report(int s) throws ExecutionException {
    Object outcome = task;
    switch (s & CODE) {
      case NORMAL:
        return (V) outcome;
      case EXCEPTIONAL:
        throw new ExecutionException((Throwable) outcome);
      default:
        throw new CancellationException("timer was cancelled");
    }
  }

  private int awaitDone(boolean timed, long nanos) throws InterruptedException, TimeoutException {
    int s = state;
    if ((s & CODE) >= NORMAL) {
      return s;
    }
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
    if (timed && nanos <= 0) {
      throw new TimeoutException();
    }
    long until = timed ? System.nanoTime() + nanos : 0L;
    shard.markWaiting(this);
    synchronized (this) {
      while (((s = state) & CODE) < NORMAL) {
        if (timed) {
          long left = until - System.nanoTime();
          if (left <= 0) {
            throw new TimeoutException();
          }
          TimeUnit.NANOSECONDS.timedWait(this, left);
        } else {
          wait();
        }
      }
    }
    return s;
  }

  /** The deadline, fixed first if this timer is still an arrival. */
  final long settledDeadline() {
    long d = deadline;
    return d >= 0 ? d : shard.settledDeadline(this);
  }

  @Override
  public long getDelay(TimeUnit unit) {
    return unit.convert(settledDeadline() - shard.owner.now(), TimeUnit.NANOSECONDS);
  }

  @Override
  public int compareTo(Delayed other) {
    if (other == this) {
      return 0;
    }
    if (other instanceof TimerEntry && ((TimerEntry<?>) other).shard.owner == shard.owner) {
      return Long.compare(settledDeadline(), ((TimerEntry<?>) other).settledDeadline());
    }
    return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
  }

  @Override
  public String toString() {
    String[] names = {"pending", "running", "done", "failed", "cancelled"};
    int code = state & CODE;
    return getClass().getSimpleName()
        + "["
        + (code < names.length ? names[code] : "?")
        + (code <= RUNNING ? ", delay " + getDelay(TimeUnit.NANOSECONDS) + " ns" : "")
        + "]";
  }

  /**
   * A counted one-shot timer of a scheduler that stamps creations with its own clock (see {@link
   * WheelScheduler#expandStamp}): adds its site counter and its creation stamp in 32 bits, 48 bytes
   * in all. The stamp it hands back to the counter is exactly the one the counter returned.
   */
  static final class Counted<V> extends TimerEntry<V> {
    private final SiteCounter counter;
    private final int stampUnits;

    Counted(Shard shard, Object task, long deadline, SiteCounter counter, int stampUnits) {
      super(shard, task, deadline);
      this.counter = counter;
      this.stampUnits = stampUnits;
    }

    @Override
    SiteCounter counter() {
      return counter;
    }

    @Override
    long stamp() {
      return shard.owner.expandStamp(stampUnits);
    }
  }

  /**
   * A counted one-shot timer whose stamp does not fit {@link Counted} (the registry keeps its own
   * clock, or the delay is too long for a compact stamp): the stamp in full, 56 bytes.
   */
  static final class CountedFullStamp<V> extends TimerEntry<V> {
    private final SiteCounter counter;
    private final long stamp;

    CountedFullStamp(Shard shard, Object task, long deadline, SiteCounter counter, long stamp) {
      super(shard, task, deadline);
      this.counter = counter;
      this.stamp = stamp;
    }

    @Override
    SiteCounter counter() {
      return counter;
    }

    @Override
    long stamp() {
      return stamp;
    }
  }

  /**
   * A periodic timer. {@code period > 0} is fixed rate (next deadline = previous deadline +
   * period), {@code period < 0} is fixed delay (next deadline = end of run + |period|), as in
   * ScheduledThreadPoolExecutor. A run that throws ends the timer (EXCEPTIONAL); shutdown ends it
   * (CANCELLED).
   */
  static final class Periodic extends TimerEntry<Void> {
    private final long period;
    private final SiteCounter counter;
    private final long stamp;

    Periodic(
        Shard shard, Runnable task, long deadline, long period, SiteCounter counter, long stamp) {
      super(shard, task, deadline);
      this.period = period;
      this.counter = counter;
      this.stamp = stamp;
    }

    @Override
    SiteCounter counter() {
      return counter;
    }

    @Override
    long stamp() {
      return stamp;
    }

    @Override
    boolean isPeriodic() {
      return true;
    }

    @Override
    void runPeriodic(Runnable t) {
      try {
        t.run();
      } catch (Throwable x) {
        if (complete(RUNNING, EXCEPTIONAL, x)) {
          if (counter != null) {
            counter.end(stamp, TimerEnd.FAILED);
          }
          shard.owner.callbacks.report(x);
        }
        return;
      }
      long next;
      if (period > 0) {
        next = WheelScheduler.saturatedAdd(deadline, period);
      } else {
        next = WheelScheduler.saturatedAdd(shard.owner.now(), -period);
      }
      shard.reschedule(this, next);
    }
  }
}
