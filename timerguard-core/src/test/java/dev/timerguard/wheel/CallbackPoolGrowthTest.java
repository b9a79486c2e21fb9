package dev.timerguard.wheel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * When the owned callback pool adds a thread: for callbacks that block (their thread waits, sleeps
 * or parks), up to its bound; for callbacks that only compute, not beyond the processors; for a
 * queue that has not moved for the stall time, one thread per stall. The scheduler's clock is a
 * test clock that only the test moves, so the stall rule fires exactly when the test says; waits
 * are bounded polls of the pool's state, never timed assertions.
 */
@Timeout(60)
class CallbackPoolGrowthTest {

  static final long MS = 1_000_000L;
  static final int CPU = Dispatcher.CPU_THREADS;

  final AtomicLong clock = new AtomicLong(1_000 * MS);
  final CallbackPoolTest.CapturingLogger log = new CallbackPoolTest.CapturingLogger();
  final List<CountDownLatch> toRelease = new ArrayList<>();
  volatile boolean spin = true;

  final List<WheelScheduler> wheels = new ArrayList<>();

  @AfterEach
  void releaseAndClose() throws InterruptedException {
    spin = false;
    toRelease.forEach(CountDownLatch::countDown);
    for (WheelScheduler w : wheels) {
      w.shutdownNow();
      assertThat(w.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
    }
  }

  /** A scheduler whose clock stands still unless the test moves it: no stall ever passes alone. */
  WheelScheduler wheel() {
    WheelScheduler w =
        WheelScheduler.builder().countTimers(false).clock(clock::get).log(log).build();
    wheels.add(w);
    return w;
  }

  static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime() - until).as("waiting for " + what).isNegative();
      Thread.sleep(2);
    }
  }

  /**
   * A callback that counts down {@code started}, then computes (its thread runnable) until told.
   */
  Runnable computing(CountDownLatch started) {
    return () -> {
      started.countDown();
      while (spin && !Thread.currentThread().isInterrupted()) {
        Thread.onSpinWait();
      }
    };
  }

  @Test
  void callbacksThatOnlyComputeShareAsManyThreadsAsProcessorsAndTheRestQueue() throws Exception {
    int n = CPU + 8;
    WheelScheduler w = wheel();
    CountDownLatch started = new CountDownLatch(n);
    Runnable c = computing(started);
    for (int i = 0; i < n; i++) {
      w.execute(c);
    }
    await(
        () -> w.queuedCallbackCount() == n - CPU,
        "8 callbacks to queue behind the computing ones, not to start threads");
    await(() -> started.getCount() == n - CPU, "the first " + CPU + " to run");
    awaitRechecks(w.callbacks.ownedPool);
    assertThat(w.queuedCallbackCount()).isEqualTo(n - CPU);
    assertThat(w.callbackThreadCount())
        .as("%d computing callbacks hold the %d threads; more would only share the cores", CPU, CPU)
        .isEqualTo(CPU);
    assertThat(log.messages()).as("the bound of 256 is far").isEmpty();
    spin = false;
    assertThat(started.await(20, TimeUnit.SECONDS)).as("the queued callbacks ran").isTrue();
    assertThat(w.largestCallbackThreadCount()).isEqualTo(CPU);
  }

  @Test
  void callbacksThatBlockGetAThreadEachAsBefore() throws Exception {
    int n = 3 * CPU + 2;
    WheelScheduler w = wheel();
    CountDownLatch started = new CountDownLatch(n);
    CountDownLatch release = new CountDownLatch(1);
    toRelease.add(release);
    CallbackPoolTest.block(w, n, started, release);
    assertThat(started.await(20, TimeUnit.SECONDS))
        .as("all %d blocked callbacks run at once, on as many threads", n)
        .isTrue();
    assertThat(w.callbackThreadCount()).isEqualTo(n);
    CountDownLatch computingStarted = new CountDownLatch(CPU + 1);
    Runnable c = computing(computingStarted);
    for (int i = 0; i < CPU + 1; i++) {
      w.execute(c);
    }
    // (a blocked callback's thread may still be runnable for an instant after it counted down;
    // the tick thread's recheck then adds the thread once it waits)
    await(
        () -> w.queuedCallbackCount() == 1 && w.callbackThreadCount() == n + CPU,
        "blocked threads not to count against the processors: a thread each for "
            + CPU
            + " computing callbacks, one queued");
    awaitRechecks(w.callbacks.ownedPool);
    assertThat(w.callbackThreadCount()).isEqualTo(n + CPU);
    assertThat(w.queuedCallbackCount()).isEqualTo(1);
  }

  @Test
  void aCallbackQueuedBehindComputingOnesGetsAThreadOnceTheyBlock() throws Exception {
    WheelScheduler w = wheel();
    CountDownLatch started = new CountDownLatch(CPU);
    CountDownLatch release = new CountDownLatch(1);
    toRelease.add(release);
    Runnable computeThenBlock =
        () -> {
          started.countDown();
          while (spin && !Thread.currentThread().isInterrupted()) {
            Thread.onSpinWait();
          }
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        };
    for (int i = 0; i < CPU; i++) {
      w.execute(computeThenBlock);
    }
    assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();
    CountDownLatch ran = new CountDownLatch(2);
    w.execute(ran::countDown);
    w.execute(ran::countDown);
    await(() -> w.queuedCallbackCount() == 2, "two callbacks to queue behind computing ones");
    assertThat(w.callbackThreadCount()).isEqualTo(CPU);
    spin = false; // the computing callbacks now block: the tick thread's recheck sees it
    assertThat(ran.await(20, TimeUnit.SECONDS))
        .as("the queued callbacks ran while the first ones block")
        .isTrue();
    assertThat(w.callbackThreadCount()).isBetween(CPU + 1, CPU + 2);
  }

  @Test
  void aQueueThatDoesNotMoveForTheStallTimeGetsOneThreadPerStall() throws Exception {
    // computing callbacks stand in for callbacks blocked in native code: their threads look
    // runnable; only the stall rule (on the scheduler's clock, moved by the test) adds threads
    WheelScheduler w = wheel();
    CallbackPool pool = w.callbacks.ownedPool;
    CountDownLatch started = new CountDownLatch(CPU + 2);
    Runnable c = computing(started);
    for (int i = 0; i < CPU + 2; i++) {
      w.execute(c);
    }
    await(() -> w.queuedCallbackCount() == 2, "two callbacks to queue");
    clock.addAndGet(Dispatcher.STALL_NANOS - 1);
    awaitRechecks(pool);
    assertThat(w.callbackThreadCount()).as("no stall yet").isEqualTo(CPU);
    assertThat(w.queuedCallbackCount()).isEqualTo(2);

    clock.addAndGet(1);
    await(() -> w.callbackThreadCount() == CPU + 1, "a thread for the stalled queue");
    awaitRechecks(pool);
    assertThat(w.callbackThreadCount()).as("one thread per stall").isEqualTo(CPU + 1);
    assertThat(w.queuedCallbackCount()).isEqualTo(1);

    clock.addAndGet(Dispatcher.STALL_NANOS);
    await(() -> w.callbackThreadCount() == CPU + 2, "a thread for the next stall");
    assertThat(w.queuedCallbackCount()).isZero();
    assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void aQueueThatMovesButTooSlowlyGetsOneThreadPerStallUpToFourTimesTheProcessors()
      throws Exception {
    // the threads' share of the cores is too small: the queue moves (one callback ends every 5 ms
    // of the test clock), but its oldest callback keeps waiting; only the age rule adds threads
    WheelScheduler w = wheel();
    CallbackPool pool = w.callbacks.ownedPool;
    int cap = Dispatcher.AGE_THREADS;
    int totalSteps = 4 * (cap - CPU) + 20;
    int queuedAtStart = totalSteps + cap + 10; // each step and each new thread take one
    AtomicInteger released = new AtomicInteger();
    Runnable gated = gated(released);
    for (int i = 0; i < CPU + queuedAtStart; i++) {
      w.execute(gated);
    }
    await(() -> w.queuedCallbackCount() == queuedAtStart, "callbacks to queue behind " + CPU);
    int steps = 0;
    int maxSeen = CPU;
    while (steps < totalSteps) {
      int queuedBefore = w.queuedCallbackCount();
      clock.addAndGet(5 * MS);
      released.incrementAndGet(); // one callback ends; its thread takes the next queued one
      await(
          () -> w.queuedCallbackCount() < queuedBefore,
          "the queue to move after " + released.get() + " released");
      awaitRechecks(pool);
      steps++;
      int threads = w.callbackThreadCount();
      maxSeen = Math.max(maxSeen, threads);
      assertThat(threads)
          .as("at most one thread per 20 ms of waiting, after %d ms", 5 * steps)
          .isLessThanOrEqualTo(CPU + (5 * steps) / 20);
    }
    assertThat(maxSeen).as("threads up to four times the processors").isEqualTo(cap);
    assertThat(w.callbackThreadCount()).as("and no more while the queue moves").isEqualTo(cap);
    assertThat(pool.ageGrowths()).isEqualTo(cap - CPU);
    assertThat(w.queuedCallbackCount()).isPositive();
    assertThat(log.messages()).as("the bound of 256 is far").isEmpty();
    spin = false;
    await(() -> w.queuedCallbackCount() == 0, "the rest to run once the callbacks end");
    assertThat(w.largestCallbackThreadCount()).isEqualTo(cap);
  }

  @Test
  void youngQueuedCallbacksStartNoThreadWhileTheQueueMoves() throws Exception {
    // the same moving queue, but each callback waits less than the stall time: no growth
    WheelScheduler w = wheel();
    CallbackPool pool = w.callbacks.ownedPool;
    AtomicInteger released = new AtomicInteger();
    Runnable gated = gated(released);
    for (int i = 0; i < CPU + 2; i++) {
      w.execute(gated);
    }
    await(() -> w.queuedCallbackCount() == 2, "two callbacks to queue");
    for (int round = 0; round < 20; round++) {
      clock.addAndGet(5 * MS);
      released.incrementAndGet();
      await(() -> w.queuedCallbackCount() < 2, "the queue to move");
      w.execute(gated); // a fresh callback joins the queue: the oldest is 5 ms old
      await(() -> w.queuedCallbackCount() == 2, "the queue to refill");
      awaitRechecks(pool);
    }
    assertThat(w.callbackThreadCount()).isEqualTo(CPU);
    assertThat(pool.ageGrowths()).isZero();
  }

  /**
   * Callbacks that compute (their threads runnable) until {@code released} counts past them: the
   * k-th to start ends once {@code released} exceeds k, so each increment ends exactly one.
   */
  Runnable gated(AtomicInteger released) {
    AtomicInteger order = new AtomicInteger();
    return () -> {
      int me = order.getAndIncrement();
      while (spin && released.get() <= me && !Thread.currentThread().isInterrupted()) {
        Thread.onSpinWait();
      }
    };
  }

  /** Waits until the tick thread has looked at the queue twice more (so at least once since). */
  static void awaitRechecks(CallbackPool pool) throws InterruptedException {
    long seen = pool.rechecks();
    await(() -> pool.rechecks() >= seen + 2, "the tick thread to look at the queue again");
  }

  @Test
  void manyThreadsSchedulingComputingAndBlockingCallbacksRunEachExactlyOnce() throws Exception {
    int schedulers = 8;
    int perThread = 5_000;
    int blockers = 40; // more than the processors: they must not hold the others back
    int total = schedulers * perThread;
    AtomicIntegerArray runs = new AtomicIntegerArray(total);
    CountDownLatch others = new CountDownLatch(total - blockers);
    CountDownLatch blockersStarted = new CountDownLatch(blockers);
    CountDownLatch release = new CountDownLatch(1);
    toRelease.add(release);
    AtomicInteger blockerIds = new AtomicInteger();
    AtomicLong sink = new AtomicLong();
    try (WheelScheduler w =
        WheelScheduler.builder().countTimers(false).log(log).build()) { // the system clock
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < schedulers; t++) {
        int base = t * perThread;
        Thread th =
            new Thread(
                () -> {
                  ThreadLocalRandom rnd = ThreadLocalRandom.current();
                  for (int i = 0; i < perThread; i++) {
                    int id = base + i;
                    boolean blocks = id % (total / blockers) == 0;
                    Runnable r =
                        blocks
                            ? () -> {
                              runs.incrementAndGet(id);
                              blockerIds.incrementAndGet();
                              blockersStarted.countDown();
                              try {
                                release.await();
                              } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                              }
                            }
                            : () -> {
                              runs.incrementAndGet(id);
                              long x = id;
                              for (int k = 0; k < 200; k++) {
                                x = x * 6364136223846793005L + 1442695040888963407L;
                              }
                              sink.addAndGet(x);
                              others.countDown();
                            };
                    w.schedule(r, rnd.nextInt(3_000), TimeUnit.MICROSECONDS);
                  }
                });
        threads.add(th);
        th.start();
      }
      for (Thread th : threads) {
        th.join();
      }
      assertThat(blockersStarted.await(30, TimeUnit.SECONDS))
          .as("every blocking callback got a thread")
          .isTrue();
      assertThat(others.await(30, TimeUnit.SECONDS))
          .as("every other callback ran while %d block", blockers)
          .isTrue();
      assertThat(w.largestCallbackThreadCount())
          .isGreaterThanOrEqualTo(blockers)
          .isLessThanOrEqualTo(WheelScheduler.DEFAULT_MAX_CALLBACK_THREADS);
      release.countDown();
      w.shutdown();
      assertThat(w.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }
    for (int i = 0; i < total; i++) {
      assertThat(runs.get(i)).as("callback %d ran exactly once", i).isEqualTo(1);
    }
    assertThat(blockerIds.get()).isEqualTo(blockers);
  }
}
