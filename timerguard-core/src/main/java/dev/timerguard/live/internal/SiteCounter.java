package dev.timerguard.live.internal;

import dev.timerguard.live.CallSite;
import dev.timerguard.live.SiteStats;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The live counters of one call site: what TimerGuard's engines, wrappers and agent hooks write to.
 * Not for applications (see the package comment).
 *
 * <p>Thread-safe and lock-free. The protocol for one timer is: {@link #start(long)} once, keeping
 * the returned stamp, then exactly one {@link #end(long, TimerEnd)} with that stamp and how the
 * timer ended. The caller guarantees "exactly one" (an atomic state on the timer); the counter does
 * not remember individual timers, so nothing is kept after a timer ends. A hook that cannot know
 * the stamp passes {@link #NO_STAMP}; only the oldest-age estimate loses precision.
 *
 * <p><b>One call counts and records.</b> For sites of kind {@link CallSite.Kind#TIMER} and {@link
 * CallSite.Kind#TICKER}, {@code start} and {@code end} also commit TimerGuard's JFR events ({@link
 * TimerEvents}: {@code dev.timerguard.TimerScheduled}, {@code TimerFired}, {@code TimerCancelled})
 * when a recording has them enabled, so events and counts cannot drift: every {@code end} that
 * counts as fired ({@link TimerEnd#countsAsFired()}) is one {@code TimerFired}, every other one
 * {@code TimerCancelled}. With no recording on, this costs one check. Executors and threads are
 * counted without TimerGuard events (the JDK records thread starts and ends).
 *
 * <p><b>How it counts.</b> Creation times are grouped in epochs of about one second, and each of
 * {@value #SLOTS} slots (one per epoch, reused round-robin) keeps three cumulative counts: created,
 * fired, cancelled. The site's totals are the sums over the slots and {@code live} is their
 * difference, so a creation costs one clock read (none with the registry's coarse stamps) and one
 * atomic increment, and an end one atomic increment. A slot's live count (created minus ended)
 * tells whether timers of its epoch are still alive, which gives the oldest live age. {@code peak}
 * is the highest live count any snapshot of this site has seen (an exact running maximum would cost
 * a contended atomic on every event).
 *
 * <p>The counts are striped by thread (twice the processors, 2 to 8 stripes), so threads counting
 * at one site do not contend. Memory: a fixed 0.8 KB per stripe and site (3 KB with 4 stripes, at
 * most 6.3 KB), whatever the number of timers.
 */
public final class SiteCounter {

  /**
   * Pass to {@link #end} (or {@link #fired}/{@link #cancelled}) when the creation stamp is unknown.
   */
  public static final long NO_STAMP = Long.MIN_VALUE;

  /** Epochs of 2^30 ns (1.07 s). */
  private static final int EPOCH_SHIFT = 30;

  /** 32 epochs = 34 s before a slot is reused (a slot with live timers keeps its oldest epoch). */
  private static final int SLOTS = 32;

  private final int id;
  private final CallSite site;
  private final SiteRegistry registry;

  /** Whether starts and ends of this site are JFR events (timers and tickers). */
  private final boolean recorded;

  /**
   * Stripes of counts, so threads counting at one site at once do not contend on one cache line
   * (two threads on one site ran at the speed of one): twice the processors, 2 to 8. A thread
   * writes the stripe of its id; readers sum the stripes.
   */
  private static final int STRIPES =
      Math.min(
          8,
          Integer.highestOneBit(Math.max(1, 2 * Runtime.getRuntime().availableProcessors() - 1))
              << 1);

  private static final int CREATED = 0;
  private static final int FIRED = SLOTS;
  private static final int CANCELLED = 2 * SLOTS;

  /** Longs per stripe: created, fired, cancelled per slot (768 bytes, many cache lines apart). */
  private static final int STRIDE = 3 * SLOTS;

  private final AtomicLongArray counts = new AtomicLongArray(STRIPES * STRIDE);
  private final AtomicLongArray oldestEpoch = new AtomicLongArray(SLOTS);
  private final AtomicLong retained = new AtomicLong();
  private volatile long queued;
  private final AtomicLong peak = new AtomicLong();

  SiteCounter(int id, CallSite site, SiteRegistry registry) {
    this.id = id;
    this.site = site;
    this.registry = registry;
    this.recorded = site.kind() == CallSite.Kind.TIMER || site.kind() == CallSite.Kind.TICKER;
  }

  /** The stable id the registry gave this site. */
  public int id() {
    return id;
  }

  /** The site counted here. */
  public CallSite site() {
    return site;
  }

  /** The registry this counter belongs to. */
  SiteRegistry registry() {
    return registry;
  }

  /**
   * Starts one timer (or ticker, executor, thread) at this site: counts the creation and, for
   * timers and tickers, commits a {@code dev.timerguard.TimerScheduled} event if a recording wants
   * it. Returns the stamp to hand back to {@link #end}.
   *
   * @param delayNanos the timer's delay or period, recorded in the event (0 when unknown)
   */
  public long start(long delayNanos) {
    long stamp = created(registry.stampNow());
    if (recorded) {
      TimerEvents.scheduled(site, delayNanos);
    }
    return stamp;
  }

  /**
   * {@link #start(long)} with a creation stamp the caller already holds (see {@link #created(long)}
   * for what a valid stamp is): a start then costs no clock read. Returns {@code stamp}.
   */
  public long startAt(long stamp, long delayNanos) {
    created(stamp);
    if (recorded) {
      TimerEvents.scheduled(site, delayNanos);
    }
    return stamp;
  }

  /**
   * Ends one timer started with {@code stamp}: counts it as fired or cancelled ({@link
   * TimerEnd#countsAsFired()}) and, for timers and tickers, commits a {@code
   * dev.timerguard.TimerFired} or {@code dev.timerguard.TimerCancelled} event saying {@code how} if
   * a recording wants it. Call exactly once per start.
   *
   * @throws NullPointerException if {@code how} is null (nothing is counted then)
   */
  public void end(long stamp, TimerEnd how) {
    boolean fired = how.countsAsFired();
    counts.getAndIncrement(stripe() + (fired ? FIRED : CANCELLED) + slotOf(stamp));
    if (recorded) {
      TimerEvents.ended(site, fired, how, stamp, registry);
    }
  }

  /**
   * Counts one creation without a JFR event. For hooks that commit their events themselves; new
   * code calls {@link #start(long)}. Returns the stamp to hand back when the timer ends.
   */
  public long created() {
    return created(registry.stampNow());
  }

  /**
   * Counts one creation stamped by the caller, without a JFR event (see {@link #startAt} for the
   * call that records it too), for engines that already hold a recent reading of the registry's
   * clock (see {@link SiteRegistry#isSystemClock()}): a creation then costs no clock read. A
   * reading older than the creation makes the oldest-live age an upper bound, off by the reading's
   * age; keep it within a second (a reading as old as the {@value #SLOTS} slots' span, about 34 s,
   * would date the creation into a slot's previous epoch). Returns {@code stamp}, to hand back when
   * the timer ends.
   */
  public long created(long stamp) {
    long now = stamp;
    long epoch = now >> EPOCH_SHIFT;
    int slot = (int) (epoch & (SLOTS - 1));
    long e = oldestEpoch.get(slot);
    // the slot's first timer of a new epoch takes the epoch unless older timers are still live;
    // "empty" is judged before this creation is counted, so of two threads starting an epoch
    // together at least one sees the slot as it was (judged after, each saw the other's timer)
    boolean take = e != epoch && (epoch < e || liveIn(slot) <= 0);
    counts.getAndIncrement(stripe() + CREATED + slot);
    if (take) {
      oldestEpoch.compareAndSet(slot, e, epoch);
    }
    return now;
  }

  /** Live timers of one slot: ends read first, so every end counted has its creation counted. */
  private long liveIn(int slot) {
    long ended = sum(FIRED, slot) + sum(CANCELLED, slot);
    return sum(CREATED, slot) - ended;
  }

  /**
   * Counts that a timer created with {@code stamp} fired (or a thread terminated), without a JFR
   * event; new code calls {@link #end}.
   */
  public void fired(long stamp) {
    counts.getAndIncrement(stripe() + FIRED + slotOf(stamp));
  }

  /**
   * Counts that a timer created with {@code stamp} was cancelled or stopped, without a JFR event;
   * new code calls {@link #end}.
   */
  public void cancelled(long stamp) {
    counts.getAndIncrement(stripe() + CANCELLED + slotOf(stamp));
  }

  private static int stripe() {
    return ((int) Thread.currentThread().getId() & (STRIPES - 1)) * STRIDE;
  }

  /** One count of one slot over all stripes ({@code kind}: CREATED, FIRED or CANCELLED). */
  private long sum(int kind, int slot) {
    long n = 0;
    for (int i = kind + slot; i < STRIPES * STRIDE; i += STRIDE) {
      n += counts.get(i);
    }
    return n;
  }

  private int slotOf(long stamp) {
    if (stamp != NO_STAMP) {
      return (int) ((stamp >> EPOCH_SHIFT) & (SLOTS - 1));
    }
    int oldest = oldestLiveSlot(); // unknown creation time: end one of the oldest so slots drain
    return oldest >= 0 ? oldest : 0;
  }

  /** Adds to (or with a negative delta, takes from) the retained-cancelled-task gauge. */
  public void retained(long delta) {
    retained.addAndGet(delta);
  }

  /**
   * Sets the queued-task gauge: the tasks waiting in the queues of this executor site's executors,
   * as a sampler last counted them (see {@link SiteStats#queued()}).
   */
  public void queued(long tasks) {
    queued = tasks;
  }

  /** Live timers now (a sum over the slots; exact at quiescence). */
  public long live() {
    long ended = 0;
    for (int i = 0; i < SLOTS; i++) {
      ended += sum(FIRED, i) + sum(CANCELLED, i);
    }
    long made = 0;
    for (int i = 0; i < SLOTS; i++) {
      made += sum(CREATED, i);
    }
    return Math.max(0, made - ended);
  }

  private int oldestLiveSlot() {
    int best = -1;
    long bestEpoch = Long.MAX_VALUE;
    for (int i = 0; i < SLOTS; i++) {
      if (sum(CREATED, i) - sum(FIRED, i) - sum(CANCELLED, i) > 0) {
        long e = oldestEpoch.get(i);
        if (e < bestEpoch) {
          bestEpoch = e;
          best = i;
        }
      }
    }
    return best;
  }

  /** The site's counts now, as a snapshot shows them ({@code now}: the registry's clock). */
  SiteStats stats(long now) {
    // ends first, then creations: every end seen has its creation seen, so live never dips below 0
    long f = 0;
    long x = 0;
    for (int i = 0; i < SLOTS; i++) {
      f += sum(FIRED, i);
      x += sum(CANCELLED, i);
    }
    long c = 0;
    for (int i = 0; i < SLOTS; i++) {
      c += sum(CREATED, i);
    }
    long l = Math.max(0, c - f - x);
    long p = peak.accumulateAndGet(l, Math::max);
    long age = 0;
    if (l > 0) {
      int s = oldestLiveSlot();
      if (s >= 0) {
        age = Math.max(0, now - (oldestEpoch.get(s) << EPOCH_SHIFT));
      }
    }
    return new SiteStats(site, c, f, x, l, p, age, retained.get(), queued);
  }

  @Override
  public String toString() {
    return "SiteCounter[" + id + " " + site.location() + " live=" + live() + "]";
  }
}
