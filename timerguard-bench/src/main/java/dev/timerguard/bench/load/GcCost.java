package dev.timerguard.bench.load;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * GC cost of pending timers (issue 17, item 1): for each collector, each number of pending
 * 30-second timeouts and each engine, one fresh JVM (fixed heap, {@code -Xlog:gc,gc+phases}) that
 * holds that many timeouts pending while two threads re-arm them at a steady rate (cancel a slot's
 * timeout, schedule a new 30 s one, oldest slot first, so a timeout lives {@code pending / rate}
 * seconds and never fires) and one thread allocates short-lived garbage at a fixed rate (the
 * application the timers live in). With 0 pending, the churn is schedule+cancel at once. After a
 * warm-up, over the measured window: young and old pause p50/p99/max and allocation stalls from the
 * GC log, GC threads' share of the process CPU (from /proc), heap after each collection, the
 * achieved churn rate; after it, the live heap after a full collection and what the engine still
 * holds.
 *
 * <p>Usage (one command per table; results in JSON for the plot script):
 *
 * <pre>
 * java -cp benchmarks.jar dev.timerguard.bench.load.GcCost quick|full [gc=G1,Z]
 *     [engines=stpe,...] [pending=0,100000,...] [rate=200000] [alloc=512] [warm=s] [measure=s]
 *     [rounds=1] [out=file.json]
 * </pre>
 *
 * With {@code rounds=N} (1 to 20) each pending count runs every engine N times, the engines taking
 * turns round by round, so that load which comes and goes hits every engine alike; each run is one
 * row (with its {@code round}), and the plot script charts the median run of each engine.
 *
 * <p>quick: 0, 100k and 1M pending, 3 s warm-up, 5 s measured; full: 0, 100k, 1M and 4M, 10 s
 * warm-up, 20 s measured. Heap {@code -Xms4g -Xmx4g} in every run. Engines not available on this
 * JDK ({@code fjp} before 25) are skipped with a message. A bad argument stops the run with one
 * message naming it and the accepted values.
 */
public final class GcCost {

  static final long TIMEOUT = TimeUnit.SECONDS.toNanos(30);
  static final int CHURN_THREADS = 2;
  static final String HEAP = "4g";

  /** The settings of one table. */
  static final class Plan {
    String mode;
    List<String> gcs = List.of("G1", "Z");
    List<String> engines = Engine.available();
    List<Integer> pending;
    int rate = 200_000;
    int allocMbPerSecond = 512;
    int warmSeconds;
    int measureSeconds;
    int rounds = 1;
    Path out;
  }

  static Plan plan(String[] args) {
    if (args.length == 0 || !(args[0].equals("quick") || args[0].equals("full"))) {
      throw new IllegalArgumentException(
          "first argument must be the mode: quick or full (then optional gc=, engines=, pending=,"
              + " rate=, alloc=, out=)");
    }
    Plan p = new Plan();
    p.mode = args[0];
    boolean full = p.mode.equals("full");
    p.pending = full ? List.of(0, 100_000, 1_000_000, 4_000_000) : List.of(0, 100_000, 1_000_000);
    p.warmSeconds = full ? 10 : 3;
    p.measureSeconds = full ? 20 : 5;
    for (int i = 1; i < args.length; i++) {
      String a = args[i];
      int eq = a.indexOf('=');
      String key = eq < 0 ? a : a.substring(0, eq);
      String value = eq < 0 ? "" : a.substring(eq + 1);
      switch (key) {
        case "gc":
          for (String g : Harness.list(value)) {
            if (!g.equals("G1") && !g.equals("Z")) {
              throw new IllegalArgumentException("gc=" + value + ": accepted collectors are G1, Z");
            }
          }
          p.gcs = Harness.list(value);
          break;
        case "engines":
          for (String e : Harness.list(value)) {
            if (!Engine.ALL.contains(e)) {
              throw new IllegalArgumentException(
                  "engines="
                      + value
                      + ": unknown engine '"
                      + e
                      + "', accepted: "
                      + String.join(",", Engine.ALL));
            }
          }
          p.engines = Harness.list(value);
          break;
        case "pending":
          p.pending = new ArrayList<>();
          for (String n : Harness.list(value)) {
            p.pending.add(positiveOrZero("pending", n));
          }
          break;
        case "rate":
          p.rate = positiveOrZero("rate", value);
          break;
        case "alloc":
          p.allocMbPerSecond = positiveOrZero("alloc", value);
          break;
        case "warm":
          p.warmSeconds = positiveOrZero("warm", value);
          break;
        case "measure":
          p.measureSeconds = positiveOrZero("measure", value);
          if (p.measureSeconds == 0) {
            throw new IllegalArgumentException("measure=0: expected at least 1 second");
          }
          break;
        case "rounds":
          p.rounds = positiveOrZero("rounds", value);
          if (p.rounds < 1 || p.rounds > 20) {
            throw new IllegalArgumentException("rounds=" + value + ": expected 1 to 20");
          }
          break;
        case "out":
          p.out = Paths.get(value);
          break;
        default:
          throw new IllegalArgumentException(
              "unknown argument '"
                  + a
                  + "': accepted are gc=, engines=, pending=, rate=, alloc=, warm=, measure=,"
                  + " rounds=, out=");
      }
    }
    for (int n : p.pending) {
      if (n > 0 && (double) n / p.rate >= 25) {
        throw new IllegalArgumentException(
            "pending="
                + n
                + " at rate="
                + p.rate
                + ": a timeout would live "
                + n / p.rate
                + " s, it must be re-armed well before its 30 s deadline (raise rate=)");
      }
    }
    if (p.out == null) {
      p.out =
          Paths.get(
              "timerguard-bench/target/load-results/gc-"
                  + Harness.feature()
                  + "-"
                  + p.mode
                  + ".json");
    }
    return p;
  }

