package dev.timerguard.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code timerguard doctor <pid>}: attaches to a running JVM of the same user, loads the agent,
 * samples it and prints what grows (timer sites, executors retaining cancelled tasks, thread
 * groups, pending timer classes) along the seed's decision tree. {@code --demo} diagnoses a bundled
 * leaky service in a child JVM. Exit codes: 0 no leak, 1 leak found, 2 bad input or failure (one
 * line on standard error).
 */
@Command(
    name = "doctor",
    mixinStandardHelpOptions = true,
    description = {
      "Diagnose timer and thread leaks in a running JVM (same user) by dynamic attach.",
      "Exit: 0 no leak, 1 leak found, 2 bad input or failure."
    })
final class DoctorCommand implements Callable<Integer> {

  @Parameters(index = "0", arity = "0..1", paramLabel = "<pid>", description = "The JVM's process id.")
  Long pid;

  @Option(
      names = "--duration",
      defaultValue = "30s",
      converter = DurationConverter.class,
      description = "How long to sample, e.g. 30s, 2m, 500ms (default: ${DEFAULT-VALUE}).")
  Duration duration;

  @Option(
      names = "--interval",
      defaultValue = "1s",
      converter = DurationConverter.class,
      description = "Time between samples (default: ${DEFAULT-VALUE}).")
  Duration interval;

  @Option(names = "--json", description = "Print the report as JSON.")
  boolean json;

  @Option(names = "--demo", description = "Start a bundled leaky service, diagnose it, stop it.")
  boolean demo;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    try {
      return run();
    } catch (DoctorException e) {
      err.println("timerguard doctor: " + e.getMessage());
      err.flush();
      return 2;
    }
  }

  private int run() {
    if (interval.isZero() || interval.isNegative() || duration.isNegative() || duration.isZero()) {
      throw new DoctorException("--duration and --interval must be positive");
    }
    if (interval.compareTo(duration) > 0) {
      throw new DoctorException("--interval (" + interval + ") is longer than --duration (" + duration + ")");
    }
    if (demo == (pid != null)) {
      throw new DoctorException("give either a pid or --demo");
    }
    if (ModuleLayer.boot().findModule("jdk.attach").isEmpty()) {
      throw new DoctorException(
          "this Java runtime has no jdk.attach module (a JRE or a jlink image?); run doctor with a"
              + " full JDK");
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
    Path jar;
    try {
      jar = AgentJar.extract();
    } catch (IOException e) {
      throw new DoctorException(e.getMessage());
    }
    try (AttachSession s = AttachSession.open(target, jar)) {
      Diagnosis.Report r =
          new Diagnosis(s, target, duration, interval, d -> Thread.sleep(d.toMillis())).run();
      PrintWriter out = spec.commandLine().getOut();
      out.print(json ? ReportWriter.json(r) + "\n" : ReportWriter.text(r));
      out.flush();
      return r.leak() ? 1 : 0;
    }
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
          "process " + pid + " belongs to user " + owner.get() + ", doctor attaches only to JVMs of"
              + " its own user (" + me + "); run it as " + owner.get());
    }
  }

  /** Parses {@code 30s}, {@code 500ms}, {@code 2m}, {@code 1h}, or plain seconds. */
  static final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String v) {
      String s = v.trim().toLowerCase(java.util.Locale.ROOT);
      try {
        if (s.endsWith("ms")) {
          return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
        }
        if (s.endsWith("s")) {
          return Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)));
        }
        if (s.endsWith("m")) {
          return Duration.ofMinutes(Long.parseLong(s.substring(0, s.length() - 1)));
        }
        if (s.endsWith("h")) {
          return Duration.ofHours(Long.parseLong(s.substring(0, s.length() - 1)));
        }
        return Duration.ofSeconds(Long.parseLong(s));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("'" + v + "' is not a duration like 30s, 500ms or 2m");
      }
    }
  }
}
