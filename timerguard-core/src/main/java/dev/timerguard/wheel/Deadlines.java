package dev.timerguard.wheel;

import dev.timerguard.live.internal.SiteCounter;
import dev.timerguard.live.internal.TimerEnd;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.LongConsumer;

/**
 * A set of one-shot deadlines on a {@link WheelScheduler} that allocates nothing per timer: a
 * deadline is a {@code long} handle into preallocated arrays, and what it carries is a {@code long}
 * payload (a request id, a slot number, an index into the caller's own table) that is handed to the
 * set's one handler when the deadline passes. Made by {@link WheelScheduler#deadlines}.
 *
 * <p><b>Why.</b> Every {@link java.util.concurrent.ScheduledExecutorService} returns a future per
 * timer, and with a million timeouts pending those futures are a million objects that the garbage
 * collector copies and scans, and a young object per schedule that it must collect. Here a pending
 * deadline is 40 bytes in a handful of primitive arrays (32 with counting off), which the collector
 * never looks inside, and scheduling and cancelling allocate nothing once the arrays have grown to
 * the set's largest pending count. Growing copies a stripe's arrays (by half again) under its lock;
 * a set made with the {@code initialCapacity} its stripes will need never grows. Use it where
 * timeouts are scheduled per request or per message and almost all are cancelled; use the
 * scheduler's own methods where a future is worth its cost.
 *
 * <p><b>Handles.</b> {@link #schedule} returns a positive handle; {@link #NONE} ({@code 0}) is
 * never one, so a field holding "no deadline" can use it. A handle stays valid until its deadline
 * fires or is cancelled; after that, {@link #cancel} and {@link #isPending} with it return false,
 * even once its slot holds another deadline: each slot carries a 35-bit generation, bumped every
 * time the slot is freed, and a handle names the slot and the generation. (A stale handle could
 * only name a live deadline again after its slot has been reused 2^35 times, which at a million
 * reuses a second takes nine and a half hours, and only if it is used at that very reuse.) A handle
 * means something only to the set that issued it.
 *
 * <p><b>Firing.</b> Deadlines are kept in a hierarchical timing wheel with the scheduler's tick,
 * expired by the scheduler's tick thread in each pass, with the same precision as its one-shot
 * timers: {@code schedule} reads no clock, and a deadline's time is fixed from the clock of the
 * next pass (or of the 64th deadline waiting in its stripe), never earlier than the call plus the
 * delay. So a deadline never fires before its delay has elapsed, and is late by at most two ticks
 * while the tick thread runs on time. The handler then runs <em>on the tick thread</em>, after the
 * set's lock is released, once per deadline, with its payload. Deadlines due in the same pass are
 * equally late and their handlers run one after another, in no promised order (stripe by stripe,
 * and bucket by bucket within a stripe). It must be short (record the timeout, complete a future,
 * hand work to an executor): while it runs, no other timer of the scheduler fires. A handler that
 * throws is reported to the scheduler's {@linkplain WheelScheduler.Builder#exceptionHandler
 * exception handler} (or, without one, logged as a warning on the {@code System.Logger} {@code
 * dev.timerguard.wheel}) and the next deadline fires as usual. Delays of zero or less are due at
 * once (at the next pass); delays saturate at {@code Long.MAX_VALUE} nanoseconds.
 *
 * <p><b>Cancel.</b> {@link #cancel} returns true exactly when the handler will not run for that
 * deadline: once the tick thread has taken a deadline to fire, it returns false. So for every
 * handle, either {@code cancel} returned true or the handler ran with its payload, never both.
 *
 * <p><b>Counting.</b> On a scheduler that counts timers (the default), every deadline is one timer
 * in the {@link dev.timerguard.live.LiveRegistry} under the site where the set was made (the site
 * of the handler's lambda, or the caller of {@code deadlines}): created by {@code schedule}, then
 * exactly one of fired or cancelled, each counted in the call that makes it happen. The site is
 * found once, when the set is made, so a schedule costs no site lookup.
 *
 * <p><b>Thread-safety and cost.</b> All methods are thread-safe. A set is split in stripes (twice
 * the processors, at most 16), each a wheel of its own with its own lock, made when a thread first
 * schedules into it; a thread schedules into the stripe of its id, and moves to another at random
 * when it finds that stripe's lock held by another scheduling thread, as the scheduler's shards do.
 * A cancel goes to the stripe its handle names. The locks are held for a few array writes by {@code
 * schedule} and {@code cancel} and for one expiry by the tick thread. A stripe's fixed cost is its
 * bucket heads (26 KB at the default wheel size).
 *
 * <p><b>Bad input.</b> A null unit throws {@link NullPointerException}; a negative handle, or one
 * naming a slot or stripe this set never handed out, throws {@link IllegalArgumentException}; a
 * stale handle is not an error (false).
 *
 * <p><b>Lifecycle.</b> The set lives until {@link #close()} or until its scheduler terminates.
 * After {@code close()}, {@code schedule} throws {@link IllegalStateException}; once the scheduler
 * is shut down, it throws {@link RejectedExecutionException}, as the scheduler's own methods do.
 * After {@link WheelScheduler#shutdown()} pending deadlines still fire and the scheduler terminates
 * once none is left; {@link WheelScheduler#shutdownNow()} cancels them, and hands each back as a
 * {@link Runnable} that would run the handler with its payload. {@link #cancelAll()}, {@link
 * #closeNow()} and {@code close()} cancel what is pending; the first two return the payloads, so
 * nothing is lost.
 */
