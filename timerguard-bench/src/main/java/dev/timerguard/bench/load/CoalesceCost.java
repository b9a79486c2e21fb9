package dev.timerguard.bench.load;

import dev.timerguard.Coalescer;
import dev.timerguard.TimerSite;
import dev.timerguard.TimerSource;
import dev.timerguard.Timers;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What coalescing saves (issue 17, item 4): a million fire-and-forget callbacks due within one
 * window, either as a million timers or behind one {@link Coalescer} (one timer per window, the
 * flush runs the batch). Modes, each in a fresh JVM:
 *
 * <ul>
 *   <li>{@code timers}: {@code Timers.schedule(window, callback)} a million times (the safe API on
 *       its wheel: a million counted timers);
 *   <li>{@code coalescer}: one {@code Timers.coalescer(Integer.MAX_VALUE, window, runAll)} and a
 *       million {@code add(callback)} (one timer);
 *   <li>{@code stpe}: {@code ScheduledThreadPoolExecutor(1).schedule(callback, window)} a million
 *       times, for reference.
 * </ul>
 *
 * Measured: heap held while the callbacks wait (bytes per callback: heap after full collections
 * with them pending minus before, callbacks included: each is its own 16-byte object in every
 * mode), and process CPU from the first submit until the last callback ran (median of 3 rounds
 * after a warm-up round; window 1 s, and 10 s for the memory round so nothing fires while it is
 * measured). Usage: {@code java -cp benchmarks.jar dev.timerguard.bench.load.CoalesceCost
 * [modes=timers,coalescer,stpe] [out=file.json]}.
 */
public final class CoalesceCost {

