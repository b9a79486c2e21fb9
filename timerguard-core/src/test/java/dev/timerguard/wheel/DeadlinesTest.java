package dev.timerguard.wheel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.timerguard.live.LiveRegistry;
import dev.timerguard.live.SiteStats;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Deadlines}: payloads fire once, never early, and only if not cancelled; stale handles stay
 * stale after their slot is reused; every deadline is counted at the set's site; bad input and
 * closed sets or schedulers get clear errors; shutdown lets deadlines fire, shutdownNow hands them
 * back. Driven by a manual clock.
 */
@Timeout(60)
class DeadlinesTest {

  static final long MS = 1_000_000L;

  final AtomicLong clock = new AtomicLong(1_000 * MS);
  final LiveRegistry registry = LiveRegistry.create(1000, clock::get);
  final List<Long> fired = new CopyOnWriteArrayList<>();

  WheelScheduler manual() {
    return WheelScheduler.builder().manualTicking().clock(clock::get).registry(registry).build();
  }

  /**
   * A pass now (as the tick thread makes one every tick: it fixes the deadlines scheduled since,
   * see {@code DeadlineStripe#absorbLocked}), then moves the clock and runs a pass.
   */
  void advance(WheelScheduler w, long nanos) {
    w.tick();
    clock.addAndGet(nanos);
    w.tick();
  }

  @Test
  void aDeadlineFiresWithItsPayloadOnceItsDelayHasPassedAndNotBefore() {
    WheelScheduler w = manual();
    Deadlines d = w.deadlines(fired::add);
    long h = d.schedule(42, 10, TimeUnit.MILLISECONDS);
    assertThat(h).isPositive();
    assertThat(d.isPending(h)).isTrue();
    advance(w, 10 * MS - 1);
    assertThat(fired).isEmpty();
    advance(w, 1);
    assertThat(fired).containsExactly(42L);
    assertThat(d.isPending(h)).isFalse();
    assertThat(d.cancel(h)).as("fired: no longer cancellable").isFalse();
    advance(w, 100 * MS);
    assertThat(fired).containsExactly(42L);
    assertThat(d.pendingCount()).isZero();
  }

  @Test
  void aCancelledDeadlineNeverFiresAndItsHandleStaysStaleAfterTheSlotIsReused() {
    WheelScheduler w = manual();
    Deadlines d = w.deadlines(fired::add);
    long h1 = d.schedule(1, 5, TimeUnit.MILLISECONDS);
    assertThat(d.cancel(h1)).isTrue();
    assertThat(d.cancel(h1)).as("twice").isFalse();
    long h2 = d.schedule(2, 5, TimeUnit.MILLISECONDS);
    assertThat(h2 & 0xFFFFFF).as("the freed slot is reused").isEqualTo(h1 & 0xFFFFFF);
    assertThat(h2).isNotEqualTo(h1);
    assertThat(d.cancel(h1)).as("a stale handle does not cancel the slot's new deadline").isFalse();
    assertThat(d.isPending(h1)).isFalse();
    assertThat(d.isPending(h2)).isTrue();
    advance(w, 5 * MS);
    assertThat(fired).containsExactly(2L);
  }

  @Test
  void longAndShortDeadlinesFireInOrderAcrossLevels() {
    WheelScheduler w = manual();
    Deadlines d = w.deadlines(fired::add);
    long[] delays = {TimeUnit.DAYS.toNanos(20), 3 * MS, TimeUnit.HOURS.toNanos(5), 2_000 * MS, 0};
    for (int i = 0; i < delays.length; i++) {
      d.schedule(i, delays[i], TimeUnit.NANOSECONDS);
    }
    d.schedule(99, -5, TimeUnit.SECONDS);
    advance(w, 0);
    assertThat(fired).as("zero and negative delays are due at once").containsExactly(4L, 99L);
    advance(w, 3 * MS);
    assertThat(fired).containsExactly(4L, 99L, 1L);
    advance(w, 2_000 * MS - 3 * MS - 1);
    assertThat(fired).hasSize(3);
    advance(w, 1);
    assertThat(fired).containsExactly(4L, 99L, 1L, 3L);
    advance(w, TimeUnit.HOURS.toNanos(5) - 2_000 * MS);
    assertThat(fired).containsExactly(4L, 99L, 1L, 3L, 2L);
    advance(w, TimeUnit.DAYS.toNanos(20) - TimeUnit.HOURS.toNanos(5) - 1);
    assertThat(fired).hasSize(5);
    advance(w, 1);
    assertThat(fired).containsExactly(4L, 99L, 1L, 3L, 2L, 0L);
  }

