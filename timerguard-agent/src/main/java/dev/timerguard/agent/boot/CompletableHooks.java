package dev.timerguard.agent.boot;

import dev.timerguard.live.internal.SiteCounter;
import dev.timerguard.live.internal.TimerEnd;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * Hooks for the timers {@code CompletableFuture} schedules on its own daemon scheduler: {@code
 * orTimeout}, {@code completeOnTimeout} and {@code delayedExecutor}. Same contract as {@link
 * ScheduleHooks}. Thread-safe. Public because application classes call it; not an API.
 */
public final class CompletableHooks {

  private CompletableHooks() {}

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
      CompletableFuture<?> f,
      long timeout,
      TimeUnit unit,
      int site,
      boolean byValue,
      Object value) {
    if (!HookGuard.on(HookGuard.COMPLETABLE)) {
      return;
    }
    try {
      SiteCounter c = Hooks.counter(site);
      long stamp = c.start(unit.toNanos(timeout));
      f.whenComplete(new TimeoutEnd(c, stamp, byValue, value));
    } catch (Throwable e) {
      HookGuard.fail(HookGuard.COMPLETABLE, e);
    }
  }

  /**
   * Ends a {@code CompletableFuture} timeout when the future completes: fired if the timeout
   * completed it ({@code TimeoutException} for {@code orTimeout}, the very default value for {@code
   * completeOnTimeout}), else cancelled (the JDK cancels its timer then).
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
            byValue
                ? ex == null && v == value
                : ex instanceof java.util.concurrent.TimeoutException;
        c.end(stamp, timedOut ? TimerEnd.FIRED : TimerEnd.CANCELLED);
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
      return new DelayedCounting(e, Hooks.counter(site), unit.toNanos(delay));
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
      TrackedTask<Object> t = new TrackedTask<>(command, null, c, false, nanos);
      try {
        delegate.execute(t);
      } catch (RejectedExecutionException e) {
        t.end(TimerEnd.REJECTED);
        throw e;
      }
    }

    @Override
    public String toString() {
      return delegate.toString();
    }
  }
}
