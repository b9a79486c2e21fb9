package dev.timerguard.agent.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A minimal HTTP/1.1 server for the agent's read-only endpoints, built to live inside someone
 * else's JVM and to face hostile clients. Contract:
 *
 * <ul>
 *   <li><b>Requests</b>: {@code GET} of a fixed set of paths (query strings ignored); any other
 *       method gets 405, any other path 404. One request per connection, answered with {@code
 *       Connection: close}. The request head (request line and headers) is at most {@link
 *       Limits#headBytes} bytes (else 431) and must arrive within {@link Limits#headMillis} of the
 *       connection (else 408); a request body is never read.
 *   <li><b>Host check</b> (against DNS rebinding from a browser): the {@code Host} header must be
 *       an IP address literal, {@code localhost}, or the host the endpoint was bound with ({@code
 *       http=HOST:PORT}); otherwise 403. An HTTP/1.1 request without {@code Host} gets 400.
 *   <li><b>Token</b>: when one is configured, every request needs {@code Authorization: Bearer
 *       <token>} (compared in constant time); otherwise 401.
 *   <li><b>No client can hold the endpoint</b>: one selector thread accepts connections, reads
 *       request heads and writes responses without blocking, so a client that sends half a request,
 *       or nothing, or never reads its answer, costs a buffer and nothing else until its deadline
 *       ({@link Limits#exchangeMillis} for the whole exchange) closes it. At most {@link
 *       Limits#maxConnections} connections are open at once; beyond that a new connection is closed
 *       at once. Only rendering a complete, admitted request takes a worker: {@link Limits#workers}
 *       daemon threads with a queue of {@link Limits#queue} (beyond: 503).
 * </ul>
 *
 * <p>The JDK's {@code com.sun.net.httpserver} is not used because it has no per-connection deadline
 * and no request-size bound except through JVM-wide {@code sun.net.httpserver.*} system properties,
 * which would also change the host application's own servers.
 *
 * <p>Threads: every method may be called from any thread; routes are called on worker threads and
 * must be thread-safe. A route that throws gives a 500 with the exception's text. {@link #close()}
 * closes the listening socket and every open connection and stops the threads; the threads are
 * daemons and never keep the JVM alive.
 */
final class HttpEndpoint implements AutoCloseable {

  /** The bounds of one endpoint. */
  record Limits(
      int headBytes,
      long headMillis,
      long exchangeMillis,
      int maxConnections,
      int workers,
      int queue) {

    /** 8 KiB heads within 5 s, 30 s per exchange, 64 connections, 2 workers, 16 queued. */
    static final Limits DEFAULT = new Limits(8192, 5_000, 30_000, 64, 2, 16);
  }

  /** A route's answer. */
  record Response(int status, String contentType, byte[] body) {
    static Response text(int status, String text) {
      return new Response(
          status, "text/plain; charset=utf-8", (text + "\n").getBytes(StandardCharsets.UTF_8));
    }
  }

  private final InetSocketAddress bind;
  private final String bindHost;
  private final byte[] token;
  private final Map<String, Supplier<Response>> routes;
  private final Limits limits;
  private final Queue<Conn> answered = new ConcurrentLinkedQueue<>();
  private Selector selector;
  private ServerSocketChannel server;
  private ThreadPoolExecutor workers;
  private Thread loop;
  private volatile boolean open;

  /**
   * @param bind the address and port to listen on (port 0: any free port)
   * @param bindHost the host name the user gave for the bind address, accepted in {@code Host}
   *     headers, or {@code null}
   * @param token the bearer token every request must carry, or {@code null} for none
   * @param routes path to answer, e.g. {@code /metrics}
   */
  HttpEndpoint(
      InetSocketAddress bind,
      String bindHost,
      String token,
      Map<String, Supplier<Response>> routes,
      Limits limits) {
    this.bind = bind;
    this.bindHost = bindHost == null ? null : bindHost.toLowerCase(Locale.ROOT);
    this.token = token == null ? null : token.getBytes(StandardCharsets.US_ASCII);
    this.routes = Map.copyOf(routes);
    this.limits = limits;
  }

  /**
   * Binds and starts serving.
   *
   * @throws IOException if the address cannot be bound
   */
  synchronized HttpEndpoint start() throws IOException {
    if (open) {
      return this;
    }
    selector = Selector.open();
    try {
      server = ServerSocketChannel.open();
      server.bind(bind, 64);
      server.configureBlocking(false);
      serverKey = server.register(selector, SelectionKey.OP_ACCEPT);
    } catch (IOException | RuntimeException e) {
      selector.close();
      if (server != null) {
        server.close();
      }
      throw e;
    }
    workers =
        new ThreadPoolExecutor(
            limits.workers(),
            limits.workers(),
            30,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(limits.queue()),
            r -> daemon(r, "timerguard-http-worker"));
    workers.allowCoreThreadTimeOut(true);
    open = true;
    loop = daemon(this::run, "timerguard-http");
    loop.start();
    return this;
  }

  /** The bound port, or -1 when not listening. */
  int port() {
    ServerSocketChannel s = server;
    try {
      return open && s != null ? ((InetSocketAddress) s.getLocalAddress()).getPort() : -1;
    } catch (IOException e) {
      return -1;
    }
  }

  /** The bound address, or {@code null} when not listening. */
  InetAddress address() {
    return open ? bind.getAddress() : null;
  }

  @Override
  public void close() {
    Thread t;
    synchronized (this) {
      if (!open) {
        return;
      }
      open = false;
      t = loop;
      selector.wakeup();
    }
    if (t != Thread.currentThread()) {
      try {
        t.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    workers.shutdownNow();
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.setContextClassLoader(null);
    return t;
  }

  // ------------------------------------------------------------------------------ the loop

  /** One connection: its head buffer, then its answer; touched by the loop thread only. */
  private static final class Conn {
    final SocketChannel channel;
    final long headDeadline;
    final long deadline;
    SelectionKey key;
    ByteBuffer in;
    volatile ByteBuffer out;

    Conn(SocketChannel channel, long now, Limits limits) {
      this.channel = channel;
      this.headDeadline = now + TimeUnit.MILLISECONDS.toNanos(limits.headMillis());
      this.deadline = now + TimeUnit.MILLISECONDS.toNanos(limits.exchangeMillis());
      this.in = ByteBuffer.allocate(limits.headBytes());
    }
  }

  private static final long ACCEPT_PAUSE_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** The listening socket's key; loop thread only. */
  private SelectionKey serverKey;

  /** Accepting paused after a failed accept, since {@link #acceptPausedAt}; loop thread only. */
  private boolean acceptPaused;

  private long acceptPausedAt;

  private void run() {
    try {
      while (open) {
        // idle (only the listening socket): sleep until a connection or close(); else wake for
        // deadlines
        boolean busy = selector.keys().size() > 1 || !answered.isEmpty() || acceptPaused;
        selector.select(busy ? 100 : 0);
        long now = System.nanoTime();
        if (acceptPaused && now - acceptPausedAt >= ACCEPT_PAUSE_NANOS) {
          acceptPaused = false;
          serverKey.interestOps(SelectionKey.OP_ACCEPT);
        }
        Iterator<SelectionKey> it = selector.selectedKeys().iterator();
        while (it.hasNext()) {
          SelectionKey k = it.next();
          it.remove();
          try {
            if (!k.isValid()) {
              continue;
            }
            if (k.isAcceptable()) {
              accept(now);
            } else if (k.isReadable()) {
              read((Conn) k.attachment());
            } else if (k.isWritable()) {
              write((Conn) k.attachment());
            }
          } catch (IOException | RuntimeException e) {
            if (k.attachment() instanceof Conn) {
              drop((Conn) k.attachment());
            } else if (k == serverKey && k.isValid()) {
              // accept failed (the process is out of file handles, say): the pending connection
              // stays in the backlog and select() would return at once forever, a spinning core
              // in a host that is already in trouble; stop accepting for a second instead
              k.interestOps(0);
              acceptPaused = true;
              acceptPausedAt = now;
            }
          }
        }
        Conn c;
        while ((c = answered.poll()) != null) {
          try {
            if (c.key.isValid()) {
              c.key.interestOps(SelectionKey.OP_WRITE);
              write(c);
            }
          } catch (IOException | RuntimeException e) {
            drop(c);
          }
        }
        expire(now);
      }
    } catch (IOException | RuntimeException e) {
      if (open) {
        System.err.println("[timerguard] HTTP endpoint stopped after an internal error: " + e);
        open = false;
      }
    } finally {
      for (SelectionKey k : selector.keys()) {
        closeQuietly(k);
      }
      try {
        selector.close();
        server.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }

  private void accept(long now) throws IOException {
    SocketChannel ch;
    while ((ch = server.accept()) != null) {
      if (selector.keys().size() - 1 >= limits.maxConnections()) {
        ch.close(); // too many open: refuse rather than queue
        continue;
      }
      try {
        ch.configureBlocking(false);
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        Conn c = new Conn(ch, now, limits);
        c.key = ch.register(selector, SelectionKey.OP_READ, c);
      } catch (IOException | RuntimeException e) {
        ch.close();
      }
    }
  }

  private void read(Conn c) throws IOException {
    int n = c.channel.read(c.in);
    if (n < 0) {
      drop(c); // the client went away before a complete request
      return;
    }
    int end = headEnd(c.in);
    if (end < 0) {
      if (!c.in.hasRemaining()) {
        answer(c, Response.text(431, "request head larger than " + limits.headBytes() + " bytes"));
      }
      return;
    }
    String head = new String(c.in.array(), 0, end, StandardCharsets.ISO_8859_1);
    c.in = null;
    c.key.interestOps(0);
    try {
      workers.execute(
          () -> {
            Response r;
            try {
              r = handle(head);
            } catch (Throwable e) {
              r = Response.text(500, "internal error: " + e);
            }
            finish(c, r);
          });
    } catch (RejectedExecutionException e) {
      answer(c, Response.text(503, "busy, try again"));
    }
  }

  /** The end of the head (the index after its blank line), or -1 while incomplete. */
  private static int headEnd(ByteBuffer in) {
    byte[] a = in.array();
    int n = in.position();
    for (int i = 0; i < n; i++) {
      if (a[i] == '\n') {
        if (i + 1 < n && a[i + 1] == '\n') {
          return i + 2;
        }
        if (i + 2 < n && a[i + 1] == '\r' && a[i + 2] == '\n') {
          return i + 3;
        }
      }
    }
    return -1;
  }

  /** Called on the loop thread: queue the answer and write it. */
  private void answer(Conn c, Response r) throws IOException {
    c.in = null;
    c.out = ByteBuffer.wrap(bytes(r));
    c.key.interestOps(SelectionKey.OP_WRITE);
    write(c);
  }

  /** Called on a worker: hand the answer to the loop thread. */
  private void finish(Conn c, Response r) {
    c.out = ByteBuffer.wrap(bytes(r));
    answered.add(c);
    try {
      selector.wakeup();
    } catch (ClosedSelectorException ignored) {
      // closed meanwhile
    }
  }

  private void write(Conn c) throws IOException {
    ByteBuffer out = c.out;
    if (out == null) {
      return;
    }
    c.channel.write(out);
    if (!out.hasRemaining()) {
      drop(c);
    }
  }

  private void expire(long now) {
    List<Conn> late = new ArrayList<>();
    for (SelectionKey k : selector.keys()) {
      if (k.attachment() instanceof Conn) {
        Conn c = (Conn) k.attachment();
        if (now - c.deadline >= 0 || (c.in != null && now - c.headDeadline >= 0)) {
          late.add(c);
        }
      }
    }
    for (Conn c : late) {
      if (c.in != null && now - c.deadline < 0) {
        try {
          answer(
              c, Response.text(408, "request not received within " + limits.headMillis() + " ms"));
        } catch (IOException | RuntimeException e) {
          drop(c);
        }
      } else {
        drop(c);
      }
    }
  }

  private static void drop(Conn c) {
    closeQuietly(c.key);
  }

  private static void closeQuietly(SelectionKey k) {
    k.cancel();
    try {
      k.channel().close();
    } catch (IOException ignored) {
      // already gone
    }
  }

  private static byte[] bytes(Response r) {
    StringBuilder h = new StringBuilder(160);
    h.append("HTTP/1.1 ").append(r.status()).append(' ').append(reason(r.status())).append("\r\n");
    h.append("Content-Type: ").append(r.contentType()).append("\r\n");
    h.append("Content-Length: ").append(r.body().length).append("\r\n");
    h.append("Cache-Control: no-store\r\n");
    h.append("X-Content-Type-Options: nosniff\r\n");
    if (r.status() == 401) {
      h.append("WWW-Authenticate: Bearer realm=\"timerguard\"\r\n");
    }
    if (r.status() == 405) {
      h.append("Allow: GET\r\n");
    }
    h.append("Connection: close\r\n\r\n");
    byte[] head = h.toString().getBytes(StandardCharsets.ISO_8859_1);
    byte[] all = new byte[head.length + r.body().length];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(r.body(), 0, all, head.length, r.body().length);
    return all;
  }

  private static String reason(int status) {
    switch (status) {
      case 200:
        return "OK";
      case 400:
        return "Bad Request";
      case 401:
        return "Unauthorized";
      case 403:
        return "Forbidden";
      case 404:
        return "Not Found";
      case 405:
        return "Method Not Allowed";
      case 408:
        return "Request Timeout";
      case 431:
        return "Request Header Fields Too Large";
      case 503:
        return "Service Unavailable";
      default:
        return "Internal Server Error";
    }
  }

  // ------------------------------------------------------------------------------ one request

  /** Checks and answers one complete request head; runs on a worker. */
  Response handle(String head) {
    String[] lines = head.split("\r?\n");
    // a head of blank lines only splits into no lines at all
    String[] rl = lines.length == 0 ? new String[0] : lines[0].split(" ", -1);
    if (rl.length != 3 || !rl[2].startsWith("HTTP/1.") || rl[1].isEmpty()) {
      return Response.text(400, "malformed request line");
    }
    String host = null;
    String auth = null;
    int hosts = 0;
    for (int i = 1; i < lines.length; i++) {
      String l = lines[i];
      if (l.isEmpty()) {
        continue;
      }
      int colon = l.indexOf(':');
      if (colon <= 0) {
        return Response.text(400, "malformed header line");
      }
      String name = l.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = l.substring(colon + 1).trim();
      if (name.equals("host")) {
        host = value;
        hosts++;
      } else if (name.equals("authorization")) {
        auth = value;
      }
    }
    if (hosts > 1 || (host == null && !rl[2].equals("HTTP/1.0"))) {
      return Response.text(400, "exactly one Host header is required");
    }
    if (host != null && !hostAllowed(host)) {
      return Response.text(
          403, "Host '" + host + "' not accepted: use an IP address, localhost or the bind host");
    }
    if (token != null && !authorized(auth)) {
      return Response.text(401, "missing or wrong 'Authorization: Bearer <token>'");
    }
    if (!rl[0].equals("GET")) {
      return Response.text(405, "only GET is served");
    }
    String path = rl[1];
    int q = path.indexOf('?');
    if (q >= 0) {
      path = path.substring(0, q);
    }
    Supplier<Response> route = routes.get(path);
    if (route == null) {
      return Response.text(
          404, "not found; served: " + String.join(", ", new java.util.TreeSet<>(routes.keySet())));
    }
    return route.get();
  }

  private boolean authorized(String auth) {
    if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    byte[] given = auth.substring(7).trim().getBytes(StandardCharsets.ISO_8859_1);
    return MessageDigest.isEqual(given, token);
  }

  /**
   * The host part of a {@code Host} header is an IP literal, {@code localhost} or the bind host.
   */
  boolean hostAllowed(String header) {
    String h = header.trim().toLowerCase(Locale.ROOT);
    if (h.startsWith("[")) {
      int close = h.indexOf(']');
      if (close < 0) {
        return false;
      }
      return isIpLiteral(h.substring(1, close));
    }
    int colon = h.lastIndexOf(':');
    if (colon >= 0) {
      String port = h.substring(colon + 1);
      if (!port.isEmpty() && !port.chars().allMatch(Character::isDigit)) {
        return false;
      }
      h = h.substring(0, colon);
    }
    if (h.endsWith(".")) {
      h = h.substring(0, h.length() - 1);
    }
    return h.equals("localhost") || h.equals(bindHost) || isIpLiteral(h);
  }

  /**
   * True for an IPv4 dotted quad or an IPv6 address: a request whose Host is an address was not
   * sent through a DNS name, so it cannot be a rebinding attack.
   */
  static boolean isIpLiteral(String h) {
    if (h.isEmpty()) {
      return false;
    }
    if (h.indexOf(':') >= 0) {
      for (int i = 0; i < h.length(); i++) {
        char c = h.charAt(i);
        if (!(Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
          return false;
        }
      }
      return true;
    }
    String[] parts = h.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String p : parts) {
      if (p.isEmpty()
          || p.length() > 3
          || !p.chars().allMatch(ch -> ch >= '0' && ch <= '9')
          || Integer.parseInt(p) > 255) {
        return false;
      }
    }
    return true;
  }
}
