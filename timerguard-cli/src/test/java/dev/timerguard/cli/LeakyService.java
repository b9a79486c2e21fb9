package dev.timerguard.cli;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A small leaky service the doctor's end-to-end tests diagnose: it handles "requests" at a steady
 * rate and leaks the three classic ways, each at its own line so the doctor can point at it.
 *
 * <ul>
 *   <li>every request schedules a 30-minute timeout on a shared {@link ScheduledThreadPoolExecutor}
 *       and cancels it when done: the pool keeps the cancelled task until its deadline
 *       ({@code removeOnCancelPolicy} is false by default), so retained cancelled tasks grow;
 *   <li>every other request also arms a 10-minute watchdog and forgets it: live timers grow;
 *   <li>every tenth request creates a scheduler of its own and never shuts it down: executors and
 *       their threads grow.
 * </ul>
 *
 * <p>Prints {@code ready} once serving, runs until killed, and exits by itself when its standard
 * input closes (so it never outlives the doctor that started it). Usage: {@code LeakyService
 * [requestsPerSecond]} (default 50).
 */
public final class LeakyService {

  static final ScheduledThreadPoolExecutor TIMEOUTS = new ScheduledThreadPoolExecutor(1);

  private LeakyService() {}

  static void handle(long n) {
    byte[] context = new byte[512]; // what a real request's timeout would capture
    ScheduledFuture<?> timeout =
        TIMEOUTS.schedule(() -> context.clone(), 30, TimeUnit.MINUTES); // cancelled but retained
    if (n % 2 == 0) {
      TIMEOUTS.schedule(() -> context.clone(), 10, TimeUnit.MINUTES); // watchdog never cancelled
    }
    if (n % 10 == 0) {
      ScheduledExecutorService perCall = Executors.newSingleThreadScheduledExecutor(); // never shut down
      perCall.schedule(() -> { }, 1, TimeUnit.MILLISECONDS);
    }
    timeout.cancel(false);
  }

  /** Runs the service; see the class comment. */
  public static void main(String[] args) throws Exception {
    int rate = args.length > 0 ? Integer.parseInt(args[0]) : 50;
    Thread stdinWatch =
        new Thread(
            () -> {
              try {
                while (System.in.read() >= 0) {
                  // drain
                }
              } catch (Exception ignored) {
                // closed
              }
              Runtime.getRuntime().halt(0);
            },
            "stdin-watch");
    stdinWatch.setDaemon(true);
    stdinWatch.start();
    System.out.println("ready");
    System.out.flush();
    for (long n = 0; ; n++) {
      handle(n);
      Thread.sleep(1000 / Math.max(1, rate));
    }
  }

  /**
   * Starts this service in a child JVM and waits until it prints {@code ready}.
   *
   * @throws java.io.IOException if the JVM cannot be started or dies before it is ready
   */
  static DemoTarget start(String... args) throws java.io.IOException {
    return DemoTarget.launch(LeakyService.class.getName(), "ready"::equals, java.util.List.of(args));
  }
}
