package dev.timerguard.wheel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.timerguard.live.LiveRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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

  /**
   * A pass at the current clock (as the tick thread makes one every tick: it fixes the deadlines
   * scheduled since, see {@code DeadlineStripe#absorbLocked}), then one at {@code nanos}.
   */
  void passAt(WheelScheduler w, long nanos) {
    w.tick();
    clock.set(nanos);
    w.tick();
  }

  /**
   * A 16-bucket first level of 65,536 ns ticks; at 1,225,921 ns (tick 18) a deadline of 5 ms is due
   * at 6,225,921 ns, one nanosecond into tick 95, whose end (tick 96) starts a new second-level
   * bucket. A pass at exactly 6,225,921 ns does not fire it (the deadline is still in the
   * second-level bucket, which is drained at tick 96); the pass at the end of the tick does. So the
   * bound is "the first pass at or after the deadline's tick end", not "the first pass at or after
   * the deadline".
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
   * A pass that comes late takes every deadline due by its clock, from whatever level: with the
   * default wheel (2048 first-level ticks of 2^19 ns), B is scheduled at tick 0 with a delay of
   * 2048 ticks (second level); a pass runs at tick 1000; A is scheduled then with a delay of 1049
   * ticks (due at tick 2049, first level); a pass at tick 2047 fires nothing, and the pass at 2049
   * (two ticks late for B) fires both. Their order within the pass is not promised (the first level
   * is drained before the second).
   */
  @Test
  void aLatePassFiresTheDueDeadlinesOfEveryLevel() {
    WheelScheduler w = manual(false);
    long tick = w.tickNanos();
    Deadlines d = w.deadlines(fired::add);
    d.schedule('B', 2048 * tick, TimeUnit.NANOSECONDS);
    passAt(w, 1000 * tick);
    d.schedule('A', 1049 * tick, TimeUnit.NANOSECONDS);
    passAt(w, 2047 * tick);
    assertThat(fired).isEmpty();
    passAt(w, 2049 * tick);
    assertThat(fired).containsExactlyInAnyOrder((long) 'B', (long) 'A');
  }

  /** Two deadlines in the same upper-level bucket, taken by one late pass: both fire in it. */
  @Test
  void aLatePassFiresBothDeadlinesOfAnUpperBucket() {
    WheelScheduler w = manual(false);
    long tick = w.tickNanos();
    Deadlines d = w.deadlines(fired::add);
    d.schedule('L', 3001 * tick, TimeUnit.NANOSECONDS); // later, scheduled first
    d.schedule('E', 3000 * tick, TimeUnit.NANOSECONDS);
    passAt(w, 2999 * tick);
    assertThat(fired).isEmpty();
    passAt(w, 3001 * tick);
    assertThat(fired).containsExactlyInAnyOrder((long) 'E', (long) 'L');
  }

  /**
   * Deadlines due in the same pass are all taken before any handler runs: a handler cancelling
   * another one due in the same pass gets false and that one still fires; cancelling one not yet
   * due gets true and it never fires. Cancel is true exactly when the handler will not run.
   */
  @Test
  void aHandlerCancellingDeadlinesOfTheSamePassGetsFalseAndOfALaterPassGetsTrue() {
    WheelScheduler w = manual(false);
    long[] handles = new long[3];
    List<Boolean> results = new CopyOnWriteArrayList<>();
    Deadlines[] self = new Deadlines[1];
    self[0] =
        w.deadlines(
            p -> {
              fired.add(p);
              if (p == 0) {
                results.add(self[0].cancel(handles[1])); // due in this pass: taken already
                results.add(self[0].cancel(handles[2])); // due later
                results.add(self[0].cancel(handles[0])); // itself, firing now
              }
            });
    handles[0] = self[0].schedule(0, 1, TimeUnit.MILLISECONDS);
    handles[1] = self[0].schedule(1, 1, TimeUnit.MILLISECONDS);
    handles[2] = self[0].schedule(2, 2, TimeUnit.MILLISECONDS);
    passAt(w, TimeUnit.MILLISECONDS.toNanos(1));
    assertThat(results).containsExactly(false, true, false);
    assertThat(fired).containsExactly(0L, 1L);
    passAt(w, TimeUnit.MILLISECONDS.toNanos(10));
    assertThat(fired).containsExactly(0L, 1L);
    assertThat(self[0].pendingCount()).isZero();
    assertThat(w.pendingCount()).isZero();
  }

  /**
   * A handler that closes its own set mid-pass: the deadlines already taken in that pass still fire
   * (their cancel could no longer return true), the later ones are cancelled, and the set refuses
   * new ones, also from the handlers still to run in that pass.
   */
  @Test
  void aHandlerClosingItsOwnSetMidPassLetsTheTakenOnesFireAndCancelsTheRest() {
    WheelScheduler w = manual(false);
    List<Class<?>> refused = new CopyOnWriteArrayList<>();
    Deadlines[] self = new Deadlines[1];
    self[0] =
        w.deadlines(
            p -> {
              fired.add(p);
              if (p == 0) {
                self[0].close();
              }
              try {
                self[0].schedule(100 + p, 0, TimeUnit.NANOSECONDS);
              } catch (IllegalStateException e) {
                refused.add(e.getClass());
              }
            });
    for (int i = 0; i < 5; i++) {
      self[0].schedule(i, 1, TimeUnit.MILLISECONDS);
    }
    long later = self[0].schedule(9, 2, TimeUnit.MILLISECONDS);
    passAt(w, TimeUnit.MILLISECONDS.toNanos(1));
    assertThat(fired).containsExactly(0L, 1L, 2L, 3L, 4L);
    assertThat(refused).hasSize(5);
    assertThat(self[0].isPending(later)).isFalse();
    assertThat(self[0].cancel(later)).isFalse();
    passAt(w, TimeUnit.MILLISECONDS.toNanos(10));
    assertThat(fired).containsExactly(0L, 1L, 2L, 3L, 4L);
    assertThat(w.pendingCount()).isZero();
  }

  /**
   * shutdownNow called by a handler on the tick thread: the deadlines taken in that pass still
   * fire, every other one is handed back exactly once, and nothing is both.
   */
  @Test
  void shutdownNowFromAHandlerHandsBackOnlyWhatWasNotTakenToFire() {
    WheelScheduler w = manual(false);
    List<List<Runnable>> back = new CopyOnWriteArrayList<>();
    Deadlines d =
        w.deadlines(
            p -> {
              fired.add(p);
              if (p == 0) {
                back.add(w.shutdownNow());
              }
            });
    for (int i = 0; i < 4; i++) {
      d.schedule(i, 1, TimeUnit.MILLISECONDS);
    }
    for (int i = 4; i < 8; i++) {
      d.schedule(i, 1, TimeUnit.HOURS);
    }
    passAt(w, TimeUnit.MILLISECONDS.toNanos(1));
    assertThat(fired).containsExactly(0L, 1L, 2L, 3L);
    assertThat(back).singleElement().satisfies(l -> assertThat(l).hasSize(4));
    fired.clear();
    for (Runnable r : back.get(0)) {
      r.run();
    }
    assertThat(fired).containsExactlyInAnyOrder(4L, 5L, 6L, 7L);
    assertThat(d.pendingCount()).isZero();
    assertThat(w.isShutdown()).isTrue();
  }

  /** A slot freed and reused a thousand times: every earlier handle to it stays stale. */
  @Test
  void everyEarlierHandleOfAReusedSlotStaysStale() {
    WheelScheduler w = manual(true);
    Deadlines d = w.deadlines(fired::add);
    long[] handles = new long[1_000];
    for (int i = 0; i < handles.length; i++) {
      handles[i] = d.schedule(i, 1, TimeUnit.SECONDS);
      assertThat(handles[i] & 0xFFFFFF).isEqualTo(handles[0] & 0xFFFFFF);
      if (i % 2 == 0) {
        assertThat(d.cancel(handles[i])).isTrue();
      } else {
        passAt(w, clock.get() + TimeUnit.SECONDS.toNanos(1));
        assertThat(fired).last().isEqualTo((long) i);
      }
    }
    long live = d.schedule(-1, 1, TimeUnit.SECONDS);
    for (long h : handles) {
      assertThat(d.isPending(h)).isFalse();
      assertThat(d.cancel(h)).isFalse();
    }
    assertThat(d.isPending(live)).isTrue();
    assertThat(fired).hasSize(handles.length / 2);
  }
}
