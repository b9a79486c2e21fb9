package dev.timerguard.wheel;

import dev.timerguard.live.internal.SiteCounter;
import dev.timerguard.live.internal.TimerEnd;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
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
 * the set's largest pending count. Growing copies the arrays (by half again) under the set's lock;
 * a set made with the {@code initialCapacity} it will need never grows. Use it where timeouts are
 * scheduled per request or per message and almost all are cancelled; use the scheduler's own
 * methods where a future is worth its cost.
 *
 * <p><b>Handles.</b> {@link #schedule} returns a positive handle; {@link #NONE} ({@code 0}) is
 * never one, so a field holding "no deadline" can use it. A handle stays valid until its deadline
 * fires or is cancelled; after that, {@link #cancel} and {@link #isPending} with it return false,
 * even once its slot holds another deadline: each slot carries a 39-bit generation, bumped every
 * time the slot is freed, and a handle names the slot and the generation. (A stale handle could
 * only name a live deadline again after its slot has been reused 2^39 times, which at a million
 * reuses a second takes six days.) A handle means something only to the set that issued it.
 *
 * <p><b>Firing.</b> Deadlines are kept in a hierarchical timing wheel with the scheduler's tick,
 * expired by the scheduler's tick thread in each pass, with the same precision as its timers: a
 * deadline never fires before its delay has elapsed, and fires within about a tick after it while
 * the tick thread runs on time. The handler then runs <em>on the tick thread</em>, after the set's
 * lock is released, once per deadline, with its payload, in deadline order within a pass. It must
 * be short (record the timeout, complete a future, hand work to an executor): while it runs, no
 * other timer of the scheduler fires. A handler that throws is reported to the scheduler's
 * {@linkplain WheelScheduler.Builder#exceptionHandler exception handler} (or, without one, logged
 * as a warning on the {@code System.Logger} {@code dev.timerguard.wheel}) and the next deadline
 * fires as usual. Delays of zero or less are due at once (at the next pass); delays saturate at
 * {@code Long.MAX_VALUE} nanoseconds.
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
 * <p><b>Thread-safety and cost.</b> All methods are thread-safe; the set has one lock, held for a
 * few array writes by {@code schedule} and {@code cancel} and for one expiry by the tick thread.
 * Threads that schedule at a high rate from many cores contend on it: give each partition of the
 * work a set of its own. {@code schedule} reads the clock once.
 *
 * <p><b>Lifecycle.</b> The set lives until {@link #close()} or until its scheduler terminates.
 * After {@code close()}, {@code schedule} throws {@link IllegalStateException}; once the scheduler
 * is shut down, it throws {@link RejectedExecutionException}, as the scheduler's own methods do.
 * After {@link WheelScheduler#shutdown()} pending deadlines still fire and the scheduler terminates
 * once none is left; {@link WheelScheduler#shutdownNow()} cancels them, and hands each back as a
 * {@link Runnable} that would run the handler with its payload. {@link #cancelAll()} and {@code
 * close()} cancel what is pending; {@code cancelAll} returns the payloads, so nothing is lost.
 */
public final class Deadlines implements AutoCloseable {

  /** Never a handle: a field that holds no deadline can hold this. */
  public static final long NONE = 0L;

  /** Low bits of a handle: the slot. */
  static final int INDEX_BITS = 24;

  private static final long INDEX_MASK = (1L << INDEX_BITS) - 1;

  /** High bits of a handle (below the sign): the slot's generation. */
  private static final long GEN_MASK = (1L << (63 - INDEX_BITS)) - 1;

  /** {@code prev} of a slot that holds no deadline. */
  private static final int FREE = -1;

  /** Upper levels have 256 buckets each, like a shard's. */
  private static final int UPPER_BITS = 8;

  private final WheelScheduler owner;
  private final LongConsumer handler;
  private final SiteCounter counter; // null: counting off
  private final int tickShift;
  private final int[] shift;
  private final int[] mask;

  /** Where each level's bucket heads start among the slots (heads come first). */
  private final int[] headBase;

  /** The level of a delay of d ticks, indexed by the position of d's highest set bit. */
  private final byte[] levelOfBit = new byte[64];

  /** Slots below this are bucket heads; deadlines live at and above it. */
  private final int firstSlot;

  /** The most slots (heads included) a handle can name. */
  private final int maxSlots;

  private final Object lock = new Object();

  // ---- guarded by lock
  private long[] deadline;
  private long[] payload;
  private long[] gen;
  private long[] stamp; // null: counting off
  private int[] next;
  private int[] prev;

  /** Slots in use or ever used: slots {@code [firstSlot, top)} have been handed out. */
  private int top;

  /** First free slot below {@code top}, chained through {@code next}; -1 if none. */
  private int freeHead = -1;

  private int count;
  private long cur;
  private boolean closed;

  /** Deadlines linked by callers (read racily by the tick thread's idle check). */
  private int inserts;

  private int insertsSeen;

  // ---- the tick thread's, during and right after an expiry pass
  private long[] firePayload = new long[64];
  private long[] fireStamp = new long[64];
  private int fireCount;

  Deadlines(
      WheelScheduler owner,
      LongConsumer handler,
      SiteCounter counter,
      int tickShift,
      int bits0,
      long startTick,
      int initialCapacity) {
    this.owner = owner;
    this.handler = handler;
    this.counter = counter;
    this.tickShift = tickShift;
    int levels = levels(tickShift, bits0);
    this.shift = new int[levels];
    this.mask = new int[levels];
    this.headBase = new int[levels];
    int heads = 0;
    for (int i = 0; i < levels; i++) {
      int b = i == 0 ? bits0 : UPPER_BITS;
      shift[i] = i == 0 ? 0 : bits0 + UPPER_BITS * (i - 1);
      mask[i] = (1 << b) - 1;
      headBase[i] = heads;
      heads += 1 << b;
    }
    for (int b = 0; b < 64; b++) {
      int level = 0;
      while (level < levels - 1 && b >= shift[level] + Integer.bitCount(mask[level])) {
        level++;
      }
      levelOfBit[b] = (byte) level;
    }
    this.firstSlot = heads;
    this.maxSlots = (int) (INDEX_MASK + 1);
    int size = firstSlot + Math.max(16, initialCapacity);
    this.deadline = new long[size];
    this.payload = new long[size];
    this.gen = new long[size];
    this.stamp = counter == null ? null : new long[size];
    this.next = new int[size];
    this.prev = new int[size];
    for (int h = 0; h < firstSlot; h++) {
      next[h] = h;
      prev[h] = h;
    }
    this.top = firstSlot;
    this.cur = startTick;
  }

  /** The most deadlines one set can hold pending at once. */
  public int maxPending() {
    return maxSlots - firstSlot;
  }

  /** Levels of a wheel of ticks of 2^tickShift ns whose first level has 2^bits0 buckets. */
  private static int levels(int tickShift, int bits0) {
    int tickBits = 63 - tickShift; // ticks needed to count to 2^63 ns
    return 1 + Math.max(0, (tickBits - bits0 + UPPER_BITS - 1) / UPPER_BITS);
  }

  /** {@link #maxPending()} of a set on a wheel with these parameters. */
  static int maxPending(int tickShift, int bits0) {
    int heads = (1 << bits0) + (levels(tickShift, bits0) - 1) * (1 << UPPER_BITS);
    return (int) (INDEX_MASK + 1) - heads;
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
   * @throws IllegalStateException if this set is closed, or holds {@link #maxPending()} deadlines
   * @throws RejectedExecutionException if the scheduler is shut down
   */
  public long schedule(long payload, long delay, TimeUnit unit) {
    long nanos = Objects.requireNonNull(unit, "unit").toNanos(delay);
    long now = owner.now();
    long due = nanos <= 0 ? now : WheelScheduler.saturatedAdd(now, nanos);
    SiteCounter c = counter;
    long s = c == null ? 0 : owner.startCounted(c, Math.max(0, nanos));
    long handle = NONE;
    RuntimeException refused = null;
    synchronized (lock) {
      if (closed) {
        refused = new IllegalStateException(this + " is closed; cannot schedule a deadline");
      } else if (owner.lifecycle.rejectsNew()) {
        refused =
            new RejectedExecutionException(
                "WheelScheduler " + owner.name() + " is shut down; cannot schedule a deadline");
      } else if (freeHead < 0 && top == maxSlots) {
        refused =
            new IllegalStateException(
                this + " is full: " + maxPending() + " deadlines pending; cancel some first");
      } else {
        int i = freeHead;
        if (i >= 0) {
          freeHead = next[i];
        } else {
          if (top == deadline.length) {
            grow();
          }
          i = top++;
          gen[i] = 1;
        }
        deadline[i] = due;
        this.payload[i] = payload;
        if (c != null) {
          stamp[i] = s;
        }
        link(i);
        count++;
        inserts++;
        handle = (gen[i] << INDEX_BITS) | i;
      }
    }
    if (refused != null) {
      if (c != null) {
        c.end(s, TimerEnd.REJECTED);
      }
      throw refused;
    }
    owner.ticks.wakeIfSleeping();
    return handle;
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
    long s;
    synchronized (lock) {
      int i = slotOf(handle);
      if (prev[i] == FREE || gen[i] != handle >>> INDEX_BITS) {
        return false;
      }
      unlink(i);
      s = counter == null ? 0 : stamp[i];
      free(i);
    }
    if (counter != null) {
      counter.end(s, TimerEnd.CANCELLED);
    }
    return true;
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
    synchronized (lock) {
      int i = slotOf(handle);
      return prev[i] != FREE && gen[i] == handle >>> INDEX_BITS;
    }
  }

  /** Deadlines now pending in this set. */
  public int pendingCount() {
    synchronized (lock) {
      return count;
    }
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    synchronized (lock) {
      return closed;
    }
  }

  /**
   * Cancels every pending deadline (counted as cancelled) and returns their payloads, in no
   * particular order. The set stays open.
   */
  public long[] cancelAll() {
    return cancelAll(TimerEnd.CANCELLED, false);
  }

  /**
   * Cancels every pending deadline (counted as cancelled), refuses new ones, and lets the scheduler
   * forget this set. Idempotent. Use {@link #cancelAll()} first to keep the payloads.
   */
  @Override
  public void close() {
    cancelAll(TimerEnd.CANCELLED, true);
    owner.removeDeadlines(this);
  }

  @Override
  public String toString() {
    return "Deadlines[" + owner.name() + (counter == null ? "" : ", " + counter.site()) + "]";
  }

  // ---------------------------------------------------------------- the wheel, under lock

  private int slotOf(long handle) {
    long i = handle & INDEX_MASK;
    if (handle < 0 || i < firstSlot || i >= top) {
      throw new IllegalArgumentException(
          "not a handle of " + this + ": " + handle + " (handles come from schedule)");
    }
    return (int) i;
  }

  private void grow() {
    // by half: at most a third of the arrays is slack after a growth
    int size = (int) Math.min(maxSlots, Math.max(64L, deadline.length + (deadline.length >>> 1)));
    deadline = Arrays.copyOf(deadline, size);
    payload = Arrays.copyOf(payload, size);
    gen = Arrays.copyOf(gen, size);
    if (stamp != null) {
      stamp = Arrays.copyOf(stamp, size);
    }
    next = Arrays.copyOf(next, size);
    prev = Arrays.copyOf(prev, size);
  }

  /** The tick at or after {@code nanos}: a deadline never fires before it. */
  private long ceilTick(long nanos) {
    long t = nanos >>> tickShift;
    return (nanos & ((1L << tickShift) - 1)) == 0 ? t : t + 1;
  }

  private void link(int i) {
    long t = ceilTick(deadline[i]);
    long c = cur;
    int head;
    if (t <= c) {
      head = (int) (c & mask[0]);
    } else {
      int level = levelOfBit[63 - Long.numberOfLeadingZeros(t - c)];
      head = headBase[level] + (int) ((t >>> shift[level]) & mask[level]);
    }
    int tail = prev[head];
    prev[i] = tail;
    next[i] = head;
    next[tail] = i;
    prev[head] = i;
  }

  private void unlink(int i) {
    int p = prev[i];
    int n = next[i];
    next[p] = n;
    prev[n] = p;
  }

  /** Frees an unlinked slot: a new generation, so handles to what it held go stale. */
  private void free(int i) {
    long g = (gen[i] + 1) & GEN_MASK;
    gen[i] = g == 0 ? 1 : g;
    prev[i] = FREE;
    next[i] = freeHead;
    freeHead = i;
    count--;
  }

  private long[] cancelAll(TimerEnd how, boolean close) {
    long[] out;
    long[] stamps;
    synchronized (lock) {
      if (close) {
        closed = true;
      }
      out = new long[count];
      stamps = counter == null ? null : new long[count];
      int k = 0;
      for (int i = firstSlot; i < top; i++) {
        if (prev[i] != FREE) {
          unlink(i);
          out[k] = payload[i];
          if (stamps != null) {
            stamps[k] = stamp[i];
          }
          k++;
          free(i);
        }
      }
    }
    if (stamps != null) {
      for (long s : stamps) {
        counter.end(s, how);
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- the scheduler's side

  /**
   * The tick thread's expiry, under the scheduler's pass lock: takes every deadline due by {@code
   * now} (as a shard does, see {@link Shard#expire}), then, with the set's lock released, counts
   * each as fired and runs the handler with its payload.
   */
  void expire(long now) {
    synchronized (lock) {
      long nowTick = now >>> tickShift;
      long prevTick = cur;
      if (nowTick <= prevTick) {
        drain(0, (int) (prevTick & mask[0]));
      } else {
        cur = nowTick;
        for (int level = 0; level < mask.length; level++) {
          long p = prevTick >>> shift[level];
          long c = nowTick >>> shift[level];
          if (p == c) {
            break;
          }
          long steps = Math.min(c - p + 1, (long) mask[level] + 1);
          for (long k = 0; k < steps; k++) {
            drain(level, (int) ((p + k) & mask[level]));
          }
        }
      }
      drainEarly(nowTick + 1, now);
    }
    fire();
  }

  private void drain(int level, int index) {
    int head = headBase[level] + index;
    int n = next[head];
    if (n == head) {
      return;
    }
    next[head] = head;
    prev[head] = head;
    long c = cur;
    while (n != head) {
      int i = n;
      n = next[i];
      if (ceilTick(deadline[i]) <= c) {
        take(i);
      } else {
        link(i);
      }
    }
  }

  /** Takes from the first-level bucket of tick {@code t} the deadlines already passed at now. */
  private void drainEarly(long t, long now) {
    int head = (int) (t & mask[0]);
    int n = next[head];
    while (n != head) {
      int i = n;
      n = next[i];
      if (deadline[i] <= now) {
        unlink(i);
        take(i);
      }
    }
  }

  /** Moves an unlinked due deadline to the fire buffer and frees its slot. */
  private void take(int i) {
    if (fireCount == firePayload.length) {
      firePayload = Arrays.copyOf(firePayload, 2 * fireCount);
      fireStamp = Arrays.copyOf(fireStamp, 2 * fireCount);
    }
    firePayload[fireCount] = payload[i];
    if (stamp != null) {
      fireStamp[fireCount] = stamp[i];
    }
    fireCount++;
    free(i);
  }

  private void fire() {
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

  /** Whether callers linked deadlines since the tick thread's previous look (a racy hint). */
  boolean insertedSinceCheck() {
    int i = inserts;
    boolean changed = i != insertsSeen;
    insertsSeen = i;
    return changed;
  }

  /**
   * For the tick thread's sleep (see {@link Shard#nextWork}): -1 to keep ticking, else the first
   * tick at which this set may have work, or {@code Long.MAX_VALUE} if it is empty.
   */
  long nextWork() {
    synchronized (lock) {
      if (inserts != insertsSeen) {
        insertsSeen = inserts;
        return -1;
      }
      if (count == 0) {
        return Long.MAX_VALUE;
      }
      long c = cur;
      int m = mask[0];
      if (mask.length == 1) {
        return c + 1;
      }
      long turn = ((c >>> shift[1]) + 1) << shift[1];
      for (long t = c + 1; t < turn; t++) {
        int head = (int) (t & m);
        if (next[head] != head) {
          return t;
        }
      }
      return turn;
    }
  }

  /** shutdownNow: cancels everything pending, adding a runnable per deadline to {@code out}. */
  void cancelForShutdown(List<Runnable> out) {
    for (long p : cancelAll(TimerEnd.SHUT_DOWN, false)) {
      out.add(() -> handler.accept(p));
    }
  }
}
