package dev.timerguard.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.timerguard.Timeout;
import dev.timerguard.Timers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Many threads create, cancel and fire timers through the real API and engine at once; at the end
 * every counter reconciles with what the threads themselves tallied.
 */
class RegistryStressTest {

  @Test
  void countsAreExactUnderConcurrency() throws Exception {
    LiveRegistry registry = LiveRegistry.create(100, System::nanoTime);
    AtomicLong fired = new AtomicLong();
    AtomicLong cancelledByUs = new AtomicLong();
    int threads = 4;
    int perThread = 25_000;
    try (Timers timers = Timers.builder().name("stress").registry(registry).build()) {
      CountDownLatch start = new CountDownLatch(1);
      List<Thread> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int seed = t;
        Thread w =
            new Thread(
                () -> {
                  try {
                    start.await();
                  } catch (InterruptedException e) {
                    return;
                  }
                  for (int i = 0; i < perThread; i++) {
                    // a third fire at once, the rest race a cancel against a short deadline
                    long delay = (i + seed) % 3 == 0 ? 0 : (i % 7) * 10_000L;
                    Timeout to = timers.schedule(Duration.ofNanos(delay), fired::incrementAndGet);
                    if ((i + seed) % 3 != 0 && to.cancel()) {
                      cancelledByUs.incrementAndGet();
                    }
                  }
                });
        w.start();
        workers.add(w);
      }
      start.countDown();
      for (Thread w : workers) {
        w.join();
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (registry.snapshot().totalLiveTimers() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      Snapshot s = registry.snapshot();
      long created = s.sites().stream().mapToLong(SiteStats::created).sum();
      long firedCount = s.sites().stream().mapToLong(SiteStats::fired).sum();
      // a timer counts as fired once it is claimed to run; its action may still be on its way to
      // a callback thread (a loaded machine): wait for the actions too, then compare exactly
      while (fired.get() < firedCount && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      long cancelled = s.sites().stream().mapToLong(SiteStats::cancelled).sum();
      assertThat(created).isEqualTo((long) threads * perThread);
      assertThat(s.totalLiveTimers()).isZero();
      assertThat(cancelled).isEqualTo(cancelledByUs.get());
      assertThat(firedCount).isEqualTo(created - cancelled);
      assertThat(fired.get()).isEqualTo(firedCount); // every fired timer ran its action once
      assertThat(timers.liveCount()).isZero();
    }
  }
}
