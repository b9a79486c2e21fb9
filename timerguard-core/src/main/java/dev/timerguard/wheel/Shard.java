package dev.timerguard.wheel;

import dev.timerguard.live.internal.TimerEnd;
import java.util.List;

/**
 * One shard of a {@link WheelScheduler}: a hierarchical timing wheel guarded by its own lock.
 *
 * <p>Time is counted in ticks ({@code 2^tickShift} ns). Level 0 has {@code 2^bits0} buckets of one
 * tick each (default 2048: a 1.07 s turn at the 0.5 ms tick, so short timeouts never cascade); each
 * higher level has 256 buckets, each spanning a whole turn of the level below. A timer due {@code
 * d} ticks from now goes to the lowest level whose full turn exceeds {@code d}, in the bucket that
 * the level's cursor reaches at or before the deadline. When the cursor of a level moves, the
 * buckets it passes are emptied: due timers are handed out to fire, the others go down to a finer
 * level (at most once per level over a timer's life). Levels cover all of {@code 2^63} ns, so no
 * delay is too long and none laps the wheel.
 *
 * <p>The lock is a {@link TickLock}: critical sections are a handful of pointer writes, except the
 * tick thread's expiry of one pass. Every mutable field is guarded by it. Callers (any thread)
 * insert and unlink directly; the tick thread expires. No allocation after construction but a fresh
 * 80-byte head for the arrivals per pass while timers are being scheduled.
 *
 * <p>One-shot timers with a positive delay arrive without a deadline (no clock read in {@code
 * schedule}) in a list of arrivals, which cancel unlinks from like a bucket; the next pass, or the
 * caller that links the shard's 64th waiting arrival, reads the clock under the lock and files them
 * all by deadline (see {@link #absorbLocked}).
 */
class Shard extends TickLock {

  /**
   * A shard with padding after its fields too (see {@link TickLockPadding}); the only kind made.
   */
  static final class Padded extends Shard {
    long q00, q01, q02, q03, q04, q05, q06, q07;

    Padded(WheelScheduler owner, int tickShift, int bits0, long startTick) {
      super(owner, tickShift, bits0, startTick);
    }
  }

  /** The arrivals list's head, padded after its links (written on every schedule and cancel). */
  private static final class PaddedNode extends Node {
    long q00, q01, q02, q03, q04, q05, q06, q07;
  }

  final WheelScheduler owner;

  /** The owner's, at hand for the shutdown check of every insert. */
  private final Lifecycle lifecycle;

  /** Per level: where its bucket index starts in a tick count, and the index mask. */
  private final int[] shift;

  private final int[] mask;
  private final int tickShift;
  private final Node[][] wheel;

  /** The level of a delay of d ticks, indexed by the position of d's highest set bit. */
  private final byte[] levelOfBit;

  private final WheelGeometry geometry;

  /** Last tick fully processed. */
  private long cur;

  /** Timers linked in this shard's buckets and arrivals. */
  private int count;

  /**
   * Timers scheduled without a clock read, waiting for their deadline (see {@link #absorbLocked}):
   * a list like a bucket, so cancel unlinks them at once like any other timer.
   */
  private Node arrivals = new PaddedNode().selfLinked();

  private int arrivalCount;

  /** Timers linked by callers (schedule, periodic re-arm); read by the tick thread's idle check. */
  private int inserts;

  private int insertsSeen;
  private int insertsAtNewHead;

  private Shard(WheelScheduler owner, int tickShift, int bits0, long startTick) {
    this.owner = owner;
    this.lifecycle = owner.lifecycle;
    this.tickShift = tickShift;
    WheelGeometry g = new WheelGeometry(tickShift, bits0);
    this.geometry = g;
    this.shift = g.shift;
    this.mask = g.mask;
    this.levelOfBit = g.levelOfBit;
    this.wheel = new Node[g.levels()][];
    for (int i = 0; i < wheel.length; i++) {
      wheel[i] = new Node[mask[i] + 1];
      for (int j = 0; j < wheel[i].length; j++) {
        wheel[i][j] = new Node().selfLinked();
      }
    }
    this.cur = startTick;
  }

  /** Tests: hold this shard's lock as a scheduling thread would. */
  void lockAsCaller() {
    lock();
  }

