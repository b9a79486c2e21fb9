package dev.timerguard.junit.samples;

import dev.timerguard.junit.VerifyNoLeaks;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Run only through the testkit: the leak belongs to the class, the test passes. */
@SampleOnly
@VerifyNoLeaks(grace = "50ms")
public class BeforeAllLeakSample {

  @BeforeAll
  static void startServer() {
    Leaks.sleepingThread("fixture-server");
    Leaks.timer();
  }

  @Test
  void usesServer() {}

  @Test
  void leaksToo() {
    Leaks.sleepingThread("method-leak"); // reported for this method, not again for the class
  }
}