  static int positiveOrZero(String name, String v) {
    try {
      int n = Integer.parseInt(v.replace("_", ""));
      if (n >= 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw new IllegalArgumentException(name + "=" + v + ": expected a whole number >= 0");
  }

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("--child")) {
      child(args);
      return;
    }
    Plan p;
    try {
      p = plan(args);
    } catch (IllegalArgumentException e) {
      System.err.println("GcCost: " + e.getMessage());
      System.exit(2);
      return;
    }
    if (p.engines.contains("fjp") && !Engine.available().contains("fjp")) {
      System.out.println(
          "fjp skipped: ForkJoinPool delayed tasks need JDK 25+, this is " + Runtime.version());
    }
    Harness.acquireMachineLock();
    List<String> engines = new ArrayList<>(p.engines);
    engines.retainAll(Engine.available());
    List<Object> runs = new ArrayList<>();
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("benchmark", "gc-cost");
    doc.put("mode", p.mode);
    doc.put("jdk", Runtime.version().toString());
    doc.put("jdkFeature", Harness.feature());
    doc.put("cores", Runtime.getRuntime().availableProcessors());
    doc.put("heap", HEAP);
    doc.put("timeoutSeconds", 30);
    doc.put("churnThreads", CHURN_THREADS);
    doc.put("targetRate", p.rate);
    doc.put("allocMbPerSecond", p.allocMbPerSecond);
    doc.put("warmSeconds", p.warmSeconds);
    doc.put("measureSeconds", p.measureSeconds);
    doc.put("rounds", p.rounds);
    doc.put("started", Harness.nowUtc());
    doc.put("loadAverageAtStart", Harness.loadAverage());
    doc.put("runs", runs);
    Path logDir = Files.createTempDirectory("gccost");
    for (String gc : p.gcs) {
      for (int pending : p.pending) {
        for (int round = 1; round <= p.rounds; round++) {
          for (String engine : engines) { // engines round-robin inside each size: drift hits all
            Path log = logDir.resolve(gc + "-" + pending + "-" + engine + ".log");
            double load = Harness.loadAverage();
            System.out.printf(
                "== %s %s pending=%,d%s (load %.2f)%n",
                gc, engine, pending, p.rounds > 1 ? " round " + round : "", load);
            String json =
                Harness.fork(
                    List.of(
                        "-Xms" + HEAP,
                        "-Xmx" + HEAP,
                        "-XX:+Use" + gc + "GC",
                        "-Xlog:disable",
                        "-Xlog:all=warning:stderr",
                        "-Xlog:gc,gc+phases:file=" + log + ":uptime,tags"),
                    GcCost.class,
                    List.of(
                        "--child",
                        engine,
                        Integer.toString(pending),
                        Integer.toString(p.rate),
                        Integer.toString(p.allocMbPerSecond),
                        Integer.toString(p.warmSeconds),
                        Integer.toString(p.measureSeconds)));
            Map<String, Object> r = Harness.parseFlat(json);
            GcLog g = GcLog.parse(log, (Double) r.get("windowStart"), (Double) r.get("windowEnd"));
            Map<String, Object> run = new LinkedHashMap<>();
            run.put("gc", gc);
            run.put("engine", engine);
            run.put("pending", pending);
            if (p.rounds > 1) {
              run.put("round", round);
            }
            run.put("loadAverage", load);
            run.put("young", Harness.stats(g.youngMs));
            run.put("old", Harness.stats(g.oldMs));
            List<Double> all = new ArrayList<>(g.youngMs);
            all.addAll(g.oldMs);
            run.put("all", Harness.stats(all));
            run.put("stalls", Harness.stats(g.stallMs));
            run.put("heapAfterGcMb", Harness.stats(g.heapAfterMb));
            r.remove("windowStart");
            r.remove("windowEnd");
            run.putAll(r);
            runs.add(run);
            Files.deleteIfExists(log);
            System.out.println("   " + summary(run));
            Harness.writeFile(
                p.out, Harness.json(doc) + "\n"); // a partial table survives an interrupted run
          }
        }
      }
    }
    doc.put("finished", Harness.nowUtc());
    doc.put("loadAverageAtEnd", Harness.loadAverage());
    Harness.writeFile(p.out, Harness.json(doc) + "\n");
    Files.deleteIfExists(logDir);
    System.out.println();
    System.out.println(table(runs));
    System.out.println("results: " + p.out);
  }

