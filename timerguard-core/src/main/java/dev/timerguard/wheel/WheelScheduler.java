package dev.timerguard.wheel;

import dev.timerguard.internal.Sites;
import dev.timerguard.live.CallSite;
import dev.timerguard.live.LiveRegistry;
import dev.timerguard.live.internal.SiteCounter;
import dev.timerguard.live.internal.SiteRegistry;
import dev.timerguard.live.internal.TimerEnd;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * A {@link ScheduledExecutorService} backed by a sharded hierarchical timing wheel: O(1) schedule
 * and cancel, 40 bytes per pending one-shot timer including its future (48 when counted in the
 * global live registry), delays from zero to {@code Long.MAX_VALUE} nanoseconds (saturating; a
 * delay never overflows into the past).
 *
 * <p><b>Precision.</b> Time advances in ticks of a power-of-two number of nanoseconds (the
 * requested tick rounded up; the default is 2^19 ns = 0.524 ms). A timer never fires before its
 * delay has elapsed. A one-shot timer with a positive delay is scheduled without reading the clock
 * (that read is half the cost of a schedule+cancel pair): it waits in its shard until the next
 * expiry pass, or until 64 timers wait there, and its deadline is then the clock read at that
 * moment plus the delay. It then fires in the first pass at or after that deadline. So it is late
 * by at most two ticks (one until its deadline is fixed, one until the pass) plus the time to hand
 * it to the callback executor and for that executor to start it: at the default tick, at most 1.05
 * ms plus dispatch, when the tick thread runs on time. A stall of the tick thread (a GC pause, a
 * starved CPU, a callback executor whose {@code execute} blocks, an {@link InlineTask} that is not
 * cheap) adds to the delay of the timers scheduled during it. Timers of a busy scheduling thread
 * get their deadlines within microseconds of their calls, so they are late by at most one tick.
 * {@code getDelay} and {@code compareTo} fix the deadline when asked. Periodic, coalesced and
 * zero-delay timers read the clock when scheduled.
 *
 * <p><b>Threads.</b> One daemon tick thread per scheduler runs the expiry passes: every tick while
 * timers are being scheduled; when no one has scheduled for a tick, it sleeps until the first tick
 * with a timer due (at most one turn of the first level, 1.07 s by default), and while the wheel is
 * empty it parks until a timer is scheduled. An idle wheel holding long timers thus costs no CPU.
 * Tasks implementing {@link InlineTask} run on the tick thread itself; every other callback runs on
 * the callback executor, never on the tick thread or the scheduling thread. It is deliberately not
 * {@code ForkJoinPool.commonPool()}: timer callbacks may block, and a blocked callback must not
 * starve parallel streams or CompletableFutures of the whole process.
 *
 * <p><b>Callbacks that block.</b> By default the callback executor is an elastic pool owned by this
 * scheduler, which dies with it. A due callback goes to an idle pool thread if there is one; if all
 * are busy the pool starts another, up to a bound ({@link Builder#maxCallbackThreads}, default
 * 256), as long as the busy threads are blocked (their callbacks wait, sleep or park) but for fewer
 * than the processors (at least 2); threads are started on demand and retire after 30 s without
 * work. So a callback that blocks costs the other timers one thread, not their timeliness: until
 * the bound, a timer of another site still fires on time however many callbacks block. Callbacks
 * that only compute share as many threads as there are processors, and the others wait for one of
 * them in a FIFO queue: more threads would only slow each other down. A callback blocked in native
 * code (a socket read) looks like one that computes; so when the queue has not moved for 20 ms, the
 * pool starts one more thread anyway. And on cores shared with other processes, threads that
 * compute can get too small a share of the CPU for the callbacks' work: while the oldest queued
 * callback has waited 20 ms, the pool starts one more thread per 20 ms, up to four times the
 * processors. At the bound, callbacks wait in the FIFO queue for the first thread to come free, and
 * fire late by that wait; they are never dropped, and never run on the tick thread (which would
 * stop every timer). The bound is the number of callbacks that may block at once before the others
 * are delayed. With a {@link Builder#callbackExecutor callback executor} of your own, its policy
 * decides instead (a fixed pool of {@code n} threads lets {@code n} blocked callbacks delay all
 * others; an executor that rejects ends the timer as cancelled and reports the rejection). A
 * callback running longer than {@link Builder#slowCallbackThreshold the slow-callback threshold}
 * (default 100 ms) is reported once per call site, as a warning of the {@code System.Logger} named
 * {@code dev.timerguard.wheel} that names the site where its timer was scheduled (the site in the
 * {@link LiveRegistry}, or that of the {@code Timers} handle the task belongs to): when it returns,
 * or, on the owned pool, already while it runs once every pool thread is busy. The first time the
 * bound is hit is also reported, once.
 *
 * <p><b>Thread-safety and cost.</b> All methods are thread-safe. The wheel is split in shards, each
 * with its own lock; a caller thread starts on a shard chosen by its id, moves to another at random
 * when it finds its shard's lock held by another caller, links its timer directly into its shard
 * and unlinks it on cancel (a timer remembers its shard). A schedule+cancel pair costs two
 * uncontended lock acquisitions and no clock read, queue or allocation besides the returned future,
 * which is itself the list node. A cancelled timer is removed at once and its task released.
 *
 * <p><b>Contract.</b> Matches {@link java.util.concurrent.ScheduledThreadPoolExecutor} with its
 * default policies: after {@link #shutdown()} delayed one-shot timers still run, periodic timers
 * are cancelled, new tasks are rejected with a {@link RejectedExecutionException} naming this
 * scheduler; {@link #shutdownNow()} cancels everything pending and returns the futures of what
 * never ran (and interrupts callbacks running on the owned pool). A periodic task that throws is
 * not run again; its future completes with the exception. {@code cancel} returns true exactly when
 * the callback will not run (again): a one-shot whose callback has started is no longer cancellable
 * (unlike {@code FutureTask}, so fired + cancelled = scheduled holds exactly), and {@code
 * cancel(true)} never interrupts a running callback. A task that throws is recorded in its future
 * and, if one is set, reported to the builder's exception handler; it never stops the wheel.
 *
 * <p><b>Counting.</b> Unless built with {@code countTimers(false)}, every task scheduled here is
 * recorded in the {@link LiveRegistry} under the caller's site ({@link CallSite.Kind#TIMER} for
 * one-shots, {@link CallSite.Kind#TICKER} for periodic): created when scheduled, then exactly one
 * of fired (a one-shot starts running; a periodic fails) or cancelled (cancel, shutdown,
 * shutdownNow). Each is counted in the call that makes it happen, so a snapshot taken at a quiet
 * moment is exact.
 *
 * <p>Ownership: whoever creates a scheduler must shut it down (or {@link #close()} it); the tick
 * thread and the owned pool are daemon threads, but a scheduler per call is a thread leak.
 */
public final class WheelScheduler extends AbstractExecutorService
    implements ScheduledExecutorService, AutoCloseable {

  private static final AtomicInteger SEQUENCE = new AtomicInteger();

  /** The default bound of the owned callback pool ({@link Builder#maxCallbackThreads}). */
  static final int DEFAULT_MAX_CALLBACK_THREADS = 256;

  /** The highest bound {@link Builder#maxCallbackThreads} accepts. */
  static final int MAX_CALLBACK_THREADS_LIMIT = 4096;

  private final String name;
  final Shard[] shards;
  private final int shardMask;
  private final int tickShift;
  private final int wheelBits;
  private final LongSupplier clock; // null: System.nanoTime()
  private final long origin;
  private final SiteRegistry registry; // null: counting off
  private final boolean systemStamps; // the registry and this wheel both use System.nanoTime
  private final long coalesceNanos;

  // the parts, each with one job (see their class comments)
  /** Run state, shutdown, termination. */
  final Lifecycle lifecycle;

  /** Where due callbacks go, and the slow-callback watch. */
  final Dispatcher callbacks;

  /** The tick thread and its expiry passes. */
  final TickLoop ticks;

  private WheelScheduler(Builder b) {
    this.name = b.name != null ? b.name : "timerguard-wheel-" + SEQUENCE.incrementAndGet();
    this.clock = b.clock;
    this.origin = b.clock == null ? System.nanoTime() : b.clock.getAsLong();
    this.tickShift = b.tickShift;
    this.wheelBits = b.wheelBits;
    this.registry = b.countTimers ? SiteRegistry.of(b.registry) : null;
    this.systemStamps = registry != null && registry.isSystemClock() && b.clock == null;
    this.coalesceNanos = b.coalesceNanos;
    this.siteMemos = registry == LiveRegistry.global() ? new SiteMemo[moves.length] : null;
    this.lifecycle = new Lifecycle(this); // before the shards, which keep it at hand
    int n = b.shards;
    this.shards = new Shard[n];
    this.shardMask = n - 1;
    for (int i = 0; i < n; i++) {
      shards[i] = new Shard.Padded(this, tickShift, b.wheelBits, 0L);
    }
    SlowCallbacks slow =
        new SlowCallbacks(
            this, b.slowNanos, b.log != null ? b.log : System.getLogger("dev.timerguard.wheel"));
    this.callbacks =
        new Dispatcher(
            this,
            b.executor,
            b.manual,
            b.maxCallbackThreads,
            b.callbackKeepAliveNanos,
            b.coalesceNanos,
            b.exceptionHandler,
            slow);
    ThreadFactory tf =
        b.manual ? null : b.threadFactory != null ? b.threadFactory : daemonFactory(name + "-tick");
    this.ticks = new TickLoop(this, shards, tickShift, tf);
    ticks.start();
  }

  private static ThreadFactory daemonFactory(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix.endsWith("-") ? prefix + n.incrementAndGet() : prefix);
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * A scheduler with the defaults: 0.5 ms tick (2^19 ns), 2048 first-level buckets, shards for the
   * machine's processors, an owned callback pool, counting in {@link LiveRegistry#global()}.
   */
  public static WheelScheduler create() {
    return builder().build();
  }

  /** A builder with the defaults of {@link #create()}. */
  public static Builder builder() {
    return new Builder();
  }

  // ---------------------------------------------------------------- time

  /** Nanoseconds since this scheduler's origin. */
  long now() {
    return (clock == null ? System.nanoTime() : clock.getAsLong()) - origin;
  }

  static long saturatedAdd(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
  }

  /**
   * A reading of this scheduler's clock ({@link System#nanoTime()} unless the builder set another)
   * at most about a tick old, taken without a clock read while timers are being scheduled: the tick
   * thread's last one. For cheap coarse timestamps, such as creation stamps in a {@link
   * LiveRegistry} (see {@link SiteCounter#startAt(long, long)}).
   */
  public long recentNanoTime() {
    return origin + ticks.recentNow();
  }

  /** The tick length in nanoseconds (a power of two). */
  public long tickNanos() {
    return 1L << tickShift;
  }

  /** This scheduler's name, used in thread names and error messages. */
  public String name() {
    return name;
  }

  // ---------------------------------------------------------------- scheduling

  /**
   * Per slot of thread ids: how far the threads of that slot moved from their first shard. A thread
   * starts on shard {@code id mod shards}; when it finds its shard's lock taken by another caller,
   * it moves to a random one for its later timers, so two busy threads that hash to one shard part
   * ways instead of contending forever (which halves their throughput). A hint only: a timer
   * remembers its shard, so cancel goes there whatever the slot says now; racy updates are
   * harmless.
   */
  private final byte[] moves = new byte[1024];

  private Shard shard(int slot, long threadId) {
    return shards[(int) (threadId + moves[slot]) & shardMask];
  }

  // ---------------------------------------------------------------- counting

  /**
   * Per slot of thread ids (as {@link #moves}): the one-shot site its threads counted last, so that
   * a thread scheduling the same lambda again finds its counter with one field read and one class
   * comparison instead of the shared per-class lookup. Only for the global registry and task
   * classes written at one place in the source, the cases where {@link Sites#counterFor} itself
   * answers by class: the same counter that lookup returns, so counts are unchanged. Racy by
   * design: a slot holds an immutable memo, and a stale one only costs a lookup.
   */
  private final SiteMemo[] siteMemos;

  private static final class SiteMemo {
    final Class<?> type;
    final SiteCounter counter;

    SiteMemo(Class<?> type, SiteCounter counter) {
      this.type = type;
      this.counter = counter;
    }
  }

  private SiteCounter timerCounter(int slot, Object task) {
    SiteMemo[] memos = siteMemos;
    if (memos != null) {
      SiteMemo m = memos[slot];
      Class<?> type = task.getClass();
      if (m != null && m.type == type) {
        return m.counter;
      }
      SiteCounter c = Sites.counterFor(registry, CallSite.Kind.TIMER, task);
      if (Sites.pinsOneLocation(type)) {
        memos[slot] = new SiteMemo(type, c);
      }
      return c;
    }
    return Sites.counterFor(registry, CallSite.Kind.TIMER, task);
  }

  /**
   * Creation stamps of counted one-shots are readings of this scheduler's clock rounded down to
   * 2^20 ns (1.05 ms) since its origin, kept in 32 bits as a count of those units (see {@link
   * #expandStamp}, {@link TimerEntry.Counted}), so that a counted timer is 48 bytes instead of 56.
   * The rounding adds at most 1.05 ms to the age of a creation reading that is already up to a tick
   * old: the counter dates timers to the second.
   */
  private static final int STAMP_SHIFT = 20;

  /**
   * A compact stamp is recovered from the clock when the timer ends, which is exact while the timer
   * is younger than 2^31 units (26 days). A one-shot ends by its deadline (fired, or cancelled
   * before), so delays up to 2^50 ns (13 days) keep half of that margin for lateness; longer ones
   * keep their stamp in full ({@link TimerEntry.CountedFullStamp}).
   */
  static final long COMPACT_STAMP_MAX_DELAY = 1L << 50;

  /**
   * The stamp {@code units} stands for: the one within 2^31 units of this scheduler's recent clock
   * reading whose low 32 bits are {@code units}.
   */
  long expandStamp(int units) {
    return origin + (unitsNear(ticks.recentNow() >>> STAMP_SHIFT, units) << STAMP_SHIFT);
  }

  /** The count of units within 2^31 of {@code nowUnits} whose low 32 bits are {@code low}. */
  static long unitsNear(long nowUnits, int low) {
    return nowUnits - (int) ((int) nowUnits - low);
  }

  private <V> TimerEntry<V> enqueue(Object task, long delayNanos, long period) {
    return enqueue(task, delayNanos, period, period == 0 ? coalesceNanos : 0);
  }

  private <V> TimerEntry<V> enqueue(Object task, long delayNanos, long period, long window) {
    if (lifecycle.rejectsNew()) {
      throw lifecycle.rejected(task);
    }
    long deadline;
    if (delayNanos > 0 && period == 0 && window == 0) {
      // the common one-shot: no clock read here; the shard fixes the deadline (Shard#absorbLocked)
      deadline = -1 - delayNanos;
    } else {
      long now = now();
      deadline = delayNanos <= 0 ? now : saturatedAdd(now, delayNanos);
      if (window > 0 && deadline != Long.MAX_VALUE) {
        long r = deadline % window;
        if (r != 0) {
          deadline = saturatedAdd(deadline, window - r);
        }
      }
    }
    long threadId = Thread.currentThread().getId();
    int slot = (int) threadId & (moves.length - 1);
    Shard s = shard(slot, threadId);
    TimerEntry<V> e =
        registry == null
            ? new TimerEntry<>(s, task, deadline)
            : counted(s, slot, task, deadline, delayNanos, period);
    int inserted = s.insertNew(e);
    if (inserted == Shard.CONTENDED && shardMask > 0) {
      // another shard at random, not the next: two threads that met must not move in step
      moves[slot] += (byte) (1 + ThreadLocalRandom.current().nextInt(shardMask));
    } else if (inserted == Shard.REJECTED) {
      SiteCounter counter = e.counter();
      if (counter != null) {
        counter.end(e.stamp(), TimerEnd.REJECTED);
      }
      throw lifecycle.rejected(task);
    }
    ticks.wakeIfSleeping();
    return e;
  }

  /** A new timer counted at its site: created in the registry now (kept out of enqueue's way). */
  private <V> TimerEntry<V> counted(
      Shard s, int slot, Object task, long deadline, long delayNanos, long period) {
    if (period != 0) {
      SiteCounter counter = Sites.counterFor(registry, CallSite.Kind.TICKER, task);
      long stamp = startCounted(counter, Math.abs(period));
      @SuppressWarnings("unchecked")
      TimerEntry<V> p =
          (TimerEntry<V>)
              new TimerEntry.Periodic(s, (Runnable) task, deadline, period, counter, stamp);
      return p;
    }
    SiteCounter counter = timerCounter(slot, task);
    if (systemStamps && delayNanos < COMPACT_STAMP_MAX_DELAY) {
      // no clock read here either: the stamp only dates the oldest live timer, to the second
      long units = ticks.recentNow() >>> STAMP_SHIFT;
      counter.startAt(origin + (units << STAMP_SHIFT), delayNanos);
      return new TimerEntry.Counted<>(s, task, deadline, counter, (int) units);
    }
    long stamp = startCounted(counter, delayNanos);
    return new TimerEntry.CountedFullStamp<>(s, task, deadline, counter, stamp);
  }

  /**
   * Counts the start of a timer of {@code counter}'s site, stamped from the tick thread's recent
   * clock where the registry and this wheel share {@code System.nanoTime} (no clock read), and
   * returns the stamp to end it with.
   */
  long startCounted(SiteCounter counter, long delayNanos) {
    return systemStamps
        ? counter.startAt(origin + ticks.recentNow(), delayNanos)
        : counter.start(delayNanos);
  }

  // ---------------------------------------------------------------- deadline sets

  /** The open {@link Deadlines} sets; copied on change (rare), read by every expiry pass. */
  volatile Deadlines[] deadlineSets = new Deadlines[0];

  /**
   * A set of allocation-free deadlines on this scheduler: each carries a {@code long} payload, and
   * when it passes, {@code onExpired} runs with that payload on the tick thread. See {@link
   * Deadlines} for handles, firing, counting and lifecycle. The set's arrays start small and grow
   * as needed.
   *
   * @throws NullPointerException if {@code onExpired} is null
   * @throws RejectedExecutionException if this scheduler is shut down
   */
  public Deadlines deadlines(LongConsumer onExpired) {
    return deadlines(onExpired, 0);
  }

  /**
   * {@link #deadlines(LongConsumer)} with room for {@code initialCapacity} pending deadlines in
   * each stripe the set makes (one per scheduling thread, about), so that scheduling up to that
   * many never allocates.
   *
   * @throws NullPointerException if {@code onExpired} is null
   * @throws IllegalArgumentException if {@code initialCapacity} is negative or above what a stripe
   *     of a set can hold (2^24 slots less the wheel's bucket heads)
   * @throws RejectedExecutionException if this scheduler is shut down
   */
  public Deadlines deadlines(LongConsumer onExpired, int initialCapacity) {
    Objects.requireNonNull(onExpired, "onExpired");
    int most = Deadlines.maxPerStripe(tickShift, wheelBits);
    if (initialCapacity < 0 || initialCapacity > most) {
      throw new IllegalArgumentException(
          "initialCapacity must be between 0 and " + most + ", was " + initialCapacity);
    }
    SiteCounter counter =
        registry == null ? null : Sites.counterFor(registry, CallSite.Kind.TIMER, onExpired);
    synchronized (lifecycle) {
      if (lifecycle.rejectsNew()) {
        throw new RejectedExecutionException(
            "WheelScheduler " + name + " is shut down; cannot make a deadline set");
      }
      Deadlines d = new Deadlines(this, onExpired, counter, tickShift, wheelBits, initialCapacity);
      Deadlines[] old = deadlineSets;
      Deadlines[] sets = Arrays.copyOf(old, old.length + 1);
      sets[old.length] = d;
      deadlineSets = sets;
      return d;
    }
  }

  /** A set was closed: the tick thread stops visiting it. */
  void removeDeadlines(Deadlines d) {
    synchronized (lifecycle) {
      Deadlines[] old = deadlineSets;
      for (int i = 0; i < old.length; i++) {
        if (old[i] == d) {
          Deadlines[] sets = Arrays.copyOf(old, old.length - 1);
          System.arraycopy(old, i + 1, sets, i, old.length - 1 - i);
          deadlineSets = sets;
          return;
        }
      }
    }
  }

  private static long toNanos(long delay, TimeUnit unit) {
    return Objects.requireNonNull(unit, "unit").toNanos(delay);
  }

  @Override
  public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    Objects.requireNonNull(command, "command");
    return enqueue(command, toNanos(delay, unit), 0);
  }

  @Override
  public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    Objects.requireNonNull(callable, "callable");
    return enqueue(callable, toNanos(delay, unit), 0);
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(
      Runnable command, long initialDelay, long period, TimeUnit unit) {
    Objects.requireNonNull(command, "command");
    long p = toNanos(period, unit);
    if (period <= 0) {
      throw new IllegalArgumentException("period must be positive, was " + period + " " + unit);
    }
    return enqueue(command, toNanos(initialDelay, unit), Math.max(1, p));
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(
      Runnable command, long initialDelay, long delay, TimeUnit unit) {
    Objects.requireNonNull(command, "command");
    long d = toNanos(delay, unit);
    if (delay <= 0) {
      throw new IllegalArgumentException("delay must be positive, was " + delay + " " + unit);
    }
    return enqueue(command, toNanos(initialDelay, unit), -Math.max(1, d));
  }

  /**
   * Schedules a one-shot timer whose deadline is rounded up to the next multiple of {@code window}
   * (counted from the scheduler's start), so that timers with close deadlines share one expiry pass
   * instead of each waking the wheel in its own tick (one firing for many timeouts). The timer
   * fires no earlier than {@code delay} and at most {@code window} plus one tick after it. With the
   * builder's {@link Builder#coalesce coalesce} option, all callbacks of a pass are also handed to
   * the executor as one task.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code window} is negative
   * @throws RejectedExecutionException if this scheduler is shut down
   */
  public ScheduledFuture<?> scheduleCoalesced(
      Runnable command, long delay, TimeUnit unit, Duration window) {
    Objects.requireNonNull(command, "command");
    Objects.requireNonNull(window, "window");
    if (window.isNegative()) {
      throw new IllegalArgumentException("window must not be negative, was " + window);
    }
    return enqueue(command, toNanos(delay, unit), 0, Math.max(window.toNanos(), coalesceNanos));
  }

  /** Runs {@code command} in the next tick pass, on the callback executor. */
  @Override
  public void execute(Runnable command) {
    Objects.requireNonNull(command, "command");
    enqueue(command, 0, 0);
  }

  @Override
  public ScheduledFuture<?> submit(Runnable task) {
    Objects.requireNonNull(task, "task");
    return enqueue(task, 0, 0);
  }

  @Override
  public <T> ScheduledFuture<T> submit(Runnable task, T result) {
    Objects.requireNonNull(task, "task");
    return enqueue(Executors.callable(task, result), 0, 0);
  }

  @Override
  public <T> ScheduledFuture<T> submit(Callable<T> task) {
    Objects.requireNonNull(task, "task");
    return enqueue(task, 0, 0);
  }

  // ---------------------------------------------------------------- lifecycle (see Lifecycle)

  /**
   * Rejects new tasks, cancels periodic timers, and lets pending one-shot timers fire when due.
   * Idempotent; does not wait (see {@link #awaitTermination}).
   */
  @Override
  public void shutdown() {
    lifecycle.shutdown();
  }

  /**
   * Rejects new tasks, cancels every pending timer and returns the futures of those that never ran
   * (each a {@link ScheduledFuture}, now cancelled); interrupts callbacks running on the owned
   * pool. Callbacks already handed to a caller-supplied executor still run.
   */
  @Override
  public List<Runnable> shutdownNow() {
    return lifecycle.shutdownNow();
  }

  @Override
  public boolean isShutdown() {
    return lifecycle.isShutdown();
  }

  @Override
  public boolean isTerminated() {
    return lifecycle.isTerminated();
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    return lifecycle.awaitTermination(timeout, unit);
  }

  /**
   * Shuts down and waits for termination, as {@code ExecutorService.close()} does on Java 19+:
   * pending one-shot timers still fire first; if interrupted while waiting, calls {@link
   * #shutdownNow()} and keeps waiting, then restores the interrupt.
   */
  @Override
  public void close() {
    lifecycle.close();
  }

  /**
   * Runs one expiry pass now (see {@link TickLoop#tick()}): tests of a scheduler built with {@code
   * manualTicking()} call it after moving the clock.
   */
  void tick() {
    ticks.tick();
  }

  // ---------------------------------------------------------------- diagnostics

  /**
   * Threads of the owned callback pool now alive: 0 with a caller-supplied {@linkplain
   * Builder#callbackExecutor callback executor} (like {@code ThreadPoolExecutor.getPoolSize()}).
   */
  public int callbackThreadCount() {
    return callbacks.callbackThreadCount();
  }

  /**
   * Callbacks that fell due and wait in the owned callback pool's queue for a thread: each fires
   * late by its wait. 0 with a caller-supplied executor. A moment's reading, without a lock.
   */
  public int queuedCallbackCount() {
    return callbacks.queuedCallbackCount();
  }

  /** The most threads the owned callback pool ever had at once (0 with a caller's executor). */
  public int largestCallbackThreadCount() {
    return callbacks.largestCallbackThreadCount();
  }

  /**
   * Timers now linked in the wheel: scheduled and neither fired nor cancelled (a periodic timer
   * counts while waiting for its next run), the pending deadlines of its {@link Deadlines} sets
   * included. Exact at a quiescent moment; a diagnostic, it locks each shard in turn.
   */
  public int pendingCount() {
    int n = 0;
    for (Shard s : shards) {
      n += s.count();
    }
    for (Deadlines d : deadlineSets) {
      n += d.pendingCount();
    }
    return n;
  }

  /** Expiry passes run so far (tests: an idle wheel must not tick). */
  long passes() {
    return ticks.passes();
  }

  int shardCount() {
    return shards.length;
  }

  @Override
  public String toString() {
    return "WheelScheduler[" + name + ", " + lifecycle + ", tick " + tickNanos() + " ns]";
  }

  /**
   * Configures a {@link WheelScheduler}. Not thread-safe; each {@link #build()} creates an
   * independent scheduler (and starts its tick thread).
   */
  public static final class Builder {
    private String name;
    private int tickShift = 19; // 0.524 ms
    private int wheelBits = 11; // 2048 one-tick buckets on the first level: a 1.07 s turn
    private int shards = defaultShards();
    private Executor executor;
    private ThreadFactory threadFactory;
    private LongSupplier clock;
    private LiveRegistry registry = LiveRegistry.global();
    private boolean countTimers = true;
    private long coalesceNanos;
    private Thread.UncaughtExceptionHandler exceptionHandler;
    private boolean manual;
    private int maxCallbackThreads = DEFAULT_MAX_CALLBACK_THREADS;
    private long callbackKeepAliveNanos = TimeUnit.SECONDS.toNanos(30);
    private long slowNanos = TimeUnit.MILLISECONDS.toNanos(100);
    private System.Logger log;

    private Builder() {}

    private static int defaultShards() {
      int n = Math.min(64, 2 * Runtime.getRuntime().availableProcessors());
      return Integer.highestOneBit(Math.max(1, n - 1)) << 1;
    }

    /** Names the scheduler (thread names, error messages). Default "timerguard-wheel-N". */
    public Builder name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * The tick, rounded up to a power of two nanoseconds, between 1 µs and 1 min. Default 0.5 ms
     * (2^19 ns). A one-shot timer fires at most two ticks (plus dispatch) after its deadline; see
     * the class documentation. Shorter ticks mean more expiry passes while timers are scheduled.
     */
    public Builder tick(Duration tick) {
      Objects.requireNonNull(tick, "tick");
      long nanos = tick.toNanos();
      if (nanos < 1_000 || nanos > 60_000_000_000L) {
        throw new IllegalArgumentException("tick must be between 1 µs and 1 min, was " + tick);
      }
      this.tickShift = 64 - Long.numberOfLeadingZeros(nanos - 1);
      return this;
    }

    /**
     * Buckets of the first wheel level (one tick each), rounded up to a power of two, 16 to 4096.
     * Default 2048 (a 1.07 s turn at the default tick). Timers due within one turn never cascade;
     * longer ones move down once per level. Higher levels have 256 buckets each. Fixed memory: 24
     * bytes per bucket per shard.
     */
    public Builder wheelSize(int buckets) {
      if (buckets < 16 || buckets > 4096) {
        throw new IllegalArgumentException("wheelSize must be 16..4096, was " + buckets);
      }
      this.wheelBits = 32 - Integer.numberOfLeadingZeros(buckets - 1);
      return this;
    }

    /**
     * Independent wheels with their own locks; a thread keeps to one unless it finds its lock held
     * by another caller. Rounded up to a power of two, 1 to 256. Default: twice the processors, at
     * most 64.
     */
    public Builder shards(int shards) {
      if (shards < 1 || shards > 256) {
        throw new IllegalArgumentException("shards must be 1..256, was " + shards);
      }
      this.shards = shards == 1 ? 1 : Integer.highestOneBit(shards - 1) << 1;
      return this;
    }

    /**
     * Where callbacks that are not {@link InlineTask}s run. The scheduler does not own it and does
     * not shut it down. Default: a pool owned by the scheduler (see the class doc).
     */
    public Builder callbackExecutor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * The bound of the owned callback pool: it starts a thread only when a callback finds none idle
     * and fewer busy threads than the processors compute (the others block), up to {@code max}
     * threads; beyond, callbacks wait in a FIFO queue (never dropped, never run on the tick
     * thread). 1 to 4096; default 256. Ignored with a {@link #callbackExecutor callback executor}.
     * See the class documentation.
     *
     * @throws IllegalArgumentException if {@code max} is out of range
     */
    public Builder maxCallbackThreads(int max) {
      if (max < 1 || max > MAX_CALLBACK_THREADS_LIMIT) {
        throw new IllegalArgumentException(
            "maxCallbackThreads must be 1.." + MAX_CALLBACK_THREADS_LIMIT + ", was " + max);
      }
      this.maxCallbackThreads = max;
      return this;
    }

    /**
     * How long a callback may run before it is reported as slow: one warning per call site, through
     * the {@code System.Logger} named {@code dev.timerguard.wheel}, naming the site where its timer
     * was scheduled. Default 100 ms; {@code Duration.ZERO} turns the check off (and its two clock
     * reads per callback).
     *
     * @throws NullPointerException if {@code threshold} is null
     * @throws IllegalArgumentException if {@code threshold} is negative
     */
    public Builder slowCallbackThreshold(Duration threshold) {
      Objects.requireNonNull(threshold, "threshold");
      if (threshold.isNegative()) {
        throw new IllegalArgumentException(
            "slowCallbackThreshold must be zero (off) or positive, was " + threshold);
      }
      this.slowNanos = saturatedNanos(threshold);
      return this;
    }

    private static long saturatedNanos(Duration d) {
      try {
        return d.toNanos();
      } catch (ArithmeticException tooBig) {
        return Long.MAX_VALUE;
      }
    }

    /** How long a callback thread waits for work before it retires (tests). Default 30 s. */
    Builder callbackKeepAlive(Duration keepAlive) {
      this.callbackKeepAliveNanos = Math.max(1, saturatedNanos(keepAlive));
      return this;
    }

    /** Where slow-callback and saturation warnings go (tests). */
    Builder log(System.Logger logger) {
      this.log = Objects.requireNonNull(logger, "logger");
      return this;
    }

    /** Creates the tick thread. Default: a daemon thread named after the scheduler. */
    public Builder threadFactory(ThreadFactory factory) {
      this.threadFactory = Objects.requireNonNull(factory, "factory");
      return this;
    }

    /** The monotonic nanosecond clock. Default {@code System::nanoTime}. */
    public Builder clock(LongSupplier nanoClock) {
      this.clock = Objects.requireNonNull(nanoClock, "nanoClock");
      return this;
    }

    /**
     * The registry timers are counted in. Default {@link LiveRegistry#global()}.
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

    /**
     * Whether each timer is counted in the registry (default true). Turn off when a wrapper counts
     * its own handles, to avoid counting a timer twice; uncounted timers are also 8 bytes smaller
     * and skip the call-site lookup.
     */
    public Builder countTimers(boolean count) {
      this.countTimers = count;
      return this;
    }

    /**
     * Coalescing: one-shot deadlines are rounded up to a multiple of {@code window}, so timers with
     * close deadlines fall due in the same pass, and all callbacks due in one pass are handed to
     * the executor as one task that runs them in turn. Fewer wake-ups and hand-offs, at the price
     * of up to {@code window} extra lateness and of callbacks in a batch waiting for each other.
     * {@code Duration.ZERO} (default) turns it off.
     */
    public Builder coalesce(Duration window) {
      Objects.requireNonNull(window, "window");
      if (window.isNegative()) {
        throw new IllegalArgumentException("coalesce window must not be negative, was " + window);
      }
      this.coalesceNanos = window.toNanos();
      return this;
    }

    /** Told about every exception a callback throws (besides its future). Default: none. */
    public Builder exceptionHandler(Thread.UncaughtExceptionHandler handler) {
      this.exceptionHandler = Objects.requireNonNull(handler, "handler");
      return this;
    }

    /**
     * No tick thread: the owner calls {@code tick()} after moving the clock; callbacks run on the
     * calling thread unless an executor is set. For deterministic tests.
     */
    Builder manualTicking() {
      this.manual = true;
      return this;
    }

    /** Creates the scheduler and starts its tick thread. */
    public WheelScheduler build() {
      return new WheelScheduler(this);
    }
  }
}
