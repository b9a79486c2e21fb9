package dev.timerguard.junit.samples;

import org.junit.jupiter.api.RepeatedTest;

/** 1,000 trivial tests for {@code bench.OverheadMain}; run only through the launcher. */
public class TrivialSuiteSample {

  private static int sink;

  @RepeatedTest(1000)
  void trivial() {
    sink++;
  }
}