  static final int N = 1_000_000;
  static final List<String> MODES = List.of("timers", "coalescer", "stpe");

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("--child")) {
      child(args[1]);
      return;
    }
    List<String> modes = MODES;
    Path out =
        Paths.get("timerguard-bench/target/load-results/coalesce-" + Harness.feature() + ".json");
    for (String a : args) {
      if (a.startsWith("modes=")) {
        modes = Harness.list(a.substring(6));
        for (String m : modes) {
          if (!MODES.contains(m)) {
            System.err.println(
                "CoalesceCost: "
                    + a
                    + ": unknown mode '"
                    + m
                    + "', accepted: "
                    + String.join(",", MODES));
            System.exit(2);
          }
        }
      } else if (a.startsWith("out=")) {
        out = Paths.get(a.substring(4));
      } else {
        System.err.println("CoalesceCost: unknown argument '" + a + "': accepted are modes=, out=");
        System.exit(2);
      }
    }
    Harness.acquireMachineLock();
    List<Object> runs = new ArrayList<>();
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("benchmark", "coalesce");
    doc.put("jdk", Runtime.version().toString());
    doc.put("jdkFeature", Harness.feature());
    doc.put("cores", Runtime.getRuntime().availableProcessors());
    doc.put("callbacks", N);
    doc.put("started", Harness.nowUtc());
    doc.put("loadAverageAtStart", Harness.loadAverage());
    doc.put("runs", runs);
    for (String m : modes) {
      System.out.println("== " + m);
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("mode", m);
      r.putAll(
          Harness.parseFlat(
              Harness.fork(
                  List.of("-Xms4g", "-Xmx4g", "-XX:+UseG1GC"),
                  CoalesceCost.class,
                  List.of("--child", m))));
      runs.add(r);
    }
    doc.put("finished", Harness.nowUtc());
    doc.put("loadAverageAtEnd", Harness.loadAverage());
    Harness.writeFile(out, Harness.json(doc) + "\n");
    System.out.println();
    System.out.println(
        "| mode | timers pending | bytes per callback | CPU per callback (ns) | submit (ms) | all ran after (ms) |");
    System.out.println("|---|---:|---:|---:|---:|---:|");
    for (Object o : runs) {
      @SuppressWarnings("unchecked")
      Map<String, Object> r = (Map<String, Object>) o;
      System.out.printf(
          Locale.ROOT,
          "| %s | %,d | %.1f | %.1f | %.1f | %.1f |%n",
          r.get("mode"),
          ((Double) r.get("timersPending")).longValue(),
          (Double) r.get("bytesPerCallback"),
          (Double) r.get("cpuNanosPerCallback"),
          (Double) r.get("submitMillis"),
          (Double) r.get("allRanMillis"));
    }
    System.out.println("results: " + out);
  }

  /** A distinct callback object per item, as real fire-and-forget work has. */
  static final class Callback implements Runnable {
    static final AtomicLong RAN = new AtomicLong();
    final int id;

    Callback(int id) {
      this.id = id;
    }

    @Override
    public void run() {
      RAN.incrementAndGet();
    }
  }

  /** One way to run N callbacks after a window. */
  interface Mode extends AutoCloseable {
    void submit(Runnable r);

    /** Timers the engine holds for the submitted callbacks. */
    long timersPending();

    @Override
    void close();
  }

  static Mode open(String mode, Duration window) {
    switch (mode) {
      case "timers":
        {
          Timers timers = Timers.builder().name("coalesce-bench").build();
          TimerSource api = timers.at(TimerSite.here());
          return new Mode() {
            @Override
            public void submit(Runnable r) {
              api.schedule(window, r);
            }

            @Override
            public long timersPending() {
              return timers.liveCount();
            }

            @Override
            public void close() {
              timers.close();
            }
          };
        }
      case "coalescer":
        {
          Timers timers = Timers.builder().name("coalesce-bench").build();
          Coalescer<Runnable> c =
              timers
                  .at(TimerSite.here())
                  .coalescer(
                      Integer.MAX_VALUE,
                      window,
                      batch -> {
                        for (Runnable r : batch) {
                          r.run();
                        }
                      });
          return new Mode() {
            @Override
            public void submit(Runnable r) {
              c.add(r);
            }

            @Override
            public long timersPending() {
              return timers.liveCount();
            }

            @Override
            public void close() {
              c.close();
              timers.close();
            }
          };
        }
      case "stpe":
        {
          ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1);
          long nanos = window.toNanos();
          return new Mode() {
            @Override
            public void submit(Runnable r) {
              e.schedule(r, nanos, TimeUnit.NANOSECONDS);
            }

            @Override
            public long timersPending() {
              return e.getQueue().size();
            }

            @Override
            public void close() {
              e.shutdownNow();
            }
          };
        }
      default:
        throw new IllegalArgumentException("unknown mode " + mode + ", accepted: " + MODES);
    }
  }

  static long usedAfterGc(MemoryMXBean mem) {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return mem.getHeapMemoryUsage().getUsed();
  }

  static void awaitRan(long target) throws InterruptedException {
    long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (Callback.RAN.get() < target) {
      if (System.nanoTime() > giveUp) {
        throw new IllegalStateException(
            "only " + Callback.RAN.get() + " of " + target + " callbacks ran");
      }
      Thread.sleep(1);
    }
  }

  /** Returns cpu ns, submit ns, all-ran ns of one round of N callbacks in a 1 s window. */
  static long[] cpuRound(String mode) throws InterruptedException {
    usedAfterGc(ManagementFactory.getMemoryMXBean());
    Callback[] cbs = new Callback[N];
    for (int i = 0; i < N; i++) {
      cbs[i] = new Callback(i);
    }
    long target = Callback.RAN.get() + N;
    try (Mode m = open(mode, Duration.ofSeconds(1))) {
      long cpu0 = Harness.processCpuNanos();
      long t0 = System.nanoTime();
      for (Callback cb : cbs) {
        m.submit(cb);
      }
      long t1 = System.nanoTime();
      awaitRan(target);
      long t2 = System.nanoTime();
      long cpu1 = Harness.processCpuNanos();
      return new long[] {cpu1 - cpu0, t1 - t0, t2 - t0};
    }
  }

  static void child(String mode) throws Exception {
    cpuRound(mode); // warm-up
    long[][] rounds = {cpuRound(mode), cpuRound(mode), cpuRound(mode)};
    MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
    long before = usedAfterGc(mem);
    long target = Callback.RAN.get() + N;
    long pending;
    long held;
    try (Mode m = open(mode, Duration.ofSeconds(10))) {
      long withEngine = usedAfterGc(mem);
      for (int i = 0; i < N; i++) {
        m.submit(new Callback(i));
      }
      pending = m.timersPending();
      held = usedAfterGc(mem) - withEngine;
      if (Callback.RAN.get() >= target) {
        throw new IllegalStateException(
            "callbacks ran while memory was measured: window too short");
      }
      awaitRan(target);
    }
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("timersPending", (double) pending);
    r.put("bytesPerCallback", held / (double) N);
    r.put("cpuNanosPerCallback", median(rounds, 0) / (double) N);
    r.put("submitMillis", median(rounds, 1) / 1e6);
    r.put("allRanMillis", median(rounds, 2) / 1e6);
    r.put("baselineHeapMb", before / (double) (1 << 20));
    System.out.println(Harness.RESULT + Harness.json(r));
    System.exit(0);
  }

  static long median(long[][] rounds, int i) {
    long[] v = Arrays.stream(rounds).mapToLong(x -> x[i]).sorted().toArray();
    return v[v.length / 2];
  }
}
