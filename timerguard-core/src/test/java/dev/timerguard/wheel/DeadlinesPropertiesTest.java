package dev.timerguard.wheel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.timerguard.live.LiveRegistry;
import dev.timerguard.live.SiteStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.Size;

/**
 * Random interleavings of schedule, cancel, isPending, cancelAll and clock advances (each followed
 * by an expiry pass, and sometimes preceded by one at the current clock, as the tick thread makes
 * every tick) on a {@link Deadlines} set, against a reference model. {@code schedule} reads no
 * clock: a deadline is fixed by the next pass (or the stripe's 64th waiting deadline) from the
 * clock then, so it lies between the clock at the call plus the delay and the clock of the first
 * pass after the call plus the delay (saturating). The model checks that a deadline never fires in
 * a pass whose clock is before the earliest of these, fires at most once, never after a cancel that
 * returned true, and has fired once a pass ran at or after the first tick boundary at or after the
 * latest. (It does not always fire in the first pass at or after its deadline itself: a deadline
 * strictly inside a tick whose end is a boundary of an upper wheel level still sits in the upper
 * level's bucket when a pass runs inside that tick; see {@code DeadlinesEdgeTest}.) Cancel returns
 * true exactly when the model says pending, isPending matches, cancelAll returns exactly the
 * pending payloads, the set's and the scheduler's pending counts equal the model's, and the
 * registry's counts at the set's site equal what the model saw. The raw clock starts anywhere,
 * wrapping past {@code Long.MAX_VALUE} included.
 */
class DeadlinesPropertiesTest {

  static final long MS = 1_000_000L;
  static final long DAY = TimeUnit.DAYS.toNanos(1);

  /** One step of a scenario. */
  record Op(int kind, long arg, TimeUnit unit) {
    static final int SCHEDULE = 0;
    static final int CANCEL = 1;
    static final int IS_PENDING = 2;
    static final int CANCEL_ALL = 3;
    static final int ADVANCE = 4;
    static final int ADVANCE_TO = 5; // to a deadline of the model, or one nanosecond before it

    @Override
    public String toString() {
      return switch (kind) {
        case SCHEDULE -> "schedule " + arg + " " + unit;
        case CANCEL -> "cancel #" + arg;
        case IS_PENDING -> "isPending #" + arg;
        case CANCEL_ALL -> "cancelAll";
        case ADVANCE -> "advance " + arg;
        default -> "advanceTo #" + (arg >> 1) + ((arg & 1) == 0 ? "" : " - 1");
      };
    }
  }

  @Provide
  Arbitrary<Op> ops() {
    Arbitrary<Long> nanos =
        Arbitraries.frequencyOf(
            Tuple.of(4, Arbitraries.longs().between(-MS, 5 * MS)),
            Tuple.of(3, Arbitraries.longs().between(0, 3_000 * MS)),
            Tuple.of(2, Arbitraries.longs().between(0, 800 * DAY)),
            Tuple.of(1, Arbitraries.longs()),
            Tuple.of(
                1,
                Arbitraries.of(
                    Long.MAX_VALUE, Long.MAX_VALUE - 1, Long.MIN_VALUE, 0L, -1L, 1L, 1L << 62)));
    Arbitrary<Op> schedules =
        Arbitraries.frequencyOf(
            Tuple.of(6, nanos.map(d -> new Op(Op.SCHEDULE, d, TimeUnit.NANOSECONDS))),
            Tuple.of(
                1,
                Arbitraries.longs()
                    .between(-5, 3_000)
                    .map(d -> new Op(Op.SCHEDULE, d, TimeUnit.MILLISECONDS))),
            Tuple.of(
                1,
                Arbitraries.of(Long.MAX_VALUE, Long.MIN_VALUE, 106_751L, 106_752L, 1L, -1L)
                    .map(d -> new Op(Op.SCHEDULE, d, TimeUnit.DAYS))));
    Arbitrary<Long> advances =
        Arbitraries.frequencyOf(
            Tuple.of(2, Arbitraries.of(0L, 1L)),
            Tuple.of(5, Arbitraries.longs().between(0, 3 * MS)),
            Tuple.of(2, Arbitraries.longs().between(0, 2_000 * MS)),
            Tuple.of(1, Arbitraries.longs().between(0, 400 * DAY)));
    Arbitrary<Integer> index = Arbitraries.integers().between(0, 1_000);
    return Arbitraries.frequencyOf(
        Tuple.of(6, schedules),
        Tuple.of(3, index.map(i -> new Op(Op.CANCEL, i, null))),
        Tuple.of(1, index.map(i -> new Op(Op.IS_PENDING, i, null))),
        Tuple.of(1, Arbitraries.just(new Op(Op.CANCEL_ALL, 0, null))),
        Tuple.of(4, advances.map(a -> new Op(Op.ADVANCE, a, null))),
        Tuple.of(2, index.map(i -> new Op(Op.ADVANCE_TO, i, null))));
  }

