package dev.timerguard.junit.samples;

import dev.timerguard.junit.LeakVerifierExtension;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Run only through the testkit: an instance field verifies methods only. */
@SampleOnly
public class ProgrammaticInstanceSample {

  @RegisterExtension
  final LeakVerifierExtension leaks =
      LeakVerifierExtension.builder().grace(Duration.ofMillis(50)).build();

  @Test
  void leaks() {
    Leaks.sleepingThread("instance-field-leak");
  }
}
