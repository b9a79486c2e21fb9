package dev.timerguard;

import dev.timerguard.internal.LiveSet;
import dev.timerguard.internal.SiteAware;
import dev.timerguard.live.CallSite;
import dev.timerguard.live.internal.SiteCounter;
import dev.timerguard.live.internal.TimerEnd;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Base of every counted timer: one atomic state decides, exactly once, whether the timer ended by
 * firing or by cancellation, and only the winner updates the registry. This is what keeps counts
 * exact under any interleaving of fire, cancel, scope close and engine close.
 */
abstract sealed class Handle extends LiveSet.Node implements TimerHandle, SiteAware
    permits OneShot, TickerImpl, WatchdogImpl, ThrottleImpl, CoalescerImpl {

  static final int LIVE = 0;
  static final int FIRED = 1;
  static final int CANCELLED = 2;

  private static final VarHandle STATE;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(Handle.class, "state", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  final Timers timers;
  final TimerScope scope;
  final SiteCounter counter;
  private final long stamp;
  private volatile int state;

  /**
   * Counts the timer as started (and records its JFR start event, with {@code delayNanos}); the
   * factory then calls {@link #enrol()} before arming it.
   */
  Handle(Timers timers, TimerScope scope, SiteCounter counter, long delayNanos) {
    this.timers = timers;
    this.scope = scope;
    this.counter = counter;
    this.stamp = timers.started(counter, delayNanos);
  }

  /**
   * Enrols the fully built timer with its owners; if an owner is closed, the timer ends as
   * cancelled and the owner's {@link IllegalStateException} is thrown.
   */
  final void enrol() {
    timers.live.add(this);
    if (timers.isClosed()) {
      abort();
      throw timers.closedError();
    }
    if (scope != null && !scope.adopt(this)) {
      abort();
      throw scope.closedError();
    }
  }

  private void abort() {
    if (STATE.compareAndSet(this, LIVE, CANCELLED)) {
      counter.end(stamp, TimerEnd.SHUT_DOWN); // its owner was closed before it was armed
      timers.live.remove(this);
    }
  }

  /** Wins the race for "fired"; the registry is updated once. */
  final boolean markFired() {
    if (STATE.compareAndSet(this, LIVE, FIRED)) {
      counter.end(stamp, TimerEnd.FIRED);
      released();
      return true;
    }
    return false;
  }

  /**
   * Wins the race for "cancelled"; the registry is updated once, the end recorded as {@code how}
   * (cancelled, stopped or shut down).
   */
  final boolean markCancelled(TimerEnd how) {
    if (STATE.compareAndSet(this, LIVE, CANCELLED)) {
      counter.end(stamp, how);
      released();
      return true;
    }
    return false;
  }

  private void released() {
    timers.live.remove(this);
    if (scope != null) {
      scope.forget(this);
    }
  }

  final int state() {
    return state;
  }

  @Override
  public boolean isLive() {
    return state == LIVE;
  }

  @Override
  public CallSite site() {
    return counter.site();
  }

  /**
   * Called when the owning {@code Timers} closes: cancel, and return the action that never ran
   * (one-shots only), or {@code null}.
   */
  Runnable cancelForClose() {
    cancel();
    return null;
  }

  @Override
  public String toString() {
    String s = state == LIVE ? "live" : state == FIRED ? "fired" : "cancelled";
    return getClass().getSimpleName() + "[" + s + ", " + site().location() + "]";
  }
}