  /** The model of one deadline; its payload is its index among those scheduled. */
  static final class Model {
    long handle;
    long nanos; // the delay asked for
    long deadline; // earliest: the clock at the call (since the origin) plus the delay, saturated
    long latest = Long.MIN_VALUE; // the clock of the first pass after the call plus the delay
    int fired;
    long firedAt = -1; // clock (since the origin) of the pass that fired it
    boolean cancelled;

    boolean pending() {
      return fired == 0 && !cancelled;
    }
  }

  /** A pass at {@code clock}: the latest deadline of those scheduled since the previous one. */
  static void fixLatest(List<Model> all, long clock) {
    for (Model m : all) {
      if (m.latest == Long.MIN_VALUE) {
        m.latest = m.nanos <= 0 ? clock : saturatedAdd(clock, m.nanos);
      }
    }
  }

  @Property(tries = 1000)
  void everyDeadlineFiresOnceInTimeUnlessCancelledAndEveryCountMatchesTheModel(
      @ForAll @Size(max = 160) List<@From("ops") Op> ops,
      @ForAll boolean smallWheel,
      @ForAll long rawOrigin) {
    AtomicLong clock = new AtomicLong(rawOrigin);
    LiveRegistry registry = LiveRegistry.create(1000, clock::get);
    WheelScheduler.Builder b =
        WheelScheduler.builder().manualTicking().clock(clock::get).registry(registry).shards(1);
    if (smallWheel) {
      b.wheelSize(16).tick(Duration.ofNanos(1 << 16));
    }
    WheelScheduler w = b.build();
    long tick = w.tickNanos();
    List<Model> all = new ArrayList<>();
    List<Long> pass = new ArrayList<>(); // payloads fired in the current pass, in order
    Deadlines d = propertySet(w, all, pass, clock, rawOrigin);
    long cancelledCount = 0;
    for (Op op : ops) {
      long now = clock.get() - rawOrigin;
      switch (op.kind()) {
        case Op.SCHEDULE -> {
          Model m = new Model();
          long nanos = op.unit().toNanos(op.arg());
          m.nanos = nanos;
          m.deadline = nanos <= 0 ? now : saturatedAdd(now, nanos);
          all.add(m);
          m.handle = d.schedule(all.size() - 1, op.arg(), op.unit());
          assertThat(m.handle).isPositive();
        }
        case Op.CANCEL -> {
          if (!all.isEmpty()) {
            Model m = all.get((int) (op.arg() % all.size()));
            boolean pending = m.pending();
            assertThat(d.cancel(m.handle))
                .as("cancel of a %s deadline", pending ? "pending" : "finished")
                .isEqualTo(pending);
            if (pending) {
              m.cancelled = true;
              cancelledCount++;
            }
          }
        }
        case Op.IS_PENDING -> {
          if (!all.isEmpty()) {
            Model m = all.get((int) (op.arg() % all.size()));
            assertThat(d.isPending(m.handle)).isEqualTo(m.pending());
          }
        }
        case Op.CANCEL_ALL -> {
          Set<Long> expected = new HashSet<>();
          for (int i = 0; i < all.size(); i++) {
            if (all.get(i).pending()) {
              expected.add((long) i);
              all.get(i).cancelled = true;
              cancelledCount++;
            }
          }
          long[] got = d.cancelAll();
          assertThat(got).hasSize(expected.size());
          Set<Long> gotSet = new HashSet<>();
          for (long p : got) {
            gotSet.add(p);
          }
          assertThat(gotSet).isEqualTo(expected);
        }
        default -> {
          long to;
          if (op.kind() == Op.ADVANCE) {
            to = now + op.arg();
          } else if (all.isEmpty()) {
            to = now;
          } else {
            Model m = all.get((int) ((op.arg() >> 1) % all.size()));
            to = m.deadline - (op.arg() & 1);
            if (to < now || to - now > 800 * DAY) {
              to = now; // the past, or a saturated deadline: a pass without moving
            }
          }
          if ((op.arg() & 2) == 0) {
            // the tick thread's pass at the current clock, which fixes the deadlines scheduled
            // since; otherwise they are fixed by the pass below, at its later clock
            fixLatest(all, now);
            w.tick();
          }
          clock.set(rawOrigin + to);
          pass.clear();
          long at = clock.get() - rawOrigin;
          fixLatest(all, at);
          w.tick();
          for (int i = 0; i < all.size(); i++) {
            Model m = all.get(i);
            if (m.pending()) {
              boolean overdue =
                  m.latest <= Long.MAX_VALUE - tick && ceilTick(m.latest, tick) * tick <= at;
              assertThat(overdue)
                  .as(
                      "#%d due at %d (at the latest) still pending after the pass at %d (tick %d)",
                      i, m.latest, at, tick)
                  .isFalse();
            }
          }
        }
      }
      int pendingModel = 0;
      long firedModel = 0;
      for (Model m : all) {
        assertThat(m.fired).isLessThanOrEqualTo(1);
        if (m.fired == 1) {
          assertThat(m.cancelled).as("fired after a successful cancel").isFalse();
          assertThat(m.firedAt).as("fired before its deadline").isGreaterThanOrEqualTo(m.deadline);
          firedModel++;
        }
        pendingModel += m.pending() ? 1 : 0;
      }
      assertThat(d.pendingCount()).isEqualTo(pendingModel);
      assertThat(w.pendingCount()).isEqualTo(pendingModel);
      SiteStats s = siteOf(registry);
      assertThat(s).as("the set's site").isNotNull();
      assertThat(s.live()).as("live at the set's site").isEqualTo(pendingModel);
      assertThat(s.created()).as("created").isEqualTo(all.size());
      assertThat(s.fired()).as("fired").isEqualTo(firedModel);
      assertThat(s.cancelled()).as("cancelled").isEqualTo(cancelledCount);
    }
  }

  /** The set under test, made here so that its registry site is this method. */
  static Deadlines propertySet(
      WheelScheduler w, List<Model> all, List<Long> pass, AtomicLong clock, long rawOrigin) {
    return w.deadlines(
        p -> {
          Model m = all.get((int) p);
          m.fired++;
          m.firedAt = clock.get() - rawOrigin;
          pass.add(p);
        });
  }

  static SiteStats siteOf(LiveRegistry registry) {
    SiteStats found = null;
    for (SiteStats st : registry.snapshot().sites()) {
      assertThat(st.site().methodName()).as("the only site").isEqualTo("propertySet");
      found = st;
    }
    return found;
  }

  static long saturatedAdd(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
  }

  /** The first tick whose start is at or after {@code nanos} (nanos at most MAX - tick). */
  static long ceilTick(long nanos, long tick) {
    return Math.floorDiv(nanos + tick - 1, tick);
  }
}
