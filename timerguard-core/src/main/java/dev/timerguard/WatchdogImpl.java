package dev.timerguard;

import dev.timerguard.live.internal.SiteCounter;
import dev.timerguard.live.internal.TimerEnd;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A watchdog on one reusable timer. A reset only moves the deadline under the lock; when the timer
 * fires early (the deadline moved), it re-arms itself for the remainder. The decision "expired" is
 * taken under the same lock as reset, so a reset that returned true always wins.
 */
final class WatchdogImpl extends Handle implements Watchdog, Runnable {

  private final Runnable onExpire;
  private final long timeoutNanos;
  private long deadline; // guarded by this
  private boolean ended; // guarded by this: expired or closed
  private Future<?> armed; // guarded by this

  WatchdogImpl(
      Timers timers, TimerScope scope, SiteCounter counter, long timeoutNanos, Runnable onExpire) {
    super(timers, scope, counter, timeoutNanos);
    this.timeoutNanos = timeoutNanos;
    this.onExpire = onExpire;
  }

  synchronized void start() {
    deadline = timers.nanoTime() + timeoutNanos;
    armed = timers.engineSchedule(this, timeoutNanos, TimeUnit.NANOSECONDS);
    if (!isLive()) {
      ended = true;
      armed.cancel(false);
    }
  }

  @Override
  public boolean reset() {
    long now = timers.nanoTime();
    synchronized (this) {
      if (ended) {
        return false;
      }
      deadline = now + timeoutNanos;
      return true;
    }
  }

  @Override
  public void run() {
    synchronized (this) {
      if (ended) {
        return;
      }
      long remaining = deadline - timers.nanoTime();
      if (remaining > 0) {
        try {
          armed = timers.engineSchedule(this, remaining, TimeUnit.NANOSECONDS);
        } catch (RuntimeException closed) {
          ended = true;
          markCancelled(
              TimerEnd.SHUT_DOWN); // the engine closed under us: the watchdog ends, counted once
        }
        return;
      }
      ended = true;
      armed = null;
      if (!markFired()) {
        return;
      }
    }
    timers.invoke(counter.site(), onExpire);
  }

  @Override
  public boolean cancel() {
    Future<?> f;
    synchronized (this) {
      if (ended) {
        return false;
      }
      ended = true;
      f = armed;
      armed = null;
    }
    if (f != null) {
      f.cancel(false);
    }
    return markCancelled(TimerEnd.CANCELLED);
  }

  @Override
  public synchronized boolean isExpired() {
    return ended && state() == FIRED;
  }
}