public final class Deadlines implements AutoCloseable {

  /** Never a handle: a field that holds no deadline can hold this. */
  public static final long NONE = 0L;

  /** Low bits of a handle: the slot within its stripe (bucket heads included). */
  static final int INDEX_BITS = 24;

  /** Slots a stripe can number, bucket heads included. */
  static final int SLOTS_PER_STRIPE = 1 << INDEX_BITS;

  /** Then the stripe. */
  static final int STRIPE_SHIFT = INDEX_BITS;

  static final int STRIPE_BITS = 4;

  /** Then, up to the sign bit, the slot's generation. */
  static final int GEN_SHIFT = STRIPE_SHIFT + STRIPE_BITS;

  static final long GEN_MASK = (1L << (63 - GEN_SHIFT)) - 1;

  private final WheelScheduler owner;
  private final LongConsumer handler;
  private final SiteCounter counter; // null: counting off
  private final WheelGeometry geometry;
  private final int initialCapacity;

  /** The stripes, each made when a thread first schedules into it (then never replaced). */
  private final AtomicReferenceArray<DeadlineStripe> stripes;

  private final int stripeMask;

  /** Per slot of thread ids: how far its threads moved from their first stripe (a hint). */
  private final byte[] moves = new byte[64];

  private volatile boolean closed;

  /** Slot numbers a stripe may use: all a handle can name, unless a test lowered it. */
  private volatile int slotsPerStripe = SLOTS_PER_STRIPE;

  // the tick thread's, during and right after an expiry pass
  private long[] firePayload = new long[64];
  private long[] fireStamp = new long[64];
  private int fireCount;

  Deadlines(
      WheelScheduler owner,
      LongConsumer handler,
      SiteCounter counter,
      int tickShift,
      int bits0,
      int initialCapacity) {
    this.owner = owner;
    this.handler = handler;
    this.counter = counter;
    this.geometry = new WheelGeometry(tickShift, bits0);
    this.initialCapacity = initialCapacity;
    int n =
        Math.min(
            1 << STRIPE_BITS,
            Integer.highestOneBit(Math.max(1, 2 * Runtime.getRuntime().availableProcessors())));
    this.stripes = new AtomicReferenceArray<>(n);
    this.stripeMask = n - 1;
  }

  /**
   * The most deadlines a set on a wheel with these parameters can hold in one stripe: the slot
   * numbers a handle can name, less the bucket heads and the arrivals list's head.
   */
  static int maxPerStripe(int tickShift, int bits0) {
    return SLOTS_PER_STRIPE - new WheelGeometry(tickShift, bits0).heads - 1;
  }

