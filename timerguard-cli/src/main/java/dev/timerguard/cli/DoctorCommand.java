package dev.timerguard.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code timerguard doctor <pid>}: attaches to a running JVM of the same user, loads the agent,
 * samples it and prints what grows (timer sites, executors retaining cancelled tasks, thread
 * groups, pending timer classes) along the leak decision tree of {@code
 * docs/operations/decision-tree.md}. {@code --demo} diagnoses a bundled leaky service in a child
 * JVM. {@code --capture DIR} also writes the evidence bundle ({@link CaptureBundle}). Exit codes: 0
 * no leak, 1 leak found, 2 bad input or failure (one line on standard error).
 *
 * <p>Every option is checked before anything is attached. Only a process that the JDK lists as an
 * attachable JVM of this user is attached to (the attach mechanism signals the process, and SIGQUIT
 * ends a process that is not a JVM). Every step in the target (attach, agent load, each read) waits
 * at most {@code --attach-timeout}, so a stopped or frozen JVM ends the doctor with a message
 * instead of a hang.
 */
@Command(
    name = "doctor",
    mixinStandardHelpOptions = true,
    description = {
      "Diagnose timer and thread leaks in a running JVM (same user) by dynamic attach.",
      "Only JVMs that the JDK lists as attachable are attached to; other processes are refused"
          + " without a signal.",
      "With --capture DIR, also writes an evidence bundle for an incident review into DIR"
          + " (README.txt there lists every file).",
      "Exit: 0 no leak, 1 leak found, 2 bad input or failure (one line on standard error)."
    })
final class DoctorCommand implements Callable<Integer> {

  static final Duration MIN_DURATION = Duration.ofSeconds(1);
  static final Duration MAX_DURATION = Duration.ofHours(24);
  static final Duration MIN_INTERVAL = Duration.ofMillis(100);
  static final Duration MAX_INTERVAL = Duration.ofHours(1);
  static final Duration MIN_TIMEOUT = Duration.ofSeconds(1);
  static final Duration MAX_TIMEOUT = Duration.ofMinutes(10);

