package dev.timerguard;

import dev.timerguard.live.internal.SiteCounter;
import dev.timerguard.live.internal.TimerEnd;
import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** A counted periodic timer; one registry entry for its whole life, whatever its period changes. */
final class TickerImpl extends Handle implements Ticker, Runnable {

  private final Runnable action;
  private final boolean fixedRate;
  private Duration period; // guarded by this
  private Future<?> future; // guarded by this

  TickerImpl(
      Timers timers,
      TimerScope scope,
      SiteCounter counter,
      Runnable action,
      Duration period,
      boolean fixedRate) {
    super(timers, scope, counter, Timers.toNanos(period, "period"));
    this.action = action;
    this.period = period;
    this.fixedRate = fixedRate;
  }

  synchronized void arm(long initialDelayNanos) {
    long p = Timers.toNanos(period, "period");
    future =
        fixedRate
            ? timers.engine().scheduleAtFixedRate(this, initialDelayNanos, p, TimeUnit.NANOSECONDS)
            : timers
                .engine()
                .scheduleWithFixedDelay(this, initialDelayNanos, p, TimeUnit.NANOSECONDS);
    if (!isLive()) {
      future.cancel(false); // cancelled while being armed
    }
  }

  @Override
  public void run() {
    if (isLive()) {
      timers.invoke(counter.site(), action); // inline: runs of one ticker never overlap
    }
  }

  @Override
  public boolean cancel() {
    if (!markCancelled(TimerEnd.STOPPED)) {
      return false;
    }
    synchronized (this) {
      if (future != null) {
        future.cancel(false);
      }
    }
    return true;
  }

  @Override
  public synchronized Duration period() {
    return period;
  }

  @Override
  public void setPeriod(Duration newPeriod) {
    Timers.requirePositive(newPeriod, "period");
    synchronized (this) {
      if (!isLive()) {
        throw new IllegalStateException("ticker created at " + site().location() + " is stopped");
      }
      if (future != null) {
        future.cancel(false);
      }
      period = newPeriod;
      try {
        arm(Timers.toNanos(newPeriod, "period"));
      } catch (RuntimeException e) {
        cancel();
        throw e;
      }
    }
  }
}
