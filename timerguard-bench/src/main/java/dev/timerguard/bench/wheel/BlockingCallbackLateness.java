package dev.timerguard.bench.wheel;

import dev.timerguard.wheel.WheelScheduler;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Lateness of 10 ms timers while N callbacks of the same wheel block, for the wheel's callback pool
 * before and after it became elastic.
 *
 * <p>Each run starts N callbacks that block on a latch, then schedules one 10 ms timer every 5 ms
 * for one second (200 timers, at fixed intended times, whatever happened to the earlier ones), then
 * releases the blocked callbacks and waits for every timer to fire. A timer's lateness is its
 * firing time minus its intended one (the scheduling time it was planned for plus 10 ms), so a
 * timer stuck behind the blocked callbacks counts for all of its wait: no coordinated omission.
 * {@code fixed} is the former default, a fixed pool of {@code max(2, cores)} threads (given as the
 * callback executor); {@code elastic} is the default pool of today.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.timerguard.bench.wheel.BlockingCallbackLateness
 * [rounds] [n,n,...]}; the table shows the median of each figure over the rounds.
 */
public final class BlockingCallbackLateness {

  static final int TIMERS = 200;
  static final long EVERY = TimeUnit.MILLISECONDS.toNanos(5);
  static final long DELAY = TimeUnit.MILLISECONDS.toNanos(10);

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    int[] ns =
        args.length > 1
            ? Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray()
            : new int[] {0, 2, 8, 32};
    String[] designs = {"fixed", "elastic"};
    run("elastic", 2); // warm-up, not reported
    run("fixed", 2);
    List<String> rows = new ArrayList<>();
    for (int n : ns) {
      for (String d : designs) {
        List<long[]> rs = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
          long[] res = run(d, n);
          rs.add(res);
          System.out.printf(
              "round %d n=%-3d %-8s p50 %8.3f ms  p99 %8.3f ms  max %8.3f ms%n",
              r, n, d, res[0] / 1e6, res[1] / 1e6, res[2] / 1e6);
        }
        rows.add(
            String.format(
                "| %d | %s | %.3f | %.3f | %.3f |",
                n, d, median(rs, 0) / 1e6, median(rs, 1) / 1e6, median(rs, 2) / 1e6));
      }
    }
    System.out.println();
    System.out.println(
        "| blocking callbacks | callback pool | p50 lateness (ms) | p99 lateness (ms) | max (ms) |");
    System.out.println("|---:|---|---:|---:|---:|");
    rows.forEach(System.out::println);
  }

  static long median(List<long[]> rs, int i) {
    long[] v = rs.stream().mapToLong(x -> x[i]).sorted().toArray();
    return v[v.length / 2];
  }

  /** Returns p50, p99 and max lateness in ns. */
  static long[] run(String design, int n) throws Exception {
    ExecutorService fixed = null;
    WheelScheduler.Builder b =
        WheelScheduler.builder().name("lateness-" + design).countTimers(false);
    if (design.equals("fixed")) {
      fixed = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()));
      b.callbackExecutor(fixed);
    } else if (!design.equals("elastic")) {
      throw new IllegalArgumentException("design must be fixed or elastic, was " + design);
    }
    long[] fired = new long[TIMERS];
    long[] intended = new long[TIMERS];
    CountDownLatch all = new CountDownLatch(TIMERS);
    CountDownLatch release = new CountDownLatch(1);
    try (WheelScheduler w = b.build()) {
      for (int i = 0; i < n; i++) {
        w.execute(
            () -> {
              try {
                release.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
      }
      Thread.sleep(50); // the blocking callbacks take their threads
      long start = System.nanoTime();
      for (int i = 0; i < TIMERS; i++) {
        long planned = start + i * EVERY;
        long wait;
        while ((wait = planned - System.nanoTime()) > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
        int idx = i;
        intended[i] = planned + DELAY;
        w.schedule(
            () -> {
              fired[idx] = System.nanoTime();
              all.countDown();
            },
            DELAY,
            TimeUnit.NANOSECONDS);
      }
      release.countDown();
      if (!all.await(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("timers did not all fire within 60 s");
      }
    } finally {
      if (fixed != null) {
        fixed.shutdownNow();
      }
    }
    long[] late = new long[TIMERS];
    for (int i = 0; i < TIMERS; i++) {
      late[i] = fired[i] - intended[i];
    }
    Arrays.sort(late);
    return new long[] {late[TIMERS / 2], late[(int) (TIMERS * 0.99)], late[TIMERS - 1]};
  }
}
