package dev.timerguard.wheel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.timerguard.live.LiveRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Edge cases of {@link Deadlines} found by {@link DeadlinesPropertiesTest}, pinned to exact inputs
 * on a manual clock: when a deadline inside a tick fires, and the order of the handlers within one
 * pass that covers more than one tick.
 */
@Timeout(60)
class DeadlinesEdgeTest {

  final AtomicLong clock = new AtomicLong(0);
  final List<Long> fired = new CopyOnWriteArrayList<>();

  WheelScheduler manual(boolean smallWheel) {
    WheelScheduler.Builder b =
        WheelScheduler.builder()
            .manualTicking()
            .clock(clock::get)
            .registry(LiveRegistry.create(1000, clock::get));
    if (smallWheel) {
      b.wheelSize(16).tick(Duration.ofNanos(1 << 16));
    }
    return b.build();
  }

  void passAt(WheelScheduler w, long nanos) {
    clock.set(nanos);
    w.tick();
  }

  /**
   * A 16-bucket first level of 65,536 ns ticks; at 1,225,921 ns (tick 18) a deadline of 5 ms is due
   * at 6,225,921 ns, one nanosecond into tick 95, whose end (tick 96) starts a new second-level
   * bucket. A pass at exactly 6,225,921 ns does not fire it (the deadline is still in the
   * second-level bucket, which is drained at tick 96); the pass at the end of the tick does. So the
   * bound is "the first pass at or after the deadline's tick end", not "the first pass at or after
   * the deadline", although {@code schedule} reads the clock.
   */
  @Test
  void aDeadlineInsideTheLastTickOfAnUpperBucketFiresByThePassAtTheTickEnd() {
    WheelScheduler w = manual(true);
    Deadlines d = w.deadlines(fired::add);
    passAt(w, 1_225_921);
    long h = d.schedule(1, 5, TimeUnit.MILLISECONDS);
    passAt(w, 6_225_920);
    assertThat(fired).as("before its deadline").isEmpty();
    passAt(w, 6_225_921); // at the deadline, inside tick 95: may or may not fire
    passAt(w, 96L << 16); // the tick's end: must have fired
    assertThat(fired).containsExactly(1L);
    assertThat(d.isPending(h)).isFalse();
  }

  /**
   * The class documentation says the handler runs "in deadline order within a pass". With the
   * default wheel (2048 first-level ticks of 2^19 ns): B is scheduled at tick 0 with a delay of
   * 2048 ticks (second level); a pass runs at tick 1000; A is scheduled then with a delay of 1049
   * ticks (due at tick 2049, first level); passes at ticks 2047 and 2049 (one pass two ticks late).
   * The pass at 2049 drains the first level (taking A) before the second (taking B), so the handler
   * sees A (due at tick 2049) before B (due at tick 2048).
   */
  @Test
  @Disabled(
      "bug: Deadlines.expire takes due deadlines level by level (first level first), so a pass that"
          + " covers a second-level boundary fires first-level deadlines before earlier ones"
          + " cascading from the second level; the javadoc promises deadline order within a pass")
  void withinOnePassHandlersRunInDeadlineOrderAcrossLevels() {
    WheelScheduler w = manual(false);
    long tick = w.tickNanos();
    Deadlines d = w.deadlines(fired::add);
    d.schedule('B', 2048 * tick, TimeUnit.NANOSECONDS);
    passAt(w, 1000 * tick);
    d.schedule('A', 1049 * tick, TimeUnit.NANOSECONDS);
    passAt(w, 2047 * tick);
    assertThat(fired).isEmpty();
    passAt(w, 2049 * tick);
    assertThat(fired).containsExactly((long) 'B', (long) 'A');
  }

  /**
   * Two deadlines in the same upper-level bucket, the later one scheduled first, taken by one late
   * pass: they fire in the order they were scheduled, not in deadline order.
   */
  @Test
  @Disabled(
      "bug: Deadlines.drain takes an upper-level bucket's due deadlines in insertion order, so one"
          + " late pass fires a later deadline before an earlier one; the javadoc promises deadline"
          + " order within a pass")
  void withinOnePassHandlersRunInDeadlineOrderWithinAnUpperBucket() {
    WheelScheduler w = manual(false);
    long tick = w.tickNanos();
    Deadlines d = w.deadlines(fired::add);
    d.schedule('L', 3001 * tick, TimeUnit.NANOSECONDS); // later, scheduled first
    d.schedule('E', 3000 * tick, TimeUnit.NANOSECONDS);
    passAt(w, 3001 * tick);
    assertThat(fired).containsExactly((long) 'E', (long) 'L');
  }
}
