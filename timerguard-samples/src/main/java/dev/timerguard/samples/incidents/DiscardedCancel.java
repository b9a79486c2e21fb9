package dev.timerguard.samples.incidents;

import dev.timerguard.Timeout;
import dev.timerguard.Timers;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;

/**
 * Incident 3, "The Cancelled context.Context That Wasn't": every outbound call arms a 30 s timeout
 * and throws the handle away. Calls answer in microseconds, but each timeout stays scheduled for
 * its full 30 s: requests-per-second &times; 30 live timers, forever.
 *
 * <p>Fix: keep the handle and cancel it when the call returns, the JVM's {@code defer cancel()}: a
 * TimerGuard {@code Timeout} in try-with-resources (with plain JDK: {@code finally
 * future.cancel(false)} on a scheduler with {@code setRemoveOnCancelPolicy(true)}).
 */
public final class DiscardedCancel extends BaseIncident {

  static final long TIMEOUT_SECONDS = 30;

  public DiscardedCancel() {
    super(
        3,
        "Discarded cancel: per-request timeout",
        "ctx, _ := context.WithTimeout(parent, 30*time.Second) // cancel discarded",
        "each request arms a 30 s timeout and drops the handle; the request ends in microseconds,"
            + " the timer lives 30 s",
        "try (Timeout t = timers.schedule(...)) { ... }: cancelled however the call returns",
        "live timers",
        20_000);
  }

  /** The leaky client: the timeout's handle is discarded. Thread-safe. */
  public static final class LeakyClient {
    private final ScheduledExecutorService scheduler;
    private final FaultSites faults;
    private final UnaryOperator<String> upstream;

    public LeakyClient(
        ScheduledExecutorService scheduler, FaultSites faults, UnaryOperator<String> upstream) {
      this.scheduler = scheduler;
      this.faults = faults;
      this.upstream = upstream;
    }

    public String fetch(String url) {
      CompletableFuture<String> response = new CompletableFuture<>();
      faults.mark(
          scheduler.schedule(
              () -> response.completeExceptionally(new TimeoutException(url)),
              TIMEOUT_SECONDS,
              TimeUnit.SECONDS)); // handle discarded: nobody can cancel this timer
      response.complete(upstream.apply(url));
      return response.join();
    }
  }

  /**
   * The fixed client: the timeout is a TimerGuard {@link Timeout} in try-with-resources, so it is
   * cancelled (and removed) however the call returns. Thread-safe.
   */
  public static final class FixedClient {
    private final Timers timers;
    private final UnaryOperator<String> upstream;

    public FixedClient(Timers timers, UnaryOperator<String> upstream) {
      this.timers = timers;
      this.upstream = upstream;
    }

    public String fetch(String url) {
      CompletableFuture<String> response = new CompletableFuture<>();
      try (Timeout timeout =
          timers.schedule(
              Duration.ofSeconds(TIMEOUT_SECONDS),
              () -> response.completeExceptionally(new TimeoutException(url)))) {
        response.complete(upstream.apply(url));
        return response.join();
      } // the fix: defer cancel(), spelled try-with-resources
    }
  }

  @Override
  void leaky(Run run) {
    LeakyClient c = new LeakyClient(run.scheduler(), run.faults(), url -> "200 OK");
    run.signal(() -> run.timerCounts()[0]);
    for (int i = 0; i < run.operations; i++) {
      c.fetch("/item/" + (i & 255));
      run.step();
    }
  }

  @Override
  void fixed(Run run) {
    run.scheduler();
    FixedClient c = new FixedClient(run.timers(), url -> "200 OK");
    run.signal(() -> run.timerCounts()[0]);
    for (int i = 0; i < run.operations; i++) {
      c.fetch("/item/" + (i & 255));
      run.step();
    }
  }
}
