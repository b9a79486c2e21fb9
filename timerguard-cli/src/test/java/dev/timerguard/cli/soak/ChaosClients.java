package dev.timerguard.cli.soak;

import static java.util.concurrent.TimeUnit.SECONDS;

import dev.timerguard.live.CallSite;
import dev.timerguard.samples.incidents.FaultSites;
import dev.timerguard.samples.incidents.Variant;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.util.List;
import java.util.Timer;
import java.util.TimerTask;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The clients the chaos harness drives, each in the leaky and the fixed spelling of one incident of
 * {@code docs/incidents.md}, written with plain JDK APIs as a service would. Each client marks the
 * one line where its leak shows ({@link Client#faults()}), in both variants, so the harness can
 * check that the agent's report names that line: the leaky variant must be flagged there, the fixed
 * one must stay flat there.
 *
 * <p>Every call goes to a loopback upstream with 250 ms connect and read timeouts. Clients are
 * thread-safe; {@link Client#close()} releases what the client knows it holds (a leaky client has
 * lost track of its leaks by design: the child JVM exits at the end of a run).
 */
final class ChaosClients {

  /** Client-side connect and read timeout; the slow upstream answers much later. */
  static final int TIMEOUT_MILLIS = 250;

  private ChaosClients() {}

  /** One client of the harness; the marked site is on one line with the marked call. */
  interface Client extends AutoCloseable {
    /** A short stable name, e.g. {@code per-request-timeout}. */
    String name();

    /** One request; throws when the upstream refused, failed or timed out. */
    void call() throws IOException;

    /** The marked leak line (one site, recorded on the first call). */
    FaultSites faults();

    /** Load-generator workers this client needs at the harness's rate (calls may block). */
    int workers();

    @Override
    void close();
  }

  /** All clients of one variant, against the flapping and the slow upstream. */
  static List<Client> all(Variant variant, int flappingPort, int slowPort) {
    boolean fixed = variant == Variant.FIXED;
    return List.of(
        new PerRequestTimeout(fixed, flappingPort),
        new OrTimeoutRace(fixed, slowPort),
        new TimerPerCall(fixed, slowPort),
        new ReconnectHeartbeat(fixed, flappingPort),
        new RetryWithDeadline(fixed, flappingPort));
  }

  /** A GET on loopback; returns the status, throws on refusal, timeout or a 5xx. */
  static int get(int port, String path) throws IOException {
    HttpURLConnection c =
        (HttpURLConnection) URI.create("http://127.0.0.1:" + port + path).toURL().openConnection();
    c.setConnectTimeout(TIMEOUT_MILLIS);
    c.setReadTimeout(TIMEOUT_MILLIS);
    try {
      int code = c.getResponseCode();
      try (InputStream in = code < 400 ? c.getInputStream() : c.getErrorStream()) {
        if (in != null) {
          in.readAllBytes();
        }
      }
      if (code >= 500) {
        throw new IOException("upstream answered " + code);
      }
      return code;
    } finally {
      c.disconnect();
    }
  }

  private abstract static class Base implements Client {
    final boolean fixed;
    final int port;
    final FaultSites faults;
    final AtomicLong aborted = new AtomicLong();

    Base(boolean fixed, int port, CallSite.Kind kind) {
      this.fixed = fixed;
      this.port = port;
      this.faults = new FaultSites(kind);
    }

    @Override
    public FaultSites faults() {
      return faults;
    }

    @Override
    public int workers() {
      return 2;
    }

    @Override
    public void close() {}
  }

  /**
   * Incident 1 (RPC read loop), scheduler spelling: a 30 s timeout per request on a scheduler made
   * like {@code Executors.newScheduledThreadPool(1)}, cancelled when the call returns. Leaky: the
   * default policy keeps every cancelled timeout queued for its full 30 s (retained cancelled tasks
   * grow at the request rate, charged to the scheduler's creation line). Fixed: {@code
   * setRemoveOnCancelPolicy(true)}.
   */
  static final class PerRequestTimeout extends Base {
    private final ScheduledThreadPoolExecutor timeouts;

    PerRequestTimeout(boolean fixed, int port) {
      super(fixed, port, CallSite.Kind.EXECUTOR);
      timeouts = faults.mark(new ScheduledThreadPoolExecutor(1)); // the marked executor line
      timeouts.setRemoveOnCancelPolicy(fixed); // the fix; false is the JDK default
    }

    @Override
    public String name() {
      return "per-request-timeout";
    }

    @Override
    public void call() throws IOException {
      ScheduledFuture<?> timeout =
          timeouts.schedule(aborted::incrementAndGet, 30, TimeUnit.SECONDS);
      try {
        get(port, "/item");
      } finally {
        timeout.cancel(false);
      }
    }

    @Override
    public void close() {
      timeouts.shutdownNow();
    }
  }

  /**
   * Incident 1 (RPC read loop), future spelling: the call raced against a fresh 30 s idle timeout
   * ({@code orTimeout}) with {@code anyOf}. Leaky: the reply wins and the idle future is abandoned,
   * its timeout scheduled for 30 s more. Fixed: the idle future is cancelled, which unschedules it.
   */
  static final class OrTimeoutRace extends Base {
    OrTimeoutRace(boolean fixed, int port) {
      super(fixed, port, CallSite.Kind.TIMER);
    }

    @Override
    public String name() {
      return "ortimeout-race";
    }

    @Override
    public int workers() {
      return 6;
    }

    @Override
    public void call() throws IOException {
      CompletableFuture<Integer> reply = new CompletableFuture<>();
      try {
        reply.complete(get(port, "/slow"));
      } catch (IOException e) {
        reply.completeExceptionally(e);
      }
      CompletableFuture<Object> idle = new CompletableFuture<>();
      faults.mark(idle.orTimeout(30, TimeUnit.SECONDS)); // marked line
      CompletableFuture.anyOf(reply, idle).handle((r, e) -> r).join();
      if (fixed) {
        idle.cancel(false); // the fix
      }
      if (reply.isCompletedExceptionally()) {
        throw new IOException("slow upstream: client timeout");
      }
    }
  }

  /**
   * Incident 5 (reconnect loop), legacy spelling: a {@code java.util.Timer} per call as the call's
   * watchdog. Leaky: a new {@code Timer} (and its thread) per call, the 30 s task never cancelled,
   * so live timers and threads grow at the request rate. Fixed: one {@code Timer} for the client's
   * life; the task is cancelled when the call returns and the queue purged now and then.
   */
  static final class TimerPerCall extends Base {
    private final Timer shared = new Timer("watchdog", true);
    private final AtomicLong cancelled = new AtomicLong();

    TimerPerCall(boolean fixed, int port) {
      super(fixed, port, CallSite.Kind.TIMER);
    }

    @Override
    public String name() {
      return "timer-per-call";
    }

    @Override
    public int workers() {
      return 6;
    }

    private TimerTask abort() {
      return new TimerTask() {
        @Override
        public void run() {
          aborted.incrementAndGet();
        }
      };
    }

    @Override
    public void call() throws IOException {
      TimerTask abort = abort();
      if (!fixed) {
        Timer watchdog = new Timer("call-watchdog", true); // a thread per call
        faults.mark(watchdog).schedule(abort, 30_000); // marked line, never cancelled
        get(port, "/slow");
        return;
      }
      faults.mark(shared).schedule(abort, 30_000); // marked line
      try {
        get(port, "/slow");
      } finally {
        abort.cancel(); // the fix
        if (cancelled.incrementAndGet() % 64 == 0) {
          shared.purge();
        }
      }
    }

    @Override
    public void close() {
      shared.cancel();
    }
  }

  /**
   * Incident 4 (hot-path ticker) met incident 5 (reconnect loop): every reconnect starts a
   * heartbeat ticker (every 5 s). Under a flapping upstream every failed request reconnects. Leaky:
   * the previous heartbeat is overwritten, never cancelled, and keeps ticking. Fixed: the previous
   * one is cancelled first, so one heartbeat is live.
   */
  static final class ReconnectHeartbeat extends Base {
    private final ScheduledThreadPoolExecutor heartbeats = new ScheduledThreadPoolExecutor(1);
    private final AtomicLong beats = new AtomicLong();
    private ScheduledFuture<?> heartbeat;
    private boolean connected;

    ReconnectHeartbeat(boolean fixed, int port) {
      super(fixed, port, CallSite.Kind.TICKER);
      heartbeats.setRemoveOnCancelPolicy(true);
    }

    @Override
    public String name() {
      return "reconnect-heartbeat";
    }

    @Override
    public int workers() {
      return 1;
    }

    @Override
    public synchronized void call() throws IOException {
      if (!connected) {
        reconnect();
      }
      try {
        get(port, "/ping");
      } catch (IOException e) {
        connected = false;
        throw e;
      }
    }

    private void reconnect() {
      if (fixed && heartbeat != null) {
        heartbeat.cancel(false); // the fix
      }
      heartbeat =
          faults.mark(heartbeats.scheduleAtFixedRate(beats::incrementAndGet, 5, 5, SECONDS));
      connected = true; // optimistic: the next request tells
    }

    @Override
    public void close() {
      heartbeats.shutdownNow();
    }
  }

  /**
   * Incident 3 (discarded cancel) in a retry loop: each request gets a 60 s overall deadline, then
   * up to three attempts with exponential backoff (20, 40 ms). Leaky: the deadline's cancel is
   * discarded, so every request leaves a live timer for 60 s. Fixed: the deadline is cancelled in
   * {@code finally}.
   */
  static final class RetryWithDeadline extends Base {
    private final ScheduledThreadPoolExecutor deadlines = new ScheduledThreadPoolExecutor(1);

    RetryWithDeadline(boolean fixed, int port) {
      super(fixed, port, CallSite.Kind.TIMER);
      deadlines.setRemoveOnCancelPolicy(true);
    }

    @Override
    public String name() {
      return "retry-with-deadline";
    }

    @Override
    public void call() throws IOException {
      ScheduledFuture<?> deadline =
          faults.mark(deadlines.schedule(aborted::incrementAndGet, 60, SECONDS));
      try {
        long backoffMillis = 20;
        for (int attempt = 1; ; attempt++) {
          try {
            get(port, "/retry");
            return;
          } catch (IOException e) {
            if (attempt == 3) {
              throw e;
            }
          }
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(backoffMillis));
          backoffMillis *= 2;
        }
      } finally {
        if (fixed) {
          deadline.cancel(false); // the fix
        }
      }
    }

    @Override
    public void close() {
      deadlines.shutdownNow();
    }
  }
}
