package dev.timerguard.cli;

import java.io.PrintWriter;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code timerguard estimate}: the heap that pending timers hold, from a request rate, a timeout
 * and a timer engine, by the arithmetic of {@code docs/operations/cost-worksheet.md}.
 *
 * <p>Every request arms one timeout. A timer is pending from the moment it is scheduled until it
 * fires or, if the work finishes first and cancels it, until the cancel. So the steady state is
 * {@code pending = rate x time each timer stays}, where the time is the timeout (nothing cancels,
 * or {@code --cancel-after} is not given: the worst case) or {@code --cancel-after} for an engine
 * that drops a cancelled timer at once. A {@code ScheduledThreadPoolExecutor} with its default
 * policy ({@code stpe}) and a {@code java.util.Timer} keep a cancelled task queued until its
 * deadline, so for them the time is always the timeout. {@code heap = pending x bytes per pending
 * timer}, the engine's measured footprint ({@code docs/benchmarks.md}, handle included).
 *
 * <p>Bad input (a rate or duration that is not a positive finite number in range, an unknown
 * engine) is one line on standard error naming the option and the accepted values, exit code {@code
 * 2}. Stateless; one instance per run.
 */
@Command(
    name = "estimate",
    mixinStandardHelpOptions = true,
    description =
        "Estimate the heap held by pending timers: pending = rate x timeout (or x --cancel-after"
            + " for engines that drop cancelled timers at once), heap = pending x the engine's"
            + " measured bytes per pending timer. The arithmetic of"
            + " docs/operations/cost-worksheet.md.",
    footer = {
      "",
      "Engines (bytes per pending timer, handle included; docs/benchmarks.md):",
      "  wheel 40.0, wheelCounted 56.0, netty 56.0, kafka 72.0, stpe 102.3, stpeRemove 102.3,",
      "  timer 62.3, agrona 42.8, fjp 72.0 (JDK 25+); all: every engine in one table",
      "",
      "Examples:",
      "  timerguard estimate --rate 2000 --timeout 30s --engine stpe",
      "  timerguard estimate --rate 2000 --timeout 30s --cancel-after 50ms --engine all"
    })
final class EstimateCommand implements Callable<Integer> {

  /** Largest accepted rate, timers per second: far above what one JVM can schedule. */
  static final double MAX_RATE = 100_000_000;

  /** Longest accepted timeout or cancel delay. */
  static final Duration MAX_DURATION = Duration.ofDays(36_525);

  /** A timer engine and its measured footprint (docs/benchmarks.md, "Bytes per pending timer"). */
  enum Engine {
    WHEEL("wheel", 40.0, true, "TimerGuard WheelScheduler as the safe timer API runs it"),
    WHEEL_COUNTED(
        "wheelCounted", 56.0, true, "WheelScheduler.create(), every timer counted per site"),
    NETTY("netty", 56.0, true, "Netty HashedWheelTimer"),
    KAFKA("kafka", 72.0, true, "Kafka SystemTimer"),
    STPE("stpe", 102.3, false, "ScheduledThreadPoolExecutor, default policy"),
    STPE_REMOVE(
        "stpeRemove", 102.3, true, "ScheduledThreadPoolExecutor, setRemoveOnCancelPolicy(true)"),
    TIMER("timer", 62.3, false, "java.util.Timer (cancel without purge)"),
    AGRONA("agrona", 42.8, true, "Agrona DeadlineTimerWheel (single-threaded)"),
    FJP("fjp", 72.0, true, "ForkJoinPool.schedule, JDK 25+");

    final String id;
    final double bytesPerTimer;
    final boolean dropsCancelled;
    final String what;

    Engine(String id, double bytesPerTimer, boolean dropsCancelled, String what) {
      this.id = id;
      this.bytesPerTimer = bytesPerTimer;
      this.dropsCancelled = dropsCancelled;
      this.what = what;
    }

    static String names() {
      StringBuilder b = new StringBuilder();
      for (Engine e : values()) {
        b.append(e.id).append(", ");
      }
      return b.append("all").toString();
    }
  }

  /** One engine's estimate. */
  record Estimate(Engine engine, double pending, double bytes, boolean heldToDeadline) {}

