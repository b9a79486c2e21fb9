package dev.timerguard.cli.soak;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ChaosChild} in its own JVM with the agent loaded ({@code http=0}, a port file, and the
 * watch's windows compressed so its verdicts come in seconds). Collects the child's stdout lines;
 * {@link #close()} destroys the process (forcibly after 5 s). Thread-safe.
 */
final class SoakChild implements AutoCloseable {

  /** The watch's time compression in the child: 10 minutes become 1 s, 6 hours 36 s. */
  static final int COMPRESSION = 600;

  /** The watch's rapid rate in the child, live entries per second (production: 100). */
  static final double RAPID_RATE = 5;

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final String variant;
  private final Process process;
  private final Path portFile;
  private final List<String> lines = new ArrayList<>();
  private final StringBuilder stderr = new StringBuilder();
  private int port = -1;

  private SoakChild(String variant, Process process, Path portFile) {
    this.variant = variant;
    this.process = process;
    this.portFile = portFile;
    pump(process.getInputStream(), true);
    pump(process.getErrorStream(), false);
  }

  static SoakChild start(
      Path agentJar,
      Path dir,
      String variant,
      int flappingPort,
      int slowPort,
      Duration duration,
      double rate)
      throws IOException {
    Path portFile = dir.resolve(variant + ".port");
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx96m");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-Dtimerguard.watch.rapidRatePerSecond=" + RAPID_RATE);
    cmd.add(
        "-javaagent:"
            + agentJar
            + "=http=0,portFile="
            + portFile
            + ",watchCompression="
            + COMPRESSION);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(ChaosChild.class.getName());
    cmd.add(variant);
    cmd.add(Integer.toString(flappingPort));
    cmd.add(Integer.toString(slowPort));
    cmd.add(duration.toString());
    cmd.add(Double.toString(rate));
    return new SoakChild(variant, new ProcessBuilder(cmd).start(), portFile);
  }

  private void pump(java.io.InputStream in, boolean out) {
    Thread t =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String l;
                while ((l = r.readLine()) != null) {
                  synchronized (this) {
                    if (out) {
                      lines.add(l);
                    } else if (stderr.length() < 64_000) {
                      stderr.append(l).append('\n');
                    }
                  }
                }
              } catch (IOException gone) {
                // the child ended
              }
            },
            "soak-child-" + variant + (out ? "-out" : "-err"));
    t.setDaemon(true);
    t.start();
  }

  String variant() {
    return variant;
  }

  synchronized List<String> lines(String prefix) {
    List<String> out = new ArrayList<>();
    for (String l : lines) {
      if (l.startsWith(prefix)) {
        out.add(l.substring(prefix.length()));
      }
    }
    return out;
  }

  synchronized String stderr() {
    return stderr.toString();
  }

  boolean alive() {
    return process.isAlive();
  }

  boolean exited() {
    return !lines("exit").isEmpty();
  }

  /** Waits (bounded) for {@code ready} and the agent's port file. */
  void awaitReady(Duration max) throws Exception {
    long end = System.nanoTime() + max.toNanos();
    while (System.nanoTime() < end) {
      if (port < 0 && Files.exists(portFile)) {
        String s = Files.readString(portFile).trim();
        if (!s.isEmpty()) {
          port = Integer.parseInt(s);
        }
      }
      if (port > 0 && !lines("ready").isEmpty()) {
        return;
      }
      if (!process.isAlive()) {
        break;
      }
      Thread.sleep(50);
    }
    throw new AssertionError(
        "the "
            + variant
            + " child never got ready (port "
            + port
            + "); stdout "
            + lines("")
            + "; stderr:\n"
            + stderr());
  }

  /** The agent's {@code /metrics}, or {@code null} if the child is not answering (e.g. gone). */
  String metrics() {
    try {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? r.body() : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** Waits (bounded) for the child to end by itself. */
  boolean awaitExit(Duration max) throws InterruptedException {
    return process.waitFor(max.toMillis(), TimeUnit.MILLISECONDS);
  }

  int exitValue() {
    return process.exitValue();
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(5, TimeUnit.SECONDS);
    }
  }
}
