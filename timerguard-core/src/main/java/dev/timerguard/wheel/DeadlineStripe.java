package dev.timerguard.wheel;

import dev.timerguard.live.internal.SiteCounter;
import dev.timerguard.live.internal.TimerEnd;
import java.util.Arrays;

/**
 * One stripe of a {@link Deadlines} set: a hierarchical timing wheel (the same geometry and
 * algorithm as a {@link Shard}) whose timers are slots of primitive arrays instead of objects,
 * guarded by its own {@link TickLock}. Scheduling threads add and cancel; the tick thread expires.
 *
 * <p>Slots are numbered from {@code firstSlot}: the numbers below are the bucket heads and the head
 * of the arrivals list, which exist only in {@code next} and {@code prev} (the lists are circular
 * and doubly linked through those two arrays, each headed by its sentinel), so that link and unlink
 * need no special case. The other arrays hold slot {@code i} at {@code i - firstSlot}. A free slot
 * has {@code prev == FREE} and is chained through {@code next} in a LIFO free list; slots never
 * handed out lie at and above {@code top}. Each slot has a generation, bumped whenever it is freed,
 * which the handles carry.
 *
 * <p>A new deadline arrives without a clock read, as a shard's one-shot timers do (see {@link
 * Shard#absorbLocked}): it holds {@code -1 - delay} and waits in the arrivals list, which cancel
 * unlinks from like a bucket, until the next expiry pass, or the stripe's {@link
 * Shard#ABSORB_BATCH}th waiting arrival, reads the clock under the lock and files them all by
 * deadline. So a deadline is never earlier than the call plus the delay, and later by at most the
 * time it waited there (a tick while the tick thread runs on time).
 *
 * <p>Every mutable field is guarded by the lock. Growth copies the arrays, by half, under it.
 */
final class DeadlineStripe extends TickLock {

  /** {@code prev} of a slot that holds no deadline. */
  static final int FREE = -1;

  /** Results of {@link #add} that are not handles. */
  static final long CLOSED = Long.MIN_VALUE;

  static final long SHUT_DOWN = Long.MIN_VALUE + 1;
  static final long FULL = Long.MIN_VALUE + 2;

  private final Deadlines set;
  private final WheelScheduler owner;
  private final Lifecycle lifecycle;
  private final SiteCounter counter; // null: counting off
  private final int tickShift;
  private final int[] shift;
  private final int[] mask;
  private final int[] headBase;
  private final byte[] levelOfBit;
  private final WheelGeometry geometry;
  private final int firstSlot;
  private final int maxSlots;

  /** The head of the arrivals list: deadlines not yet filed by deadline. */
  private final int arrivals;

  /** This stripe's number, in bits {@link Deadlines#STRIPE_SHIFT} and up of its handles. */
  private final long stripeBits;

  private long[] deadline;
  private long[] payload;
  private long[] gen;
  private long[] stamp; // null: counting off
  private int[] next;
  private int[] prev;
  private int top;
  private int freeHead = -1;
  private int count;
  private int arrivalCount;
  private long cur;

  /** Deadlines linked by callers (read racily by the tick thread's idle check). */
  private int inserts;

  private int insertsSeen;

  // padding after the hot fields (see TickLockPadding)
  long q00, q01, q02, q03, q04, q05, q06, q07;

  DeadlineStripe(
      Deadlines set,
      WheelScheduler owner,
      SiteCounter counter,
      WheelGeometry g,
      int number,
      long startTick,
      int initialCapacity) {
    this.set = set;
    this.owner = owner;
    this.lifecycle = owner.lifecycle;
    this.counter = counter;
    this.tickShift = g.tickShift;
    this.shift = g.shift;
    this.mask = g.mask;
    this.headBase = g.headBase;
    this.levelOfBit = g.levelOfBit;
    this.geometry = g;
    this.arrivals = g.heads;
    this.firstSlot = g.heads + 1;
    this.maxSlots = set.slotsPerStripe();
    this.stripeBits = (long) number << Deadlines.STRIPE_SHIFT;
    int n = Math.max(16, initialCapacity);
    this.deadline = new long[n];
    this.payload = new long[n];
    this.gen = new long[n];
    this.stamp = counter == null ? null : new long[n];
    this.next = new int[firstSlot + n];
    this.prev = new int[firstSlot + n];
    for (int h = 0; h < firstSlot; h++) {
      next[h] = h;
      prev[h] = h;
    }
    this.top = firstSlot;
    this.cur = startTick;
  }

  /**
   * Links a new deadline: returns its handle, or its bitwise complement if another scheduling
   * thread held the lock (the caller then moves to another stripe), or {@link #CLOSED}, {@link
   * #SHUT_DOWN} or {@link #FULL}. Nothing is linked unless a handle is returned.
   */
  long add(long delayNanos, long value, long stampValue) {
    boolean contended = lockReportingCaller();
    try {
      if (set.isClosed()) {
        return CLOSED;
      }
      if (lifecycle.rejectsNew()) {
        return SHUT_DOWN;
      }
      int i = freeHead;
      if (i >= 0) {
        freeHead = next[i];
      } else {
        if (top == maxSlots) {
          return FULL;
        }
        if (top - firstSlot == deadline.length) {
          grow();
        }
        i = top++;
        gen[i - firstSlot] = 1;
      }
      int k = i - firstSlot;
      deadline[k] = -1 - Math.max(0, delayNanos); // an arrival: its deadline is fixed later
      payload[k] = value;
      if (stamp != null) {
        stamp[k] = stampValue;
      }
      append(arrivals, i);
      count++;
      inserts++;
      if (++arrivalCount >= Shard.ABSORB_BATCH) {
        absorbLocked();
      }
      long handle = (gen[k] << Deadlines.GEN_SHIFT) | stripeBits | i;
      return contended ? ~handle : handle;
    } finally {
      unlock();
    }
  }

