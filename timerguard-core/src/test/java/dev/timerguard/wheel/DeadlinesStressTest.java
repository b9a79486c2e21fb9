package dev.timerguard.wheel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.timerguard.live.LiveRegistry;
import dev.timerguard.live.SiteStats;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Deadlines} on a real scheduler (tick thread, private registry) under several threads that
 * schedule and cancel tens of thousands of deadlines each while they fire: some cancelled at once,
 * some after a short random wait, some left to fire after 0 to 3 ms, some cancelled by another
 * thread, some cancelled twice at once. No handler runs before its delay has passed (a lower bound
 * only). At the end every payload either fired exactly once or was cancelled by exactly one cancel
 * that returned true, never both and never neither; nothing is pending; the registry reconciles
 * with what the test saw. Variants: several sets on one scheduler whose handlers schedule and
 * cancel on each other; growth from an empty set to 100,000 pending while the tick thread expires
 * others. Sized for two cores: a few seconds. Waits poll with a deadline; nothing asserts
 * wall-clock time.
 */
@Timeout(120)
class DeadlinesStressTest {

  static final int THREADS = 4;
  static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(60);

  /** Polls until {@code done}, failing with {@code what} after a minute. */
  static void await(BooleanSupplier done, String what) throws InterruptedException {
    long end = System.nanoTime() + WAIT_NANOS;
    while (!done.getAsBoolean()) {
      if (System.nanoTime() - end > 0) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(1);
    }
  }

  static Thread[] start(int n, String name, ThrowingIntConsumer body, List<Throwable> failures) {
    Thread[] threads = new Thread[n];
    for (int t = 0; t < n; t++) {
      int id = t;
      threads[t] =
          new Thread(
              () -> {
                try {
                  body.accept(id);
                } catch (Throwable x) {
                  failures.add(x);
                }
              },
              name + "-" + t);
      threads[t].start();
    }
    return threads;
  }

  interface ThrowingIntConsumer {
    void accept(int t) throws Exception;
  }

  static void join(Thread[] threads) throws InterruptedException {
    for (Thread t : threads) {
      t.join(WAIT_NANOS / 1_000_000);
      assertThat(t.isAlive()).as("%s still running", t.getName()).isFalse();
    }
  }

  /** Sums of created, fired, cancelled and live over every site of {@code registry}. */
  static long[] totals(LiveRegistry registry) {
    long[] sum = new long[4];
    for (SiteStats st : registry.snapshot().sites()) {
      sum[0] += st.created();
      sum[1] += st.fired();
      sum[2] += st.cancelled();
      sum[3] += st.live();
    }
    return sum;
  }

  /** Checks that every id below {@code n} ran once or was cancelled once, never both or neither. */
  static void checkExactlyOnce(
      AtomicIntegerArray ran, AtomicIntegerArray cancelled, int from, int n) {
    for (int i = from; i < n; i++) {
      int r = ran.get(i);
      int c = cancelled.get(i);
      if (r + c != 1) {
        throw new AssertionError("payload " + i + ": handler ran " + r + ", cancel true " + c);
      }
    }
  }

  static int sum(AtomicIntegerArray a) {
    int s = 0;
    for (int i = 0; i < a.length(); i++) {
      s += a.get(i);
    }
    return s;
  }

