package dev.timerguard.junit.samples;

import dev.timerguard.junit.VerifyNoLeaks;
import org.junit.jupiter.api.Test;

/** Run only through the testkit (ThreadLeakTest): two tests leak, two do not. */
@SampleOnly
@VerifyNoLeaks(grace = "100ms")
public class ThreadLeakSample {

  @Test
  void clean() {}

  @Test
  void leaksOneThread() {
    Leaks.sleepingThread("leaky-worker");
  }

  @Test
  void leaksThreeIdenticalThreads() {
    for (int i = 1; i <= 3; i++) {
      Leaks.parkedThread("pool-worker-" + i);
    }
  }

  @Test
  @VerifyNoLeaks(grace = "5s")
  void threadEndsWithinGrace() {
    Leaks.shortLivedThread("finishing", 50);
  }
}