  @Test
  void theSetGrowsBeyondItsInitialCapacityAndEveryDeadlineFires() {
    WheelScheduler w = manual();
    Deadlines d = w.deadlines(fired::add, 4);
    int n = 10_000;
    for (int i = 0; i < n; i++) {
      d.schedule(i, 1 + i % 50, TimeUnit.MILLISECONDS);
    }
    assertThat(d.pendingCount()).isEqualTo(n);
    assertThat(w.pendingCount()).as("the scheduler counts its sets' deadlines").isEqualTo(n);
    advance(w, 60 * MS);
    assertThat(fired).hasSize(n).doesNotHaveDuplicates();
    assertThat(d.pendingCount()).isZero();
  }

  // one call site for the counting test
  Deadlines countedSet(WheelScheduler w) {
    return w.deadlines(p -> fired.add(p));
  }

  @Test
  void everyDeadlineIsCountedAtTheSiteWhereTheSetWasMade() {
    WheelScheduler w = manual();
    Deadlines d = countedSet(w);
    long a = d.schedule(1, 1, TimeUnit.SECONDS);
    d.schedule(2, 1, TimeUnit.SECONDS);
    d.schedule(3, 1, TimeUnit.HOURS);
    SiteStats s = siteOf("countedSet");
    assertThat(s.created()).isEqualTo(3);
    assertThat(s.live()).isEqualTo(3);
    d.cancel(a);
    advance(w, 1_000 * MS);
    s = siteOf("countedSet");
    assertThat(s.cancelled()).isEqualTo(1);
    assertThat(s.fired()).isEqualTo(1);
    assertThat(s.live()).isEqualTo(1);
    assertThat(d.cancelAll()).containsExactly(3L);
    assertThat(siteOf("countedSet").live()).isZero();
    assertThat(siteOf("countedSet").cancelled()).isEqualTo(2);
  }

  SiteStats siteOf(String method) {
    for (SiteStats st : registry.snapshot().sites()) {
      if (st.site().methodName().equals(method)) {
        return st;
      }
    }
    throw new AssertionError("no site " + method + " in " + registry.snapshot().sites());
  }

  @Test
  void uncountedSchedulersCountNothing() {
    WheelScheduler w =
        WheelScheduler.builder()
            .manualTicking()
            .clock(clock::get)
            .registry(registry)
            .countTimers(false)
            .build();
    Deadlines d = w.deadlines(fired::add);
    d.schedule(1, 1, TimeUnit.MILLISECONDS);
    advance(w, MS);
    assertThat(fired).containsExactly(1L);
    assertThat(registry.snapshot().totalLiveTimers()).isZero();
    assertThat(registry.snapshot().sites()).isEmpty();
  }

