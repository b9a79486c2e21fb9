package dev.timerguard.wheel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.timerguard.live.LiveRegistry;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Threads schedule and cancel on a {@link Deadlines} set of a real scheduler while another thread
 * ends it: {@link WheelScheduler#shutdownNow()}, {@link WheelScheduler#close()}, or the set's own
 * {@link Deadlines#closeNow()}. Every payload ends exactly one way: its handler ran on the tick
 * thread, a cancel returned true, shutdownNow handed it back as a runnable (run here, which runs
 * the handler), closeNow returned it, or its schedule threw the documented {@link
 * RejectedExecutionException} or {@link IllegalStateException}. (With {@code cancelAll()} then
 * {@code close()}, a deadline scheduled between the two was cancelled without its payload: what
 * {@code closeNow()} is for.) No other exception escapes; nothing is left pending; the registry
 * reconciles.
 */
@Timeout(120)
class DeadlinesRaceTest {

  static final int PRODUCERS = 3;
  static final int MAX_PER_PRODUCER = 20_000;
  static final int ROUNDS = 8;

  enum Ending {
    SHUTDOWN_NOW,
    SCHEDULER_CLOSE,
    CLOSE_NOW
  }

  @ParameterizedTest
  @EnumSource(Ending.class)
  void everyPayloadEndsExactlyOneWay(Ending ending) throws Exception {
    for (int round = 0; round < ROUNDS; round++) {
      round(ending, new SplittableRandom(round * 1_000_003L + ending.ordinal()));
    }
  }

  private void round(Ending ending, SplittableRandom seed) throws Exception {
    int total = PRODUCERS * MAX_PER_PRODUCER;
    LiveRegistry registry = LiveRegistry.create(100, System::nanoTime);
    WheelScheduler w = WheelScheduler.builder().name("deadlines-race").registry(registry).build();
    AtomicIntegerArray ran = new AtomicIntegerArray(total);
    AtomicIntegerArray back = new AtomicIntegerArray(total);
    AtomicIntegerArray cancelled = new AtomicIntegerArray(total);
    AtomicIntegerArray all = new AtomicIntegerArray(total);
    AtomicIntegerArray threw = new AtomicIntegerArray(total);
    AtomicInteger attempts = new AtomicInteger();
    int[] attempted = new int[PRODUCERS];
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    Thread testThread = Thread.currentThread();
    Deadlines d =
        w.deadlines(
            p -> {
              if (Thread.currentThread() == testThread) {
                back.incrementAndGet((int) p);
              } else {
                ran.incrementAndGet((int) p);
              }
            });
    boolean longOnes = ending != Ending.SCHEDULER_CLOSE; // close waits for pending ones to fire
    CountDownLatch go = new CountDownLatch(1);
    Thread[] producers = new Thread[PRODUCERS];
    for (int t = 0; t < PRODUCERS; t++) {
      int me = t;
      long rndSeed = seed.nextLong();
      producers[t] =
          new Thread(
              () -> {
                SplittableRandom rnd = new SplittableRandom(rndSeed);
                long[] recent = new long[16];
                int[] recentId = new int[16];
                try {
                  go.await();
                  for (int i = 0; i < MAX_PER_PRODUCER; i++) {
                    int id = me * MAX_PER_PRODUCER + i;
                    attempted[me] = i + 1;
                    attempts.incrementAndGet();
                    long delay =
                        longOnes && rnd.nextInt(4) == 0
                            ? TimeUnit.HOURS.toNanos(1)
                            : rnd.nextLong(2_000_001);
                    long h;
                    try {
                      h = d.schedule(id, delay, TimeUnit.NANOSECONDS);
                    } catch (RejectedExecutionException | IllegalStateException refused) {
                      threw.incrementAndGet(id);
                      break;
                    }
                    int k = rnd.nextInt(recent.length);
                    if (rnd.nextBoolean() && recent[k] != Deadlines.NONE && d.cancel(recent[k])) {
                      cancelled.incrementAndGet(recentId[k]);
                    }
                    recent[k] = h;
                    recentId[k] = id;
                    if (rnd.nextInt(4) == 0 && d.cancel(h)) {
                      cancelled.incrementAndGet(id);
                    }
                  }
                  // after the end: every handle is stale or cancellable once
                  for (int k = 0; k < recent.length; k++) {
                    if (recent[k] != Deadlines.NONE && d.cancel(recent[k])) {
                      cancelled.incrementAndGet(recentId[k]);
                    }
                  }
                } catch (Throwable x) {
                  failures.add(x);
                }
              },
              "deadlines-race-" + t);
      producers[t].start();
    }
    int trigger = 500 + seed.nextInt(total / 2);
    AtomicReference<List<Runnable>> handedBack = new AtomicReference<>(List.of());
    Thread killer =
        new Thread(
            () -> {
              try {
                while (attempts.get() < trigger && anyAlive(producers)) {
                  Thread.onSpinWait();
                }
                switch (ending) {
                  case SHUTDOWN_NOW -> handedBack.set(w.shutdownNow());
                  case SCHEDULER_CLOSE -> w.close();
                  default -> {
                    for (long p : d.closeNow()) {
                      all.incrementAndGet((int) p);
                    }
                    w.shutdown();
                  }
                }
              } catch (Throwable x) {
                failures.add(x);
              }
            },
            "deadlines-race-end");
    killer.start();
    go.countDown();
    for (Thread p : producers) {
      p.join(60_000);
      assertThat(p.isAlive()).as("%s still running", p.getName()).isFalse();
    }
    killer.join(60_000);
    assertThat(killer.isAlive()).as("the ending thread still running").isFalse();
    assertThat(failures).as("%s", ending).isEmpty();
    assertThat(w.awaitTermination(60, TimeUnit.SECONDS)).as("terminated").isTrue();
    for (Runnable r : handedBack.get()) {
      r.run();
    }
    assertThat(d.pendingCount()).isZero();
    assertThat(w.pendingCount()).isZero();

    long attemptedTotal = 0;
    for (int t = 0; t < PRODUCERS; t++) {
      attemptedTotal += attempted[t];
      for (int i = 0; i < MAX_PER_PRODUCER; i++) {
        int id = t * MAX_PER_PRODUCER + i;
        int ends = ran.get(id) + back.get(id) + cancelled.get(id) + all.get(id) + threw.get(id);
        if (i >= attempted[t]) {
          assertThat(ends).as("payload %d was never scheduled", id).isZero();
        } else if (ends != 1) {
          throw new AssertionError(
              ending
                  + ": payload "
                  + id
                  + " ran "
                  + ran.get(id)
                  + ", handed back "
                  + back.get(id)
                  + ", cancel true "
                  + cancelled.get(id)
                  + ", returned by closeNow "
                  + all.get(id)
                  + ", schedule threw "
                  + threw.get(id));
        }
      }
    }
    long[] sums = DeadlinesStressTest.totals(registry);
    assertThat(sums[0]).as("created: every schedule call").isEqualTo(attemptedTotal);
    assertThat(sums[1]).as("fired").isEqualTo(DeadlinesStressTest.sum(ran));
    assertThat(sums[2])
        .as("cancelled: by cancel, shutdownNow, closeNow, or refused")
        .isEqualTo(
            (long) DeadlinesStressTest.sum(cancelled)
                + handedBack.get().size()
                + DeadlinesStressTest.sum(all)
                + DeadlinesStressTest.sum(threw));
    assertThat(sums[3]).as("live").isZero();
    assertThat(DeadlinesStressTest.sum(back)).isEqualTo(handedBack.get().size());
  }

  private static boolean anyAlive(Thread[] threads) {
    for (Thread t : threads) {
      if (t.isAlive()) {
        return true;
      }
    }
    return false;
  }
}