  @Option(
      names = "--rate",
      required = true,
      paramLabel = "R",
      description =
          "Timers armed per second (requests per second with one timeout each), > 0 and"
              + " at most 100000000.")
  String rate;

  @Option(
      names = "--timeout",
      required = true,
      paramLabel = "T",
      description =
          "Each timer's delay, e.g. 500ms, 30s, 10m, 2h, 1d (decimals allowed), > 0 and"
              + " at most 100 years.")
  String timeout;

  @Option(
      names = "--cancel-after",
      paramLabel = "D",
      description =
          "When the guarded work usually completes and cancels its timer (e.g. the"
              + " request latency). Not given: no timer is cancelled, each stays until its deadline.")
  String cancelAfter;

  @Option(
      names = "--engine",
      required = true,
      paramLabel = "E",
      description = "The timer engine: ${COMPLETION-CANDIDATES}.",
      completionCandidates = EngineNames.class)
  String engine;

  @Spec CommandSpec spec;

  static final class EngineNames extends ArrayList<String> {
    EngineNames() {
      for (Engine e : Engine.values()) {
        add(e.id);
      }
      add("all");
    }
  }

  @Override
  public Integer call() {
    double r = parseRate(rate);
    Duration t = parseDuration("--timeout", timeout);
    Duration c = cancelAfter == null ? null : parseDuration("--cancel-after", cancelAfter);
    List<Engine> engines = parseEngines(engine);
    List<Estimate> estimates = new ArrayList<>();
    for (Engine e : engines) {
      estimates.add(estimate(e, r, t, c));
    }
    PrintWriter out = spec.commandLine().getOut();
    out.print(render(r, t, c, estimates, engines.size() > 1));
    out.flush();
    return 0;
  }

  /** The arithmetic: pending timers and the heap they hold. */
  static Estimate estimate(Engine e, double ratePerSecond, Duration timeout, Duration cancelAfter) {
    boolean heldToDeadline =
        cancelAfter == null || !e.dropsCancelled || cancelAfter.compareTo(timeout) >= 0;
    Duration held = heldToDeadline ? timeout : cancelAfter;
    double pending = ratePerSecond * seconds(held);
    return new Estimate(e, pending, pending * e.bytesPerTimer, heldToDeadline);
  }

  // ------------------------------------------------------------------------- input

  static double parseRate(String v) {
    double r;
    try {
      r = Double.parseDouble(v.trim());
    } catch (NumberFormatException e) {
      r = Double.NaN;
    }
    if (!(r > 0) || r > MAX_RATE) {
      throw new IllegalArgumentException(
          "--rate must be a number of timers per second greater than 0 and at most 100000000,"
              + " was '"
              + v
              + "'");
    }
    return r;
  }

  private static final Pattern DURATION =
      Pattern.compile("(\\d+(?:\\.\\d+)?|\\.\\d+)\\s*(ms|s|m|h|d)");

  static Duration parseDuration(String option, String v) {
    String range =
        " must be a duration greater than 0 and at most 100 years, like 500ms, 30s,"
            + " 10m, 2h or 1d, was '"
            + v
            + "'";
    Matcher m = DURATION.matcher(v.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException(option + range);
    }
    BigDecimal amount = new BigDecimal(m.group(1));
    long nanosPerUnit;
    switch (m.group(2)) {
      case "ms":
        nanosPerUnit = 1_000_000L;
        break;
      case "s":
        nanosPerUnit = 1_000_000_000L;
        break;
      case "m":
        nanosPerUnit = 60_000_000_000L;
        break;
      case "h":
        nanosPerUnit = 3_600_000_000_000L;
        break;
      default:
        nanosPerUnit = 86_400_000_000_000L;
        break;
    }
    BigDecimal nanos = amount.multiply(BigDecimal.valueOf(nanosPerUnit));
    if (nanos.signum() <= 0 || nanos.compareTo(BigDecimal.valueOf(MAX_DURATION.toNanos())) > 0) {
      throw new IllegalArgumentException(option + range);
    }
    Duration d = Duration.ofNanos(nanos.longValue());
    if (d.isZero()) {
      throw new IllegalArgumentException(option + range);
    }
    return d;
  }

