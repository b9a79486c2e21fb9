package dev.timerguard.junit.samples;

import dev.timerguard.junit.VerifyNoLeaks;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Run only through the testkit (IgnoreRulesTest): every test passes thanks to a rule. */
@SampleOnly
@VerifyNoLeaks(
    grace = "50ms",
    ignoreThreadNames = "known-daemon-.*",
    ignoreTopFrames = "jdk.internal.misc.Unsafe.park",
    ignoreFrames = "dev.timerguard.junit.samples.Leaks.backgroundPoller")
public class IgnoredThreadsSample {

  static Thread shared;

  @BeforeAll
  static void startShared() {
    shared = Leaks.sleepingThread("shared-fixture"); // present before each test: not a leak
  }

  @AfterAll
  static void stopShared() throws InterruptedException {
    shared.interrupt();
    shared.join();
  }

  @Test
  void ignoredByName() {
    Leaks.sleepingThread("known-daemon-1");
  }

  @Test
  void ignoredByTopFrame() {
    Leaks.parkedThread("parker");
  }

  @Test
  void ignoredByAnyFrame() {
    Leaks.pollerThread("poller");
  }

  @Test
  void threadPresentBeforeTheTest() {
    shared.setName("shared-fixture-still-running");
  }
}
