package dev.timerguard.cli.soak;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Misbehaving upstreams on loopback for the chaos harness: one that flaps on a schedule and one
 * that answers later than any client waits. They run in the test's JVM, not in the child under the
 * agent, so the child's metrics show only its clients.
 *
 * <p>Both are thread-safe, own their threads and sockets, and release them on {@code close()}
 * (idempotent). Bad arguments (a non-positive duration) get an {@link IllegalArgumentException}
 * naming the argument.
 */
final class Upstreams {

  private Upstreams() {}

  private static Duration positive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be a positive duration, was " + d);
    }
    return d;
  }

  private static HttpServer bind(int port) throws IOException {
    return HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
  }

  private static void answer(HttpExchange ex, int code, String body) {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    try {
      ex.sendResponseHeaders(code, b.length);
      ex.getResponseBody().write(b);
    } catch (IOException gone) {
      // the client gave up first (its timeout): nothing to answer
    } finally {
      ex.close();
    }
  }

  /**
   * Up for {@code up}, down for {@code down}, repeated until closed. Up, every request gets 200 at
   * once; down, the port is closed, so connections are refused. A daemon thread named {@code
   * flapping-upstream} drives the schedule; it parks until the next flip, so nothing here is a
   * timer of its own.
   */
  static final class Flapping implements AutoCloseable {
    private final int port;
    private final Duration up;
    private final Duration down;
    private final Thread flipper;
    private final AtomicLong served = new AtomicLong();
    private final AtomicLong downPhases = new AtomicLong();
    private final AtomicLong failedRebinds = new AtomicLong();
    private volatile boolean closed;
    private HttpServer server; // confined to the flipper thread after start

    private Flapping(Duration up, Duration down) throws IOException {
      this.up = positive(up, "up");
      this.down = positive(down, "down");
      this.server = start(0);
      this.port = server.getAddress().getPort();
      this.flipper = new Thread(this::flap, "flapping-upstream");
      flipper.setDaemon(true);
      flipper.start();
    }

    /** Binds a free loopback port, up first. */
    static Flapping start(Duration up, Duration down) throws IOException {
      return new Flapping(up, down);
    }

    private HttpServer start(int onPort) throws IOException {
      HttpServer s = bind(onPort);
      s.createContext(
          "/",
          ex -> {
            served.incrementAndGet();
            answer(ex, 200, "ok");
          });
      s.start();
      return s;
    }

    private void flap() {
      while (!closed) {
        park(up);
        if (closed) {
          break;
        }
        server.stop(0);
        server = null;
        downPhases.incrementAndGet();
        park(down);
        while (!closed && server == null) {
          try {
            server = start(port);
          } catch (IOException e) { // port briefly not reusable: stay down a little longer
            failedRebinds.incrementAndGet();
            park(Duration.ofMillis(50));
          }
        }
      }
      if (server != null) {
        server.stop(0);
      }
    }

    private void park(Duration d) {
      long end = System.nanoTime() + d.toNanos();
      long left;
      while (!closed && (left = end - System.nanoTime()) > 0) {
        LockSupport.parkNanos(left);
      }
    }

    int port() {
      return port;
    }

    /** Requests answered while up. */
    long served() {
      return served.get();
    }

    /** Down phases begun so far. */
    long downPhases() {
      return downPhases.get();
    }

    @Override
    public void close() throws InterruptedException {
      closed = true;
      LockSupport.unpark(flipper);
      flipper.join(5_000);
    }
  }

  /**
   * Answers every request after {@code delay}, longer than the clients' timeouts, so each call
   * times out on the client side. No thread waits per request: one scheduler thread (cancelled
   * answers removed at once) writes the late replies; a client that hung up is ignored.
   */
  static final class Slow implements AutoCloseable {
    private final HttpServer server;
    private final ScheduledThreadPoolExecutor replies;
    private final AtomicLong received = new AtomicLong();

    private Slow(Duration delay) throws IOException {
      long nanos = positive(delay, "delay").toNanos();
      replies =
          new ScheduledThreadPoolExecutor(
              1,
              r -> {
                Thread t = new Thread(r, "slow-upstream");
                t.setDaemon(true);
                return t;
              });
      replies.setRemoveOnCancelPolicy(true);
      server = bind(0);
      server.createContext(
          "/",
          ex -> {
            received.incrementAndGet();
            replies.schedule(() -> answer(ex, 200, "late"), nanos, TimeUnit.NANOSECONDS);
          });
      server.start();
    }

    static Slow start(Duration delay) throws IOException {
      return new Slow(delay);
    }

    int port() {
      return server.getAddress().getPort();
    }

    /** Requests received (each answered late, if the client still listens). */
    long received() {
      return received.get();
    }

    @Override
    public void close() {
      server.stop(0);
      for (Runnable r : replies.shutdownNow()) {
        r.run(); // answer the stragglers at once so no exchange is left open
      }
    }
  }
}
