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
 * The one place that launches the bundled leaky service for {@code doctor --demo}: a child JVM
 * with the same {@code java} binary and class path as this one, small heap, dynamic agent loading
 * allowed on JDK 21+. Point {@link #MAIN_CLASS} elsewhere (e.g. the samples module's service) to
 * diagnose another demo. {@link #close()} stops the child.
 */
final class DemoTarget implements AutoCloseable {

  /** The service's main class. */
  static final String MAIN_CLASS = LeakyService.class.getName();

  private final Process process;

  private DemoTarget(Process process) {
    this.process = process;
  }

  /**
   * Starts the service and waits until it prints {@code ready}.
   *
   * @throws IOException if the JVM cannot be started or dies before it is ready
   */
  static DemoTarget start(String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx128m");
    if (Runtime.version().feature() >= 21) {
      cmd.add("-XX:+EnableDynamicAgentLoading");
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(MAIN_CLASS);
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null) {
      if (line.equals("ready")) {
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
