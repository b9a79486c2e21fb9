package dev.timerguard.junit.samples;

import dev.timerguard.junit.VerifyNoLeaks;
import org.junit.jupiter.api.Test;

/** Run only through the testkit (TimerLeakTest). */
@SampleOnly
@VerifyNoLeaks(grace = "100ms")
public class TimerLeakSample {

  @Test
  void leaksTimer() {
    Leaks.timer();
  }

  @Test
  @VerifyNoLeaks(grace = "5s")
  void timerFiresWithinGrace() {
    Leaks.timerFiringAfter(30);
  }

  @Test
  void leaksExecutorAndThreadSeenByAgent() {
    Leaks.executor();
    Leaks.threadWithOrigin("agent-counted");
  }
}
