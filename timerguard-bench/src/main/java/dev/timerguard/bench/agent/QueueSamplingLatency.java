package dev.timerguard.bench.agent;

import java.util.Arrays;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The worst {@code schedule()} latency of an application whose scheduled pool holds millions of
 * queued tasks, half of them cancelled and retained ({@code removeOnCancelPolicy(false)}): run once
 * plain and once with the agent (docs/benchmarks.md, "Agent overhead"). An agent that walks the
 * queue to sample it holds the queue's lock for the whole copy, and a {@code schedule} that arrives
 * meanwhile waits for it; the worst latencies show it.
 *
 * <p>Arguments: queued tasks (default 2,000,000), seconds to measure (default 10). Plans one {@code
 * schedule} call every 200 µs on the application thread, times each call with {@code
 * System.nanoTime()}, cancels it (untimed), and prints the percentiles, the maximum and the calls
 * over 1 ms (garbage-collection pauses land in the maximum of every run, agent or not), twice: the
 * service time of each call (its own duration) and its response time measured from the moment it
 * was planned, which also charges a slow call for the calls it held back (no coordinated omission).
 * A harness, not a JMH benchmark: the figure of interest is the tail of single calls, not an
 * average.
 */
public final class QueueSamplingLatency {

  private QueueSamplingLatency() {}

  public static void main(String[] args) throws Exception {
    int queued = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    if (queued < 0 || seconds < 1) {
      throw new IllegalArgumentException(
          "usage: QueueSamplingLatency [queued tasks >= 0] [seconds >= 1], was "
              + Arrays.toString(args));
    }
    ScheduledExecutorService pool = new ScheduledThreadPoolExecutor(1);
    Runnable noop = () -> {};
    for (int i = 0; i < queued; i++) {
      ScheduledFuture<?> f = pool.schedule(noop, 1, TimeUnit.HOURS);
      if ((i & 1) == 0) {
        f.cancel(false); // retained until its deadline: the leak the agent reports
      }
    }
    long period = 200_000;
    long[] lat = new long[seconds * 5_000];
    long[] resp = new long[lat.length];
    int n = 0;
    long start = System.nanoTime();
    long end = start + TimeUnit.SECONDS.toNanos(seconds);
    while (n < lat.length && System.nanoTime() - end < 0) {
      long planned = start + n * period;
      long wait = planned - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      long t0 = System.nanoTime();
      ScheduledFuture<?> f = pool.schedule(noop, 1, TimeUnit.HOURS);
      long t1 = System.nanoTime();
      lat[n] = t1 - t0;
      resp[n++] = t1 - Math.min(planned, t0);
      f.cancel(false);
    }
    print("service", lat, n, queued);
    print("from-planned", resp, n, queued);
    pool.shutdownNow();
  }

  static void print(String what, long[] lat, int n, int queued) {
    long[] s = Arrays.copyOf(lat, n);
    Arrays.sort(s);
    int over1ms = 0;
    for (long x : s) {
      over1ms += x > 1_000_000 ? 1 : 0;
    }
    System.out.printf(
        "%s agent=%s queued=%d calls=%d p50=%.1fus p99=%.1fus p99.9=%.1fus p99.99=%.1fus max=%.2fms"
            + " over1ms=%d%n",
        what,
        AgentOverheadBenchmark.agentLoaded(),
        queued,
        n,
        s[n / 2] / 1e3,
        s[(int) (n * 0.99)] / 1e3,
        s[(int) (n * 0.999)] / 1e3,
        s[(int) (n * 0.9999)] / 1e3,
        s[n - 1] / 1e6,
        over1ms);
  }
}
