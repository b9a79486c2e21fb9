package dev.timerguard.junit.samples;

import org.junit.Assume;
import org.junit.Before;
import org.junit.Test;

/**
 * JUnit 4 tests run through the Vintage engine with the launcher listener: {@code leaks...} tests
 * leak, {@code clean...} tests do not. They run only when {@link #armed} is set by the real test,
 * so a direct run skips them.
 */
public final class VintageSamples {

  /** Set by the real test around a run. */
  public static volatile boolean armed;

  private VintageSamples() {}

  /** A leaky test beside a clean one, and one that leaks a pool. */
  public static class First {
    @Before
    public void onlyWhenArmed() {
      Assume.assumeTrue("leaks on purpose: run by VintageListenerTest", armed);
    }

    @Test
    public void leaksThread() {
      Leaks.sleepingThread("v-leak");
    }

    @Test
    public void leaksPool() {
      Leaks.pool("v-pool", 1);
    }

    @Test
    public void cleanJoins() throws InterruptedException {
      Leaks.shortLivedThread("v-joined", 5).join();
    }
  }

  /** Clean tests, and a thread that ends by itself within the grace period. */
  public static class Second {
    @Before
    public void onlyWhenArmed() {
      Assume.assumeTrue("leaks on purpose: run by VintageListenerTest", armed);
    }

    @Test
    public void cleanOne() {}

    @Test
    public void cleanShortLived() {
      Leaks.shortLivedThread("v-short", 20);
    }

    @Test
    public void leaksTimer() {
      Leaks.utilTimer("v-timer");
    }
  }
}
