package dev.timerguard.agent.boot;

import java.util.Date;
import java.util.Timer;
import java.util.TimerTask;
import java.util.concurrent.TimeUnit;

/**
 * Hooks for {@code java.util.Timer} and {@code TimerTask}: schedule, cancel, the timer's own
 * cancel, and the top of {@code run()} of {@code TimerTask} subclasses. Same contract as {@link
 * ScheduleHooks}. Thread-safe. Public because application classes call it; not an API.
 */
public final class TimerHooks {

  private TimerHooks() {}

  /** Starts tracking before the JDK call; the token ends it again if that call throws. */
  private static Object timerBegin(
      Timer timer, TimerTask task, int site, boolean periodic, long delayNanos) {
    if (timer == null || task == null || !HookGuard.on(HookGuard.TIMER)) {
      return null;
    }
    try {
      return TimerTaskTracker.scheduled(timer, task, Hooks.counter(site), periodic, delayNanos);
    } catch (Throwable e) {
      HookGuard.fail(HookGuard.TIMER, e);
      return null;
    }
  }

  private static void timerUndo(Object token, TimerTask task) {
    if (token != null) {
      try {
        TimerTaskTracker.rejected(task, token);
      } catch (Throwable e) {
        HookGuard.fail(HookGuard.TIMER, e);
      }
    }
  }

  private static long millis(long delayMillis) {
    return TimeUnit.MILLISECONDS.toNanos(delayMillis);
  }

  /** Nanoseconds until {@code time} (0 for a null or past date: the JDK call decides). */
  private static long until(Date time) {
    return time == null ? 0 : millis(Math.max(0, time.getTime() - System.currentTimeMillis()));
  }

  /** Replaces {@code Timer.schedule(TimerTask, long)}. */
  public static void timerSchedule(Timer timer, TimerTask task, long delay, int site) {
    Object tr = timerBegin(timer, task, site, false, millis(delay));
    try {
      timer.schedule(task, delay);
    } catch (RuntimeException | Error e) {
      timerUndo(tr, task);
      throw e;
    }
  }

  /** Replaces {@code Timer.schedule(TimerTask, Date)}. */
  public static void timerSchedule(Timer timer, TimerTask task, Date time, int site) {
    Object tr = timerBegin(timer, task, site, false, until(time));
    try {
      timer.schedule(task, time);
    } catch (RuntimeException | Error e) {
      timerUndo(tr, task);
      throw e;
    }
  }

  /** Replaces {@code Timer.schedule(TimerTask, long, long)}. */
  public static void timerSchedule(Timer timer, TimerTask task, long delay, long period, int site) {
    Object tr = timerBegin(timer, task, site, true, millis(delay));
    try {
      timer.schedule(task, delay, period);
    } catch (RuntimeException | Error e) {
      timerUndo(tr, task);
      throw e;
    }
  }

  /** Replaces {@code Timer.schedule(TimerTask, Date, long)}. */
  public static void timerSchedule(Timer timer, TimerTask task, Date first, long period, int site) {
    Object tr = timerBegin(timer, task, site, true, until(first));
    try {
      timer.schedule(task, first, period);
    } catch (RuntimeException | Error e) {
      timerUndo(tr, task);
      throw e;
    }
  }

  /** Replaces {@code Timer.scheduleAtFixedRate(TimerTask, long, long)}. */
  public static void timerScheduleAtFixedRate(
      Timer timer, TimerTask task, long delay, long period, int site) {
    Object tr = timerBegin(timer, task, site, true, millis(delay));
    try {
      timer.scheduleAtFixedRate(task, delay, period);
    } catch (RuntimeException | Error e) {
      timerUndo(tr, task);
      throw e;
    }
  }

  /** Replaces {@code Timer.scheduleAtFixedRate(TimerTask, Date, long)}. */
  public static void timerScheduleAtFixedRate(
      Timer timer, TimerTask task, Date first, long period, int site) {
    Object tr = timerBegin(timer, task, site, true, until(first));
    try {
      timer.scheduleAtFixedRate(task, first, period);
    } catch (RuntimeException | Error e) {
      timerUndo(tr, task);
      throw e;
    }
  }

  /** Replaces {@code Timer.cancel()}: the timer and all its tracked tasks end. */
  public static void timerCancel(Timer timer) {
    timer.cancel();
    if (HookGuard.on(HookGuard.TIMER)) {
      try {
        TimerTaskTracker.timerCancelled(timer);
        ExecutorTracker.ended(timer);
      } catch (Throwable e) {
        HookGuard.fail(HookGuard.TIMER, e);
      }
    }
  }

  /** Replaces {@code TimerTask.cancel()}. */
  public static boolean timerTaskCancel(TimerTask task) {
    boolean r = task.cancel();
    if (HookGuard.on(HookGuard.TIMER)) {
      try {
        TimerTaskTracker.cancelled(task);
      } catch (Throwable e) {
        HookGuard.fail(HookGuard.TIMER, e);
      }
    }
    return r;
  }

  /** Called at the top of {@code run()} in {@code TimerTask} subclasses. */
  public static void timerTaskRun(TimerTask task) {
    if (HookGuard.on(HookGuard.TIMER)) {
      try {
        TimerTaskTracker.running(task);
      } catch (Throwable e) {
        HookGuard.fail(HookGuard.TIMER, e);
      }
    }
  }
}
