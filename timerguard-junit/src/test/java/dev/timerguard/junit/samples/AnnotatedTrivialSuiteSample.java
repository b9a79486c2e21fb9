package dev.timerguard.junit.samples;

import dev.timerguard.junit.VerifyNoLeaks;
import org.junit.jupiter.api.RepeatedTest;

/** 1,000 trivial tests under {@code @VerifyNoLeaks}, for {@code bench.OverheadMain}. */
@VerifyNoLeaks
public class AnnotatedTrivialSuiteSample {

  private static int sink;

  @RepeatedTest(1000)
  void trivial() {
    sink++;
  }
}
