package dev.timerguard.live.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.timerguard.live.CallSite;
import dev.timerguard.live.SiteStats;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The lanes of {@link SiteCounter}: a thread counts in the lane it owns with plain stores; a thread
 * whose lane a live thread owns counts in a shared stripe; a lane whose owner terminated is taken
 * over and its counts go on from the dead owner's. Each test has a lane table of its own, so which
 * thread owns which lane is decided by the test alone. Counts must be exact whenever the counting
 * threads are quiet.
 */
@Timeout(120)
class SiteCounterLaneTest {

  final AtomicLong clock = new AtomicLong(5L << 30);
  final SiteRegistry registry = SiteRegistry.create(8, clock::get);
  final SiteCounter.Lanes lanes = new SiteCounter.Lanes();
  final SiteCounter counter =
      new SiteCounter(
          1, CallSite.of(CallSite.Kind.TIMER, "a.B", "c", "B.java", 1), registry, lanes);

  /** A thread that runs the steps the test hands it, one at a time, until told to end. */
  static final class Stepper extends Thread {
    private final BlockingQueue<Runnable> steps = new LinkedBlockingQueue<>();
    private static final Runnable END = () -> {};

    Stepper() {
      setDaemon(true);
    }

    @Override
    public void run() {
      try {
        for (Runnable r = steps.take(); r != END; r = steps.take()) {
          r.run();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    /** Runs {@code step} on this thread and waits until it is done. */
    void step(Runnable step) throws Exception {
      CompletableFuture<Void> done = new CompletableFuture<>();
      steps.add(
          () -> {
            try {
              step.run();
              done.complete(null);
            } catch (Throwable t) {
              done.completeExceptionally(t);
            }
          });
      done.get(30, TimeUnit.SECONDS);
    }

    void end() throws InterruptedException {
      steps.add(END);
      join();
    }
  }

  static int laneOf(Thread t) {
    return (int) t.getId() & (SiteCounter.Lanes.count() - 1);
  }

  /** Counts {@code n} timers started and, of them, {@code ended} ended (fired), all at stamp 0. */
  void count(int n, int ended) {
    long stamp = clock.get();
    for (int i = 0; i < n; i++) {
      counter.startAt(stamp, 0);
    }
    for (int i = 0; i < ended; i++) {
      counter.end(stamp, TimerEnd.FIRED);
    }
  }

  void assertCounts(long created, long fired) {
    SiteStats s = counter.stats(clock.get());
    assertThat(s.created()).as("created").isEqualTo(created);
    assertThat(s.fired()).as("fired").isEqualTo(fired);
    assertThat(s.cancelled()).as("cancelled").isZero();
    assertThat(s.live()).as("live").isEqualTo(created - fired);
    assertThat(counter.live()).isEqualTo(created - fired);
  }

  @Test
  void aLaneHeldByALiveThreadIsNotSharedAndADeadOwnersLaneIsTakenOverWithItsCounts()
      throws Exception {
    Stepper a = new Stepper();
    Stepper b = new Stepper();
    List<Stepper> spare = new ArrayList<>();
    while (laneOf(b) != laneOf(a)) { // thread ids are consecutive: within a few tries
      spare.add(b);
      b = new Stepper();
    }
    int lane = laneOf(a);
    a.start();
    b.start();

    a.step(() -> count(1_000, 400));
    assertThat(lanes.owner(lane)).as("the first thread to count owns its lane").isSameAs(a);
    assertCounts(1_000, 400);

    b.step(() -> count(300, 100)); // a is alive: b counts in a shared stripe
    assertThat(lanes.owner(lane)).isSameAs(a);
    assertCounts(1_300, 500);

    a.step(() -> count(10, 10)); // a still counts in its lane
    a.end();
    assertCounts(1_310, 510);

    // b looks again every 1,024 counts in its shared stripe: within 1,024 more it takes the lane
    b.step(() -> count(SiteCounter.Lanes.RETRY_EVERY, 0));
    assertThat(lanes.owner(lane)).as("the dead owner's lane is taken over").isSameAs(b);
    assertCounts(1_310 + SiteCounter.Lanes.RETRY_EVERY, 510);

    b.step(() -> count(5_000, 5_000)); // now in the lane, on top of a's counts
    assertCounts(6_310 + SiteCounter.Lanes.RETRY_EVERY, 5_510);
    b.end();
    assertThat(spare).allMatch(t -> t.getState() == Thread.State.NEW);
  }

  @Test
  void aThreadWithAFreeLaneClaimsItAtItsFirstCount() throws Exception {
    Stepper a = new Stepper();
    a.start();
    assertThat(lanes.owner(laneOf(a))).isNull();
    a.step(() -> count(1, 1));
    assertThat(lanes.owner(laneOf(a))).isSameAs(a);
    a.end();
    assertCounts(1, 1);
  }

  @Test
  void manyThreadsInWavesStartAndEndConcurrentlyAndTheCountsAreExactAtTheEnd() throws Exception {
    // three waves of 8 threads (more than the lanes: some share stripes; the later waves take over
    // the lanes of the dead ones), each starting timers at two sites' worth of slots and ending
    // half of them itself and half through an ender thread; a reader snapshots all along
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
