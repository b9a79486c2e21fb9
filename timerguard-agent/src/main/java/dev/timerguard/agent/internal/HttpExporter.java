package dev.timerguard.agent.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The loopback HTTP endpoint (JDK {@code com.sun.net.httpserver}), bound to 127.0.0.1 only: {@code
 * /metrics} (Prometheus text 0.0.4), {@code /timers} and {@code /threads} (JSON). One daemon
 * thread serves requests; the server never keeps the JVM alive. Started at most once per JVM.
 */
final class HttpExporter {

  private static volatile HttpServer server;

  private HttpExporter() {}

  /** The bound port, or -1 when not started. */
  static int port() {
    HttpServer s = server;
    return s == null ? -1 : s.getAddress().getPort();
  }

  /**
   * Starts the endpoint on {@code port} (0: any free port) unless it runs already, and writes the
   * bound port to {@code portFile} when given.
   *
   * @throws IOException if the port cannot be bound or the file written
   */
  static synchronized int start(int port, String portFile) throws Exception {
    if (server == null) {
      HttpServer s =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
      s.createContext("/metrics", ex -> send(ex, "text/plain; version=0.0.4; charset=utf-8", Render::prometheus));
      s.createContext("/timers", ex -> send(ex, "application/json", Render::timersJson));
      s.createContext("/threads", ex -> send(ex, "application/json", Render::threadsJson));
      s.setExecutor(
          Executors.newSingleThreadExecutor(
              r -> {
                Thread t = new Thread(r, "timerguard-http");
                t.setDaemon(true);
                return t;
              }));
      // The dispatcher thread inherits daemon status from the thread that starts the server.
      Thread starter = new Thread(s::start, "timerguard-http-start");
      starter.setDaemon(true);
      starter.start();
      starter.join();
      server = s;
    }
    int bound = port();
    if (portFile != null) {
      Path target = Path.of(portFile);
      Path tmp = Files.createTempFile(target.toAbsolutePath().getParent(), "port", ".tmp");
      Files.writeString(tmp, Integer.toString(bound));
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
    return bound;
  }

  private static void send(HttpExchange ex, String type, Supplier<String> body) throws IOException {
    try (ex) {
      if (!"GET".equals(ex.getRequestMethod())) {
        ex.sendResponseHeaders(405, -1);
        return;
      }
      byte[] b;
      int code = 200;
      try {
        b = body.get().getBytes(StandardCharsets.UTF_8);
      } catch (RuntimeException e) {
        b = ("internal error: " + e).getBytes(StandardCharsets.UTF_8);
        code = 500;
      }
      ex.getResponseHeaders().set("Content-Type", type);
      ex.sendResponseHeaders(code, b.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(b);
      }
    }
  }
}