  void unlockAsCaller() {
    unlock();
  }

  /** The tick at or after {@code nanos}: a timer never fires before its deadline. */
  long ceilTick(long nanos) {
    long t = nanos >>> tickShift;
    return (nanos & ((1L << tickShift) - 1)) == 0 ? t : t + 1;
  }

  /**
   * Links a new timer, unless the scheduler has been shut down (checked under the lock, so a timer
   * is either swept by shutdown or rejected, never lost). Returns {@link #REJECTED} if rejected,
   * {@link #CONTENDED} if another thread held the lock (the caller then moves its later timers to
   * another shard).
   */
  int insertNew(TimerEntry<?> e) {
    int result = INSERTED;
    if (lockReportingCaller()) {
      // only another caller counts: the tick thread holds every lock briefly each pass
      result = CONTENDED;
    }
    try {
      if (lifecycle.rejectsNew()) {
        return REJECTED;
      }
      inserts++;
      if (e.deadline >= 0) {
        link(e);
      } else {
        append(arrivals, e);
        if (++arrivalCount >= ABSORB_BATCH) {
          absorbLocked();
        }
      }
    } finally {
      unlock();
    }
    return result;
  }

  /** Results of {@link #insertNew}: linked; linked after waiting for the lock; refused. */
  static final int INSERTED = 0;

  static final int CONTENDED = 1;
  static final int REJECTED = 2;

  /**
   * Arrivals beyond which the scheduling thread places them itself: one clock read then serves this
   * many timers, and a fast producer's timers get deadlines within microseconds of their calls
   * instead of at the next pass.
   */
  static final int ABSORB_BATCH = 64;

  /**
   * Gives every arrival its deadline and links it in its bucket. An arrival holds {@code -1 -
   * delay} in {@code deadline}; its deadline becomes the clock read here plus the delay. The clock
   * is read under this lock, after every arrival was linked under it, so after every schedule call
   * that produced one: a deadline computed from it is never earlier than the call plus the delay
   * (the timer never fires early). It is later by the time the timer waited here: until the next
   * pass (at most a tick, half on average, if the tick thread runs on time) or the shard's {@link
   * #ABSORB_BATCH}th waiting arrival, or a {@code getDelay}/{@code compareTo}. A stall of the tick
   * thread (a GC pause, a starved CPU, a callback executor whose {@code execute} blocks) adds to
   * the delay of timers scheduled during it. This is what lets {@code schedule} skip {@code
   * System.nanoTime()}, half its cost.
   */
  private void absorbLocked() {
    Node n = arrivals.next;
    if (n == arrivals) {
      return;
    }
    long now = owner.now();
    arrivals.selfLinked();
    count -= arrivalCount;
    arrivalCount = 0;
    while (n != arrivals) {
      TimerEntry<?> e = (TimerEntry<?>) n;
      n = n.next;
      e.deadline = WheelScheduler.saturatedAdd(now, -1 - e.deadline);
      link(e);
    }
  }

  /**
   * The deadline of {@code e}, fixing it first if {@code e} is an arrival: an arrival still linked
   * is absorbed with the others; one cancelled before absorption gets the clock now plus its delay
   * (its delay is moot, but stays the same from then on).
   */
  long settledDeadline(TimerEntry<?> e) {
    lock();
    try {
      long d = e.deadline;
      if (d < 0) {
        if (e.prev != null) {
          absorbLocked();
        } else {
          e.deadline = WheelScheduler.saturatedAdd(owner.now(), -1 - d);
        }
        d = e.deadline;
      }
      return d;
    } finally {
      unlock();
    }
  }

  private void link(TimerEntry<?> e) {
    long t = ceilTick(e.deadline);
    long c = cur;
    Node head;
    if (t <= c) {
      head = wheel[0][(int) (c & mask[0])];
    } else {
      int level = levelOfBit[63 - Long.numberOfLeadingZeros(t - c)];
      head = wheel[level][(int) ((t >>> shift[level]) & mask[level])];
    }
    append(head, e);
  }

  /** Links {@code e} last in the list headed by {@code head}. */
  private void append(Node head, TimerEntry<?> e) {
    Node tail = head.prev;
    e.prev = tail;
    e.next = head;
    tail.next = e;
    head.prev = e;
    count++;
  }

