package dev.timerguard.samples.incidents;

import dev.timerguard.Timeout;
import dev.timerguard.Timers;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.UnaryOperator;

/**
 * Incident 6, "The Per-Request Health Check": before forwarding each request, a gateway arms a
 * one-shot that records "slow upstream" if the call takes too long, and never cancels it. Every
 * request's one-shot fires, so the slow-upstream metric counts every request, and each one-shot is
 * a live timer until it does.
 *
 * <p>Fix: cancel the one-shot when the call returns ({@code defer fallback.Stop()}): a TimerGuard
 * {@code Timeout} in try-with-resources.
 *
 * <p>The original waits 2 s; the reproducer waits 200 ms so the metric can be read within a second.
 * Calls answer in microseconds, far below either.
 */
public final class SlowUpstreamCheck extends BaseIncident {

  static final long SLOW_AFTER_MILLIS = 200;

  /** Counter: the gateway's slow-upstream metric. */
  public static final String SLOW = "slow-upstream metric";

  /** Counter: requests forwarded. */
  public static final String REQUESTS = "requests";

  public SlowUpstreamCheck() {
    super(
        6,
        "Per-request slow-upstream check",
        "time.AfterFunc(2*time.Second, func() { g.recordSlowUpstream(up) }) // never stopped",
        "a one-shot per request records \"slow upstream\" unless stopped; it never is, so the"
            + " metric equals the request count",
        "try (Timeout fallback = timers.schedule(...)) { return upstream.call(); }",
        "live timers",
        5_000);
  }

  /** The leaky gateway. Thread-safe. */
  public static final class LeakyGateway {
    private final ScheduledExecutorService scheduler;
    private final FaultSites faults;
    private final UnaryOperator<String> upstream;
    private final AtomicLong slow = new AtomicLong();

    public LeakyGateway(
        ScheduledExecutorService scheduler, FaultSites faults, UnaryOperator<String> upstream) {
      this.scheduler = scheduler;
      this.faults = faults;
      this.upstream = upstream;
    }

    public String forward(String request) {
      faults.mark(
          scheduler.schedule(
              slow::incrementAndGet, SLOW_AFTER_MILLIS, TimeUnit.MILLISECONDS)); // never stopped
      return upstream.apply(request);
    }

    public long slowUpstream() {
      return slow.get();
    }
  }

  /** The fixed gateway: the one-shot is closed when the call returns. Thread-safe. */
  public static final class FixedGateway {
    private final Timers timers;
    private final UnaryOperator<String> upstream;
    private final AtomicLong slow = new AtomicLong();

    public FixedGateway(Timers timers, UnaryOperator<String> upstream) {
      this.timers = timers;
      this.upstream = upstream;
    }

    public String forward(String request) {
      try (Timeout fallback =
          timers.schedule(Duration.ofMillis(SLOW_AFTER_MILLIS), slow::incrementAndGet)) {
        return upstream.apply(request);
      } // the fix: defer fallback.Stop()
    }

    public long slowUpstream() {
      return slow.get();
    }
  }

  /**
   * Waits (at most 10 s) until no one-shot is pending and the metric has stopped moving, so every
   * uncancelled one-shot has fired and been counted.
   */
  private static void awaitQuiet(Run run, java.util.function.LongSupplier metric) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    long last = -1;
    while (System.nanoTime() < deadline) {
      long now = metric.getAsLong();
      if (run.timerCounts()[0] == 0 && now == last) {
        return;
      }
      last = now;
      LockSupport.parkNanos(Duration.ofMillis(SLOW_AFTER_MILLIS / 4).toNanos());
    }
  }

  @Override
  void leaky(Run run) {
    LeakyGateway g = new LeakyGateway(run.scheduler(), run.faults(), r -> "200 OK");
    run.signal(() -> run.timerCounts()[0]);
    for (int i = 0; i < run.operations; i++) {
      g.forward("GET /item/" + i);
      run.step();
    }
    run.measureTimersNow();
    awaitQuiet(run, g::slowUpstream);
    run.counter(REQUESTS).set(run.operations);
    run.counter(SLOW).set(g.slowUpstream());
  }

  @Override
  void fixed(Run run) {
    run.scheduler();
    FixedGateway g = new FixedGateway(run.timers(), r -> "200 OK");
    run.signal(() -> run.timerCounts()[0]);
    for (int i = 0; i < run.operations; i++) {
      g.forward("GET /item/" + i);
      run.step();
    }
    run.measureTimersNow();
    awaitQuiet(run, g::slowUpstream);
    run.counter(REQUESTS).set(run.operations);
    run.counter(SLOW).set(g.slowUpstream());
  }
}
