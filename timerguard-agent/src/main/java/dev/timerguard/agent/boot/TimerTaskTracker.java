package dev.timerguard.agent.boot;

import dev.timerguard.live.internal.SiteCounter;
import dev.timerguard.live.internal.TimerEnd;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
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

  private static final Map<TimerTask, State> LIVE =
      Collections.synchronizedMap(new WeakHashMap<>());

  private TimerTaskTracker() {}

  /**
   * Records a task scheduled on {@code timer}, before the JDK call. A task already tracked keeps
   * its record: the JDK refuses to schedule a task twice, so the new record is never mapped and
   * ends as rejected when that call throws.
   *
   * @return the token {@link #rejected} takes if the JDK call throws
   */
  public static Object scheduled(
      Timer timer, TimerTask task, SiteCounter c, boolean periodic, long delayNanos) {
    State s = new State(c, c.start(delayNanos), periodic, timer);
    LIVE.putIfAbsent(task, s);
    return s;
  }

  /** Undoes {@link #scheduled} when the schedule call itself threw. */
  public static void rejected(TimerTask task, Object token) {
    State s = (State) token;
    LIVE.remove(task, s);
    s.counter.end(s.stamp, TimerEnd.REJECTED);
  }

  /** Called at the start of {@code TimerTask.run()}: a one-shot fires. */
  public static void running(TimerTask task) {
    if (LIVE.isEmpty()) {
      return;
    }
    State s;
    synchronized (LIVE) {
      s = LIVE.get(task);
      if (s == null || s.periodic) {
        return;
      }
      LIVE.remove(task);
    }
    s.counter.end(s.stamp, TimerEnd.FIRED);
  }

  /** Called after {@code TimerTask.cancel()}: the task, if tracked, ends as cancelled. */
  public static void cancelled(TimerTask task) {
    State s = LIVE.remove(task);
    if (s != null) {
      s.counter.end(s.stamp, TimerEnd.CANCELLED);
    }
  }

  /** Called after {@code Timer.cancel()}: every task of that timer ends, shut down with it. */
  public static void timerCancelled(Timer timer) {
    List<State> ended = new ArrayList<>();
    synchronized (LIVE) {
      for (Iterator<Map.Entry<TimerTask, State>> it = LIVE.entrySet().iterator(); it.hasNext(); ) {
        State s = it.next().getValue();
        if (s.timer.get() == timer) {
          it.remove();
          ended.add(s);
        }
      }
    }
    for (State s : ended) {
      s.counter.end(s.stamp, TimerEnd.SHUT_DOWN);
    }
  }

  /** Tasks currently tracked. */
  public static int tracked() {
    return LIVE.size();
  }
}
