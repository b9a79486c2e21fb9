package dev.timerguard.samples.incidents;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;

/**
 * Incident 3, "The Cancelled context.Context That Wasn't": every outbound call arms a 30 s timeout
 * and throws the handle away. Calls answer in microseconds, but each timeout stays scheduled for
 * its full 30 s: requests-per-second &times; 30 live timers, forever.
 *
 * <p>Fix: keep the handle and cancel it in {@code finally} (the JVM's {@code defer cancel()}), on a
 * scheduler that removes cancelled tasks.
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
        "keep the handle and cancel it in finally, on a remove-on-cancel scheduler",
        "live timers",
        20_000);
  }

  /** The leaky client: the timeout's handle is discarded. Thread-safe. */
  public static final class LeakyClient {
    private final ScheduledExecutorService scheduler;
    private final FaultSites faults;
    private final UnaryOperator<String> upstream;

    public LeakyClient(ScheduledExecutorService scheduler, FaultSites faults, UnaryOperator<String> upstream) {
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

  /** The fixed client: the timeout is cancelled when the call returns. Thread-safe. */
  public static final class FixedClient {
    private final ScheduledThreadPoolExecutor scheduler;
    private final UnaryOperator<String> upstream;

    public FixedClient(ScheduledThreadPoolExecutor scheduler, UnaryOperator<String> upstream) {
      this.scheduler = scheduler;
      this.upstream = upstream;
      scheduler.setRemoveOnCancelPolicy(true);
    }

    public String fetch(String url) {
      CompletableFuture<String> response = new CompletableFuture<>();
      ScheduledFuture<?> timeout =
          scheduler.schedule(
              () -> response.completeExceptionally(new TimeoutException(url)),
              TIMEOUT_SECONDS,
              TimeUnit.SECONDS);
      try {
        response.complete(upstream.apply(url));
        return response.join();
      } finally {
        timeout.cancel(false); // the fix: defer cancel()
      }
    }
  }

  @Override
  void leaky(Run run) {
    LeakyClient c = new LeakyClient(run.scheduler(), run.faults(), url -> "200 OK");
    run.signal(() -> run.timers()[0]);
    for (int i = 0; i < run.operations; i++) {
      c.fetch("/item/" + (i & 255));
      run.step();
    }
  }

  @Override
  void fixed(Run run) {
    FixedClient c = new FixedClient(run.scheduler(), url -> "200 OK");
    run.signal(() -> run.timers()[0]);
    for (int i = 0; i < run.operations; i++) {
      c.fetch("/item/" + (i & 255));
      run.step();
    }
  }
}
