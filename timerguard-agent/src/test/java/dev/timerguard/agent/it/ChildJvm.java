package dev.timerguard.agent.it;

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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A child JVM for end-to-end tests: small heap, stdout lines queued, always destroyed on close. */
final class ChildJvm implements AutoCloseable {

  static Path agentJar() {
    return Path.of(System.getProperty("timerguard.agent.jar", "target/timerguard-agent.jar"));
  }

  private final Process process;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final StringBuilder stderr = new StringBuilder();

  ChildJvm(List<String> jvmArgs, String mainClass, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx128m");
    cmd.add("-XX:TieredStopAtLevel=1");
    if (Runtime.version().feature() >= 21) {
      cmd.add("-XX:+EnableDynamicAgentLoading");
    }
    cmd.addAll(jvmArgs);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(mainClass);
    cmd.addAll(List.of(args));
    process = new ProcessBuilder(cmd).start();
    pump(
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)),
        true);
    pump(
        new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8)),
        false);
  }

  private void pump(BufferedReader r, boolean out) {
    Thread t =
        new Thread(
            () -> {
              try {
                String l;
                while ((l = r.readLine()) != null) {
                  if (out) {
                    lines.add(l);
                  } else {
                    synchronized (stderr) {
                      stderr.append(l).append('\n');
                    }
                  }
                }
              } catch (IOException ignored) {
                // gone
              }
            });
    t.setDaemon(true);
    t.start();
  }

  long pid() {
    return process.pid();
  }

  String stderr() {
    synchronized (stderr) {
      return stderr.toString();
    }
  }

  /** Waits for a stdout line starting with {@code prefix}; fails after {@code seconds}. */
  String await(String prefix, int seconds) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < end) {
      String l = lines.poll(100, TimeUnit.MILLISECONDS);
      if (l != null && l.startsWith(prefix)) {
        return l;
      }
      if (l == null && !process.isAlive() && lines.isEmpty()) {
        break;
      }
    }
    throw new AssertionError("child never printed '" + prefix + "'; stderr:\n" + stderr());
  }

  static int awaitPort(Path portFile, int seconds) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < end) {
      if (Files.exists(portFile)) {
        String s = Files.readString(portFile).trim();
        if (!s.isEmpty()) {
          return Integer.parseInt(s);
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no port file " + portFile);
  }

  static String get(int port, String path) throws Exception {
    HttpResponse<String> r = request(port, path);
    if (r.statusCode() != 200) {
      throw new AssertionError(path + " answered " + r.statusCode() + ": " + r.body());
    }
    return r.body();
  }

  /** A GET of {@code path} on 127.0.0.1:{@code port} with header name/value pairs. */
  static HttpResponse<String> request(int port, String path, String... headers) throws Exception {
    HttpClient c = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return c.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