  /**
   * Cancels {@code e} if it is cancellable: a linked timer is marked cancelled and unlinked in O(1)
   * with plain stores (its state only changes under this lock); an unlinked one (handed out to
   * fire, or a periodic timer running) by CAS. Returns the state word it replaced, or -1 if the
   * timer was not cancellable (already running one-shot, done, cancelled).
   */
  int cancel(TimerEntry<?> e) {
    lock();
    try {
      int s = e.state;
      if (e.prev != null && (s & TimerEntry.CODE) == TimerEntry.PENDING) {
        e.setStateLocked((s & ~TimerEntry.CODE) | TimerEntry.CANCELLED);
        unlinkLocked(e);
        return s;
      }
      for (; ; s = e.state) {
        int code = s & TimerEntry.CODE;
        if (code != TimerEntry.PENDING && !(code == TimerEntry.RUNNING && e.isPeriodic())) {
          return -1;
        }
        if (e.casState(s, (s & ~TimerEntry.CODE) | TimerEntry.CANCELLED)) {
          return s;
        }
      }
    } finally {
      unlock();
    }
  }

  /** Flags that a thread is about to wait for {@code e} (under the lock: see TimerEntry). */
  void markWaiting(TimerEntry<?> e) {
    lock();
    try {
      for (; ; ) {
        int s = e.state;
        if ((s & TimerEntry.CODE) >= TimerEntry.NORMAL
            || (s & TimerEntry.WAITERS) != 0
            || e.casState(s, s | TimerEntry.WAITERS)) {
          return;
        }
      }
    } finally {
      unlock();
    }
  }

  private void unlinkLocked(TimerEntry<?> e) {
    Node p = e.prev;
    Node n = e.next;
    p.next = n;
    n.prev = p;
    e.prev = null;
    e.next = null;
    count--;
    if (e.deadline < 0) {
      arrivalCount--;
    }
  }

  /**
   * Re-arms a periodic timer after a run (called by the thread that ran it). If the scheduler was
   * shut down meanwhile, the timer ends as cancelled (ThreadPoolExecutor's default: periodic tasks
   * do not continue after shutdown).
   */
  void reschedule(TimerEntry<?> e, long nextDeadline) {
    boolean stopped = false;
    lock();
    try {
      for (; ; ) {
        int s = e.state;
        if ((s & TimerEntry.CODE) != TimerEntry.RUNNING) {
          return; // cancelled while running
        }
        if (lifecycle.rejectsNew()) {
          stopped = true;
          break;
        }
        e.deadline = nextDeadline;
        if (e.casState(s, (s & ~TimerEntry.CODE) | TimerEntry.PENDING)) {
          inserts++;
          link(e);
          break;
        }
      }
    } finally {
      unlock();
    }
    if (!stopped) {
      owner.ticks.wakeIfSleeping();
      return;
    }
    if (e.complete(TimerEntry.RUNNING, TimerEntry.CANCELLED, null)) {
      if (e.counter() != null) {
        e.counter().end(e.stamp(), TimerEnd.SHUT_DOWN);
      }
    }
  }

  /**
   * Advances this shard to the tick of {@code now}, appending due timers after {@code dueTail}
   * (chained through {@code next}, with {@code prev == null}); returns the new tail of that chain.
   * Due are the timers of every tick passed, and those of the next tick whose deadline is already
   * {@code now} or earlier: a pass that comes a little after a tick's start (the tick thread's
   * wake-up is never exact) fires them now rather than a whole tick later.
   */
  Node expire(long now, Node dueTail) {
    long nowTick = now >>> tickShift;
    lockAsTicker();
    try {
      absorbLocked();
      if (inserts != insertsAtNewHead) {
        // a fresh (young) head each pass while callers schedule: linking a new timer into an old
        // object costs the collector's write barrier its slow path (G1: a fence and a card to
        // refine) on every schedule; into a young one, nothing
        arrivals = new PaddedNode().selfLinked();
        insertsAtNewHead = inserts;
      }
      long prev = cur;
      if (nowTick <= prev) {
        dueTail = drain(0, (int) (prev & mask[0]), dueTail);
        return drainEarly(nowTick + 1, now, dueTail);
      }
      cur = nowTick;
      for (int level = 0; level < wheel.length; level++) {
        long p = prev >>> shift[level];
        long c = nowTick >>> shift[level];
        if (p == c) {
          break;
        }
        long steps = Math.min(c - p + 1, (long) mask[level] + 1);
        for (long k = 0; k < steps; k++) {
          dueTail = drain(level, (int) ((p + k) & mask[level]), dueTail);
        }
      }
      return drainEarly(nowTick + 1, now, dueTail);
    } finally {
      unlock();
    }
  }

