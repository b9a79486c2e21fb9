package dev.timerguard.junit.samples;

import dev.timerguard.junit.VerifyNoLeaks;
import org.junit.jupiter.api.Test;

/** Run only through the testkit on JDK 21+. */
@SampleOnly
@VerifyNoLeaks(grace = "50ms")
public class VirtualThreadLeakSample {

  @Test
  void leaksVirtualThread() {
    Leaks.virtualThread("leaky-virtual");
  }
}