  @Test
  void everyPayloadFiresOnceOrIsCancelledOnceNeverBothNeverNeither() throws Exception {
    int perThread = 60_000;
    int total = THREADS * perThread;
    LiveRegistry registry = LiveRegistry.create(100, System::nanoTime);
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    AtomicIntegerArray ran = new AtomicIntegerArray(total);
    AtomicIntegerArray cancelled = new AtomicIntegerArray(total);
    try (WheelScheduler w =
        WheelScheduler.builder().name("deadlines-stress").registry(registry).build()) {
      // the earliest System.nanoTime() at which each may fire: read before its schedule call
      long[] earliest = new long[total];
      AtomicInteger early = new AtomicInteger(-1);
      Deadlines d =
          w.deadlines(
              p -> {
                if (System.nanoTime() < earliest[(int) p]) {
                  early.compareAndSet(-1, (int) p);
                }
                ran.incrementAndGet((int) p);
              });
      // handle, payload pairs for another thread to cancel
      ConcurrentLinkedQueue<long[]> shared = new ConcurrentLinkedQueue<>();
      CountDownLatch go = new CountDownLatch(1);
      Thread[] producers =
          start(
              THREADS,
              "deadlines-stress",
              t -> {
                SplittableRandom rnd = new SplittableRandom(t * 7919L);
                long[] later = new long[32]; // handles to cancel after a short wait
                int[] laterId = new int[32];
                go.await();
                for (int i = 0; i < perThread; i++) {
                  int id = t * perThread + i;
                  long delay = rnd.nextLong(3_000_001);
                  earliest[id] = System.nanoTime() + delay;
                  long h = d.schedule(id, delay, TimeUnit.NANOSECONDS);
                  switch (rnd.nextInt(5)) {
                    case 0 -> {
                      if (d.cancel(h)) {
                        cancelled.incrementAndGet(id);
                        if (d.cancel(h)) {
                          throw new AssertionError("cancelled twice: " + id);
                        }
                      }
                    }
                    case 1 -> {
                      int k = rnd.nextInt(later.length);
                      if (later[k] != Deadlines.NONE && d.cancel(later[k])) {
                        cancelled.incrementAndGet(laterId[k]);
                      }
                      later[k] = h;
                      laterId[k] = id;
                    }
                    case 2 -> shared.add(new long[] {h, id});
                    case 3 -> {
                      // both this thread and another try to cancel it
                      shared.add(new long[] {h, id});
                      if (d.cancel(h)) {
                        cancelled.incrementAndGet(id);
                      }
                    }
                    default -> {} // left to fire
                  }
                  long[] other = shared.poll();
                  if (other != null && d.cancel(other[0])) {
                    cancelled.incrementAndGet((int) other[1]);
                  }
                  if (rnd.nextInt(2_000) == 0) {
                    LockSupport.parkNanos(rnd.nextLong(500_000));
                  }
                }
                for (int k = 0; k < later.length; k++) {
                  if (later[k] != Deadlines.NONE && d.cancel(later[k])) {
                    cancelled.incrementAndGet(laterId[k]);
                  }
                }
              },
              failures);
      go.countDown();
      join(producers);
      for (long[] other; (other = shared.poll()) != null; ) {
        if (d.cancel(other[0])) {
          cancelled.incrementAndGet((int) other[1]);
        }
      }
      assertThat(failures).isEmpty();
      await(() -> d.pendingCount() == 0, "every deadline to fire");
      await(() -> sum(ran) + sum(cancelled) == total, "every handler to return");
      checkExactlyOnce(ran, cancelled, 0, total);
      assertThat(early.get()).as("a payload that fired before its delay had passed").isEqualTo(-1);
      assertThat(w.pendingCount()).isZero();
      long[] sums = totals(registry);
      assertThat(sums[0]).as("created").isEqualTo(total);
      assertThat(sums[1]).as("fired").isEqualTo(sum(ran));
      assertThat(sums[2]).as("cancelled").isEqualTo(sum(cancelled));
      assertThat(sums[3]).as("live").isZero();
      assertThat(sum(ran)).as("some fired").isPositive();
      assertThat(sum(cancelled)).as("some cancelled").isPositive();
    }
  }

  @Test
  void setsSharingASchedulerWhoseHandlersScheduleAndCancelOnEachOther() throws Exception {
    int sets = 3;
    int perThread = 30_000;
    int primaries = THREADS * perThread;
    int total = 2 * primaries; // a primary's follow-up has payload id + primaries
    LiveRegistry registry = LiveRegistry.create(100, System::nanoTime);
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    AtomicIntegerArray ran = new AtomicIntegerArray(total);
    AtomicIntegerArray cancelled = new AtomicIntegerArray(total);
    AtomicLongArray followUp = new AtomicLongArray(primaries); // the follow-up's handle, once made
    AtomicLong followUps = new AtomicLong();
    try (WheelScheduler w =
        WheelScheduler.builder().name("deadlines-sets").registry(registry).build()) {
      Deadlines[] d = new Deadlines[sets];
      for (int s = 0; s < sets; s++) {
        int self = s;
        d[s] =
            w.deadlines(
                p -> {
                  int id = (int) p;
                  ran.incrementAndGet(id);
                  if (id < primaries) {
                    // a follow-up on the next set; every third one cancelled here at once
                    Deadlines next = d[(self + 1) % sets];
                    long h = next.schedule(id + primaries, id % 2, TimeUnit.MILLISECONDS);
                    followUps.incrementAndGet();
                    if (id % 3 == 0 && next.cancel(h)) {
                      cancelled.incrementAndGet(id + primaries);
                    }
                    followUp.set(id, h);
                  }
                });
      }
      CountDownLatch go = new CountDownLatch(1);
      Thread[] producers =
          start(
              THREADS,
              "deadlines-sets",
              t -> {
                SplittableRandom rnd = new SplittableRandom(31L * t + 1);
                go.await();
                for (int i = 0; i < perThread; i++) {
                  int id = t * perThread + i;
                  Deadlines set = d[id % sets];
                  long h = set.schedule(id, rnd.nextLong(2_000_001), TimeUnit.NANOSECONDS);
                  if (rnd.nextInt(3) == 0 && set.cancel(h)) {
                    cancelled.incrementAndGet(id);
                  }
                  // cancel some follow-up made on the tick thread, on whatever set holds it
                  int victim = rnd.nextInt(id + 1);
                  long fh = followUp.get(victim);
                  if (fh != Deadlines.NONE && d[(victim % sets + 1) % sets].cancel(fh)) {
                    cancelled.incrementAndGet(victim + primaries);
                  }
                }
              },
              failures);
      go.countDown();
      join(producers);
      assertThat(failures).isEmpty();
      BooleanSupplier idle =
          () -> {
            for (Deadlines s : d) {
              if (s.pendingCount() != 0) {
                return false;
              }
            }
            return sum(ran) + sum(cancelled) == primaries + followUps.get();
          };
      await(idle, "every deadline and follow-up to end");
      checkExactlyOnce(ran, cancelled, 0, primaries);
      int made = 0;
      for (int id = 0; id < primaries; id++) {
        int r = ran.get(id + primaries);
        int c = cancelled.get(id + primaries);
        if (ran.get(id) == 1) {
          made++;
          assertThat(r + c).as("follow-up of %d: ran %d, cancel true %d", id, r, c).isEqualTo(1);
        } else {
          assertThat(r + c).as("no follow-up without its primary: %d", id).isZero();
        }
      }
      assertThat((long) made).isEqualTo(followUps.get());
      assertThat(w.pendingCount()).isZero();
      long[] sums = totals(registry);
      assertThat(sums[0]).as("created").isEqualTo(primaries + followUps.get());
      assertThat(sums[1]).as("fired").isEqualTo(sum(ran));
      assertThat(sums[2]).as("cancelled").isEqualTo(sum(cancelled));
      assertThat(sums[3]).as("live").isZero();
    }
  }