  static List<Engine> parseEngines(String v) {
    String s = v.trim();
    if (s.equalsIgnoreCase("all")) {
      return List.of(Engine.values());
    }
    for (Engine e : Engine.values()) {
      if (e.id.equalsIgnoreCase(s)) {
        return List.of(e);
      }
    }
    throw new IllegalArgumentException(
        "--engine must be one of " + Engine.names() + ", was '" + v + "'");
  }

  // ------------------------------------------------------------------------- output

  static String render(
      double rate,
      Duration timeout,
      Duration cancelAfter,
      List<Estimate> estimates,
      boolean table) {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "timerguard estimate: %s timers/s, timeout %s%s%n",
            count(rate),
            human(timeout),
            cancelAfter == null
                ? ", never cancelled (each timer stays until its deadline)"
                : ", cancelled after " + human(cancelAfter)));
    if (table) {
      b.append(System.lineSeparator());
      String row = "%-13s %15s %12s %12s  %s%n";
      b.append(
          String.format(
              Locale.ROOT, row, "engine", "pending", "bytes/timer", "heap", "held until"));
      for (Estimate e : estimates) {
        b.append(
            String.format(
                Locale.ROOT,
                row,
                e.engine().id,
                count(e.pending()),
                String.format(Locale.ROOT, "%.1f", e.engine().bytesPerTimer),
                bytes(e.bytes()),
                heldUntil(e, cancelAfter)));
      }
      b.append(System.lineSeparator());
      b.append(
          "pending = rate x time held; heap = pending x bytes per pending timer"
              + " (docs/benchmarks.md, handle included; fjp on JDK 25+)");
      b.append(System.lineSeparator());
      return b.toString();
    }
    Estimate e = estimates.get(0);
    b.append(
        String.format(
            Locale.ROOT, "  engine            %s (%s)%n", e.engine().id, e.engine().what));
    b.append(
        String.format(
            Locale.ROOT,
            "  pending timers    %s  (rate x %s, %s)%n",
            count(e.pending()),
            human(e.heldToDeadline() ? timeout : cancelAfter),
            heldUntil(e, cancelAfter)));
    b.append(
        String.format(
            Locale.ROOT,
            "  bytes per timer   %.1f  (docs/benchmarks.md, handle included)%n",
            e.engine().bytesPerTimer));
    b.append(
        String.format(
            Locale.ROOT,
            "  heap held         %s  (%s bytes)%n",
            bytes(e.bytes()),
            count(e.bytes())));
    return b.toString();
  }

  private static String heldUntil(Estimate e, Duration cancelAfter) {
    if (!e.heldToDeadline()) {
      return "until cancelled";
    }
    if (cancelAfter != null && !e.engine().dropsCancelled) {
      return "until the deadline: cancelled tasks stay queued";
    }
    return "until the deadline";
  }

  static String count(double v) {
    if (v < 10 && v != Math.rint(v)) {
      return String.format(Locale.ROOT, "%.2f", v);
    }
    if (v >= 1e15) {
      return String.format(Locale.ROOT, "%.3e", v);
    }
    return String.format(Locale.ROOT, "%,d", Math.round(v));
  }

  static String bytes(double b) {
    String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    int u = 0;
    double v = b;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return u == 0
        ? String.format(Locale.ROOT, "%.0f B", v)
        : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }

  static String human(Duration d) {
    long ms = d.toMillis();
    if (ms == 0) {
      return d.toNanos() + " ns";
    }
    if (d.toNanos() % 1_000_000 != 0) {
      return String.format(Locale.ROOT, "%.3f ms", d.toNanos() / 1e6);
    }
    if (ms < 1000) {
      return ms + " ms";
    }
    double s = ms / 1000.0;
    if (s < 120) {
      return trim(s) + " s";
    }
    if (s < 7200) {
      return trim(s / 60) + " min";
    }
    if (s < 172_800) {
      return trim(s / 3600) + " h";
    }
    return trim(s / 86_400) + " d";
  }

  private static String trim(double v) {
    String s = String.format(Locale.ROOT, "%.2f", v);
    s = s.replaceAll("0+$", "");
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }

  private static double seconds(Duration d) {
    return d.getSeconds() + d.getNano() / 1e9;
  }
}
