package dev.timerguard.agent.it;

import java.util.Timer;
import java.util.TimerTask;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A child-JVM fixture for the end-to-end tests. Each "request" does, at fixed lines:
 *
 * <ul>
 *   <li>{@code LEAK_LINE}: a 10-minute timeout on the default scheduled pool, never cancelled
 *       (the leak: live timers grow);
 *   <li>{@code CANCELLED_LINE}: a 10-minute timeout that is cancelled at once (no live growth, but
 *       the pool retains the cancelled task: retained grows);
 *   <li>{@code FIRED_LINE}: a 1 ms timer that fires (no growth);
 *   <li>{@code THREAD_LINE}: a short-lived thread (no growth);
 *   <li>a {@code java.util.Timer} task cancelled at once, and an {@code orTimeout} that completes.
 * </ul>
 *
 * Prints {@code ready} after the first requests, then loops until killed or {@code args[0]}
 * requests are done.
 */
public final class LeakySample {

  /** Lines the tests assert on; keep in sync with the code below. */
  public static final int LEAK_LINE = 46;

  public static final int CANCELLED_LINE = 47;
  public static final int FIRED_LINE = 49;
  public static final int THREAD_LINE = 52;
  public static final int POOL_LINE = 40;

  static final ScheduledExecutorService POOL =
      Executors.newScheduledThreadPool(1); // POOL_LINE: retains cancelled tasks
  static final Timer TIMER = new Timer("sample-timer", true);

  private LeakySample() {}

  static void request() throws InterruptedException {
    ScheduledFuture<?> leak = POOL.schedule(() -> {}, 10, TimeUnit.MINUTES);
    ScheduledFuture<?> done = POOL.schedule(() -> {}, 10, TimeUnit.MINUTES);
    done.cancel(false);
    POOL.schedule(() -> {}, 1, TimeUnit.MILLISECONDS);
    CountDownLatch ran = new CountDownLatch(1);
    Thread t = new Thread(ran::countDown);
    t.start();
    ran.await();
    TimerTask task = new TimerTask() {
          @Override
          public void run() {}
        };
    TIMER.schedule(task, 600_000);
    task.cancel();
    CompletableFuture<String> f = new CompletableFuture<>();
    f.orTimeout(10, TimeUnit.MINUTES);
    f.complete("ok");
    if (leak == null) {
      throw new AssertionError();
    }
  }

  public static void main(String[] args) throws Exception {
    long n = args.length > 0 ? Long.parseLong(args[0]) : Long.MAX_VALUE;
    long rate = args.length > 1 ? Long.parseLong(args[1]) : 20;
    for (long i = 0; i < n; i++) {
      request();
      if (i == 4) {
        System.out.println("ready");
        System.out.flush();
      }
      Thread.sleep(1000 / rate);
    }
    System.out.println("done " + ((ScheduledThreadPoolExecutor) POOL).getQueue().size());
    System.out.flush();
    Thread.sleep(Long.parseLong(System.getProperty("sample.linger", "0")));
  }
}