  @Test
  void anEmptySetGrowsTo100kPendingAcrossThreadsWhileOthersExpireAndThenAllFire() throws Exception {
    int perThread = 25_000;
    int longOnes = THREADS * perThread;
    int total = 2 * longOnes; // long ones have payloads below longOnes, short ones above
    long wake = total; // the payload of one more deadline, scheduled after the clock jump
    // a real tick thread on a clock the test can move forward by an hour
    AtomicLong offset = new AtomicLong();
    LongSupplier clock = () -> System.nanoTime() + offset.get();
    LiveRegistry registry = LiveRegistry.create(100, clock);
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    AtomicIntegerArray ran = new AtomicIntegerArray(total + 1);
    try (WheelScheduler w =
        WheelScheduler.builder().name("deadlines-growth").clock(clock).registry(registry).build()) {
      Deadlines d = w.deadlines(p -> ran.incrementAndGet((int) p), 0);
      CountDownLatch go = new CountDownLatch(1);
      Thread[] producers =
          start(
              THREADS,
              "deadlines-growth",
              t -> {
                SplittableRandom rnd = new SplittableRandom(t);
                go.await();
                for (int i = 0; i < perThread; i++) {
                  int id = t * perThread + i;
                  d.schedule(id, 60 + rnd.nextInt(60), TimeUnit.MINUTES);
                  d.schedule(longOnes + id, rnd.nextLong(2_000_001), TimeUnit.NANOSECONDS);
                }
              },
              failures);
      go.countDown();
      join(producers);
      assertThat(failures).isEmpty();
      await(() -> d.pendingCount() == longOnes, "the short deadlines to fire");
      for (int id = 0; id < longOnes; id++) {
        assertThat(ran.get(id)).as("long deadline %d fired early", id).isZero();
        assertThat(ran.get(longOnes + id)).as("short deadline %d", longOnes + id).isEqualTo(1);
      }
      assertThat(w.pendingCount()).isEqualTo(longOnes);
      assertThat(totals(registry)[3]).as("live").isEqualTo(longOnes);
      offset.addAndGet(TimeUnit.HOURS.toNanos(2));
      d.schedule(wake, 0, TimeUnit.NANOSECONDS); // wakes a tick thread asleep until the hour
      await(() -> d.pendingCount() == 0, "the long deadlines to fire");
      await(() -> sum(ran) == total + 1, "every handler to return");
      for (int id = 0; id <= total; id++) {
        assertThat(ran.get(id)).as("payload %d", id).isEqualTo(1);
      }
      long[] sums = totals(registry);
      assertThat(sums[0]).as("created").isEqualTo(total + 1);
      assertThat(sums[1]).as("fired").isEqualTo(total + 1);
      assertThat(sums[3]).as("live").isZero();
    }
  }
}
