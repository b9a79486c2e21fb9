package dev.timerguard;

import dev.timerguard.internal.Sites;
import dev.timerguard.live.CallSite;
import dev.timerguard.live.internal.SiteCounter;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Everything that creates timers: {@link Timers} (owns an engine), {@link TimerScope} (cancels what
 * it created when it closes) and the site-bound views from {@link #at(TimerSite)}.
 *
 * <p>Every timer created here is counted in the live registry from creation until it ends,
 * attributed to the line that created it (see {@link TimerSite} for the cost and the explicit
 * alternative). Actions run on the engine's timer threads, or on the callback executor if the
 * {@link Timers} has one; <b>never on the caller's thread</b> (the one exception is documented on
 * {@link Coalescer#close()}). An action that throws is reported to the {@link TimerErrorHandler}
 * and harms no other timer.
 *
 * <p><b>Durations:</b> a zero or negative delay fires promptly (as soon as a timer thread is free);
 * delays too large for a {@code long} of nanoseconds saturate at about 73 years and never wrap into
 * the past. Periods must be positive. <b>Bad input:</b> a null argument throws {@link
 * NullPointerException} naming it; creating through a closed {@code Timers} or scope throws {@link
 * IllegalStateException} naming what was closed. Thread-safe.
 *
 * <p>Sealed: the sources are {@link Timers}, {@link TimerScope} and the site-bound views.
 */
public abstract sealed class TimerSource permits Timers, TimerScope, TimerSource.SiteBound {

  TimerSource() {}

  /** The owning {@link Timers}. */
  abstract Timers timers();

  /** The scope timers are enrolled in, or null. */
  abstract TimerScope ownerScope();

  /** The explicit site, or null for automatic attribution. */
  abstract TimerSite explicitSite();

  final SiteCounter counter(CallSite.Kind kind, Object key) {
    TimerSite s = explicitSite();
    Timers t = timers();
    return s != null ? s.counter(t.sites(), kind) : Sites.counterFor(t.sites(), kind, key);
  }

  /**
   * Runs {@code action} once after {@code delay}: the counterpart of Go's {@code time.AfterFunc}.
   * Cancel or close the returned handle when the work it guards finishes early.
   */
  @CreatesTimer(CreatesTimer.Kind.ONE_SHOT)
  public final Timeout schedule(Duration delay, Runnable action) {
    Objects.requireNonNull(delay, "delay");
    Objects.requireNonNull(action, "action");
    return newOneShot(counter(CallSite.Kind.TIMER, action), delay, action);
  }

  final OneShot newOneShot(SiteCounter site, Duration delay, Runnable action) {
    long nanos = Timers.toNanos(delay, "delay");
    OneShot t = new OneShot(timers(), ownerScope(), site, nanos, action);
    t.enrol();
    t.arm(nanos);
    return t;
  }

  /**
   * Runs {@code action} every {@code period}, first after one period, at a fixed rate (runs that
   * fall behind are not stacked: they never overlap).
   */
  @CreatesTimer(CreatesTimer.Kind.PERIODIC)
  public final Ticker tickAtFixedRate(Duration period, Runnable action) {
    return ticker(period, action, true);
  }

  /** Runs {@code action} repeatedly with {@code delay} between the end of one run and the next. */
  @CreatesTimer(CreatesTimer.Kind.PERIODIC)
  public final Ticker tickWithFixedDelay(Duration delay, Runnable action) {
    return ticker(delay, action, false);
  }

  private Ticker ticker(Duration period, Runnable action, boolean fixedRate) {
    Timers.requirePositive(period, fixedRate ? "period" : "delay");
    Objects.requireNonNull(action, "action");
    TickerImpl t =
        new TickerImpl(
            timers(),
            ownerScope(),
            counter(CallSite.Kind.TICKER, action),
            action,
            period,
            fixedRate);
    t.enrol();
    t.arm(Timers.toNanos(period, "period"));
    return t;
  }

  /**
   * A future completed after {@code delay}; cancelling it (or completing it yourself) removes the
   * timer at once. The leak-free {@code time.After}.
   */
  @CreatesTimer(CreatesTimer.Kind.ONE_SHOT)
  public final CompletableFuture<Void> after(Duration delay) {
    Objects.requireNonNull(delay, "delay");
    CompletableFuture<Void> f = new CompletableFuture<>();
    OneShot t = newOneShot(counter(CallSite.Kind.TIMER, null), delay, () -> f.complete(null));
    f.whenComplete((v, e) -> t.cancel());
    return f;
  }

  /**
   * Completes {@code future} exceptionally with a {@link TimeoutException} if it is not done within
   * {@code timeout}, like {@link CompletableFuture#orTimeout}, except that the timer is removed
   * from the engine the moment the future completes. Returns {@code future} itself; a future
   * already done gets no timer.
   */
  @CreatesTimer(CreatesTimer.Kind.FUTURE_TIMEOUT)
  public final <T> CompletableFuture<T> withTimeout(CompletableFuture<T> future, Duration timeout) {
    Objects.requireNonNull(future, "future");
    Objects.requireNonNull(timeout, "timeout");
    if (future.isDone()) {
      return future;
    }
    OneShot t =
        newOneShot(
            counter(CallSite.Kind.TIMER, null),
            timeout,
            () -> future.completeExceptionally(new TimeoutException("timed out after " + timeout)));
    future.whenComplete((v, e) -> t.cancel());
    return future;
  }

  /**
   * A watchdog that runs {@code onExpire} unless {@link Watchdog#reset()} comes within {@code
   * timeout}.
   */
  @CreatesTimer(CreatesTimer.Kind.REUSABLE)
  public final Watchdog watchdog(Duration timeout, Runnable onExpire) {
    Timers.requirePositive(timeout, "timeout");
    Objects.requireNonNull(onExpire, "onExpire");
    WatchdogImpl w =
        new WatchdogImpl(
            timers(),
            ownerScope(),
            counter(CallSite.Kind.TIMER, onExpire),
            Timers.toNanos(timeout, "timeout"),
            onExpire);
    w.enrol();
    w.start();
    return w;
  }

  /** A throttle running {@code action} at most once per {@code period}. */
  @CreatesTimer(CreatesTimer.Kind.REUSABLE)
  public final Throttle throttle(Duration period, Runnable action) {
    Timers.requirePositive(period, "period");
    Objects.requireNonNull(action, "action");
    ThrottleImpl t =
        new ThrottleImpl(
            timers(), ownerScope(), counter(CallSite.Kind.TICKER, action), period, action);
    t.enrol();
    return t;
  }

  /**
   * A coalescer flushing to {@code flush} when {@code maxBatch} items are waiting or {@code
   * maxDelay} after the first item of a batch arrived.
   *
   * @throws IllegalArgumentException if {@code maxBatch < 1}
   */
  @CreatesTimer(CreatesTimer.Kind.REUSABLE)
  public final <T> Coalescer<T> coalescer(
      int maxBatch, Duration maxDelay, Consumer<? super List<T>> flush) {
    if (maxBatch < 1) {
      throw new IllegalArgumentException("maxBatch must be at least 1, was " + maxBatch);
    }
    Objects.requireNonNull(maxDelay, "maxDelay");
    Objects.requireNonNull(flush, "flush");
    CoalescerImpl<T> c =
        new CoalescerImpl<>(
            timers(),
            ownerScope(),
            counter(CallSite.Kind.TICKER, flush),
            maxBatch,
            Timers.toNanos(maxDelay, "maxDelay"),
            flush);
    c.enrol();
    return c;
  }

  /** Exponential backoff from {@code initial} doubling up to {@code max}, with 20% jitter. */
  @CreatesTimer(CreatesTimer.Kind.REUSABLE)
  public final Backoff backoff(Duration initial, Duration max) {
    return backoff(initial, max, 2.0, 0.2);
  }

  /**
   * Exponential backoff.
   *
   * @param initial first delay (positive)
   * @param max cap on any delay (at least {@code initial})
   * @param multiplier growth per attempt (at least 1)
   * @param jitter share of each delay that may be randomly removed, in [0, 1]
   */
  @CreatesTimer(CreatesTimer.Kind.REUSABLE)
  public final Backoff backoff(Duration initial, Duration max, double multiplier, double jitter) {
    Timers.requirePositive(initial, "initial");
    Timers.requirePositive(max, "max");
    if (max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("max (" + max + ") is below initial (" + initial + ")");
    }
    if (!(multiplier >= 1) || Double.isInfinite(multiplier)) {
      throw new IllegalArgumentException("multiplier must be at least 1, was " + multiplier);
    }
    if (!(jitter >= 0 && jitter <= 1)) {
      throw new IllegalArgumentException("jitter must be in [0, 1], was " + jitter);
    }
    timers().checkOpen();
    return new BackoffImpl(
        this,
        counter(CallSite.Kind.TIMER, null),
        Timers.toNanos(initial, "initial"),
        Timers.toNanos(max, "max"),
        multiplier,
        jitter);
  }

  /** A new scope whose timers are all cancelled when it closes; nested in this one, if any. */
  public final TimerScope scope() {
    return new TimerScope(timers(), ownerScope(), explicitSite());
  }

  /** A view of this source that attributes every timer to {@code site} (no stack walking). */
  public final TimerSource at(TimerSite site) {
    Objects.requireNonNull(site, "site");
    return new SiteBound(timers(), ownerScope(), site);
  }

  /** The site-bound view returned by {@link #at}. */
  static final class SiteBound extends TimerSource {
    private final Timers timers;
    private final TimerScope scope;
    private final TimerSite site;

    SiteBound(Timers timers, TimerScope scope, TimerSite site) {
      this.timers = timers;
      this.scope = scope;
      this.site = site;
    }

    @Override
    Timers timers() {
      return timers;
    }

    @Override
    TimerScope ownerScope() {
      return scope;
    }

    @Override
    TimerSite explicitSite() {
      return site;
    }
  }
}
