package dev.timerguard.bench.wheel;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The schedule+cancel operation of {@link ScheduleCancelBenchmark} (same peers, same 100,000
 * background timers, same 1 s churned timer), timed in CPU time instead of wall time: on a machine
 * shared with other work, wall-clock throughput measures the share of the CPU a thread got as much
 * as the code, while the CPU time a thread spends per operation moves far less.
 *
 * <p>For each peer, in a fresh JVM (run one peer per invocation to keep call sites monomorphic),
 * after a warm-up of 20 million operations: {@code rounds} rounds of 5 million operations on one
 * thread, each reporting the calling thread's CPU nanoseconds per operation and the whole process's
 * (which adds the peer's own threads: the wheel's tick thread, Netty's worker, the collector).
 * Prints the median and best round.
 *
 * <p>Usage: {@code java -Xms2g -Xmx6g -cp benchmarks.jar
 * dev.timerguard.bench.wheel.ScheduleCancelCpu peer [rounds]}
 */
public final class ScheduleCancelCpu {

  static final int OPS = 5_000_000;

  public static void main(String[] args) {
    String name = args[0];
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    try (TimerPeer peer = TimerPeer.create(name)) {
      SplittableRandom rnd = new SplittableRandom(42);
      for (int i = 0; i < ScheduleCancelBenchmark.BACKGROUND; i++) {
        peer.schedule(TimeUnit.MINUTES.toNanos(10) + rnd.nextLong(TimeUnit.MINUTES.toNanos(50)));
      }
      for (int i = 0; i < 4; i++) {
        loop(peer, OPS);
      }
      List<double[]> results = new ArrayList<>();
      for (int r = 0; r < rounds; r++) {
        long thread0 = threads.getCurrentThreadCpuTime();
        long process0 = os.getProcessCpuTime();
        loop(peer, OPS);
        long thread = threads.getCurrentThreadCpuTime() - thread0;
        long process = os.getProcessCpuTime() - process0;
        results.add(new double[] {thread / (double) OPS, process / (double) OPS});
      }
      double[] t = results.stream().mapToDouble(x -> x[0]).sorted().toArray();
      double[] p = results.stream().mapToDouble(x -> x[1]).sorted().toArray();
      System.out.printf(
          "%-14s thread CPU ns/op median %6.2f best %6.2f | process CPU ns/op median %6.2f best"
              + " %6.2f | rounds %d, all thread %s%n",
          name, t[t.length / 2], t[0], p[p.length / 2], p[0], rounds, Arrays.toString(round(t)));
    }
  }

  static void loop(TimerPeer peer, int n) {
    for (int i = 0; i < n; i++) {
      peer.scheduleCancel(ScheduleCancelBenchmark.CHURN_DELAY);
    }
  }

  static double[] round(double[] v) {
    double[] r = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      r[i] = Math.round(v[i] * 10) / 10.0;
    }
    return r;
  }
}
