package dev.timerguard.junit.samples;

import dev.timerguard.junit.VerifyNoLeaks;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Sixteen tests in four classes, run concurrently by the tests on 8 workers: some leak, the others
 * are clean and run beside them. Every test waits in {@link Overlap#together} until 8 run at once.
 * The expected verdict of each test is in its name: {@code leaks...} fail naming only their own
 * leaks, {@code clean...} pass.
 */
public final class ParallelSamples {

  private ParallelSamples() {}

  /**
   * A shared worker started before the run, on behalf of no test: what its tasks start belongs to
   * no test. Started by the real test before running the samples ({@link #startSharedWorker}).
   */
  private static volatile ExecutorService shared;

  /** Starts the shared worker thread (from outside any test scope). */
  public static void startSharedWorker() throws Exception {
    ExecutorService s = Executors.newSingleThreadExecutor(r -> new Thread(r, "shared-worker"));
    s.submit(() -> {}).get();
    shared = s;
  }

  /** Stops the shared worker. */
  public static void stopSharedWorker() throws InterruptedException {
    ExecutorService s = shared;
    if (s != null) {
      s.shutdownNow();
      s.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** Leaks a thread directly, a pool, and has two clean tests. */
  @SampleOnly
  @VerifyNoLeaks(grace = "200ms")
  @Execution(ExecutionMode.CONCURRENT)
  public static class A {
    @Test
    void leaksThread() {
      Overlap.together(() -> Leaks.sleepingThread("a-leak"));
    }

    @Test
    void leaksPool() {
      Overlap.together(() -> Leaks.pool("a-pool", 2));
    }

    @Test
    void cleanJoinsItsThread() {
      Overlap.together(
          () -> {
            Thread t = Leaks.shortLivedThread("a-joined", 10);
            try {
              t.join();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
    }

    @Test
    void cleanShutsDownItsPool() {
      Overlap.together(
          () -> {
            ExecutorService p = Executors.newFixedThreadPool(2);
            p.submit(() -> {});
            p.shutdown();
            try {
              p.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
    }
  }

  /** The chain: a pool thread that the test started starts a thread that leaks. */
  @SampleOnly
  @VerifyNoLeaks(grace = "200ms")
  @Execution(ExecutionMode.CONCURRENT)
  public static class B {
    @Test
    void leaksGrandchild() {
      Overlap.together(
          () -> {
            ExecutorService p = Executors.newSingleThreadExecutor();
            try {
              p.submit(() -> Leaks.sleepingThread("b-grandchild")).get();
              p.shutdown();
              p.awaitTermination(5, TimeUnit.SECONDS);
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          });
    }

    @Test
    void cleanOne() {
      Overlap.together(() -> {});
    }

    @Test
    void cleanTwo() {
      Overlap.together(() -> {});
    }

    @Test
    void cleanShortLivedThread() {
      Overlap.together(() -> Leaks.shortLivedThread("b-short", 30));
    }
  }

  /** A java.util.Timer never cancelled, beside clean tests. */
  @SampleOnly
  @VerifyNoLeaks(grace = "200ms")
  @Execution(ExecutionMode.CONCURRENT)
  public static class C {
    @Test
    void leaksTimer() {
      Overlap.together(() -> Leaks.utilTimer("c-timer"));
    }

    @Test
    void cleanOne() {
      Overlap.together(() -> {});
    }

    @Test
    void cleanTwo() {
      Overlap.together(() -> {});
    }

    @Test
    void cleanThree() {
      Overlap.together(() -> {});
    }
  }

  /**
   * What no test can be blamed for: a thread started by the shared worker, and a thread started by
   * a static initializer. Both tests pass; both threads are reported once for the run.
   */
  @SampleOnly
  @VerifyNoLeaks(grace = "200ms")
  @Execution(ExecutionMode.CONCURRENT)
  public static class D {
    @Test
    void cleanButSharedWorkerStartsAThread() {
      Overlap.together(
          () -> {
            try {
              shared.submit(() -> Leaks.sleepingThread("d-orphan")).get();
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          });
    }

    @Test
    void cleanButTouchesAStaticHolder() {
      Overlap.together(() -> Holder.touch());
    }

    @Test
    void cleanOne() {
      Overlap.together(() -> {});
    }

    @Test
    void cleanTwo() {
      Overlap.together(() -> {});
    }
  }

  /** A process-wide thread started in a static initializer, as singletons do. */
  public static final class Holder {
    static final Thread DAEMON = Leaks.sleepingThread("d-holder");

    static void touch() {
      DAEMON.getName();
    }
  }
}