  /** Samples per run at most (--duration / --interval): bounds the doctor's own memory. */
  static final long MAX_SAMPLES = 1000;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "<pid>",
      description = "The JVM's process id.")
  Long pid;

  @Option(
      names = "--duration",
      defaultValue = "30s",
      paramLabel = "TIME",
      description =
          "How long to sample, 1s to 24h, e.g. 30s, 2m, 500ms (default: ${DEFAULT-VALUE}).")
  String durationText;

  @Option(
      names = "--interval",
      defaultValue = "1s",
      paramLabel = "TIME",
      description =
          "Time between samples, 100ms to 1h, at most --duration and at most "
              + MAX_SAMPLES
              + " samples in all (default: ${DEFAULT-VALUE}).")
  String intervalText;

  @Option(
      names = "--attach-timeout",
      defaultValue = "10s",
      paramLabel = "TIME",
      description =
          "Longest wait for each step in the target JVM (attach, agent load, each read,"
              + " each class histogram), 1s to 10m; a stopped or frozen JVM ends the doctor with"
              + " exit 2 (default: ${DEFAULT-VALUE}).")
  String attachTimeoutText;

  @Option(names = "--json", description = "Print the report as JSON.")
  boolean json;

  @Option(names = "--demo", description = "Start a bundled leaky service, diagnose it, stop it.")
  boolean demo;

  @Option(
      names = "--capture",
      paramLabel = "DIR",
      description =
          "Also write an evidence bundle for an incident review into DIR (created if"
              + " needed, must be empty unless --force): the report as text, JSON and a"
              + " self-contained HTML page, class histograms, samples.csv, a thread dump, a flight"
              + " recording of TimerGuard's events and README.txt listing what is there.")
  String capture;

  @Option(
      names = "--force",
      description = "Let --capture replace an earlier bundle in a non-empty DIR.")
  boolean force;

  @Spec CommandSpec spec;

  private Duration duration;
  private Duration interval;
  private Duration attachTimeout;
  private CaptureBundle bundle;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    try {
      return run();
    } catch (DoctorException e) {
      if (bundle != null) {
        e = bundle.abandon(e);
      }
      err.println("timerguard doctor: " + e.getMessage());
      err.flush();
      return 2;
    }
  }

  private int run() {
    duration = parseDuration("--duration", durationText, MIN_DURATION, MAX_DURATION);
    interval = parseDuration("--interval", intervalText, MIN_INTERVAL, MAX_INTERVAL);
    attachTimeout = parseDuration("--attach-timeout", attachTimeoutText, MIN_TIMEOUT, MAX_TIMEOUT);
    if (interval.compareTo(duration) > 0) {
      throw new DoctorException(
          "--interval ("
              + intervalText.trim()
              + ") must not be longer than --duration ("
              + durationText.trim()
              + ")");
    }
    long samples = duration.toMillis() / interval.toMillis();
    if (samples > MAX_SAMPLES) {
      throw new DoctorException(
          "--duration "
              + durationText.trim()
              + " at --interval "
              + intervalText.trim()
              + " makes "
              + samples
              + " samples; at most "
              + MAX_SAMPLES
              + " samples are taken: raise --interval"
              + " to at least "
              + format(duration.dividedBy(MAX_SAMPLES)));
    }
    if (demo == (pid != null)) {
      throw new DoctorException("give either a pid or --demo");
    }
    if (force && capture == null) {
      throw new DoctorException("--force applies to --capture DIR only; give --capture DIR too");
    }
    if (ModuleLayer.boot().findModule("jdk.attach").isEmpty()) {
      throw new DoctorException(
          "this Java runtime has no jdk.attach module (a JRE or a jlink image?); run doctor with a"
              + " full JDK");
    }
    if (capture != null) {
      bundle = CaptureBundle.prepare(capture, force);
    }
    if (demo) {
      DemoTarget target;
      try {
        target = DemoTarget.startBundled(duration.toSeconds() + 120);
      } catch (IOException e) {
        throw new DoctorException("cannot start the demo service: " + e.getMessage());
      }
      try (target) {
        return diagnose(target.pid());
      }
    }
    return diagnose(pid);
  }

  private int diagnose(long target) {
    checkProcess(target);
    if (!AttachSession.isAttachableJvm(target)) {
      throw new DoctorException(
          "pid "
              + target
              + " is not a Java VM this user can attach to (not in the JDK's list of"
              + " attachable JVMs; a JVM started with -XX:-UsePerfData is not listed); nothing was"
              + " sent to it");
    }
    Path jar;
    try {
      jar = AgentJar.extract();
    } catch (IOException e) {
      throw new DoctorException(e.getMessage());
    }
    try (AttachSession s = AttachSession.open(target, jar, attachTimeout)) {
      Diagnosis diagnosis =
          new Diagnosis(s, target, duration, interval, d -> Thread.sleep(d.toMillis()));
      Diagnosis.Report r =
          bundle == null
              ? diagnosis.run()
              : bundle.capture(new AttachedCapture(s), target, recordingLimit(), diagnosis);
      PrintWriter out = spec.commandLine().getOut();
      out.print(json ? ReportWriter.json(r) + "\n" : ReportWriter.text(r));
      out.flush();
      if (bundle != null) {
        spec.commandLine().getErr().println("timerguard doctor: " + bundle.summary());
        spec.commandLine().getErr().flush();
      }
      return r.leak() ? 1 : 0;
    }
  }

  /**
   * How long the bundle's flight recording may run if the doctor never stops it: the sampling, the
   * two class histograms and every read, each at most --attach-timeout, and a minute more.
   */
  private Duration recordingLimit() {
    return duration.plus(attachTimeout.multipliedBy(4)).plusMinutes(1);
  }

  /** Fails fast, with the reason, on a pid that is not there or not ours. */
  static void checkProcess(long pid) {
    if (pid <= 0) {
      throw new DoctorException("pid must be positive, was " + pid);
    }
    if (pid == ProcessHandle.current().pid()) {
      throw new DoctorException("doctor cannot diagnose itself; give another JVM's pid");
    }
    Optional<ProcessHandle> h = ProcessHandle.of(pid);
    if (h.isEmpty() || !h.get().isAlive()) {
      throw new DoctorException("no process with pid " + pid);
    }
    Optional<String> owner = h.get().info().user();
    String me = System.getProperty("user.name");
    if (owner.isPresent() && me != null && !owner.get().equals(me)) {
      throw new DoctorException(
          "process "
              + pid
              + " belongs to user "
              + owner.get()
              + ", doctor attaches only to JVMs of"
              + " its own user ("
              + me
              + "); run it as "
              + owner.get());
    }
  }

  private static final Pattern DURATION = Pattern.compile("([+-]?\\d+)(ms|s|m|h)?");

  /**
   * Parses {@code 30s}, {@code 500ms}, {@code 2m}, {@code 1h} or plain seconds within {@code [min,
   * max]}.
   *
   * @throws DoctorException naming the option, its range and the value, for anything else
   */
  static Duration parseDuration(String option, String value, Duration min, Duration max) {
    String range = option + " must be from " + format(min) + " to " + format(max);
    String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
    Matcher m = DURATION.matcher(v);
    if (!m.matches()) {
      throw new DoctorException(
          range + ", written like 30s, 500ms, 2m or 1h; '" + value + "' is not a duration");
    }
    Duration d;
    try {
      long n = Long.parseLong(m.group(1));
      String unit = m.group(2) == null ? "s" : m.group(2);
      switch (unit) {
        case "ms":
          d = Duration.ofMillis(n);
          break;
        case "m":
          d = Duration.ofMinutes(n);
          break;
        case "h":
          d = Duration.ofHours(n);
          break;
        default:
          d = Duration.ofSeconds(n);
      }
    } catch (NumberFormatException | ArithmeticException tooBig) {
      d = null;
    }
    if (d == null || d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      throw new DoctorException(range + ", was " + value.trim());
    }
    return d;
  }

  /** {@code 100ms}, {@code 1s}, {@code 10m}, {@code 24h}: the largest whole unit. */
  static String format(Duration d) {
    long ms = d.toMillis();
    if (ms % 3_600_000 == 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }
}
