package dev.timerguard.junit.samples;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Makes sample tests run side by side: each test waits (up to 3 s) until {@link #TARGET} tests are
 * inside at once, and the peak is kept for the real tests to check that the run was concurrent.
 */
public final class Overlap {

  /** How many tests the samples wait for: the 8 workers of the parallel configuration. */
  public static final int TARGET = 8;

  private static final AtomicInteger INSIDE = new AtomicInteger();
  private static final AtomicInteger PEAK = new AtomicInteger();

  private Overlap() {}

  /** Runs {@code body} while waiting for the others, then waits until they reached the target. */
  public static void together(Runnable body) {
    int now = INSIDE.incrementAndGet();
    PEAK.accumulateAndGet(now, Math::max);
    try {
      body.run();
      long deadline = System.nanoTime() + 3_000_000_000L;
      while (PEAK.get() < TARGET && System.nanoTime() - deadline < 0) {
        Thread.sleep(5);
      }
      Thread.sleep(20); // still inside while the others end theirs
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      INSIDE.decrementAndGet();
    }
  }

  /** The most tests seen inside at once since the last {@link #reset()}. */
  public static int peak() {
    return PEAK.get();
  }

  /** Starts counting again. */
  public static void reset() {
    INSIDE.set(0);
    PEAK.set(0);
  }
}
