package dev.timerguard.junit.samples;

import dev.timerguard.junit.VerifyNoLeaks;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Run only through the testkit: a leak in a nested class is reported once, for its test. */
@SampleOnly
@VerifyNoLeaks(grace = "50ms")
public class NestedSample {

  @Test
  void outerClean() {}

  @Nested
  class Inner {
    @Test
    void innerLeaks() {
      Leaks.sleepingThread("nested-leak");
    }
  }
}
