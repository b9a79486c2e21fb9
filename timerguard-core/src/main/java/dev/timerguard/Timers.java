package dev.timerguard;

import dev.timerguard.internal.LiveSet;
import dev.timerguard.internal.Sites;
import dev.timerguard.live.CallSite;
import dev.timerguard.live.LiveRegistry;
import dev.timerguard.live.internal.SiteCounter;
import dev.timerguard.live.internal.SiteRegistry;
import dev.timerguard.wheel.WheelScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The entry point of the safe timer API: a timer service on an engine, counting every timer it
 * creates per call site in the {@link LiveRegistry}.
 *
 * <pre>{@code
 * Timers timers = Timers.shared();                       // or Timers.create() and close it
 * try (Timeout t = timers.schedule(Duration.ofSeconds(5), this::abort)) {
 *   doWork();                                           // done early: the timer is removed now
 * }
 * }</pre>
 *
 * <p><b>Engine.</b> Timers run on a pluggable engine: by default a {@link WheelScheduler} (a
 * sharded timing wheel: O(1) schedule and cancel, cancelled timers removed at once, timers late by
 * at most about 1 ms, daemon threads), or any {@link ScheduledExecutorService} given to the {@link
 * Builder} (which this instance then owns and shuts down on close). <b>Callbacks</b> run on the
 * engine's threads (the wheel's callback pool), or on the {@link Builder#callbackExecutor callback
 * executor} if one is set; never on the caller's thread.
 *
 * <p><b>Callbacks that block.</b> The default wheel's callback pool is elastic and bounded: it
 * starts another thread whenever a timer falls due while all of its threads are busy, up to 256
 * threads, and idle threads retire after 30 s. So callbacks that block (this instance and {@link
 * #shared()} serve every caller of the process alike) cost others one thread each, not lateness:
 * another site's 10 ms timer still fires on time while up to 256 callbacks block. Past that bound,
 * due callbacks queue for the first free thread and fire late; none is dropped or run on the timer
 * thread. A callback that runs longer than 100 ms is reported once per call site, with that site,
 * through the {@code System.Logger} named {@code dev.timerguard.wheel}: move its blocking work to
 * an executor of your own. See {@link WheelScheduler} for the details. With a {@link
 * Builder#callbackExecutor callback executor}, its own policy applies.
 *
 * <p><b>Ownership and close.</b> {@link #shared()} is process-wide and cannot be closed. Any other
 * instance owns its engine: {@link #closeNow()} cancels every live timer (counted as cancelled),
 * stops the engine, and hands back the actions of one-shots that never ran; pending {@link
 * Coalescer}s flush first, so nothing added is dropped. After close, creating a timer throws {@link
 * IllegalStateException} naming this instance. Creating many instances is itself a leak smell: a
 * warning is logged, once, with the creating site, when more than 256 are open at once.
 *
 * <p>Thread-safe.
 */
public final class Timers extends TimerSource implements AutoCloseable {

  /** Delays saturate here (about 73 years) so deadlines can never wrap into the past. */
  static final long MAX_DELAY_NANOS = Long.MAX_VALUE >> 2;

  private static final AtomicInteger OPEN = new AtomicInteger();
  private static final AtomicBoolean WARNED = new AtomicBoolean();
  private static final int WARN_INSTANCES = 256;

  private final String name;
  private final ScheduledExecutorService engine;
  private final LiveRegistry registry;
  private final SiteRegistry sites; // the same registry, as its writers see it
  private final TimerErrorHandler onError;
  private final Executor callbackExecutor;
  private final boolean shared;
  private final java.util.function.LongSupplier clock;

  /** The default wheel, when it and the registry both use System.nanoTime; else null. */
  private final WheelScheduler stampSource;

  final LiveSet live = new LiveSet(Math.max(4, Runtime.getRuntime().availableProcessors() * 2));
  private final AtomicBoolean closed = new AtomicBoolean();

  private Timers(Builder b, boolean shared) {
    this.name = b.name;
    this.registry = b.registry;
    this.sites = SiteRegistry.of(b.registry);
    this.onError = b.onError;
    if (b.engine != null) {
      this.engine = b.engine;
      this.callbackExecutor = b.callbackExecutor;
      this.stampSource = null;
    } else {
      // the default engine: the timing wheel, not counting (this API counts its own handles)
      WheelScheduler.Builder wb =
          WheelScheduler.builder().name("timerguard-" + b.name).countTimers(false);
      if (b.callbackExecutor != null) {
        wb.callbackExecutor(b.callbackExecutor); // the wheel dispatches: no second hop here
      }
      WheelScheduler wheel = wb.build();
      this.engine = wheel;
      this.callbackExecutor = null;
      // both on System.nanoTime: creations are stamped without a clock read
      this.stampSource = sites.isSystemClock() ? wheel : null;
    }
    this.shared = shared;
    this.clock = b.clock;
    if (!shared && OPEN.incrementAndGet() > WARN_INSTANCES && WARNED.compareAndSet(false, true)) {
      System.getLogger("dev.timerguard")
          .log(
              System.Logger.Level.WARNING,
              "more than "
                  + WARN_INSTANCES
                  + " Timers instances are open; create one per service, not per call. Latest from "
                  + Sites.caller(CallSite.Kind.EXECUTOR).location());
    }
  }

  private static final class Shared {
    static final Timers INSTANCE = new Timers(new Builder().name("shared"), true);
  }

  /** The process-wide instance (daemon timer thread, created on first use, never closed). */
  public static Timers shared() {
    return Shared.INSTANCE;
  }

  /** A new instance with default settings; close it when done. */
  @CreatesTimer(CreatesTimer.Kind.ENGINE)
  public static Timers create() {
    return builder().build();
  }

  /** A builder for a configured instance. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Sleeps for {@code duration}, honouring interruption: if the thread is interrupted before or
   * during the sleep, throws {@link InterruptedException} (with the interrupt status cleared, as
   * {@link Thread#sleep} does) and never swallows it. Zero or negative durations return at once
   * (after the interrupt check); huge ones saturate. Uses no timer.
   *
   * @throws NullPointerException if {@code duration} is null
   */
  public static void sleep(Duration duration) throws InterruptedException {
    long nanos = toNanos(Objects.requireNonNull(duration, "duration"), "duration");
    if (Thread.interrupted()) {
      throw new InterruptedException("interrupted before sleeping");
    }
    long deadline = System.nanoTime() + nanos;
    for (long left = nanos; left > 0; left = deadline - System.nanoTime()) {
      LockSupport.parkNanos(left);
      if (Thread.interrupted()) {
        throw new InterruptedException("interrupted while sleeping");
      }
    }
  }

  /** The name given by the builder ({@code "shared"} for {@link #shared()}). */
  public String name() {
    return name;
  }

  /** The registry this instance counts in. */
  public LiveRegistry registry() {
    return registry;
  }

  /** Live timers created through this instance (its scopes included). */
  public int liveCount() {
    return live.members().size();
  }

  /** True once {@link #close()} or {@link #closeNow()} was called. */
  public boolean isClosed() {
    return closed.get();
  }

  /**
   * Cancels every live timer, stops the engine, and returns the actions of one-shots that never ran
   * (in no particular order). Idempotent: later calls return an empty list.
   *
   * @throws IllegalStateException on {@link #shared()}
   */
  public List<Runnable> closeNow() {
    if (shared) {
      throw new IllegalStateException(
          "the shared Timers cannot be closed; use Timers.create() for one you own");
    }
    if (!closed.compareAndSet(false, true)) {
      return new ArrayList<>();
    }
    OPEN.decrementAndGet();
    List<Runnable> neverRan = new ArrayList<>();
    for (LiveSet.Node n : live.drain()) {
      Runnable r = ((Handle) n).cancelForClose();
      if (r != null) {
        neverRan.add(r);
      }
    }
    engine.shutdownNow();
    return neverRan;
  }

  /** Same as {@link #closeNow()}, discarding the list. */
  @Override
  public void close() {
    closeNow();
  }

  /**
   * Waits for the engine's threads to finish after close.
   *
   * @return true if they finished within the timeout
   */
  public boolean awaitTermination(Duration timeout) throws InterruptedException {
    return engine.awaitTermination(
        toNanos(Objects.requireNonNull(timeout, "timeout"), "timeout"), TimeUnit.NANOSECONDS);
  }

  @Override
  public String toString() {
    return "Timers[" + name + (closed.get() ? ", closed" : "") + "]";
  }

  // ---- TimerSource plumbing ----

  @Override
  Timers timers() {
    return this;
  }

  @Override
  TimerScope ownerScope() {
    return null;
  }

  @Override
  TimerSite explicitSite() {
    return null;
  }

  ScheduledExecutorService engine() {
    return engine;
  }

  long nanoTime() {
    return clock.getAsLong();
  }

  /** The registry this instance counts in, as its writers see it. */
  SiteRegistry sites() {
    return sites;
  }

  /**
   * Starts a timer's count (and JFR start event) at {@code counter}; returns its stamp (see {@link
   * Handle}).
   */
  long started(SiteCounter counter, long delayNanos) {
    WheelScheduler w = stampSource;
    return w != null ? counter.startAt(w.recentNanoTime(), delayNanos) : counter.start(delayNanos);
  }

  void checkOpen() {
    if (closed.get()) {
      throw closedError();
    }
  }

  IllegalStateException closedError() {
    return new IllegalStateException("Timers '" + name + "' is closed");
  }

  Future<?> engineSchedule(Runnable task, long delay, TimeUnit unit) {
    try {
      return engine.schedule(task, delay, unit);
    } catch (RejectedExecutionException e) {
      IllegalStateException ise = closedError();
      ise.initCause(e);
      throw ise;
    }
  }

  /**
   * Schedules a timer that may fire up to {@code windowNanos} late so that timers with close
   * deadlines share one expiry pass (the wheel's coalescing mode); other engines fire it on time.
   */
  Future<?> engineScheduleCoalesced(Runnable task, long delayNanos, long windowNanos) {
    if (!(engine instanceof WheelScheduler) || windowNanos <= 0 || delayNanos <= 0) {
      return engineSchedule(task, delayNanos, TimeUnit.NANOSECONDS);
    }
    try {
      return ((WheelScheduler) engine)
          .scheduleCoalesced(task, delayNanos, TimeUnit.NANOSECONDS, Duration.ofNanos(windowNanos));
    } catch (RejectedExecutionException e) {
      IllegalStateException ise = closedError();
      ise.initCause(e);
      throw ise;
    }
  }

  /** Runs an action on the callback executor if there is one, else here (a timer thread). */
  void dispatch(CallSite site, Runnable action) {
    Executor cb = callbackExecutor;
    if (cb == null) {
      invoke(site, action);
      return;
    }
    try {
      cb.execute(() -> invoke(site, action));
    } catch (RuntimeException e) {
      report(site, e); // the executor refused: report, never lose silently
    }
  }

  /** Runs an action, reporting what it throws; never throws itself. */
  void invoke(CallSite site, Runnable action) {
    try {
      action.run();
    } catch (Throwable t) {
      report(site, t);
    }
  }

  /**
   * Hands an action's failure to the error handler. If the handler itself throws, the timer thread
   * still goes on: a new {@link IllegalStateException} (cause: the handler's error, suppressed: the
   * action's error) goes to this thread's uncaught-exception handler, as {@link TimerErrorHandler}
   * promises. The handler's own exception is not modified (it may be shared).
   */
  private void report(CallSite site, Throwable t) {
    try {
      onError.onError(site, t);
    } catch (Throwable handlerFailure) {
      try {
        IllegalStateException both =
            new IllegalStateException(
                "TimerErrorHandler of "
                    + name
                    + " threw while reporting the failure of the timer created at "
                    + site.location(),
                handlerFailure);
        both.addSuppressed(t);
        Thread me = Thread.currentThread();
        me.getUncaughtExceptionHandler().uncaughtException(me, both);
      } catch (Throwable ignored) {
        // the uncaught-exception handler failed too; the timer thread must survive regardless
      }
    }
  }

  // ---- durations ----

  static long toNanos(Duration d, String what) {
    Objects.requireNonNull(d, what);
    if (d.isNegative() || d.isZero()) {
      return 0;
    }
    try {
      return Math.min(d.toNanos(), MAX_DELAY_NANOS);
    } catch (ArithmeticException tooBig) {
      return MAX_DELAY_NANOS;
    }
  }

  static void requirePositive(Duration d, String what) {
    Objects.requireNonNull(d, what);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(what + " must be positive, was " + d);
    }
  }

  /** Configures a {@link Timers}. Not thread-safe; each {@link #build()} makes a new instance. */
  public static final class Builder {
    private String name = "timers";
    private ScheduledExecutorService engine;
    private LiveRegistry registry = LiveRegistry.global();
    private TimerErrorHandler onError = TimerErrorHandler.logging();
    private Executor callbackExecutor;
    private java.util.function.LongSupplier clock = System::nanoTime;

    private Builder() {}

    /**
     * The clock that watchdogs, throttles and coalescers read, in nanoseconds (default {@link
     * System#nanoTime()}). Give a manual clock together with a manual engine to drive time in tests
     * and simulations instead of sleeping.
     */
    public Builder clock(java.util.function.LongSupplier nanoClock) {
      this.clock = Objects.requireNonNull(nanoClock, "nanoClock");
      return this;
    }

    /** Name used in thread names and error messages. */
    public Builder name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * The engine to run on; the built {@link Timers} takes ownership and shuts it down on close.
     * Default: a {@link WheelScheduler} with counting off (the API counts its own handles). An
     * engine that counts its own tasks in the same registry would count every timer twice.
     */
    public Builder engine(ScheduledExecutorService engine) {
      this.engine = Objects.requireNonNull(engine, "engine");
      return this;
    }

    /**
     * The registry to count in (default: {@link LiveRegistry#global()}).
     *
     * @throws NullPointerException if {@code registry} is null
     * @throws IllegalArgumentException if {@code registry} was not made by {@link
     *     LiveRegistry#global()} or {@link LiveRegistry#create}
     */
    public Builder registry(LiveRegistry registry) {
      SiteRegistry.of(registry);
      this.registry = registry;
      return this;
    }

    /** Where actions' failures go (default: {@link TimerErrorHandler#logging()}). */
    public Builder onError(TimerErrorHandler handler) {
      this.onError = Objects.requireNonNull(handler, "handler");
      return this;
    }

    /**
     * Runs actions on this executor instead of the engine's own threads. With the default wheel
     * engine every callback goes there; with an engine of your own, one-shot actions do, while
     * tickers, watchdogs, throttles and coalescers still run on the engine's threads. Not owned:
     * not shut down on close.
     */
    public Builder callbackExecutor(Executor executor) {
      this.callbackExecutor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /** Builds a new instance. */
    @CreatesTimer(CreatesTimer.Kind.ENGINE)
    public Timers build() {
      return new Timers(this, false);
    }
  }
}