  /** Cancels slot {@code i} if it holds generation {@code g}; counts the end. */
  boolean cancel(int i, long g) {
    long s;
    lock();
    try {
      checkSlot(i);
      int k = i - firstSlot;
      if (prev[i] == FREE || gen[k] != g) {
        return false;
      }
      unlink(i);
      if (deadline[k] < 0) {
        arrivalCount--;
      }
      s = stamp == null ? 0 : stamp[k];
      free(i);
    } finally {
      unlock();
    }
    if (counter != null) {
      counter.end(s, TimerEnd.CANCELLED);
    }
    return true;
  }

  boolean isPending(int i, long g) {
    lock();
    try {
      checkSlot(i);
      return prev[i] != FREE && gen[i - firstSlot] == g;
    } finally {
      unlock();
    }
  }

  private void checkSlot(int i) {
    if (i < firstSlot || i >= top) {
      throw new IllegalArgumentException(
          "not a handle of "
              + set
              + ": slot "
              + i
              + " was never handed out (handles come from"
              + " schedule)");
    }
  }

  int count() {
    lock();
    try {
      return count;
    } finally {
      unlock();
    }
  }

  /** Cancels every pending deadline, counted as {@code how}, and returns their payloads. */
  long[] cancelAll(TimerEnd how) {
    long[] out;
    long[] stamps;
    lock();
    try {
      out = new long[count];
      stamps = counter == null ? null : new long[count];
      int n = 0;
      for (int i = firstSlot; i < top; i++) {
        if (prev[i] != FREE) {
          unlink(i);
          int k = i - firstSlot;
          out[n] = payload[k];
          if (stamps != null) {
            stamps[n] = stamp[k];
          }
          n++;
          free(i);
        }
      }
      arrivalCount = 0;
    } finally {
      unlock();
    }
    if (stamps != null) {
      for (long s : stamps) {
        counter.end(s, how);
      }
    }
    return out;
  }

  private void grow() {
    int n = deadline.length;
    int size = (int) Math.min(maxSlots - firstSlot, Math.max(64L, n + (n >>> 1)));
    deadline = Arrays.copyOf(deadline, size);
    payload = Arrays.copyOf(payload, size);
    gen = Arrays.copyOf(gen, size);
    if (stamp != null) {
      stamp = Arrays.copyOf(stamp, size);
    }
    next = Arrays.copyOf(next, firstSlot + size);
    prev = Arrays.copyOf(prev, firstSlot + size);
  }

  /** The tick at or after {@code nanos}: a deadline never fires before it. */
  private long ceilTick(long nanos) {
    long t = nanos >>> tickShift;
    return (nanos & ((1L << tickShift) - 1)) == 0 ? t : t + 1;
  }

  private void link(int i) {
    long t = ceilTick(deadline[i - firstSlot]);
    long c = cur;
    int head;
    if (t <= c) {
      head = (int) (c & mask[0]);
    } else {
      int level = levelOfBit[63 - Long.numberOfLeadingZeros(t - c)];
      head = headBase[level] + (int) ((t >>> shift[level]) & mask[level]);
    }
    append(head, i);
  }

  /** Links slot {@code i} last in the list headed by {@code head}. */
  private void append(int head, int i) {
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
    int k = i - firstSlot;
    long g = (gen[k] + 1) & Deadlines.GEN_MASK;
    gen[k] = g == 0 ? 1 : g;
    prev[i] = FREE;
    next[i] = freeHead;
    freeHead = i;
    count--;
  }

  /**
   * Gives every arrival its deadline, the clock read here plus its delay, and files it by deadline.
   * The clock is read under the lock, after every arrival was linked under it, so after every
   * schedule call that made one: a deadline is never earlier than its call plus its delay.
   */
  private void absorbLocked() {
    int n = next[arrivals];
    if (n == arrivals) {
      return;
    }
    long now = owner.now();
    next[arrivals] = arrivals;
    prev[arrivals] = arrivals;
    arrivalCount = 0;
    while (n != arrivals) {
      int i = n;
      n = next[i];
      int k = i - firstSlot;
      deadline[k] = WheelScheduler.saturatedAdd(now, -1 - deadline[k]);
      link(i);
    }
  }

  /**
   * The tick thread's expiry (as {@link Shard#expire}): files the arrivals, then frees every
   * deadline due by {@code now} and hands its payload and stamp to {@code set}'s fire buffer.
   */
  void expire(long now) {
    lockAsTicker();
    try {
      absorbLocked();
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
    } finally {
      unlock();
    }
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
      if (ceilTick(deadline[i - firstSlot]) <= c) {
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
      if (deadline[i - firstSlot] <= now) {
        unlink(i);
        take(i);
      }
    }
  }

  /** Hands an unlinked due deadline to the set's fire buffer and frees its slot. */
  private void take(int i) {
    int k = i - firstSlot;
    set.toFire(payload[k], stamp == null ? 0 : stamp[k]);
    free(i);
  }

  /** Whether callers linked deadlines since the tick thread's previous look (a racy hint). */
  boolean insertedSinceCheck() {
    int i = inserts;
    boolean changed = i != insertsSeen;
    insertsSeen = i;
    return changed;
  }

  /** As {@link Shard#nextWork}. */
  long nextWork() {
    lockAsTicker();
    try {
      if (inserts != insertsSeen || next[arrivals] != arrivals) {
        insertsSeen = inserts;
        return -1;
      }
      if (count == 0) {
        return Long.MAX_VALUE;
      }
      int[] links = next;
      return geometry.nextBusyTick(cur, head -> links[head] != head);
    } finally {
      unlock();
    }
  }
}