  private Node drain(int level, int index, Node dueTail) {
    Node head = wheel[level][index];
    Node n = head.next;
    if (n == head) {
      return dueTail;
    }
    head.selfLinked();
    long c = cur;
    while (n != head) {
      TimerEntry<?> e = (TimerEntry<?>) n;
      n = n.next;
      e.prev = null;
      e.next = null;
      count--;
      if ((e.state & TimerEntry.CODE) != TimerEntry.PENDING) {
        continue; // cancelled; its canceller waits for this lock and will find it unlinked
      }
      if (ceilTick(e.deadline) <= c) {
        dueTail.next = e;
        dueTail = e;
      } else {
        link(e);
      }
    }
    return dueTail;
  }

  /**
   * Takes from the first-level bucket of tick {@code t} (the one after the cursor, which holds only
   * timers of that tick) the pending timers whose deadline is {@code now} or earlier.
   */
  private Node drainEarly(long t, long now, Node dueTail) {
    Node head = wheel[0][(int) (t & mask[0])];
    Node n = head.next;
    while (n != head) {
      TimerEntry<?> e = (TimerEntry<?>) n;
      n = n.next;
      if (e.deadline <= now && (e.state & TimerEntry.CODE) == TimerEntry.PENDING) {
        unlinkLocked(e);
        dueTail.next = e;
        dueTail = e;
      }
    }
    return dueTail;
  }

  /** Cancels and unlinks every periodic timer (shutdown). */
  void cancelPeriodic() {
    lock();
    try {
      for (Node[] level : wheel) {
        for (Node head : level) {
          Node n = head.next;
          while (n != head) {
            TimerEntry<?> e = (TimerEntry<?>) n;
            n = n.next;
            if (e.isPeriodic() && e.cancelBySystem()) {
              unlinkLocked(e);
            }
          }
        }
      }
    } finally {
      unlock();
    }
  }

  /** Cancels and unlinks every timer, adding those it cancelled to {@code out} (shutdownNow). */
  void cancelAll(List<Runnable> out) {
    lock();
    try {
      absorbLocked(); // the futures handed back report their delays
      for (Node[] level : wheel) {
        for (Node head : level) {
          Node n = head.next;
          while (n != head) {
            TimerEntry<?> e = (TimerEntry<?>) n;
            n = n.next;
            unlinkLocked(e);
            if (e.cancelBySystem()) {
              out.add(e);
            }
          }
        }
      }
    } finally {
      unlock();
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

  /**
   * Racy hint for the tick thread (the only writer of {@code insertsSeen}): whether callers linked
   * timers since its previous look. {@link #nextWork} confirms a "no" under the lock.
   */
  boolean insertedSinceCheck() {
    int i = inserts;
    boolean changed = i != insertsSeen;
    insertsSeen = i;
    return changed;
  }

  /**
   * For the tick thread's sleep, after a pass: {@code -1} if callers linked timers since its
   * previous look or arrivals wait (keep ticking); else the first tick after the last pass at which
   * this shard may have work: its first non-empty first-level bucket, or the next turn of the first
   * level (where the levels above cascade), or {@code Long.MAX_VALUE} if it is empty. Scans at most
   * one turn of buckets, and only when no one schedules.
   */
  long nextWork() {
    lockAsTicker();
    try {
      if (inserts != insertsSeen || arrivals.next != arrivals) {
        insertsSeen = inserts;
        return -1;
      }
      if (count == 0) {
        return Long.MAX_VALUE;
      }
      Node[] level0 = wheel[0];
      return geometry.nextBusyTick(cur, i -> level0[i].next != level0[i]);
    } finally {
      unlock();
    }
  }
}
