package dev.timerguard;

import dev.timerguard.live.internal.SiteCounter;
import dev.timerguard.live.internal.TimerEnd;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** A counted one-shot: the engine runs this, which runs the user's action once. */
final class OneShot extends Handle implements Timeout, Runnable {

  private Runnable action;
  private volatile Future<?> future;

  OneShot(Timers timers, TimerScope scope, SiteCounter counter, long delayNanos, Runnable action) {
    super(timers, scope, counter, delayNanos);
    this.action = action;
  }

  void arm(long delayNanos) {
    Future<?> f = timers.engineSchedule(this, delayNanos, TimeUnit.NANOSECONDS);
    future = f;
    if (state() == CANCELLED) {
      f.cancel(false); // cancelled while being armed: remove it now
    }
  }

  @Override
  public void run() {
    if (!markFired()) {
      return;
    }
    Runnable a = action;
    action = null;
    timers.dispatch(counter.site(), a);
  }

  @Override
  public boolean cancel() {
    if (!markCancelled(TimerEnd.CANCELLED)) {
      return false;
    }
    Future<?> f = future;
    if (f != null) {
      f.cancel(false);
    }
    action = null;
    return true;
  }

  @Override
  Runnable cancelForClose() {
    Runnable a = action;
    return markCancelled(TimerEnd.SHUT_DOWN) ? a : null;
  }

  @Override
  public boolean isFired() {
    return state() == FIRED;
  }

  @Override
  public boolean isCancelled() {
    return state() == CANCELLED;
  }
}
