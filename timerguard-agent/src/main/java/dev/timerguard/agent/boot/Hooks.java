package dev.timerguard.agent.boot;

import dev.timerguard.live.internal.ThreadSites;
import dev.timerguard.live.LiveRegistry;
import dev.timerguard.live.internal.SiteRegistry;
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
 * The static methods that instrumented call sites call instead of (or right after) the JDK
 * methods that create timers, executors and threads. Each takes the site id that the agent
 * defined in the {@link SiteTable} when it rewrote the call (registered in the {@link LiveRegistry}
 * the first time the call runs), so the hot path never walks the stack.
 *
 * <p>Contract of every hook: it has exactly the effect, result and exceptions of the call it
 * replaces (null arguments, rejected tasks and illegal states surface unchanged, from the JDK);
 * its own bookkeeping is guarded by {@link HookGuard}, so an internal failure disables the hook and
 * the plain call still happens. Schedule hooks return a {@link TrackedFuture} wrapping the
 * executor's future only when that future is the JDK's own (see {@link #wrappable}); otherwise
 * exactly the executor's future, uncounted. Thread-safe; allocation per schedule: one task wrapper and one future wrapper.
 *
 * <p>Public because application classes call it; not an API.
 */
public final class Hooks {

  private static volatile SiteRegistry registry = SiteRegistry.global();

  private Hooks() {}

  /** The registry hooks write to: {@link LiveRegistry#global()} unless a test replaced it. */
  public static SiteRegistry registry() {
    return registry;
  }

  /** Replaces the registry. For tests only. */
  public static void useRegistryForTests(LiveRegistry r) {
    registry = SiteRegistry.of(Objects.requireNonNull(r, "r"));
    SiteTable.registryChanged();
  }

  static SiteCounter counter(int site) {
    return SiteTable.counter(site);
  }

  // ---------------------------------------------------------------- ScheduledExecutorService

  /** Replaces {@code ScheduledExecutorService.schedule(Runnable, long, TimeUnit)}. */
  public static ScheduledFuture<?> schedule(
      ScheduledExecutorService s, Runnable r, long delay, TimeUnit unit, int site) {
    TrackedTask<Object> t = s == null || r == null || unit == null ? null : begin(s, r, null, false, site, delay, unit);
    if (t == null) {
      return s.schedule(r, delay, unit);
    }
    ScheduledFuture<?> f;
    try {
      f = s.schedule((Runnable) t, delay, unit);
    } catch (RuntimeException | Error e) {
      t.cancelled();
      throw e;
    }
    return new TrackedFuture<>(f, t);
  }

  /** Replaces {@code ScheduledExecutorService.schedule(Callable, long, TimeUnit)}. */
  public static <V> ScheduledFuture<V> scheduleCallable(
      ScheduledExecutorService s, Callable<V> c, long delay, TimeUnit unit, int site) {
    TrackedTask<V> t = s == null || c == null || unit == null ? null : begin(s, null, c, false, site, delay, unit);
    if (t == null) {
      return s.schedule(c, delay, unit);
    }
    ScheduledFuture<V> f;
    try {
      f = s.schedule((Callable<V>) t, delay, unit);
    } catch (RuntimeException | Error e) {
      t.cancelled();
      throw e;
    }
    return new TrackedFuture<>(f, t);
  }

  /** Replaces {@code ScheduledExecutorService.scheduleAtFixedRate}. */
  public static ScheduledFuture<?> scheduleAtFixedRate(
      ScheduledExecutorService s, Runnable r, long initial, long period, TimeUnit unit, int site) {
    TrackedTask<Object> t = s == null || r == null || unit == null ? null : begin(s, r, null, true, site, initial, unit);
    if (t == null) {
      return s.scheduleAtFixedRate(r, initial, period, unit);
    }
    ScheduledFuture<?> f;
    try {
      f = s.scheduleAtFixedRate(t, initial, period, unit);
    } catch (RuntimeException | Error e) {
      t.cancelled();
      throw e;
    }
    return new TrackedFuture<>(f, t);
  }

  /** Replaces {@code ScheduledExecutorService.scheduleWithFixedDelay}. */
  public static ScheduledFuture<?> scheduleWithFixedDelay(
      ScheduledExecutorService s, Runnable r, long initial, long delay, TimeUnit unit, int site) {
    TrackedTask<Object> t = s == null || r == null || unit == null ? null : begin(s, r, null, true, site, initial, unit);
    if (t == null) {
      return s.scheduleWithFixedDelay(r, initial, delay, unit);
    }
    ScheduledFuture<?> f;
    try {
      f = s.scheduleWithFixedDelay(t, initial, delay, unit);
    } catch (RuntimeException | Error e) {
      t.cancelled();
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
      SiteCounter counter = counter(site);
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
      TrackedTask<V> t = new TrackedTask<>(r, c, counter, periodic);
      t.executor = executor;
      TimerEvents.scheduled(counter, unit.toNanos(delay));
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
    return s.getClass().getClassLoader() == null && !ExecutorTracker.delegating(s);
  }

  /**
   * Whether a {@code ScheduledThreadPoolExecutor} subclass may hand back a future of its own type:
   * it overrides {@code decorateTask}, or {@code schedule*}/{@code submit} themselves (which may
   * return anything). A class whose methods cannot even be listed (a signature naming a class
   * that is missing at run time) is taken as one that may: its calls pass through untouched, and
   * nothing else is switched off.
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

  /**
   * Replaces {@code shutdown()} on an executor: timers the pool cancels while shutting down (its
   * periodic tasks, and delayed ones unless its policy keeps them) end as cancelled.
   */
  public static void shutdown(java.util.concurrent.ExecutorService executor) {
    List<ShutdownTracking.Pair> pairs = pairs(executor);
    executor.shutdown();
    try {
      for (ShutdownTracking.Pair p : pairs) {
        if (p.future.isCancelled()) {
          p.task.cancelled();
        }
      }
    } catch (Throwable e) {
      HookGuard.fail(HookGuard.SCHEDULE, e);
    }
  }

  /**
   * Replaces {@code ExecutorService.close()} (JDK 19+, e.g. try-with-resources): like {@link
   * #shutdown}, after waiting as {@code close} does.
   */
  public static void close(java.util.concurrent.ExecutorService executor) {
    List<ShutdownTracking.Pair> pairs = pairs(executor);
    closeQuietlyTyped(executor);
    try {
      for (ShutdownTracking.Pair p : pairs) {
        if (p.future.isCancelled()) {
          p.task.cancelled();
        }
      }
    } catch (Throwable e) {
      HookGuard.fail(HookGuard.SCHEDULE, e);
    }
  }

  /** {@code executor.close()}: compiled for release 17, where ExecutorService is not AutoCloseable. */
  private static void closeQuietlyTyped(java.util.concurrent.ExecutorService executor) {
    try {
      ((AutoCloseable) executor).close();
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e); // ExecutorService.close() declares no checked exception
    }
  }

  /** Replaces {@code shutdownNow()}: every timer handed back (never to run) ends as cancelled. */
  public static List<Runnable> shutdownNow(java.util.concurrent.ExecutorService executor) {
    List<ShutdownTracking.Pair> pairs = pairs(executor);
    List<Runnable> dropped = executor.shutdownNow();
    try {
      java.util.Set<Object> handedBack =
          java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
      handedBack.addAll(dropped);
      for (ShutdownTracking.Pair p : pairs) {
        if (p.future.isCancelled() || handedBack.contains(p.future)) {
          p.task.cancelled();
        }
      }
    } catch (Throwable e) {
      HookGuard.fail(HookGuard.SCHEDULE, e);
    }
    return dropped;
  }

  private static List<ShutdownTracking.Pair> pairs(java.util.concurrent.ExecutorService executor) {
    if (executor == null || !HookGuard.on(HookGuard.SCHEDULE)) {
      return List.of();
    }
    try {
      return ShutdownTracking.tracked(executor);
    } catch (Throwable e) {
      HookGuard.fail(HookGuard.SCHEDULE, e);
      return List.of();
    }
  }

  // ---------------------------------------------------------------- executors and threads

  /** Called with the executor (or {@code java.util.Timer}) an instrumented site just created. */
  public static void executorCreated(Object executor, int site) {
    if (executor == null || !HookGuard.on(HookGuard.EXECUTOR)) {
      return;
    }
    try {
      ExecutorTracker.created(executor, counter(site));
    } catch (Throwable e) {
      HookGuard.fail(HookGuard.EXECUTOR, e);
    }
  }

  /** Called with a thread an instrumented site just started. */
  public static void threadStarted(Thread thread, int site) {
    if (thread == null || !HookGuard.on(HookGuard.THREAD)) {
      return;
    }
    try {
      SiteCounter c = counter(site);
      ThreadTracker.started(thread, c);
      ThreadSites.record(thread, c.site()); // lets the JUnit verifier name the creation line
    } catch (Throwable e) {
      HookGuard.fail(HookGuard.THREAD, e);
    }
  }

  /** Called with a Netty {@code Timeout} an instrumented {@code newTimeout} call just returned. */
  public static void nettyTimeout(Object timeout, int site) {
    if (timeout == null || !HookGuard.on(HookGuard.NETTY)) {
      return;
    }
    try {
      SiteCounter c = counter(site);
      PolledTimeouts.created(timeout, c);
      TimerEvents.scheduled(c, 0);
    } catch (Throwable e) {
      HookGuard.fail(HookGuard.NETTY, e);
    }
  }

  // ---------------------------------------------------------------- java.util.Timer

  private static boolean timerBegin(Timer timer, TimerTask task, int site, boolean periodic) {
    if (timer == null || task == null || !HookGuard.on(HookGuard.TIMER)) {
      return false;
    }
    try {
      SiteCounter c = counter(site);
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

  // ---------------------------------------------------------------- CompletableFuture

  /** Replaces {@code CompletableFuture.orTimeout(long, TimeUnit)}. */
  public static <T> CompletableFuture<T> orTimeout(
      CompletableFuture<T> f, long timeout, TimeUnit unit, int site) {
    boolean pending = !f.isDone(); // the JDK schedules a timer only for a pending future
    CompletableFuture<T> r = f.orTimeout(timeout, unit);
    if (pending) {
      followTimeout(f, timeout, unit, site, false, null);
    }
    return r;
  }

  /** Replaces {@code CompletableFuture.completeOnTimeout(T, long, TimeUnit)}. */
  public static <T> CompletableFuture<T> completeOnTimeout(
      CompletableFuture<T> f, T value, long timeout, TimeUnit unit, int site) {
    boolean pending = !f.isDone();
    CompletableFuture<T> r = f.completeOnTimeout(value, timeout, unit);
    if (pending) {
      followTimeout(f, timeout, unit, site, true, value);
    }
    return r;
  }

  private static void followTimeout(
      CompletableFuture<?> f, long timeout, TimeUnit unit, int site, boolean byValue, Object value) {
    if (!HookGuard.on(HookGuard.COMPLETABLE)) {
      return;
    }
    try {
      SiteCounter c = counter(site);
      long stamp = c.created();
      long nanos = unit.toNanos(timeout);
      TimerEvents.scheduled(c, nanos);
      f.whenComplete(new TimeoutEnd(c, stamp, byValue, value));
    } catch (Throwable e) {
      HookGuard.fail(HookGuard.COMPLETABLE, e);
    }
  }

  /**
   * Ends a {@code CompletableFuture} timeout when the future completes: fired if the timeout
   * completed it ({@code TimeoutException} for {@code orTimeout}, the very default value for
   * {@code completeOnTimeout}), else cancelled (the JDK cancels its timer then).
   */
  private static final class TimeoutEnd implements BiConsumer<Object, Throwable> {
    private final SiteCounter c;
    private final long stamp;
    private final boolean byValue;
    private final Object value;

    TimeoutEnd(SiteCounter c, long stamp, boolean byValue, Object value) {
      this.c = c;
      this.stamp = stamp;
      this.byValue = byValue;
      this.value = value;
    }

    @Override
    public void accept(Object v, Throwable ex) {
      try {
        boolean timedOut =
            byValue ? ex == null && v == value : ex instanceof java.util.concurrent.TimeoutException;
        if (timedOut) {
          c.fired(stamp);
          TimerEvents.fired(c, stamp);
        } else {
          c.cancelled(stamp);
          TimerEvents.cancelled(c, stamp);
        }
      } catch (Throwable e) {
        HookGuard.fail(HookGuard.COMPLETABLE, e);
      }
    }
  }

  /** Replaces {@code CompletableFuture.delayedExecutor(long, TimeUnit)}. */
  public static Executor delayedExecutor(long delay, TimeUnit unit, int site) {
    return countDelayed(CompletableFuture.delayedExecutor(delay, unit), delay, unit, site);
  }

  /** Replaces {@code CompletableFuture.delayedExecutor(long, TimeUnit, Executor)}. */
  public static Executor delayedExecutor(long delay, TimeUnit unit, Executor executor, int site) {
    return countDelayed(
        CompletableFuture.delayedExecutor(delay, unit, executor), delay, unit, site);
  }

  private static Executor countDelayed(Executor e, long delay, TimeUnit unit, int site) {
    if (!HookGuard.on(HookGuard.COMPLETABLE)) {
      return e;
    }
    try {
      return new DelayedCounting(e, counter(site), unit.toNanos(delay));
    } catch (Throwable t) {
      HookGuard.fail(HookGuard.COMPLETABLE, t);
      return e;
    }
  }

  /** Each {@code execute} on a delayed executor is one timer, live until its task starts. */
  private static final class DelayedCounting implements Executor {
    private final Executor delegate;
    private final SiteCounter c;
    private final long nanos;

    DelayedCounting(Executor delegate, SiteCounter c, long nanos) {
      this.delegate = delegate;
      this.c = c;
      this.nanos = nanos;
    }

    @Override
    public void execute(Runnable command) {
      if (command == null || !HookGuard.on(HookGuard.COMPLETABLE)) {
        delegate.execute(command);
        return;
      }
      TrackedTask<Object> t = new TrackedTask<>(command, null, c, false);
      TimerEvents.scheduled(c, nanos);
      try {
        delegate.execute(t);
      } catch (RejectedExecutionException e) {
        t.cancelled();
        throw e;
      }
    }

    @Override
    public String toString() {
      return delegate.toString();
    }
  }

  // ---------------------------------------------------------------- sampling

  /**
   * Samples executors, threads and polled timeouts (see the trackers). Called by the agent's
   * sampler thread and before each export. Never throws.
   */
  public static void poll() {
    if (HookGuard.on(HookGuard.EXECUTOR)) {
      try {
        ExecutorTracker.poll();
      } catch (Throwable e) {
        HookGuard.fail(HookGuard.EXECUTOR, e);
      }
    }
    if (HookGuard.on(HookGuard.THREAD)) {
      try {
        ThreadTracker.poll();
      } catch (Throwable e) {
        HookGuard.fail(HookGuard.THREAD, e);
      }
    }
    if (HookGuard.on(HookGuard.NETTY)) {
      try {
        PolledTimeouts.poll();
      } catch (Throwable e) {
        HookGuard.fail(HookGuard.NETTY, e);
      }
    }
  }
}
