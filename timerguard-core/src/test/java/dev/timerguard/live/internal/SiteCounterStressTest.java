package dev.timerguard.live.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.timerguard.live.CallSite;
import dev.timerguard.live.SiteStats;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link SiteCounter} under many threads: starts and ends from more threads than it has stripes, in
 * waves of short-lived threads, ends handed to another thread, a reader snapshotting throughout.
 * Counts must be exact whenever the counting threads are quiet, and no snapshot may show an end
 * without its creation.
 */
@Timeout(120)
class SiteCounterStressTest {

  final AtomicLong clock = new AtomicLong(5L << 30);
  final SiteRegistry registry = SiteRegistry.create(8, clock::get);
  final SiteCounter counter =
      registry.register(CallSite.of(CallSite.Kind.TIMER, "a.B", "c", "B.java", 1));

  @Test
  void manyThreadsInWavesStartAndEndConcurrentlyAndTheCountsAreExactAtTheEnd() throws Exception {
    // three waves of 8 threads (more than the stripes: threads share them), each starting timers
    // across epochs and ending half of them itself and half through an ender thread; a reader
    // snapshots all along
    int waves = 3;
    int threadsPerWave = 8;
    int perThread = 60_000;
    BlockingQueue<Long> toEnd = new ArrayBlockingQueue<>(4_096);
    AtomicBoolean done = new AtomicBoolean();
    AtomicReference<String> broken = new AtomicReference<>();
    Thread ender =
        new Thread(
            () -> {
              try {
                for (; ; ) {
                  Long stamp = toEnd.poll(10, TimeUnit.MILLISECONDS);
                  if (stamp != null) {
                    counter.end(stamp, TimerEnd.CANCELLED);
                  } else if (done.get() && toEnd.isEmpty()) {
                    return;
                  }
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    Thread reader =
        new Thread(
            () -> {
              while (!done.get()) {
                SiteStats s = counter.stats(clock.get());
                if (s.fired() + s.cancelled() > s.created()) {
                  broken.compareAndSet(null, "an end seen before its creation: " + s);
                }
              }
            });
    ender.start();
    reader.start();
    for (int w = 0; w < waves; w++) {
      List<Thread> wave = new ArrayList<>();
      for (int t = 0; t < threadsPerWave; t++) {
        Thread th =
            new Thread(
                () -> {
                  for (int i = 0; i < perThread; i++) {
                    long stamp = counter.start(0);
                    if ((i & 1) == 0) {
                      counter.end(stamp, TimerEnd.FIRED);
                    } else {
                      try {
                        toEnd.put(stamp);
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                      }
                    }
                    if (i % 10_000 == 0) {
                      clock.addAndGet(1L << 30); // a new epoch: counts move to the next slot
                    }
                  }
                });
        wave.add(th);
        th.start();
      }
      for (Thread th : wave) {
        th.join();
      }
    }
    done.set(true);
    ender.join();
    reader.join();
    long total = (long) waves * threadsPerWave * perThread;
    SiteStats s = counter.stats(clock.get());
    assertThat(broken.get()).isNull();
    assertThat(s.created()).isEqualTo(total);
    assertThat(s.fired()).isEqualTo(total / 2);
    assertThat(s.cancelled()).isEqualTo(total / 2);
    assertThat(s.live()).isZero();
    assertThat(s.oldestLiveAgeNanos()).isZero();
  }
}
