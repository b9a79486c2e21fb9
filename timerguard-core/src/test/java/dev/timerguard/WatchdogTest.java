package dev.timerguard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.timerguard.live.LiveRegistry;
import java.time.Duration;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WatchdogTest {

  ManualEngine engine = new ManualEngine();
  LiveRegistry registry = LiveRegistry.create(100, engine::nanoTime);
  Timers timers =
      Timers.builder().engine(engine).registry(registry).clock(engine::nanoTime).build();

  @Test
  void expiresOnceWhenNoProgressComes() {
    AtomicInteger expired = new AtomicInteger();
    Watchdog w = timers.watchdog(Duration.ofMillis(100), expired::incrementAndGet);
    engine.advanceMillis(100);
    assertThat(expired).hasValue(1);
    assertThat(w.isExpired()).isTrue();
    assertThat(w.reset()).isFalse();
    engine.advanceMillis(1000);
    assertThat(expired).hasValue(1);
    assertThat(registry.snapshot().sites().get(0).fired()).isEqualTo(1);
  }

  @Test
  void resetsPushTheDeadlineWithOneTimer() {
    AtomicInteger expired = new AtomicInteger();
    Watchdog w = timers.watchdog(Duration.ofMillis(100), expired::incrementAndGet);
    for (int i = 0; i < 50; i++) {
      engine.advanceMillis(60);
      assertThat(w.reset()).isTrue();
      assertThat(engine.pending()).isEqualTo(1);
    }
    assertThat(expired).hasValue(0);
    assertThat(registry.snapshot().sites().get(0).created()).isEqualTo(1);
    engine.advanceMillis(100);
    assertThat(expired).hasValue(1);
  }

  @Test
  void closeStopsItAndCountsItCancelled() {
    AtomicInteger expired = new AtomicInteger();
    try (Watchdog w = timers.watchdog(Duration.ofMillis(100), expired::incrementAndGet)) {
      engine.advanceMillis(50);
    }
    engine.advanceMillis(500);
    assertThat(expired).hasValue(0);
    assertThat(engine.pending()).isZero();
    assertThat(registry.snapshot().sites().get(0).cancelled()).isEqualTo(1);
  }

  /**
   * The Forgotten Reset race, run many times on two threads: the clock stands exactly at the
   * deadline while one thread resets and the timer thread fires. Whatever the interleaving, a reset
   * that returned true means the old deadline did not fire.
   */
  @Test
  void aResetThatReturnedTrueNeverLosesToTheOldDeadline() throws Exception {
    int rounds = 20_000;
    AtomicInteger violations = new AtomicInteger();
    AtomicInteger resetWins = new AtomicInteger();
    CyclicBarrier start = new CyclicBarrier(2);
    for (int i = 0; i < rounds; i++) {
      AtomicInteger expired = new AtomicInteger();
      WatchdogImpl w =
          (WatchdogImpl) timers.watchdog(Duration.ofMillis(10), expired::incrementAndGet);
      engine.now.addAndGet(10_000_000L); // exactly at the deadline: the old timer is due
      boolean[] reset = new boolean[1];
      Thread resetter =
          new Thread(
              () -> {
                await(start);
                reset[0] = w.reset();
              });
      resetter.start();
      await(start);
      w.run(); // the timer thread fires the old deadline
      resetter.join();
      if (reset[0]) {
        resetWins.incrementAndGet();
        if (expired.get() != 0) {
          violations.incrementAndGet();
        }
      } else if (expired.get() != 1) {
        violations.incrementAndGet(); // reset lost: then expiry must have happened, once
      }
      w.close();
    }
    assertThat(violations).hasValue(0);
    assertThat(registry.snapshot().sites().get(0).live()).isZero();
  }

  private static void await(CyclicBarrier b) {
    try {
      b.await();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
