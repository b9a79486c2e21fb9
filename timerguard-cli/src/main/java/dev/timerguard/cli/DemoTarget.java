package dev.timerguard.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The one place that launches a leaky service in a child JVM for {@code doctor}: the same {@code
 * java} binary and class path as this one, small heap, dynamic agent loading allowed on JDK 21+.
 * {@link #startBundled} runs the samples module's {@code LeakyService} (the reproducers of the real
 * incidents, leaking continuously) for {@code doctor --demo}; tests launch their own fixtures with
 * {@link #launch}. {@link #close()} stops the child.
 */
final class DemoTarget implements AutoCloseable {

  /** The bundled leaky service of the samples module, diagnosed by {@code doctor --demo}. */
  static final String BUNDLED_CLASS = "dev.timerguard.samples.service.LeakyService";

  private final Process process;

  private DemoTarget(Process process) {
    this.process = process;
  }

  /**
   * Starts the samples module's bundled leaky service for at most {@code seconds} (so it never
   * outlives a doctor that dies) and waits until it reports its pid.
   *
   * @throws IOException if the JVM cannot be started or dies before it is ready
   */
  static DemoTarget startBundled(long seconds) throws IOException {
    return launch(
        BUNDLED_CLASS,
        line -> line.startsWith("LeakyService pid "),
        List.of("--seconds", Long.toString(Math.max(1, seconds))));
  }

  /**
   * Starts {@code mainClass} with {@code args} on this JVM's class path and waits until it prints a
   * line {@code ready} accepts.
   *
   * @throws IOException if the JVM cannot be started or dies before it is ready
   */
  static DemoTarget launch(
      String mainClass, java.util.function.Predicate<String> ready, List<String> args)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx128m");
    if (Runtime.version().feature() >= 21) {
      cmd.add("-XX:+EnableDynamicAgentLoading");
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(mainClass);
    cmd.addAll(args);
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null) {
      if (ready.test(line)) {
        Thread drain =
            new Thread(
                () -> {
                  try {
                    while (out.readLine() != null) {
                      // discard
                    }
                  } catch (IOException ignored) {
                    // child gone
                  }
                },
                "demo-stdout");
        drain.setDaemon(true);
        drain.start();
        return new DemoTarget(p);
      }
    }
    p.destroyForcibly();
    throw new IOException("the demo service exited before it was ready");
  }

  long pid() {
    return process.pid();
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
