package dev.timerguard.agent.boot;

import dev.timerguard.live.internal.SiteCounter;
import dev.timerguard.live.internal.TimerEnd;
import java.util.concurrent.Callable;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Hooks for {@code ScheduledExecutorService.schedule*} and for {@code ThreadPoolExecutor.remove}
 * and {@code purge}: the calls that start a timer on a scheduler or drop queued ones.
 *
 * <p>Contract of every hook: it has exactly the effect, result and exceptions of the call it
 * replaces (null arguments, rejected tasks and illegal states surface unchanged, from the JDK); its
 * own bookkeeping is guarded by {@link HookGuard}. Schedule hooks return a {@link TrackedFuture}
 * wrapping the executor's future only when that future is the JDK's own (see {@link #wrappable});
 * otherwise exactly the executor's future, uncounted. Thread-safe; allocation per schedule: one
 * task wrapper and one future wrapper. Public because application classes call it; not an API.
 */
public final class ScheduleHooks {

  private ScheduleHooks() {}

  /** Replaces {@code ScheduledExecutorService.schedule(Runnable, long, TimeUnit)}. */
  public static ScheduledFuture<?> schedule(
      ScheduledExecutorService s, Runnable r, long delay, TimeUnit unit, int site) {
    TrackedTask<Object> t =
        s == null || r == null || unit == null ? null : begin(s, r, null, false, site, delay, unit);
    if (t == null) {
      return s.schedule(r, delay, unit);
    }
    ScheduledFuture<?> f;
    try {
      f = s.schedule((Runnable) t, delay, unit);
    } catch (RuntimeException | Error e) {
      t.end(TimerEnd.REJECTED);
      throw e;
    }
    return new TrackedFuture<>(f, t);
  }

  /** Replaces {@code ScheduledExecutorService.schedule(Callable, long, TimeUnit)}. */
  public static <V> ScheduledFuture<V> scheduleCallable(
      ScheduledExecutorService s, Callable<V> c, long delay, TimeUnit unit, int site) {
    TrackedTask<V> t =
        s == null || c == null || unit == null ? null : begin(s, null, c, false, site, delay, unit);
    if (t == null) {
      return s.schedule(c, delay, unit);
    }
    ScheduledFuture<V> f;
    try {
      f = s.schedule((Callable<V>) t, delay, unit);
    } catch (RuntimeException | Error e) {
      t.end(TimerEnd.REJECTED);
      throw e;
    }
    return new TrackedFuture<>(f, t);
  }

  /** Replaces {@code ScheduledExecutorService.scheduleAtFixedRate}. */
  public static ScheduledFuture<?> scheduleAtFixedRate(
      ScheduledExecutorService s, Runnable r, long initial, long period, TimeUnit unit, int site) {
    TrackedTask<Object> t =
        s == null || r == null || unit == null
            ? null
            : begin(s, r, null, true, site, initial, unit);
    if (t == null) {
      return s.scheduleAtFixedRate(r, initial, period, unit);
    }
    ScheduledFuture<?> f;
    try {
      f = s.scheduleAtFixedRate(t, initial, period, unit);
    } catch (RuntimeException | Error e) {
      t.end(TimerEnd.REJECTED);
      throw e;
    }
    return new TrackedFuture<>(f, t);
  }

  /** Replaces {@code ScheduledExecutorService.scheduleWithFixedDelay}. */
  public static ScheduledFuture<?> scheduleWithFixedDelay(
      ScheduledExecutorService s, Runnable r, long initial, long delay, TimeUnit unit, int site) {
    TrackedTask<Object> t =
        s == null || r == null || unit == null
            ? null
            : begin(s, r, null, true, site, initial, unit);
    if (t == null) {
      return s.scheduleWithFixedDelay(r, initial, delay, unit);
    }
    ScheduledFuture<?> f;
    try {
      f = s.scheduleWithFixedDelay(t, initial, delay, unit);
    } catch (RuntimeException | Error e) {
      t.end(TimerEnd.REJECTED);
      throw e;
    }
    return new TrackedFuture<>(f, t);
  }

  private static <V> TrackedTask<V> begin(
      ScheduledExecutorService s,
      Runnable r,
      Callable<V> c,
      boolean periodic,
      int site,
      long delay,
      TimeUnit unit) {
    if (!HookGuard.on(HookGuard.SCHEDULE)) {
      return null;
    }
    try {
      boolean wrap = wrappable(s);
      if (!wrap && ExecutorTracker.pool(s) == null) {
        return null;
      }
      SiteCounter counter = Hooks.counter(site);
      ExecutorTracker.Entry executor = null;
      if (HookGuard.on(HookGuard.EXECUTOR)) {
        try {
          executor = ExecutorTracker.seen(s, counter);
        } catch (Throwable e) {
          HookGuard.fail(HookGuard.EXECUTOR, e);
        }
      }
      if (!wrap) {
        return null; // the executor decorates its tasks: its own future goes back, uncounted
      }
      TrackedTask<V> t = new TrackedTask<>(r, c, counter, periodic, unit.toNanos(delay));
      t.executor = executor;
      if (periodic && executor != null) {
        executor.addPeriodic(t);
      }
      return t;
    } catch (Throwable e) {
      HookGuard.fail(HookGuard.SCHEDULE, e);
      return null;
    }
  }

  /**
   * Whether the agent may wrap the task and hand back its own {@link TrackedFuture}: only when the
   * future the executor returns is the JDK's own, which no application can name as a type. That is
   * a {@code ScheduledThreadPoolExecutor} (seen through {@code Executors}' wrappers) whose class
   * does not override {@code decorateTask}: an executor that decorates its tasks returns its own
   * future type, which the application may cast to, so its calls pass through untouched and
   * uncounted. Other JDK schedulers are wrapped; other implementations (a Netty event loop, a
   * framework's scheduler) pass through.
   */
  static boolean wrappable(ScheduledExecutorService s) {
    ThreadPoolExecutor pool = ExecutorTracker.pool(s);
    if (pool != null) {
      return pool instanceof java.util.concurrent.ScheduledThreadPoolExecutor
          && !DECORATES.get(pool.getClass());
    }
    // a JDK wrapper the agent cannot see through may hide a decorating executor
    return jdkScheduler(s.getClass()) && !ExecutorTracker.delegating(s);
  }

  /**
   * Whether {@code type} is one of the JDK's own scheduler classes: loaded by the boot loader, in a
   * {@code java.} package, and not a dynamic proxy. A mock of {@code ScheduledExecutorService} (a
   * proxy, or a class a mocking library defines with no class loader) is none of those, so its
   * calls pass through untouched and the sampler never calls it.
   */
  static boolean jdkScheduler(Class<?> type) {
    return type.getClassLoader() == null
        && type.getName().startsWith("java.")
        && !java.lang.reflect.Proxy.isProxyClass(type);
  }

  /**
   * Whether a {@code ScheduledThreadPoolExecutor} subclass may hand back a future of its own type:
   * it overrides {@code decorateTask}, or {@code schedule*}/{@code submit} themselves (which may
   * return anything). A class whose methods cannot even be listed (a signature naming a class that
   * is missing at run time) is taken as one that may: its calls pass through untouched, and nothing
   * else is switched off.
   */
  private static final ClassValue<Boolean> DECORATES =
      new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
          try {
            for (Class<?> c = type;
                c != null && c != java.util.concurrent.ScheduledThreadPoolExecutor.class;
                c = c.getSuperclass()) {
              for (java.lang.reflect.Method m : c.getDeclaredMethods()) {
                switch (m.getName()) {
                  case "decorateTask":
                  case "schedule":
                  case "scheduleAtFixedRate":
                  case "scheduleWithFixedDelay":
                  case "submit":
                    return true;
                  default:
                    break;
                }
              }
            }
            return false;
          } catch (LinkageError | SecurityException e) {
            return true;
          }
        }
      };

  /**
   * Replaces {@code ThreadPoolExecutor.remove(Runnable)} (and the scheduled pool's): unwraps a
   * {@link TrackedFuture} so removal of a scheduled task keeps working (and a retained cancelled
   * task that leaves the queue leaves the retained count).
   */
  public static boolean remove(ThreadPoolExecutor pool, Runnable task) {
    if (!(task instanceof TrackedFuture)) {
      return pool.remove(task);
    }
    TrackedFuture<?> f = (TrackedFuture<?>) task;
    boolean removed = pool.remove((Runnable) f.unwrap());
    ExecutorTracker.Entry e = f.task().executor;
    if (removed && e != null && HookGuard.on(HookGuard.EXECUTOR)) {
      try {
        e.removed(f.task()); // a retained cancelled task left the queue
      } catch (Throwable t) {
        HookGuard.fail(HookGuard.EXECUTOR, t);
      }
    }
    return removed;
  }

  /**
   * Replaces {@code ThreadPoolExecutor.purge()}: the pool drops its cancelled tasks, so its
   * retained count drops to zero.
   */
  public static void purge(ThreadPoolExecutor pool) {
    pool.purge();
    if (HookGuard.on(HookGuard.EXECUTOR)) {
      try {
        ExecutorTracker.purged(pool);
      } catch (Throwable t) {
        HookGuard.fail(HookGuard.EXECUTOR, t);
      }
    }
  }
}
