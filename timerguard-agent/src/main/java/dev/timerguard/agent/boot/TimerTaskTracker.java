package dev.timerguard.agent.boot;

import dev.timerguard.live.internal.SiteCounter;
import java.lang.ref.WeakReference;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.Timer;
import java.util.TimerTask;
import java.util.WeakHashMap;

/**
 * {@code TimerTask}s scheduled on a {@code java.util.Timer} at instrumented sites, until they end:
 * a one-shot fires when its {@code run()} starts (the agent adds a call at the top of {@code run}
 * in {@code TimerTask} subclasses), any task ends when {@code TimerTask.cancel()} or its timer's
 * {@code Timer.cancel()} is called from instrumented code.
 *
 * <p>The task is a weak key: an entry lives while the timer is live and is removed when it ends.
 * Thread-safe (one lock; {@code java.util.Timer} itself serializes on its queue).
 */
public final class TimerTaskTracker {

  private static final class State {
    final SiteCounter counter;
    final long stamp;
    final boolean periodic;
    final WeakReference<Timer> timer;

    State(SiteCounter counter, long stamp, boolean periodic, Timer timer) {
      this.counter = counter;
      this.stamp = stamp;
      this.periodic = periodic;
      this.timer = new WeakReference<>(timer);
    }
  }

  private static final Map<TimerTask, State> LIVE = Collections.synchronizedMap(new WeakHashMap<>());

  private TimerTaskTracker() {}

  /** Records a task scheduled on {@code timer}. */
  public static void scheduled(Timer timer, TimerTask task, SiteCounter c, boolean periodic) {
    State s = new State(c, c.created(), periodic, timer);
    State old = LIVE.put(task, s);
    if (old != null) {
      // scheduling a task twice throws in Timer; keep counts balanced anyway
      old.counter.cancelled(old.stamp);
    }
  }

  /** Undoes {@link #scheduled} when the schedule call itself threw. */
  public static void rejected(TimerTask task) {
    State s = LIVE.remove(task);
    if (s != null) {
      s.counter.cancelled(s.stamp);
    }
  }

  /** Called at the start of {@code TimerTask.run()}: a one-shot fires. */
  public static void running(TimerTask task) {
    if (LIVE.isEmpty()) {
      return;
    }
    synchronized (LIVE) {
      State s = LIVE.get(task);
      if (s != null && !s.periodic) {
        LIVE.remove(task);
        s.counter.fired(s.stamp);
        TimerEvents.fired(s.counter, s.stamp);
      }
    }
  }

  /** Called after {@code TimerTask.cancel()}: the task, if tracked, ends as cancelled. */
  public static void cancelled(TimerTask task) {
    State s = LIVE.remove(task);
    if (s != null) {
      s.counter.cancelled(s.stamp);
      TimerEvents.cancelled(s.counter, s.stamp);
    }
  }

  /** Called after {@code Timer.cancel()}: every task of that timer ends as cancelled. */
  public static void timerCancelled(Timer timer) {
    synchronized (LIVE) {
      for (Iterator<Map.Entry<TimerTask, State>> it = LIVE.entrySet().iterator(); it.hasNext(); ) {
        State s = it.next().getValue();
        if (s.timer.get() == timer) {
          it.remove();
          s.counter.cancelled(s.stamp);
        }
      }
    }
  }

  /** Tasks currently tracked. */
  public static int tracked() {
    return LIVE.size();
  }
}
