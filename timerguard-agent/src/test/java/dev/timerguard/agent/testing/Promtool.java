package dev.timerguard.agent.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Runs Prometheus' own linter, {@code promtool check metrics}, on exposition text. Tests that use
 * it are skipped (JUnit assumption, with the reason) where {@code promtool} is not on the PATH; it
 * ships with Prometheus (Debian/Ubuntu package {@code prometheus}).
 */
public final class Promtool {

  private Promtool() {}

  /** The promtool executable on the PATH, or {@code null}. */
  public static Path find() {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String d : path.split(File.pathSeparator)) {
      if (d.isEmpty()) {
        continue;
      }
      Path p = Path.of(d, "promtool");
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  /** Skips the calling test, saying why, when promtool is not on the PATH. */
  public static Path require() {
    Path p = find();
    assumeTrue(
        p != null,
        "promtool is not on the PATH (it ships with Prometheus, Debian package"
            + " 'prometheus'): the exposition format is not checked by Prometheus' own linter here");
    return p;
  }

  /** A finished promtool run: exit code and everything it printed. */
  public record Result(int exitCode, String output) {}

  /** Pipes {@code metrics} through {@code promtool check metrics}. */
  public static Result checkMetrics(Path promtool, String metrics)
      throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(promtool.toString(), "check", "metrics")
            .redirectErrorStream(true)
            .start();
    try (OutputStream in = p.getOutputStream()) {
      in.write(metrics.getBytes(StandardCharsets.UTF_8));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    p.getInputStream().transferTo(out);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("promtool did not finish within 60 s");
    }
    return new Result(p.exitValue(), out.toString(StandardCharsets.UTF_8));
  }
}
