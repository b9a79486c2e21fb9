package dev.timerguard.wheel;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * Random interleavings of schedule, cancel and clock advance against a reference model: every timer
 * fires exactly once, never before its deadline (the clock at the call plus the delay) and no later
 * than the first tick at or after its latest possible fixed deadline (the clock of the first pass
 * after the call, plus the delay: a positive delay is fixed without a clock read at the call, see
 * {@code Shard#absorbLocked}), unless it was cancelled first; cancel succeeds exactly when the
 * timer is pending; the wheel holds exactly the pending timers.
 */
class WheelPropertiesTest {

  static final long MS = 1_000_000L;

  /** One step of a scenario. */
  record Op(int kind, long arg) {
    static final int SCHEDULE = 0;
    static final int CANCEL = 1;
    static final int ADVANCE = 2;

    @Override
    public String toString() {
      return (kind == SCHEDULE ? "schedule " : kind == CANCEL ? "cancel #" : "advance ") + arg;
    }
  }

  @Provide
  Arbitrary<Op> ops() {
    Arbitrary<Long> delays =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(5, Arbitraries.longs().between(-MS, 5 * MS)),
            net.jqwik.api.Tuple.of(3, Arbitraries.longs().between(0, 2_000 * MS)),
            net.jqwik.api.Tuple.of(2, Arbitraries.longs().between(0, TimeUnit.DAYS.toNanos(800))),
            net.jqwik.api.Tuple.of(
                1, Arbitraries.of(Long.MAX_VALUE, Long.MAX_VALUE - 1, Long.MIN_VALUE, 0L)));
    Arbitrary<Long> advances =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(6, Arbitraries.longs().between(0, 3 * MS)),
            net.jqwik.api.Tuple.of(2, Arbitraries.longs().between(0, 1_000 * MS)),
            net.jqwik.api.Tuple.of(1, Arbitraries.longs().between(0, TimeUnit.DAYS.toNanos(400))));
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(5, delays.map(d -> new Op(Op.SCHEDULE, d))),
        net.jqwik.api.Tuple.of(
            2, Arbitraries.integers().between(0, 1000).map(i -> new Op(Op.CANCEL, i))),
        net.jqwik.api.Tuple.of(3, advances.map(a -> new Op(Op.ADVANCE, a))));
  }

  static final class Model {
    long deadline; // relative to the origin, saturated
    long delay; // as given
    long latest = -1; // the latest deadline the wheel may have fixed, once a pass ran
    int fired;
    long firedAt = -1;
    boolean cancelled;
    int ticksBefore; // expiry passes run before it was scheduled
    ScheduledFuture<?> future;
  }

  @Property(tries = 500)
  void everyTimerFiresExactlyOnceInTimeUnlessCancelledFirst(
      @ForAll @Size(max = 150) List<@From("ops") Op> ops, @ForAll boolean smallWheel) {
    AtomicLong clock = new AtomicLong(0);
    WheelScheduler.Builder b =
        WheelScheduler.builder().manualTicking().clock(clock::get).countTimers(false).shards(2);
    if (smallWheel) {
      b.wheelSize(16).tick(Duration.ofNanos(1 << 16));
    }
    WheelScheduler w = b.build();
    long tick = w.tickNanos();
    List<Model> timers = new ArrayList<>();
    int[] ticks = {0};
    for (Op op : ops) {
      switch (op.kind()) {
        case Op.SCHEDULE -> {
          Model m = new Model();
          long now = clock.get();
          long d = Math.max(0, op.arg());
          m.deadline = now + d < now ? Long.MAX_VALUE : now + d;
          m.delay = op.arg();
          if (op.arg() <= 0) {
            m.latest = m.deadline; // read the clock at the call
          }
          m.ticksBefore = ticks[0];
          m.future =
              w.schedule(
                  () -> {
                    m.fired++;
                    m.firedAt = clock.get();
                  },
                  op.arg(),
                  TimeUnit.NANOSECONDS);
          timers.add(m);
        }
        case Op.CANCEL -> {
          if (!timers.isEmpty()) {
            Model m = timers.get((int) (op.arg() % timers.size()));
            boolean pending = m.fired == 0 && !m.cancelled;
            assertThat(m.future.cancel(false))
                .as("cancel of a %s timer", pending ? "pending" : "finished")
                .isEqualTo(pending);
            m.cancelled |= pending;
          }
        }
        default -> {
          long now = clock.addAndGet(op.arg());
          for (Model m : timers) {
            if (m.latest < 0) {
              m.latest = now + m.delay < now ? Long.MAX_VALUE : now + m.delay;
            }
          }
          w.tick();
          ticks[0]++;
        }
      }
      check(timers, clock.get(), tick, ticks[0]);
      assertThat(w.pendingCount())
          .isEqualTo(timers.stream().filter(m -> m.fired == 0 && !m.cancelled).count());
    }
    // the end of time (for all but the saturated timers): everything else fires, once
    long end = clock.get();
    for (Model m : timers) {
      if (m.latest < 0) {
        m.latest = end + m.delay < end ? Long.MAX_VALUE : end + m.delay;
      }
    }
    w.tick();
    clock.addAndGet(TimeUnit.DAYS.toNanos(3 * 365));
    w.tick();
    clock.addAndGet(tick);
    w.tick();
    check(timers, clock.get(), tick, ticks[0] + 3);
  }

  /** Checks the model after the last expiry pass, run at {@code now}. */
  private static void check(List<Model> timers, long now, long tick, int ticks) {
    for (Model m : timers) {
      assertThat(m.fired).isLessThanOrEqualTo(1);
      if (m.fired == 1) {
        assertThat(m.cancelled).as("fired after a successful cancel").isFalse();
        assertThat(m.firedAt).as("fired before its deadline").isGreaterThanOrEqualTo(m.deadline);
        assertThat(m.future.isDone()).isTrue();
      } else if (!m.cancelled && m.ticksBefore < ticks) {
        long latest = m.latest > Long.MAX_VALUE - tick ? Long.MAX_VALUE : ceil(m.latest, tick);
        assertThat(now)
            .as("timer due at %d (fixed by %d) not fired by %d", m.deadline, m.latest, now)
            .isLessThan(latest);
        assertThat(m.future.isDone()).isFalse();
      }
    }
  }

  private static long ceil(long t, long tick) {
    return (t + tick - 1) / tick * tick;
  }
}
