package dev.timerguard.live;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The live counters of one call site: what engines, wrappers and agent hooks write to.
 *
 * <p>Thread-safe and lock-free. The protocol for one timer is: {@link #created()} once, keeping
 * the returned stamp, then exactly one of {@link #fired(long)} or {@link #cancelled(long)} with
 * that stamp. The caller guarantees "exactly one" (an atomic state on the timer); the counter
 * does not remember individual timers, so nothing is kept after a timer ends. A hook that cannot
 * know the stamp passes {@link #NO_STAMP}; only the oldest-age estimate loses precision.
 *
 * <p>Cost: {@code created} is one clock read, two atomic increments and one uncontended array
 * update; {@code fired}/{@code cancelled} are two atomic updates. Memory: a fixed ~1.2 KB per
 * site, whatever the number of timers.
 */
public final class SiteCounter {

  /** Pass to {@link #fired(long)}/{@link #cancelled(long)} when the creation stamp is unknown. */
  public static final long NO_STAMP = Long.MIN_VALUE;

  /** Age buckets: creation times are grouped in epochs of 2^30 ns (1.07 s). */
  private static final int EPOCH_SHIFT = 30;

  private static final int SLOTS = 64; // 64 epochs = 68.7 s before slots are shared

  private final int id;
  private final CallSite site;
  private final LongSupplier clock;
  private final LongAdder created = new LongAdder();
  private final LongAdder fired = new LongAdder();
  private final LongAdder cancelled = new LongAdder();
  private final AtomicLong live = new AtomicLong();
  private final AtomicLong peak = new AtomicLong();
  private final LongAdder retained = new LongAdder();
  private final AtomicLongArray slotCount = new AtomicLongArray(SLOTS);
  private final AtomicLongArray slotOldestEpoch = new AtomicLongArray(SLOTS);

  SiteCounter(int id, CallSite site, LongSupplier clock) {
    this.id = id;
    this.site = site;
    this.clock = clock;
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
    long now = clock.getAsLong();
    created.increment();
    long l = live.incrementAndGet();
    long p = peak.get();
    while (l > p && !peak.compareAndSet(p, l)) {
      p = peak.get();
    }
    long epoch = now >> EPOCH_SHIFT;
    int slot = (int) (epoch & (SLOTS - 1));
    if (slotCount.getAndIncrement(slot) == 0) {
      slotOldestEpoch.set(slot, epoch);
    } else {
      long old = slotOldestEpoch.get(slot);
      while (epoch < old && !slotOldestEpoch.compareAndSet(slot, old, epoch)) {
        old = slotOldestEpoch.get(slot);
      }
    }
    return now;
  }

  /** Records that a timer created with {@code stamp} fired (or a thread terminated). */
  public void fired(long stamp) {
    fired.increment();
    end(stamp);
  }

  /** Records that a timer created with {@code stamp} was cancelled or stopped. */
  public void cancelled(long stamp) {
    cancelled.increment();
    end(stamp);
  }

  private void end(long stamp) {
    live.decrementAndGet();
    if (stamp != NO_STAMP) {
      int slot = (int) ((stamp >> EPOCH_SHIFT) & (SLOTS - 1));
      slotCount.decrementAndGet(slot);
    } else {
      // unknown creation time: take one from the oldest occupied slot so slots still drain
      int oldest = oldestSlot();
      if (oldest >= 0) {
        slotCount.decrementAndGet(oldest);
      }
    }
  }

  /** Adds to (or with a negative delta, takes from) the retained-cancelled-task gauge. */
  public void retained(long delta) {
    retained.add(delta);
  }

  /** Live timers now. */
  public long live() {
    return live.get();
  }

  private int oldestSlot() {
    int best = -1;
    long bestEpoch = Long.MAX_VALUE;
    for (int i = 0; i < SLOTS; i++) {
      if (slotCount.get(i) > 0) {
        long e = slotOldestEpoch.get(i);
        if (e < bestEpoch) {
          bestEpoch = e;
          best = i;
        }
      }
    }
    return best;
  }

  SiteStats stats(long now) {
    long l = live.get();
    long age = 0;
    if (l > 0) {
      int s = oldestSlot();
      if (s >= 0) {
        age = Math.max(0, now - (slotOldestEpoch.get(s) << EPOCH_SHIFT));
      }
    }
    return new SiteStats(
        site,
        created.sum(),
        fired.sum(),
        cancelled.sum(),
        l,
        peak.get(),
        age,
        retained.sum());
  }

  @Override
  public String toString() {
    return "SiteCounter[" + id + " " + site.location() + " live=" + live.get() + "]";
  }
}
