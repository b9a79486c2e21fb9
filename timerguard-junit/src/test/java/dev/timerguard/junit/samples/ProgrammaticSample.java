package dev.timerguard.junit.samples;

import dev.timerguard.junit.LeakVerifierExtension;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Run only through the testkit: the programmatic form. */
@SampleOnly
public class ProgrammaticSample {

  @RegisterExtension
  static final LeakVerifierExtension LEAKS =
      LeakVerifierExtension.builder()
          .grace(Duration.ofMillis(50))
          .ignoreThreadNames("tolerated-.*")
          .build();

  @Test
  void leaks() {
    Leaks.sleepingThread("not-tolerated");
  }

  @Test
  void tolerated() {
    Leaks.sleepingThread("tolerated-1");
  }
}