  /**
   * Schedules a deadline {@code delay} from now; when it passes, the handler runs with {@code
   * payload} unless the deadline was cancelled first. Allocates nothing unless the set must grow.
   *
   * @param payload handed to the handler; any value
   * @param delay the delay; zero or less is due at once
   * @param unit the delay's unit
   * @return the handle to cancel it with, positive, never {@link #NONE}
   * @throws NullPointerException if {@code unit} is null
   * @throws IllegalStateException if this set is closed, or if the calling thread's stripe holds as
   *     many deadlines as a stripe can number (about 16.7 million)
   * @throws RejectedExecutionException if the scheduler is shut down
   */
  public long schedule(long payload, long delay, TimeUnit unit) {
    long nanos = Objects.requireNonNull(unit, "unit").toNanos(delay);
    SiteCounter c = counter;
    long s = c == null ? 0 : owner.startCounted(c, Math.max(0, nanos));
    long threadId = Thread.currentThread().getId();
    int slot = (int) threadId & (moves.length - 1);
    int number = (int) (threadId + moves[slot]) & stripeMask;
    long h = stripe(number).add(nanos, payload, s);
    if (h < 0 && h > DeadlineStripe.FULL) {
      h = ~h; // linked, after waiting for another scheduling thread: move on for later ones
      if (stripeMask > 0) {
        moves[slot] += (byte) (1 + ThreadLocalRandom.current().nextInt(stripeMask));
      }
    }
    if (h < 0) {
      if (c != null) {
        c.end(s, TimerEnd.REJECTED);
      }
      if (h == DeadlineStripe.SHUT_DOWN) {
        throw new RejectedExecutionException(
            "WheelScheduler " + owner.name() + " is shut down; cannot schedule a deadline");
      }
      throw h == DeadlineStripe.CLOSED
          ? new IllegalStateException(this + " is closed; cannot schedule a deadline")
          : new IllegalStateException(
              this
                  + " is full: "
                  + (slotsPerStripe - geometry.heads - 1)
                  + " deadlines pending in this thread's stripe; cancel some first");
    }
    owner.ticks.wakeIfSleeping();
    return h;
  }

  private DeadlineStripe stripe(int number) {
    DeadlineStripe st = stripes.get(number);
    if (st != null) {
      return st;
    }
    DeadlineStripe made =
        new DeadlineStripe(
            this,
            owner,
            counter,
            geometry,
            number,
            owner.now() >>> geometry.tickShift,
            initialCapacity);
    return stripes.compareAndExchange(number, null, made) == null ? made : stripes.get(number);
  }

  /**
   * Tests: lets each stripe made from now on hold only {@code deadlines} (a full stripe takes 670
   * MB otherwise). Call before the first schedule.
   */
  void limitPerStripe(int deadlines) {
    slotsPerStripe = geometry.heads + 1 + deadlines;
  }

  /** Slot numbers a new stripe may use (see {@link #limitPerStripe}). */
  int slotsPerStripe() {
    return slotsPerStripe;
  }

  /** The stripe a handle names; IllegalArgumentException if none. */
  private DeadlineStripe stripeOf(long handle) {
    DeadlineStripe st =
        handle < 0 ? null : stripes.get((int) (handle >>> STRIPE_SHIFT) & stripeMask);
    if (st == null || ((handle >>> STRIPE_SHIFT) & ((1 << STRIPE_BITS) - 1)) > stripeMask) {
      throw new IllegalArgumentException(
          "not a handle of " + this + ": " + handle + " (handles come from schedule)");
    }
    return st;
  }

  /**
   * Cancels the deadline of {@code handle} if it is still pending: its handler will not run.
   *
   * @return true if this call cancelled it; false if it already fired, was taken to fire, was
   *     cancelled before, or {@code handle} is {@link #NONE}
   * @throws IllegalArgumentException if {@code handle} is negative or names no slot of this set
   */
  public boolean cancel(long handle) {
    if (handle == NONE) {
      return false;
    }
    return stripeOf(handle).cancel((int) (handle & (SLOTS_PER_STRIPE - 1)), handle >>> GEN_SHIFT);
  }

  /**
   * Whether the deadline of {@code handle} is pending: scheduled, not fired nor taken to fire, not
   * cancelled. False for {@link #NONE}.
   *
   * @throws IllegalArgumentException if {@code handle} is negative or names no slot of this set
   */
  public boolean isPending(long handle) {
    if (handle == NONE) {
      return false;
    }
    return stripeOf(handle)
        .isPending((int) (handle & (SLOTS_PER_STRIPE - 1)), handle >>> GEN_SHIFT);
  }

  /** Deadlines now pending in this set (each stripe counted under its lock, in turn). */
  public int pendingCount() {
    int n = 0;
    for (int i = 0; i < stripes.length(); i++) {
      DeadlineStripe st = stripes.get(i);
      if (st != null) {
        n += st.count();
      }
    }
    return n;
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    return closed;
  }