  @SuppressWarnings("unchecked")
  static String summary(Map<String, Object> run) {
    Map<String, Object> y = (Map<String, Object>) run.get("young");
    Map<String, Object> o = (Map<String, Object>) run.get("old");
    return String.format(
        "young n=%s p50=%s p99=%s max=%s ms | old n=%s max=%s ms | gc cpu %s%% | live %s MB | rate %s/s",
        y.get("count"),
        Harness.fmt((Double) y.get("p50"), 2),
        Harness.fmt((Double) y.get("p99"), 2),
        Harness.fmt((Double) y.get("max"), 2),
        o.get("count"),
        Harness.fmt((Double) o.get("max"), 2),
        Harness.fmt(100 * (Double) run.get("gcCpuShare"), 1),
        Harness.fmt((Double) run.get("liveHeapMb"), 0),
        Harness.fmt((Double) run.get("achievedRate"), 0));
  }

  /** The markdown table of docs/benchmarks.md. */
  @SuppressWarnings("unchecked")
  static String table(List<Object> runs) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        "| gc | pending | engine | young p50 / p99 / max (ms) | old n, p50 / p99 / max (ms) | GC CPU share | GC cores | heap after GC p50 / max (MB) | live heap (MB) | held | achieved rate (/s) |\n");
    sb.append("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Object o : runs) {
      Map<String, Object> r = (Map<String, Object>) o;
      Map<String, Object> y = (Map<String, Object>) r.get("young");
      Map<String, Object> old = (Map<String, Object>) r.get("old");
      Map<String, Object> h = (Map<String, Object>) r.get("heapAfterGcMb");
      Map<String, Object> st = (Map<String, Object>) r.get("stalls");
      sb.append(
          String.format(
              "| %s | %,d | %s | %s: %s / %s / %s | %s: %s / %s / %s%s | %s%% | %s | %s / %s | %s | %,d | %,.0f |%n",
              r.get("gc"),
              (Integer) r.get("pending"),
              r.get("engine"),
              y.get("count"),
              Harness.fmt((Double) y.get("p50"), 2),
              Harness.fmt((Double) y.get("p99"), 2),
              Harness.fmt((Double) y.get("max"), 2),
              old.get("count"),
              Harness.fmt((Double) old.get("p50"), 2),
              Harness.fmt((Double) old.get("p99"), 2),
              Harness.fmt((Double) old.get("max"), 2),
              ((Integer) st.get("count")) > 0
                  ? ", "
                      + st.get("count")
                      + " stalls (max "
                      + Harness.fmt((Double) st.get("max"), 1)
                      + " ms)"
                  : "",
              Harness.fmt(100 * (Double) r.get("gcCpuShare"), 1),
              Harness.fmt((Double) r.get("gcCores"), 3),
              Harness.fmt((Double) h.get("p50"), 0),
              Harness.fmt((Double) h.get("max"), 0),
              Harness.fmt((Double) r.get("liveHeapMb"), 0),
              ((Double) r.get("held")).longValue(),
              (Double) r.get("achievedRate")));
    }
    return sb.toString();
  }

  // ---------------------------------------------------------------- child JVM

  static volatile boolean stop;

  /** Short-lived garbage the application makes: kept reachable briefly so it is not elided. */
  static final Object[] SINK = new Object[8192];

  static void child(String[] a) throws Exception {
    String name = a[1];
    int pending = Integer.parseInt(a[2]);
    int rate = Integer.parseInt(a[3]);
    int allocMb = Integer.parseInt(a[4]);
    int warm = Integer.parseInt(a[5]);
    int measure = Integer.parseInt(a[6]);
    Engine engine = Engine.create(name);
    long f0 = System.nanoTime();
    Engine.Slots slots = pending > 0 ? engine.slots(pending) : null;
    for (int i = 0; i < pending; i++) {
      slots.rearm(i, TIMEOUT);
    }
    double fillSeconds = (System.nanoTime() - f0) / 1e9;
    AtomicLong[] ops = new AtomicLong[CHURN_THREADS];
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < CHURN_THREADS; t++) {
      AtomicLong counter = ops[t] = new AtomicLong();
      int from = (int) ((long) pending * t / CHURN_THREADS);
      int to = (int) ((long) pending * (t + 1) / CHURN_THREADS);
      threads.add(
          new Thread(
              () -> churn(engine, slots, from, to, rate / CHURN_THREADS, counter), "churn-" + t));
    }
    AtomicLong allocated = new AtomicLong();
    threads.add(new Thread(() -> allocate(allocMb, allocated), "allocator"));
    threads.forEach(Thread::start);
    Thread.sleep(TimeUnit.SECONDS.toMillis(warm));

    double w0 = Harness.uptimeSeconds();
    long t0 = System.nanoTime();
    long cpu0 = Harness.processCpuNanos();
    long gc0 = Harness.gcThreadCpu();
    long ops0 = sum(ops);
    long alloc0 = allocated.get();
    Thread.sleep(TimeUnit.SECONDS.toMillis(measure));
    long ops1 = sum(ops);
    long alloc1 = allocated.get();
    long gc1 = Harness.gcThreadCpu();
    long cpu1 = Harness.processCpuNanos();
    long t1 = System.nanoTime();
    double w1 = Harness.uptimeSeconds();
    stop = true;
    for (Thread t : threads) {
      t.join();
    }
    long held = engine.held();
    System.gc();
    System.gc();
    long live = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    double wall = (t1 - t0) / 1e9;
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("windowStart", w0);
    r.put("windowEnd", w1);
    r.put("fillSeconds", fillSeconds);
    r.put("targetRate", (double) rate);
    r.put("achievedRate", (ops1 - ops0) / wall);
    r.put("allocMbPerSecond", (alloc1 - alloc0) / wall / (1 << 20));
    r.put("processCpuCores", (cpu1 - cpu0) / 1e9 / wall);
    r.put("gcCpuShare", gc0 < 0 ? Double.NaN : (double) (gc1 - gc0) / (cpu1 - cpu0));
    r.put("gcCores", gc0 < 0 ? Double.NaN : (gc1 - gc0) / 1e9 / wall);
    r.put("liveHeapMb", live / (double) (1 << 20));
    r.put("held", (double) held);
    System.out.println(Harness.RESULT + Harness.json(r));
    engine.close();
    System.exit(0);
  }

  static long sum(AtomicLong[] a) {
    long s = 0;
    for (AtomicLong x : a) {
      s += x.get();
    }
    return s;
  }

  /**
   * Re-arms slots [from, to) oldest first at {@code perSecond}, in 1 ms batches; a thread that
   * falls behind (a pause) catches up by at most one second's worth.
   */
  static void churn(Engine e, Engine.Slots slots, int from, int to, int perSecond, AtomicLong ops) {
    long batch = Math.max(1, perSecond / 1000);
    long period = TimeUnit.SECONDS.toNanos(1) * batch / Math.max(1, perSecond);
    long next = System.nanoTime();
    int i = from;
    long done = 0;
    while (!stop) {
      for (int j = 0; j < batch; j++) {
        if (slots == null) {
          e.scheduleCancel(TIMEOUT);
        } else {
          slots.rearm(i, TIMEOUT);
          if (++i == to) {
            i = from;
          }
        }
      }
      done += batch;
      ops.lazySet(done);
      next += period;
      long now = System.nanoTime();
      if (next - now > 0) {
        LockSupport.parkNanos(next - now);
      } else if (now - next > TimeUnit.SECONDS.toNanos(1)) {
        next = now - TimeUnit.SECONDS.toNanos(1);
      }
    }
  }

  /** Allocates 1 KiB arrays at {@code mbPerSecond}, each reachable until 8,192 later ones. */
  static void allocate(int mbPerSecond, AtomicLong bytes) {
    long perMs = mbPerSecond; // 1 KiB arrays per ms: about a MiB per second each
    long next = System.nanoTime();
    int k = 0;
    long total = 0;
    while (!stop) {
      for (long j = 0; j < perMs; j += 1) {
        SINK[k++ & (SINK.length - 1)] = new byte[1024];
      }
      total += perMs << 10;
      bytes.lazySet(total);
      next += 1_000_000;
      long now = System.nanoTime();
      if (next - now > 0) {
        LockSupport.parkNanos(next - now);
      } else if (now - next > TimeUnit.SECONDS.toNanos(1)) {
        next = now - TimeUnit.SECONDS.toNanos(1);
      }
    }
  }
}
