package dev.timerguard.live.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.timerguard.live.CallSite;
import dev.timerguard.live.SiteStats;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Two threads (on different stripes) create the first timers of a new epoch in a slot at the same
 * moment. With the striped counts, each one's "is the slot empty?" sum includes the other's
 * creation, so neither takes the new epoch: the slot keeps an old epoch and the site reports an
 * oldest live age of up to 32 epochs (34 s) for timers created just now. (Before striping, the
 * first incrementer saw its exact "before" count and took the epoch.)
 */
class SiteCounterEpochRaceTest {

  @Test
  void concurrentFirstCreationsOfAnEpochStillTakeTheEpoch() throws Exception {
    AtomicLong clock = new AtomicLong();
    SiteRegistry registry = SiteRegistry.create(10, clock::get);
    SiteCounter c = registry.register(CallSite.of(CallSite.Kind.TIMER, "a.B", "c", "B.java", 1));
    int rounds = 5_000; // the bug showed in about 1 round of 1,200
    AtomicLong go = new AtomicLong();
    CyclicBarrier done = new CyclicBarrier(3);
    Runnable body =
        () -> {
          try {
            for (int r = 1; r <= rounds; r++) {
              while (go.get() != r) {
                Thread.onSpinWait(); // both spin: they create within nanoseconds of each other
              }
              c.startAt((long) r << 30, 0);
              done.await(); // main checks
              done.await(); // main ended them
            }
          } catch (Exception e) {
            throw new RuntimeException(e);
          }
        };
    Thread a = new Thread(body);
    Thread b = new Thread(body);
    // different stripes (thread ids differ in their lowest bit; at least 2 stripes)
    if ((a.getId() & 1) == (b.getId() & 1)) {
      b = new Thread(body);
    }
    assertThat(a.getId() & 1).isNotEqualTo(b.getId() & 1);
    int wrong = 0;
    long worst = 0;
    a.start();
    b.start();
    for (int r = 1; r <= rounds; r++) {
      go.set(r);
      done.await();
      long now = (long) r << 30;
      SiteStats s = c.stats(now);
      assertThat(s.live()).isEqualTo(2);
      if (s.oldestLiveAgeNanos() >= 1L << 30) {
        wrong++;
        worst = Math.max(worst, s.oldestLiveAgeNanos());
      }
      c.end(now, TimerEnd.FIRED);
      c.end(now, TimerEnd.FIRED);
      // the next round's epoch: a new slot, or a slot reused after 32 epochs
      done.await();
    }
    a.join();
    b.join();
    assertThat(wrong)
        .as("rounds whose two fresh timers were reported as old (worst age %d ns)", worst)
        .isZero();
  }
}
