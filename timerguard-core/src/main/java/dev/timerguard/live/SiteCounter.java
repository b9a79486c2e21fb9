package dev.timerguard.live;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The live counters of one call site: what engines, wrappers and agent hooks write to.
 *
 * <p>Thread-safe and lock-free. The protocol for one timer is: {@link #created()} once, keeping
 * the returned stamp, then exactly one of {@link #fired(long)} or {@link #cancelled(long)} with
 * that stamp. The caller guarantees "exactly one" (an atomic state on the timer); the counter
 * does not remember individual timers, so nothing is kept after a timer ends. A hook that cannot
 * know the stamp passes {@link #NO_STAMP}; only the oldest-age estimate loses precision.
 *
 * <p><b>How it counts.</b> Creation times are grouped in epochs of about one second, and each of
 * {@value #SLOTS} slots (one per epoch, reused round-robin) keeps three cumulative counts:
 * created, fired, cancelled. The site's totals are the sums over the slots and {@code live} is
 * their difference, so a creation costs one clock read (none with the registry's coarse stamps)
 * and one atomic increment, and an end one atomic increment. A slot's live count (created minus ended) tells whether timers of its epoch
 * are still alive, which gives the oldest live age. {@code peak} is the highest live count any
 * snapshot of this site has seen (an exact running maximum would cost a contended atomic on every
 * event).
 *
 * <p>Memory: a fixed ~1 KB per site, whatever the number of timers.
 */
public final class SiteCounter {

  /** Pass to {@link #fired(long)}/{@link #cancelled(long)} when the creation stamp is unknown. */
  public static final long NO_STAMP = Long.MIN_VALUE;

  /** Epochs of 2^30 ns (1.07 s). */
  private static final int EPOCH_SHIFT = 30;

  /** 32 epochs = 34 s before a slot is reused (a slot with live timers keeps its oldest epoch). */
  private static final int SLOTS = 32;

  private final int id;
  private final CallSite site;
  private final LiveRegistry registry;
  private final AtomicLongArray created = new AtomicLongArray(SLOTS);
  private final AtomicLongArray fired = new AtomicLongArray(SLOTS);
  private final AtomicLongArray cancelled = new AtomicLongArray(SLOTS);
  private final AtomicLongArray oldestEpoch = new AtomicLongArray(SLOTS);
  private final AtomicLong retained = new AtomicLong();
  private final AtomicLong peak = new AtomicLong();

  SiteCounter(int id, CallSite site, LiveRegistry registry) {
    this.id = id;
    this.site = site;
    this.registry = registry;
  }

  /** The stable id the registry gave this site. */
  public int id() {
    return id;
  }

  public CallSite site() {
    return site;
  }

  /** Records one creation; returns the stamp to hand back when the timer ends. */
  public long created() {
    long now = registry.stampNow();
    long epoch = now >> EPOCH_SHIFT;
    int slot = (int) (epoch & (SLOTS - 1));
    long before = created.getAndIncrement(slot);
    long e = oldestEpoch.get(slot);
    if (e != epoch) {
      // the slot's first timer of a new epoch: take the epoch unless older timers are still live
      boolean empty = before - fired.get(slot) - cancelled.get(slot) <= 0;
      if (empty || epoch < e) {
        oldestEpoch.compareAndSet(slot, e, epoch);
      }
    }
    return now;
  }

  /** Records that a timer created with {@code stamp} fired (or a thread terminated). */
  public void fired(long stamp) {
    fired.incrementAndGet(slotOf(stamp));
  }

  /** Records that a timer created with {@code stamp} was cancelled or stopped. */
  public void cancelled(long stamp) {
    cancelled.incrementAndGet(slotOf(stamp));
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

  /** Live timers now (a sum over the slots; exact at quiescence). */
  public long live() {
    long ended = 0;
    for (int i = 0; i < SLOTS; i++) {
      ended += fired.get(i) + cancelled.get(i);
    }
    long made = 0;
    for (int i = 0; i < SLOTS; i++) {
      made += created.get(i);
    }
    return Math.max(0, made - ended);
  }

  private int oldestLiveSlot() {
    int best = -1;
    long bestEpoch = Long.MAX_VALUE;
    for (int i = 0; i < SLOTS; i++) {
      if (created.get(i) - fired.get(i) - cancelled.get(i) > 0) {
        long e = oldestEpoch.get(i);
        if (e < bestEpoch) {
          bestEpoch = e;
          best = i;
        }
      }
    }
    return best;
  }

  SiteStats stats(long now) {
    // ends first, then creations: every end seen has its creation seen, so live never dips below 0
    long f = 0;
    long x = 0;
    for (int i = 0; i < SLOTS; i++) {
      f += fired.get(i);
      x += cancelled.get(i);
    }
    long c = 0;
    for (int i = 0; i < SLOTS; i++) {
      c += created.get(i);
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
    return new SiteStats(site, c, f, x, l, p, age, retained.get());
  }

  @Override
  public String toString() {
    return "SiteCounter[" + id + " " + site.location() + " live=" + live() + "]";
  }
}
