package dev.timerguard.junit.samples;

import dev.timerguard.junit.VerifyNoLeaks;
import org.junit.jupiter.api.Test;

/** Run only through the testkit: configuration errors must fail loudly. */
@SampleOnly
public class BadConfigSample {

  @Test
  @VerifyNoLeaks(grace = "-5ms")
  void negativeGrace() {}

  @Test
  @VerifyNoLeaks(ignoreThreadNames = "worker-[")
  void badRegex() {}

  @Test
  @VerifyNoLeaks(ignoreTopFrames = "com.acme.*.run")
  void badFramePattern() {}
}
