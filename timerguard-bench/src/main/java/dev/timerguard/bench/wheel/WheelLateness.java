package dev.timerguard.bench.wheel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Expiry under load: 1,000,000 timers with deadlines spread uniformly over one second, scheduled
 * from one thread as fast as it can; every timer must fire exactly once; reports the lateness
 * (firing time minus deadline) percentiles. All peers run side by side in one JVM, in rounds
 * (round-robin order), and the table shows each peer's median over the rounds.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.timerguard.bench.wheel.WheelLateness [rounds]
 * [peer,peer,...]}. Callbacks are cheap (record a time, bump a counter): the wheel runs them as
 * {@code InlineTask}s on its tick thread, as Netty and java.util.Timer run theirs on their worker
 * thread.
 */
public final class WheelLateness {

  static final int N = 1_000_000;
  static final long SPAN = TimeUnit.SECONDS.toNanos(1);

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    List<String> peers = args.length > 1 ? Arrays.asList(args[1].split(",")) : defaultPeers();
    Map<String, List<long[]>> results = new LinkedHashMap<>();
    for (String p : peers) {
      results.put(p, new ArrayList<>());
    }
    // warm-up round with 10% of the timers, not reported
    for (String p : peers) {
      run(p, N / 10);
    }
    for (int r = 0; r < rounds; r++) {
      for (String p : peers) {
        long[] res = run(p, N);
        results.get(p).add(res);
        System.out.printf(
            "round %d %-12s p50 %8.3f ms  p99 %8.3f ms  max %8.3f ms  exactly-once %s%n",
            r, p, res[0] / 1e6, res[1] / 1e6, res[3] / 1e6, res[4] == 1 ? "yes" : "NO");
      }
    }
    System.out.println();
    System.out.println(
        "| peer | p50 lateness (ms) | p99 lateness (ms) | p99.9 (ms) | max (ms) | all fired exactly once |");
    System.out.println("|---|---:|---:|---:|---:|---|");
    for (Map.Entry<String, List<long[]>> e : results.entrySet()) {
      List<long[]> rs = e.getValue();
      System.out.printf(
          "| %s | %.3f | %.3f | %.3f | %.3f | %s |%n",
          e.getKey(),
          median(rs, 0) / 1e6,
          median(rs, 1) / 1e6,
          median(rs, 2) / 1e6,
          median(rs, 3) / 1e6,
          rs.stream().allMatch(x -> x[4] == 1) ? "yes" : "NO");
    }
  }

  static List<String> defaultPeers() {
    List<String> l =
        new ArrayList<>(
            List.of("wheel", "netty", "kafka", "stpe", "stpeRemove", "timer", "agrona"));
    if (Runtime.version().feature() >= 25) {
      l.add("fjp");
    }
    return l;
  }

  static long median(List<long[]> rs, int i) {
    long[] v = rs.stream().mapToLong(x -> x[i]).sorted().toArray();
    return v[v.length / 2];
  }

  /** Returns p50, p99, p99.9, max lateness in ns, and 1 if every timer fired exactly once. */
  static long[] run(String name, int n) throws Exception {
    System.gc();
    long[] due = new long[n];
    long[] fired = new long[n];
    AtomicIntegerArray count = new AtomicIntegerArray(n);
    AtomicLong done = new AtomicLong();
    SplittableRandom rnd = new SplittableRandom(7);
    try (TimerPeer peer = TimerPeer.create(name)) {
      for (int i = 0; i < n; i++) {
        long delay = rnd.nextLong(SPAN);
        final int idx = i;
        due[i] = System.nanoTime() + delay;
        peer.scheduleTask(
            () -> {
              fired[idx] = System.nanoTime();
              count.incrementAndGet(idx);
              done.incrementAndGet();
            },
            delay);
        if (peer.singleThreaded() && (i & 1023) == 0) {
          peer.pollIfSingleThreaded();
        }
      }
      long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (done.get() < n && System.nanoTime() < giveUp) {
        if (peer.singleThreaded()) {
          peer.pollIfSingleThreaded();
        } else {
          Thread.sleep(5);
        }
      }
      Thread.sleep(50); // a duplicate firing would show up here
    }
    boolean exactlyOnce = true;
    long[] late = new long[n];
    for (int i = 0; i < n; i++) {
      if (count.get(i) != 1) {
        exactlyOnce = false;
      }
      late[i] = fired[i] == 0 ? Long.MAX_VALUE : fired[i] - due[i];
    }
    Arrays.sort(late);
    return new long[] {
      late[n / 2], late[(int) (n * 0.99)], late[(int) (n * 0.999)], late[n - 1], exactlyOnce ? 1 : 0
    };
  }
}
