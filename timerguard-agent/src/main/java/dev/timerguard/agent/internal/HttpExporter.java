package dev.timerguard.agent.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The agent's HTTP endpoint ({@link HttpEndpoint}): {@code /metrics} (Prometheus text 0.0.4),
 * {@code /timers} and {@code /threads} (JSON), {@code /snapshot} (the snapshot wire format of
 * {@link dev.timerguard.live.SnapshotCodec}), bound to 127.0.0.1 unless {@code http=HOST:PORT}
 * names another address (then one warning line on standard error names it). Started at most once
 * per JVM; a later load of the agent only writes the port file again. If the port file cannot be
 * written, the endpoint is closed again (a port nobody can find is only an open door) and its
 * temporary file is removed. Thread-safe.
 */
final class HttpExporter {

  private static HttpEndpoint endpoint;

  private HttpExporter() {}

  /** The bound port, or -1 when not started. */
  static synchronized int port() {
    return endpoint == null ? -1 : endpoint.port();
  }

  /**
   * Starts the endpoint as {@code o} says ({@code http}, {@code token}) unless it runs already, and
   * writes the bound port to {@code o.portFile} when given.
   *
   * @return the bound port
   * @throws IOException if the address cannot be bound or the port file written; the message says
   *     whether the endpoint is running
   */
  static synchronized int start(AgentOptions o) throws IOException {
    boolean fresh = endpoint == null;
    HttpEndpoint e = endpoint;
    InetAddress address = o.httpBindAddress();
    if (fresh) {
      try {
        e =
            new HttpEndpoint(
                    new InetSocketAddress(address, o.httpPort),
                    o.httpHostName,
                    o.token,
                    routes(),
                    HttpEndpoint.Limits.DEFAULT)
                .start();
      } catch (IOException ex) {
        throw new IOException(
            "HTTP endpoint not started: cannot listen on "
                + hostPort(address, o.httpPort)
                + ": "
                + ex,
            ex);
      }
    }
    int bound = e.port();
    if (o.portFile != null) {
      try {
        writePortFile(Path.of(o.portFile), bound);
      } catch (IOException | RuntimeException ex) {
        if (fresh) {
          e.close();
        }
        throw new IOException(
            (fresh
                    ? "HTTP endpoint closed again (not serving): "
                    : "HTTP endpoint still serving on port " + bound + ", but ")
                + "cannot write the port file "
                + o.portFile
                + ": "
                + ex,
            ex);
      }
    }
    if (fresh) {
      endpoint = e;
      if (!address.isLoopbackAddress()) {
        System.err.println(
            "[timerguard] warning: the HTTP endpoint listens on "
                + hostPort(address, bound)
                + ", not on loopback: whoever reaches that address can read /metrics, /timers,"
                + " /snapshot and /threads (every thread's stack)"
                + (o.token == null ? "; set token= or tokenFile= to require a bearer token" : ""));
      }
    }
    return bound;
  }

  /** Stops the endpoint if it runs (for tests). */
  static synchronized void stop() {
    if (endpoint != null) {
      endpoint.close();
      endpoint = null;
    }
  }

  private static String hostPort(InetAddress a, int port) {
    String h = a.getHostAddress();
    return (h.indexOf(':') >= 0 ? "[" + h + "]" : h) + ":" + port;
  }

  /** Writes {@code port} to {@code target} atomically; leaves no temporary file on failure. */
  static void writePortFile(Path target, int port) throws IOException {
    Path parent = target.toAbsolutePath().getParent();
    Path tmp = Files.createTempFile(parent, ".timerguard-port", ".tmp");
    try {
      Files.writeString(tmp, Integer.toString(port));
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static Map<String, Supplier<HttpEndpoint.Response>> routes() {
    return Map.of(
        "/metrics", () -> ok("text/plain; version=0.0.4; charset=utf-8", Render.prometheus()),
        "/timers", () -> ok("application/json", Render.timersJson()),
        "/snapshot", () -> ok("application/json", Render.snapshotJson()),
        "/threads", () -> ok("application/json", Render.threadsJson()));
  }

  private static HttpEndpoint.Response ok(String type, String body) {
    return new HttpEndpoint.Response(200, type, body.getBytes(StandardCharsets.UTF_8));
  }
}
