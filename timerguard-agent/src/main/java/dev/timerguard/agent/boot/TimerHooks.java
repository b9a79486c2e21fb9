package dev.timerguard.agent.boot;

import dev.timerguard.live.LiveRegistry;
import dev.timerguard.live.internal.SiteCounter;
import dev.timerguard.live.ThreadOrigins;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Timer;
import java.util.TimerTask;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * Hooks for {@code java.util.Timer} and {@code TimerTask}: schedule, cancel, the timer's own
 * cancel, and the top of {@code run()} of {@code TimerTask} subclasses. Same contract as {@link
 * ScheduleHooks}. Thread-safe. Public because application classes call it; not an API.
 */
public final class TimerHooks {

  private TimerHooks() {}

  private static boolean timerBegin(Timer timer, TimerTask task, int site, boolean periodic) {
    if (timer == null || task == null || !HookGuard.on(HookGuard.TIMER)) {
      return false;
    }
    try {
      SiteCounter c = Hooks.counter(site);
      TimerTaskTracker.scheduled(timer, task, c, periodic);
      TimerEvents.scheduled(c, 0);
      return true;
    } catch (Throwable e) {
      HookGuard.fail(HookGuard.TIMER, e);
      return false;
    }
  }

  private static void timerUndo(boolean tracked, TimerTask task) {
    if (tracked) {
      try {
        TimerTaskTracker.rejected(task);
      } catch (Throwable e) {
        HookGuard.fail(HookGuard.TIMER, e);
      }
    }
  }

  /** Replaces {@code Timer.schedule(TimerTask, long)}. */
  public static void timerSchedule(Timer timer, TimerTask task, long delay, int site) {
    boolean tr = timerBegin(timer, task, site, false);
    try {
      timer.schedule(task, delay);
    } catch (RuntimeException | Error e) {
      timerUndo(tr, task);
      throw e;
    }
  }

  /** Replaces {@code Timer.schedule(TimerTask, Date)}. */
  public static void timerSchedule(Timer timer, TimerTask task, Date time, int site) {
    boolean tr = timerBegin(timer, task, site, false);
    try {
      timer.schedule(task, time);
    } catch (RuntimeException | Error e) {
      timerUndo(tr, task);
      throw e;
    }
  }

  /** Replaces {@code Timer.schedule(TimerTask, long, long)}. */
  public static void timerSchedule(Timer timer, TimerTask task, long delay, long period, int site) {
    boolean tr = timerBegin(timer, task, site, true);
    try {
      timer.schedule(task, delay, period);
    } catch (RuntimeException | Error e) {
      timerUndo(tr, task);
      throw e;
    }
  }

  /** Replaces {@code Timer.schedule(TimerTask, Date, long)}. */
  public static void timerSchedule(Timer timer, TimerTask task, Date first, long period, int site) {
    boolean tr = timerBegin(timer, task, site, true);
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
    boolean tr = timerBegin(timer, task, site, true);
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
    boolean tr = timerBegin(timer, task, site, true);
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
