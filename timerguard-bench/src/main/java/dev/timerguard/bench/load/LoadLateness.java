package dev.timerguard.bench.load;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Tail lateness under load (issue 17, item 2): one fresh JVM per engine in which two threads churn
 * schedule+cancel of 30 s timeouts at a fixed total rate (1,000,000 per second by default,
 * rate-limited in 1 ms batches; the achieved rate is reported), a generator keeps the callback
 * threads busy (5,000 timers per second of 5 ms whose callbacks each spin 100 µs: half a core of
 * callback work), and a probe thread arms one 10 ms and one 1 s timer every millisecond.
 *
 * <p><b>No coordinated omission:</b> probe k is planned at {@code t0 + k ms}; its intended fire
 * time is the planned time plus its delay, whenever the probe thread actually gets to schedule it
 * (a late probe thread schedules with the remaining delay). Lateness = firing time - intended fire
 * time, recorded in an HdrHistogram (µs, 3 significant digits). A probe that has not fired when the
 * run gives up (5 s after the last intended fire time) is recorded with its lateness at that moment
 * and counted as missing. Only probes whose intended fire time falls in the measured window are
 * recorded.
 *
 * <p><b>Rounds:</b> with {@code rounds=N} every engine runs N times, one fresh JVM each, the
 * engines taking turns (round r starts with the r-th engine), so that load from other processes
 * that comes and goes falls on every engine alike instead of on whichever ran at the time. Each
 * engine's probes of all its rounds are merged into one histogram (the children hand theirs back
 * encoded), and the table shows the merged percentiles; each round's own figures stay in the JSON
 * ({@code roundRuns}).
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.timerguard.bench.load.LoadLateness quick|full
 * [engines=...] [rate=1000000] [busy=5000] [rounds=1] [out=file.json]}. quick: 2 s warm-up, 5 s
 * measured; full: 5 s and 20 s. Heap {@code -Xms6g -Xmx6g}, G1 (the default). A bad argument stops
 * the run with one message naming it and the accepted values.
 */
public final class LoadLateness {