  /**
   * Cancels every pending deadline (counted as cancelled) and returns their payloads, in no
   * particular order. The set stays open.
   */
  public long[] cancelAll() {
    return cancelAll(TimerEnd.CANCELLED);
  }

  private long[] cancelAll(TimerEnd how) {
    long[] all = new long[0];
    for (int i = 0; i < stripes.length(); i++) {
      DeadlineStripe st = stripes.get(i);
      if (st != null) {
        long[] some = st.cancelAll(how);
        if (some.length > 0) {
          long[] both = Arrays.copyOf(all, all.length + some.length);
          System.arraycopy(some, 0, both, all.length, some.length);
          all = both;
        }
      }
    }
    return all;
  }

  /**
   * Cancels every pending deadline (counted as cancelled), refuses new ones, and lets the scheduler
   * forget this set. Idempotent. {@link #closeNow()} does the same and returns the payloads.
   */
  @Override
  public void close() {
    closeNow();
  }

  /**
   * Closes this set as {@link #close()} does and returns the payloads of the deadlines it
   * cancelled, in no particular order. Nothing falls between: a {@code schedule} racing with it
   * either is refused with {@link IllegalStateException} or its deadline is cancelled here and its
   * payload returned. Empty if the set was already closed.
   */
  public long[] closeNow() {
    closed = true; // before the stripes' locks: a schedule that takes one after this sweep sees it
    long[] payloads = cancelAll(TimerEnd.CANCELLED);
    owner.removeDeadlines(this);
    return payloads;
  }

  @Override
  public String toString() {
    return "Deadlines[" + owner.name() + (counter == null ? "" : ", " + counter.site()) + "]";
  }

  // ---------------------------------------------------------------- the scheduler's side

  /**
   * The tick thread's expiry, under the scheduler's pass lock: takes every deadline due by {@code
   * now} from each stripe, then, with no lock held, counts each as fired and runs the handler with
   * its payload.
   */
  void expire(long now) {
    for (int i = 0; i < stripes.length(); i++) {
      DeadlineStripe st = stripes.get(i);
      if (st != null) {
        st.expire(now);
      }
    }
    int n = fireCount;
    fireCount = 0;
    for (int k = 0; k < n; k++) {
      if (counter != null) {
        counter.end(fireStamp[k], TimerEnd.FIRED);
      }
      try {
        handler.accept(firePayload[k]);
      } catch (Throwable t) {
        owner.callbacks.reportOrLog(t, this);
      }
    }
  }

  /** A stripe's expiry hands over one due deadline (tick thread, under that stripe's lock). */
  void toFire(long payload, long stamp) {
    if (fireCount == firePayload.length) {
      firePayload = Arrays.copyOf(firePayload, 2 * fireCount);
      fireStamp = Arrays.copyOf(fireStamp, 2 * fireCount);
    }
    firePayload[fireCount] = payload;
    fireStamp[fireCount] = stamp;
    fireCount++;
  }

  /** Whether callers linked deadlines since the tick thread's previous look (a racy hint). */
  boolean insertedSinceCheck() {
    boolean any = false;
    for (int i = 0; i < stripes.length(); i++) {
      DeadlineStripe st = stripes.get(i);
      if (st != null) {
        any |= st.insertedSinceCheck(); // every stripe: each records what it has seen
      }
    }
    return any;
  }

  /**
   * For the tick thread's sleep (see {@link Shard#nextWork}): -1 to keep ticking, else the first
   * tick at which this set may have work, or {@code Long.MAX_VALUE} if it is empty.
   */
  long nextWork() {
    long work = Long.MAX_VALUE;
    for (int i = 0; i < stripes.length(); i++) {
      DeadlineStripe st = stripes.get(i);
      if (st != null) {
        long w = st.nextWork(); // every stripe: each records what it has seen
        work = w < 0 || work < 0 ? -1 : Math.min(work, w);
      }
    }
    return work;
  }

  /** shutdownNow: cancels everything pending, adding a runnable per deadline to {@code out}. */
  void cancelForShutdown(List<Runnable> out) {
    for (long p : cancelAll(TimerEnd.SHUT_DOWN)) {
      out.add(() -> handler.accept(p));
    }
  }
}
