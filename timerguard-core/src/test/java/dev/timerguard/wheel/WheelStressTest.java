package dev.timerguard.wheel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.timerguard.live.LiveRegistry;
import dev.timerguard.live.SiteStats;
import dev.timerguard.live.Snapshot;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Several threads schedule and cancel hundreds of thousands of short timers on a real scheduler
 * (tick thread, owned callback pool) while they fire; then shutdownNow. At the end every timer is
 * accounted for exactly once: fired + cancelled + returned by shutdownNow = scheduled, no timer ran
 * twice, and the registry reconciles (created = fired + cancelled, nothing live). Sized for two
 * cores: a few seconds.
 */
@Timeout(120)
class WheelStressTest {

  static final int THREADS = 3;
  static final int PER_THREAD = 200_000;

  @Test
  void everyTimerIsAccountedForExactlyOnce() throws Exception {
    LiveRegistry registry = LiveRegistry.create(100, System::nanoTime);
    WheelScheduler w = WheelScheduler.builder().name("stress").registry(registry).build();
    int total = THREADS * PER_THREAD;
    AtomicIntegerArray runs = new AtomicIntegerArray(total);
    AtomicLong fired = new AtomicLong();
    AtomicLong cancelled = new AtomicLong();
    CountDownLatch start = new CountDownLatch(1);
    Thread[] producers = new Thread[THREADS];
    for (int t = 0; t < THREADS; t++) {
      int base = t * PER_THREAD;
      producers[t] =
          new Thread(
              () -> {
                SplittableRandom rnd = new SplittableRandom(base);
                @SuppressWarnings("unchecked")
                ScheduledFuture<?>[] recent = new ScheduledFuture<?>[64];
                try {
                  start.await();
                } catch (InterruptedException e) {
                  return;
                }
                for (int i = 0; i < PER_THREAD; i++) {
                  int id = base + i;
                  Runnable task =
                      rnd.nextInt(4) == 0
                          ? (InlineTask)
                              () -> {
                                runs.incrementAndGet(id);
                                fired.incrementAndGet();
                              }
                          : () -> {
                            runs.incrementAndGet(id);
                            fired.incrementAndGet();
                          };
                  ScheduledFuture<?> f =
                      w.schedule(task, rnd.nextLong(3_000_000), TimeUnit.NANOSECONDS);
                  int slot = rnd.nextInt(recent.length);
                  ScheduledFuture<?> victim = recent[slot];
                  recent[slot] = f;
                  if (victim != null && rnd.nextBoolean() && victim.cancel(false)) {
                    cancelled.incrementAndGet();
                  }
                  if (rnd.nextInt(8) == 0 && f.cancel(false)) {
                    cancelled.incrementAndGet();
                  }
                }
              },
              "stress-producer-" + t);
      producers[t].start();
    }
    // a few periodic timers churn alongside
    ScheduledFuture<?>[] tickers = new ScheduledFuture<?>[20];
    for (int i = 0; i < tickers.length; i++) {
      tickers[i] = w.scheduleAtFixedRate(() -> {}, i % 3, 1, TimeUnit.MILLISECONDS);
    }
    start.countDown();
    for (Thread p : producers) {
      p.join();
    }
    for (int i = 0; i < tickers.length; i += 2) {
      assertThat(tickers[i].cancel(false)).isTrue();
    }
    List<Runnable> never = w.shutdownNow();
    assertThat(w.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
    long returned = never.stream().filter(r -> !((TimerEntry<?>) r).isPeriodic()).count();

    assertThat(fired.get() + cancelled.get() + returned)
        .as("fired %d + cancelled %d + never ran %d", fired.get(), cancelled.get(), returned)
        .isEqualTo(total);
    for (int i = 0; i < total; i++) {
      if (runs.get(i) > 1) {
        throw new AssertionError("timer " + i + " ran " + runs.get(i) + " times");
      }
    }
    assertThat(w.pendingCount()).isZero();
    for (ScheduledFuture<?> t : tickers) {
      assertThat(t.isCancelled()).isTrue();
    }
    Snapshot s = registry.snapshot();
    long created = 0, ended = 0;
    for (SiteStats st : s.sites()) {
      created += st.created();
      ended += st.fired() + st.cancelled();
      assertThat(st.live()).isZero();
    }
    assertThat(created).isEqualTo(total + tickers.length);
    assertThat(ended).isEqualTo(created);
  }
}