  @Test
  void badInputGetsAClearError() {
    WheelScheduler w = manual();
    assertThatThrownBy(() -> w.deadlines(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("onExpired");
    assertThatThrownBy(() -> w.deadlines(fired::add, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("initialCapacity");
    assertThatThrownBy(() -> w.deadlines(fired::add, Integer.MAX_VALUE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("initialCapacity");
    Deadlines d = w.deadlines(fired::add);
    assertThatThrownBy(() -> d.schedule(1, 1, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("unit");
    assertThat(d.pendingCount()).isZero();
    assertThat(d.cancel(Deadlines.NONE)).isFalse();
    assertThat(d.isPending(Deadlines.NONE)).isFalse();
    assertThatThrownBy(() -> d.cancel(-7))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a handle");
    assertThatThrownBy(() -> d.cancel((5L << 24) | 0xFFFFF))
        .as("a slot this set never handed out")
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a handle");
    assertThatThrownBy(() -> d.isPending(3))
        .as("a bucket head, not a slot")
        .isInstanceOf(IllegalArgumentException.class);
    long h = d.schedule(5, Long.MAX_VALUE, TimeUnit.DAYS);
    assertThat(d.isPending(h)).as("an absurd delay saturates").isTrue();
    advance(w, TimeUnit.DAYS.toNanos(365 * 100));
    assertThat(fired).isEmpty();
  }

  @Test
  void aClosedSetRefusesNewDeadlinesAndCancelsItsPendingOnes() {
    WheelScheduler w = manual();
    Deadlines d = countedSet(w);
    d.schedule(1, 1, TimeUnit.MILLISECONDS);
    d.close();
    d.close();
    assertThat(d.isClosed()).isTrue();
    assertThat(d.pendingCount()).isZero();
    assertThatThrownBy(() -> d.schedule(2, 1, TimeUnit.MILLISECONDS))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("is closed");
    advance(w, 10 * MS);
    assertThat(fired).isEmpty();
    SiteStats s = siteOf("countedSet");
    assertThat(s.live()).as("the refused one is not live").isZero();
    assertThat(w.deadlineSets).as("the scheduler forgets a closed set").isEmpty();
  }

  @Test
  void afterShutdownPendingDeadlinesStillFireAndTheSchedulerTerminatesOnceNoneIsLeft() {
    WheelScheduler w = manual();
    Deadlines d = w.deadlines(fired::add);
    d.schedule(7, 10, TimeUnit.MILLISECONDS);
    w.shutdown();
    assertThat(w.isTerminated()).isFalse();
    assertThatThrownBy(() -> d.schedule(8, 1, TimeUnit.MILLISECONDS))
        .isInstanceOf(RejectedExecutionException.class)
        .hasMessageContaining("shut down");
    assertThatThrownBy(() -> w.deadlines(fired::add))
        .isInstanceOf(RejectedExecutionException.class)
        .hasMessageContaining("shut down");
    advance(w, 10 * MS);
    assertThat(fired).containsExactly(7L);
    assertThat(w.isTerminated()).isTrue();
  }

  @Test
  void shutdownNowCancelsPendingDeadlinesAndHandsEachBackAsARunnableOfTheHandler() {
    WheelScheduler w = manual();
    Deadlines d = countedSet(w);
    d.schedule(11, 1, TimeUnit.HOURS);
    d.schedule(12, 2, TimeUnit.HOURS);
    List<Runnable> back = w.shutdownNow();
    assertThat(back).hasSize(2);
    assertThat(siteOf("countedSet").live()).isZero();
    assertThat(w.isTerminated()).isTrue();
    for (Runnable r : back) {
      r.run();
    }
    assertThat(fired).containsExactlyInAnyOrder(11L, 12L);
  }

  @Test
  void aThrowingHandlerIsReportedAndTheNextDeadlineStillFires() {
    List<Throwable> reported = new ArrayList<>();
    WheelScheduler w =
        WheelScheduler.builder()
            .manualTicking()
            .clock(clock::get)
            .registry(registry)
            .exceptionHandler((t, x) -> reported.add(x))
            .build();
    LongConsumer h =
        p -> {
          if (p == 1) {
            throw new IllegalStateException("boom " + p);
          }
          fired.add(p);
        };
    Deadlines d = w.deadlines(h);
    d.schedule(1, 1, TimeUnit.MILLISECONDS);
    d.schedule(2, 1, TimeUnit.MILLISECONDS);
    advance(w, MS);
    assertThat(fired).containsExactly(2L);
    assertThat(reported).singleElement().hasToString("java.lang.IllegalStateException: boom 1");
  }

  @Test
  void aHandlerMayScheduleAndCancelOnItsOwnSet() {
    WheelScheduler w = manual();
    Deadlines[] self = new Deadlines[1];
    self[0] =
        w.deadlines(
            p -> {
              fired.add(p);
              if (p < 3) {
                self[0].schedule(p + 1, 1, TimeUnit.MILLISECONDS);
              }
            });
    self[0].schedule(0, 1, TimeUnit.MILLISECONDS);
    for (int i = 0; i < 4; i++) {
      advance(w, MS);
    }
    assertThat(fired).containsExactly(0L, 1L, 2L, 3L);
  }

  @Test
  void threadsScheduleIntoStripesOfTheirOwnAndAnyThreadCancelsAnyHandle() throws Exception {
    WheelScheduler w = manual();
    Deadlines d = w.deadlines(fired::add);
    int threads = 8;
    long[][] handles = new long[threads][];
    List<Thread> ts = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      ts.add(
          new Thread(
              () -> {
                long[] hs = new long[1000];
                for (int i = 0; i < hs.length; i++) {
                  hs[i] = d.schedule(id * 1000L + i, 1, TimeUnit.SECONDS);
                }
                handles[id] = hs;
              }));
    }
    for (Thread t : ts) {
      t.start();
    }
    for (Thread t : ts) {
      t.join();
    }
    java.util.Set<Long> stripesUsed = new java.util.HashSet<>();
    for (long[] hs : handles) {
      for (long h : hs) {
        stripesUsed.add((h >>> Deadlines.STRIPE_SHIFT) & ((1 << Deadlines.STRIPE_BITS) - 1));
      }
    }
    int cores = Runtime.getRuntime().availableProcessors();
    assertThat(stripesUsed)
        .as("eight threads spread over the stripes")
        .hasSizeGreaterThan(Math.min(cores, 2) - 1);
    assertThat(d.pendingCount()).isEqualTo(8000);
    // this thread cancels the odd payloads of every other thread
    int cancelled = 0;
    for (long[] hs : handles) {
      for (int i = 1; i < hs.length; i += 2) {
        assertThat(d.cancel(hs[i])).isTrue();
        cancelled++;
      }
    }
    assertThat(cancelled).isEqualTo(4000);
    advance(w, 1_000 * MS);
    assertThat(fired).hasSize(4000).allMatch(p -> p % 2 == 0).doesNotHaveDuplicates();
    assertThat(w.pendingCount()).isZero();
  }

  @Test
  void aFullStripeRefusesANewDeadlineClearlyAndLosesNothing() {
    WheelScheduler w = manual();
    Deadlines d = countedSet(w);
    d.limitPerStripe(3);
    long[] h = new long[3];
    for (int i = 0; i < 3; i++) {
      h[i] = d.schedule(i, 1, TimeUnit.SECONDS);
    }
    assertThatThrownBy(() -> d.schedule(9, 1, TimeUnit.SECONDS))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("is full: 3 deadlines pending in this thread's stripe");
    assertThat(d.pendingCount()).as("the three stay pending").isEqualTo(3);
    SiteStats s = siteOf("countedSet");
    assertThat(s.live()).as("the refused one is not live").isEqualTo(3);
    assertThat(s.created()).isEqualTo(4);
    assertThat(d.cancel(h[1])).isTrue();
    long again = d.schedule(7, 1, TimeUnit.SECONDS);
    assertThat(again & 0xFFFFFF).as("the freed slot is taken again").isEqualTo(h[1] & 0xFFFFFF);
    advance(w, 1_000 * MS);
    assertThat(fired).containsExactlyInAnyOrder(0L, 2L, 7L);
  }

  @Test
  void onTheTickThreadADeadlineFiresWithoutAnyManualTick() throws Exception {
    try (WheelScheduler w = WheelScheduler.builder().registry(registry).build()) {
      CountDownLatch done = new CountDownLatch(1);
      AtomicLong got = new AtomicLong();
      Deadlines d =
          w.deadlines(
              p -> {
                got.set(p);
                done.countDown();
              });
      // the tick thread may be parked on an empty wheel: scheduling must wake it
      Thread.sleep(20);
      d.schedule(77, 2, TimeUnit.MILLISECONDS);
      assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
      assertThat(got.get()).isEqualTo(77);
    }
  }
}