  static final long CHURN_DELAY = TimeUnit.SECONDS.toNanos(30);
  static final long[] PROBE_DELAYS = {
    TimeUnit.MILLISECONDS.toNanos(10), TimeUnit.SECONDS.toNanos(1)
  };
  static final String[] PROBE_NAMES = {"10ms", "1s"};
  static final int BUSY_PER_SECOND = 5_000;
  static int busyPerSecond = BUSY_PER_SECOND;
  static final long BUSY_SPIN = TimeUnit.MICROSECONDS.toNanos(100);
  static final long BUSY_DELAY = TimeUnit.MILLISECONDS.toNanos(5);
  static final String HEAP = "6g";

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("--child")) {
      child(args);
      return;
    }
    if (args.length == 0 || !(args[0].equals("quick") || args[0].equals("full"))) {
      System.err.println(
          "LoadLateness: first argument must be the mode: quick or full (then optional engines=,"
              + " rate=, out=)");
      System.exit(2);
    }
    String mode = args[0];
    int warm = mode.equals("full") ? 5 : 2;
    int measure = mode.equals("full") ? 20 : 5;
    List<String> engines = new ArrayList<>(Engine.ALL);
    int rate = 1_000_000;
    int rounds = 1;
    Path out =
        Paths.get(
            "timerguard-bench/target/load-results/lateness-"
                + Harness.feature()
                + "-"
                + mode
                + ".json");
    for (int i = 1; i < args.length; i++) {
      String a = args[i];
      if (a.startsWith("engines=")) {
        engines = new ArrayList<>(Harness.list(a.substring(8)));
        for (String e : engines) {
          if (!Engine.ALL.contains(e)) {
            System.err.println(
                "LoadLateness: "
                    + a
                    + ": unknown engine '"
                    + e
                    + "', accepted: "
                    + String.join(",", Engine.ALL));
            System.exit(2);
          }
        }
      } else if (a.startsWith("rate=")) {
        rate = GcCost.positiveOrZero("rate", a.substring(5));
      } else if (a.startsWith("rounds=")) {
        rounds = GcCost.positiveOrZero("rounds", a.substring(7));
        if (rounds < 1 || rounds > 20) {
          System.err.println("LoadLateness: " + a + ": rounds must be 1 to 20");
          System.exit(2);
        }
      } else if (a.startsWith("busy=")) {
        busyPerSecond = GcCost.positiveOrZero("busy", a.substring(5));
      } else if (a.startsWith("out=")) {
        out = Paths.get(a.substring(4));
      } else {
        System.err.println(
            "LoadLateness: unknown argument '"
                + a
                + "': accepted are engines=, rate=, busy=, rounds=, out=");
        System.exit(2);
      }
    }
    if (engines.contains("fjp") && !Engine.available().contains("fjp")) {
      System.out.println(
          "fjp skipped: ForkJoinPool delayed tasks need JDK 25+, this is " + Runtime.version());
      engines.remove("fjp");
    }
    Harness.acquireMachineLock();
    List<Object> runs = new ArrayList<>();
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("benchmark", "load-lateness");
    doc.put("mode", mode);
    doc.put("jdk", Runtime.version().toString());
    doc.put("jdkFeature", Harness.feature());
    doc.put("cores", Runtime.getRuntime().availableProcessors());
    doc.put("heap", HEAP);
    doc.put("churnRate", rate);
    doc.put("busyPerSecond", busyPerSecond);
    doc.put("busySpinMicros", BUSY_SPIN / 1000);
    doc.put("rounds", rounds);
    doc.put("warmSeconds", warm);
    doc.put("measureSeconds", measure);
    doc.put("started", Harness.nowUtc());
    doc.put("loadAverageAtStart", Harness.loadAverage());
    doc.put("runs", runs);
    List<Object> perRound = new ArrayList<>();
    if (rounds > 1) {
      doc.put("roundRuns", perRound);
    }
    Map<String, List<Map<String, Object>>> byEngine = new LinkedHashMap<>();
    engines.forEach(e -> byEngine.put(e, new ArrayList<>()));
    for (int round = 0; round < rounds; round++) {
      for (int k = 0; k < engines.size(); k++) {
        String engine = engines.get((k + round) % engines.size());
        Map<String, Object> r = runOne(engine, rate, warm, measure, rounds > 1 ? round + 1 : 0);
        byEngine.get(engine).add(r);
        if (rounds > 1) {
          perRound.add(withoutHistograms(r));
        }
        runs.clear();
        for (List<Map<String, Object>> done : byEngine.values()) {
          if (!done.isEmpty()) {
            runs.add(merged(done));
          }
        }
        Harness.writeFile(
            out, Harness.json(doc) + "\n"); // a partial table survives an interrupted run
      }
    }
    doc.put("finished", Harness.nowUtc());
    doc.put("loadAverageAtEnd", Harness.loadAverage());
    Harness.writeFile(out, Harness.json(doc) + "\n");
    System.out.println();
    System.out.println(table(runs));
    System.out.println("results: " + out);
  }

  /** One engine in one fresh JVM; {@code round} 0 when there is only one. */
  static Map<String, Object> runOne(String engine, int rate, int warm, int measure, int round)
      throws Exception {
    double load = Harness.loadAverage();
    System.out.printf("== %s%s (load %.2f)%n", engine, round > 0 ? ", round " + round : "", load);
    String json =
        Harness.fork(
            List.of("-Xms" + HEAP, "-Xmx" + HEAP, "-XX:+UseG1GC"),
            LoadLateness.class,
            List.of(
                "--child",
                engine,
                Integer.toString(rate),
                Integer.toString(warm),
                Integer.toString(measure),
                Integer.toString(busyPerSecond)));
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("engine", engine);
    if (round > 0) {
      r.put("round", round);
    }
    r.put("loadAverage", load);
    r.putAll(Harness.parseFlat(json));
    return r;
  }

  static Map<String, Object> withoutHistograms(Map<String, Object> r) {
    Map<String, Object> copy = new LinkedHashMap<>(r);
    for (String p : PROBE_NAMES) {
      copy.remove(p + ".histogram");
    }
    return copy;
  }

  /**
   * One engine's rounds as one row: percentiles of the merged histograms, missing probes summed,
   * rates and load averaged.
   */
  static Map<String, Object> merged(List<Map<String, Object>> rounds) {
    Map<String, Object> first = rounds.get(0);
    if (rounds.size() == 1) {
      return withoutHistograms(first);
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("engine", first.get("engine"));
    m.put("roundsMerged", rounds.size());
    for (String key :
        List.of(
            "loadAverage", "windowSeconds", "churnAchieved", "busyAchieved", "processCpuCores")) {
      double sum = 0;
      for (Map<String, Object> r : rounds) {
        sum += ((Number) r.get(key)).doubleValue();
      }
      m.put(key, sum / rounds.size());
    }
    m.put("churnTarget", first.get("churnTarget"));
    for (String p : PROBE_NAMES) {
      Histogram h = new Histogram(3);
      double missing = 0;
      for (Map<String, Object> r : rounds) {
        h.add(decode((String) r.get(p + ".histogram")));
        missing += ((Number) r.get(p + ".missing")).doubleValue();
      }
      putPercentiles(m, p, h, missing);
    }
    return m;
  }

  static void putPercentiles(Map<String, Object> r, String p, Histogram h, double missing) {
    r.put(p + ".count", (double) h.getTotalCount());
    r.put(p + ".missing", missing);
    r.put(p + ".p50", h.getValueAtPercentile(50) / 1000.0);
    r.put(p + ".p99", h.getValueAtPercentile(99) / 1000.0);
    r.put(p + ".p999", h.getValueAtPercentile(99.9) / 1000.0);
    r.put(p + ".max", h.getMaxValue() / 1000.0);
  }

  /** The least highest trackable value of a decoded histogram: one hour, in microseconds. */
  static final long DECODE_RANGE_MICROS = TimeUnit.HOURS.toMicros(1);

  /** A histogram as the child hands it back: compressed, in Base64. */
  static String encode(Histogram h) {
    ByteBuffer buf = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
    int n = h.encodeIntoCompressedByteBuffer(buf);
    return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buf.array(), n));
  }

  static Histogram decode(String base64) {
    if (base64 == null) {
      throw new IllegalStateException("a child returned no histogram to merge");
    }
    try {
      // the children's recorders resize as late probes arrive; the header's range can be below
      // what the counts need, so the decoded histogram is made to cover an hour (in µs) at least
      return Histogram.decodeFromCompressedByteBuffer(
          ByteBuffer.wrap(Base64.getDecoder().decode(base64)), DECODE_RANGE_MICROS);
    } catch (DataFormatException e) {
      throw new IllegalStateException("a child returned a histogram that does not decode", e);
    }
  }

  @SuppressWarnings("unchecked")
  static String table(List<Object> runs) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        "| engine | timer | p50 (ms) | p99 (ms) | p99.9 (ms) | max (ms) | probes | missing | churn achieved (/s) |\n");
    sb.append("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (String probe : PROBE_NAMES) {
      for (Object o : runs) {
        Map<String, Object> r = (Map<String, Object>) o;
        sb.append(
            String.format(
                Locale.ROOT,
                "| %s | %s | %.3f | %.3f | %.3f | %.3f | %,d | %,d | %,.0f |%n",
                r.get("engine"),
                probe,
                (Double) r.get(probe + ".p50"),
                (Double) r.get(probe + ".p99"),
                (Double) r.get(probe + ".p999"),
                (Double) r.get(probe + ".max"),
                ((Double) r.get(probe + ".count")).longValue(),
                ((Double) r.get(probe + ".missing")).longValue(),
                (Double) r.get("churnAchieved")));
      }
    }
    return sb.toString();
  }

  // ---------------------------------------------------------------- child JVM

  static volatile boolean stop;

  /** Keeps the busy callbacks' spin from being optimised away. */
  static volatile long busySink;

  static void child(String[] a) throws Exception {
    String name = a[1];
    int rate = Integer.parseInt(a[2]);
    long warm = TimeUnit.SECONDS.toNanos(Integer.parseInt(a[3]));
    long measure = TimeUnit.SECONDS.toNanos(Integer.parseInt(a[4]));
    int busyRate = Integer.parseInt(a[5]);
    Engine engine = Engine.create(name);
    AtomicLong churned = new AtomicLong();
    AtomicLong busyRan = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      threads.add(new Thread(() -> churn(engine, rate / 2, churned), "churn-" + t));
    }
    Runnable busy =
        () -> {
          long end = System.nanoTime() + BUSY_SPIN;
          long x = 0;
          while (System.nanoTime() < end) {
            x++;
          }
          busySink = x;
          busyRan.incrementAndGet();
        };
    threads.add(
        new Thread(
            () -> {
              if (busyRate == 0) {
                return;
              }
              long period = TimeUnit.SECONDS.toNanos(1) / busyRate;
              long next = System.nanoTime();
              while (!stop) {
                engine.schedule(BUSY_DELAY, busy);
                next += period;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                  LockSupport.parkNanos(wait);
                }
              }
            },
            "busy-generator"));
    long start = System.nanoTime();
    long windowStart = start + warm;
    long windowEnd = windowStart + measure;
    Recorder[] recorders = {new Recorder(3), new Recorder(3)};
    AtomicLong[] fired = {new AtomicLong(), new AtomicLong()};
    long[] expected = new long[2];
    // probes planned every ms; only those due inside the window are armed and recorded
    int nProbes = (int) ((windowEnd - start) / 1_000_000) + 1;
    long[][] intended = new long[2][nProbes];
    boolean[][] done = new boolean[2][nProbes];
    threads.add(
        new Thread(
            () -> {
              for (int k = 0; k < nProbes; k++) {
                long planned = start + k * 1_000_000L;
                long now = System.nanoTime();
                if (planned - now > 0) {
                  LockSupport.parkNanos(planned - now);
                  now = System.nanoTime();
                }
                for (int c = 0; c < 2; c++) {
                  long due = planned + PROBE_DELAYS[c];
                  if (due - windowStart < 0 || due - windowEnd > 0) {
                    continue;
                  }
                  intended[c][k] = due;
                  expected[c]++;
                  final int cls = c;
                  final int idx = k;
                  engine.schedule(
                      due - now,
                      () -> {
                        long late = System.nanoTime() - due;
                        recorders[cls].recordValue(Math.max(0, late / 1000));
                        done[cls][idx] = true;
                        fired[cls].incrementAndGet();
                      });
                }
              }
            },
            "probes"));
    // the wheels' own view, sampled every 10 ms of the window: where a late probe waited (for the
    // tick thread, or in the callback pool's queue), and how many callback threads the pool had
    long[] diag = new long[6]; // samples, queuedSum, queuedMax, threadsMax, lagSum, lagMax
    if (engine instanceof Engine.Wheel) {
      dev.timerguard.wheel.WheelScheduler w = ((Engine.Wheel) engine).w;
      Thread sampler =
          new Thread(
              () -> {
                while (System.nanoTime() - windowEnd < 0 && !stop) {
                  long now = System.nanoTime();
                  if (now - windowStart >= 0) {
                    long queued = w.queuedCallbackCount();
                    long lag = Math.max(0, now - w.recentNanoTime());
                    diag[0]++;
                    diag[1] += queued;
                    diag[2] = Math.max(diag[2], queued);
                    diag[3] = Math.max(diag[3], w.callbackThreadCount());
                    diag[4] += lag;
                    diag[5] = Math.max(diag[5], lag);
                  }
                  LockSupport.parkNanos(10_000_000L);
                }
              },
              "wheel-sampler");
      sampler.setDaemon(true);
      sampler.start();
    }
    threads.forEach(Thread::start);
    // measured window
    LockSupport.parkNanos(windowStart - System.nanoTime());
    long c0 = churned.get();
    long b0 = busyRan.get();
    long cpu0 = Harness.processCpuNanos();
    long t0 = System.nanoTime();
    LockSupport.parkNanos(windowEnd - t0);
    long t1 = System.nanoTime();
    long c1 = churned.get();
    long b1 = busyRan.get();
    long cpu1 = Harness.processCpuNanos();
    // wait for the probes of the window (the 1 s ones fire up to a second after it)
    threads.get(threads.size() - 1).join();
    long giveUp = windowEnd + TimeUnit.SECONDS.toNanos(5);
    while ((fired[0].get() < expected[0] || fired[1].get() < expected[1])
        && System.nanoTime() - giveUp < 0) {
      Thread.sleep(10);
    }
    stop = true;
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("windowSeconds", (t1 - t0) / 1e9);
    r.put("churnTarget", (double) rate);
    r.put("churnAchieved", (c1 - c0) / ((t1 - t0) / 1e9));
    r.put("busyAchieved", (b1 - b0) / ((t1 - t0) / 1e9));
    r.put("processCpuCores", (cpu1 - cpu0) / (double) (t1 - t0));
    if (diag[0] > 0) {
      r.put("wheel.queuedMean", diag[1] / (double) diag[0]);
      r.put("wheel.queuedMax", (double) diag[2]);
      r.put("wheel.callbackThreadsMax", (double) diag[3]);
      r.put("wheel.tickLagMeanMs", diag[4] / (double) diag[0] / 1e6);
      r.put("wheel.tickLagMaxMs", diag[5] / 1e6);
    }
    long now = System.nanoTime();
    for (int c = 0; c < 2; c++) {
      Histogram h = recorders[c].getIntervalHistogram();
      long missing = 0;
      for (int k = 0; k < nProbes; k++) {
        if (intended[c][k] != 0 && !done[c][k]) {
          missing++;
          h.recordValue(Math.max(0, (now - intended[c][k]) / 1000));
        }
      }
      String p = PROBE_NAMES[c];
      putPercentiles(r, p, h, missing);
      r.put(p + ".histogram", encode(h));
    }
    System.out.println(Harness.RESULT + Harness.json(r));
    for (Thread t : threads) {
      t.join(2000);
    }
    engine.close();
    System.exit(0);
  }

  /** Schedule+cancel at {@code perSecond} in 1 ms batches; catches up by at most one second. */
  static void churn(Engine e, int perSecond, AtomicLong ops) {
    long batch = Math.max(1, perSecond / 1000);
    long period = TimeUnit.SECONDS.toNanos(1) * batch / Math.max(1, perSecond);
    long next = System.nanoTime();
    while (!stop) {
      for (int j = 0; j < batch; j++) {
        e.scheduleCancel(CHURN_DELAY);
      }
      ops.addAndGet(batch);
      next += period;
      long now = System.nanoTime();
      if (next - now > 0) {
        LockSupport.parkNanos(next - now);
      } else if (now - next > TimeUnit.SECONDS.toNanos(1)) {
        next = now - TimeUnit.SECONDS.toNanos(1);
      }
    }
  }
}
