package dev.timerguard;

import dev.timerguard.live.internal.SiteCounter;
import dev.timerguard.live.internal.TimerEnd;
import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** A throttle on one reusable timer: at most one engine task is ever pending. */
final class ThrottleImpl extends Handle implements Throttle, Runnable {

  private final Runnable action;
  private final Duration period;
  private final long periodNanos;
  private boolean pending; // guarded by this
  private Future<?> armed; // guarded by this
  private long nextAllowed; // guarded by this
  private boolean started; // guarded by this: nextAllowed is meaningful
  private boolean running; // guarded by this

  ThrottleImpl(
      Timers timers, TimerScope scope, SiteCounter counter, Duration period, Runnable action) {
    super(timers, scope, counter, Timers.toNanos(period, "period"));
    this.period = period;
    this.periodNanos = Timers.toNanos(period, "period");
    this.action = action;
  }

  @Override
  public void trigger() {
    long now = timers.nanoTime();
    synchronized (this) {
      if (!isLive()) {
        throw new IllegalStateException("throttle created at " + site().location() + " is closed");
      }
      pending = true;
      if (armed == null) {
        long delay = started ? Math.max(0, nextAllowed - now) : 0;
        armed = timers.engineSchedule(this, delay, TimeUnit.NANOSECONDS);
      }
    }
  }

  @Override
  public void run() {
    synchronized (this) {
      armed = null;
      if (!pending || !isLive()) {
        return;
      }
      if (running) { // the previous run outlasted the period: come back, never overlap
        armed = timers.engineSchedule(this, periodNanos, TimeUnit.NANOSECONDS);
        return;
      }
      pending = false;
      started = true;
      running = true;
      nextAllowed = timers.nanoTime() + periodNanos;
    }
    try {
      timers.invoke(counter.site(), action);
    } finally {
      synchronized (this) {
        running = false;
      }
    }
  }

  @Override
  public boolean cancel() {
    if (!markCancelled(TimerEnd.STOPPED)) {
      return false;
    }
    Future<?> f;
    synchronized (this) {
      f = armed;
      armed = null;
      pending = false;
    }
    if (f != null) {
      f.cancel(false);
    }
    return true;
  }

  @Override
  public Duration period() {
    return period;
  }
}
