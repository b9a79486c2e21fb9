package dev.timerguard.bench.load;

import com.sun.management.OperatingSystemMXBean;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the production-load harnesses share: starting one fresh child JVM per measured engine and
 * reading its one {@code RESULT} line, a minimal JSON writer (the bench jar has no JSON library),
 * percentiles, and the CPU time of the JVM's garbage-collector threads read from {@code /proc}.
 *
 * <p>Not thread-safe; used from the harness's main thread. Linux only for {@link #gcThreadCpu}
 * (elsewhere it returns -1 and the harness prints "n/a"). A child that exits without a result line
 * makes {@link #fork} throw {@link IllegalStateException} with the child's last output lines.
 */
final class Harness {

  private Harness() {}

  /** The line prefix a child prints its result with. */
  static final String RESULT = "RESULT ";

  /** The JDK's feature version of this JVM (17, 25, ...). */
  static int feature() {
    return Runtime.version().feature();
  }

  /** One-minute load average of the machine, or -1 where /proc/loadavg is absent. */
  static double loadAverage() {
    try {
      return Double.parseDouble(
          Files.readString(Paths.get("/proc/loadavg")).trim().split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  static String nowUtc() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
  }

  /** Process CPU time of this JVM, all threads, in ns. */
  static long processCpuNanos() {
    return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** JVM uptime in seconds (the clock of -Xlog's {@code uptime} decoration, to within ms). */
  static double uptimeSeconds() {
    return ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0;
  }

  /**
   * CPU time (ns, 10 ms resolution) of this JVM's garbage-collector threads: G1's ({@code GC
   * Thread#n}, {@code G1 ...}) and ZGC's ({@code ZWorker...}, {@code ZDriver...}, {@code
   * ZDirector}, ...). -1 where {@code /proc/self/task} is absent.
   */
  static long gcThreadCpu() {
    Path tasks = Paths.get("/proc/self/task");
    if (!Files.isDirectory(tasks)) {
      return -1;
    }
    long ticks = 0;
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(tasks)) {
      for (Path t : ds) {
        try {
          String comm = Files.readString(t.resolve("comm")).trim();
          if (!isGcThread(comm)) {
            continue;
          }
          String stat = Files.readString(t.resolve("stat"));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
        } catch (IOException e) {
          // the thread ended while we read it
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return ticks * 10_000_000L; // USER_HZ = 100 on Linux
  }

  static boolean isGcThread(String name) {
    return name.startsWith("GC Thread")
        || name.startsWith("G1 ")
        || (name.length() > 1 && name.charAt(0) == 'Z' && Character.isUpperCase(name.charAt(1)));
  }

  /**
   * Waits until this process holds JMH's machine-wide lock ({@code jmh.lock} in {@code
   * java.io.tmpdir}), so that a harness and a JMH run (this project's or anyone's) never measure at
   * the same time on a shared machine. Held until the JVM exits.
   */
  static void acquireMachineLock() throws IOException, InterruptedException {
    Path lockFile = Paths.get(System.getProperty("java.io.tmpdir"), "jmh.lock");
    java.nio.channels.FileChannel ch =
        java.nio.channels.FileChannel.open(
            lockFile,
            java.nio.file.StandardOpenOption.CREATE,
            java.nio.file.StandardOpenOption.WRITE);
    boolean told = false;
    while (true) {
      java.nio.channels.FileLock lock;
      try {
        lock = ch.tryLock();
      } catch (java.nio.channels.OverlappingFileLockException e) {
        return; // already held by this JVM
      }
      if (lock != null) {
        HELD.add(lock);
        return;
      }
      if (!told) {
        System.out.println("another benchmark holds " + lockFile + "; waiting for it to finish");
        told = true;
      }
      Thread.sleep(5_000);
    }
  }

  private static final List<Object> HELD = new ArrayList<>();

  /** Nearest-rank percentile of sorted values, NaN if empty. */
  static double percentile(double[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  /** count, p50, p99, max of {@code values} (any order), as a JSON object. */
  static Map<String, Object> stats(List<Double> values) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("count", v.length);
    m.put("p50", percentile(v, 50));
    m.put("p99", percentile(v, 99));
    m.put("max", v.length == 0 ? Double.NaN : v[v.length - 1]);
    return m;
  }

  /**
   * Runs {@code mainClass} in a fresh JVM of this JDK with {@code jvmArgs} and this JVM's class
   * path, echoes its output, and returns the JSON text of its {@code RESULT} line.
   */
  static String fork(List<String> jvmArgs, Class<?> mainClass, List<String> args)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmArgs);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(mainClass.getName());
    cmd.addAll(args);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String result = null;
    List<String> tail = new ArrayList<>();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.startsWith(RESULT)) {
          result = line.substring(RESULT.length());
        } else {
          System.out.println("  | " + line);
          tail.add(line);
          if (tail.size() > 20) {
            tail.remove(0);
          }
        }
      }
    }
    int rc = p.waitFor();
    if (result == null) {
      throw new IllegalStateException(
          "child JVM "
              + args
              + " exited with "
              + rc
              + " and no result; last lines:\n"
              + String.join("\n", tail));
    }
    return result;
  }

  /** Minimal JSON writer: maps, lists, strings, numbers (NaN and infinities as null), booleans. */
  static String json(Object o) {
    StringBuilder sb = new StringBuilder();
    write(sb, o, "");
    return sb.toString();
  }

  private static void write(StringBuilder sb, Object o, String indent) {
    if (o == null) {
      sb.append("null");
    } else if (o instanceof Map) {
      Map<?, ?> m = (Map<?, ?>) o;
      boolean flat = m.values().stream().noneMatch(v -> v instanceof Map || v instanceof List);
      sb.append('{');
      String in = indent + "  ";
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        sb.append(first ? "" : ",").append(flat ? (first ? "" : " ") : "\n" + in);
        first = false;
        quote(sb, String.valueOf(e.getKey()));
        sb.append(": ");
        write(sb, e.getValue(), in);
      }
      sb.append(flat || m.isEmpty() ? "" : "\n" + indent).append('}');
    } else if (o instanceof List) {
      List<?> l = (List<?>) o;
      String in = indent + "  ";
      sb.append('[');
      for (int i = 0; i < l.size(); i++) {
        sb.append(i == 0 ? "" : ",").append("\n").append(in);
        write(sb, l.get(i), in);
      }
      sb.append(l.isEmpty() ? "" : "\n" + indent).append(']');
    } else if (o instanceof Double || o instanceof Float) {
      double d = ((Number) o).doubleValue();
      sb.append(
          Double.isFinite(d)
              ? new java.math.BigDecimal(d)
                  .round(new java.math.MathContext(6))
                  .stripTrailingZeros()
                  .toString()
              : "null");
    } else if (o instanceof Number || o instanceof Boolean) {
      sb.append(o);
    } else {
      quote(sb, o.toString());
    }
  }

  private static void quote(StringBuilder sb, String s) {
    sb.append('"');
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    sb.append('"');
  }

  /**
   * Parses the flat JSON objects the children print (string, number, boolean and null values only;
   * nested objects are not needed there).
   */
  static Map<String, Object> parseFlat(String json) {
    Map<String, Object> m = new LinkedHashMap<>();
    String s = json.trim();
    if (!s.startsWith("{") || !s.endsWith("}")) {
      throw new IllegalArgumentException("not a flat JSON object: " + json);
    }
    s = s.substring(1, s.length() - 1).trim();
    int i = 0;
    while (i < s.length()) {
      int k0 = s.indexOf('"', i);
      int k1 = s.indexOf('"', k0 + 1);
      String key = s.substring(k0 + 1, k1);
      int colon = s.indexOf(':', k1);
      int v0 = colon + 1;
      while (s.charAt(v0) == ' ') {
        v0++;
      }
      Object value;
      int end;
      if (s.charAt(v0) == '"') {
        end = s.indexOf('"', v0 + 1);
        value = s.substring(v0 + 1, end);
        end++;
      } else {
        end = v0;
        while (end < s.length() && s.charAt(end) != ',') {
          end++;
        }
        String raw = s.substring(v0, end).trim();
        value =
            raw.equals("null")
                ? null
                : raw.equals("true") || raw.equals("false")
                    ? (Object) Boolean.valueOf(raw)
                    : (Object) Double.valueOf(raw);
      }
      m.put(key, value);
      int comma = s.indexOf(',', end);
      i = comma < 0 ? s.length() : comma + 1;
    }
    return m;
  }

  /** Writes {@code text} to {@code file}, creating its directory. */
  static void writeFile(Path file, String text) throws IOException {
    if (file.getParent() != null) {
      Files.createDirectories(file.getParent());
    }
    Files.writeString(file, text);
  }

  /** Comma-separated list argument. */
  static List<String> list(String csv) {
    return Arrays.asList(csv.split(","));
  }

  static String fmt(double v, int decimals) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%." + decimals + "f", v);
  }
}
