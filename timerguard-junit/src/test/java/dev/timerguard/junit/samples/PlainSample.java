package dev.timerguard.junit.samples;

import org.junit.jupiter.api.Test;

/** No annotation: verified only by autodetection, the run listener, or not at all. */
@SampleOnly
public class PlainSample {

  @Test
  void clean() {}

  @Test
  void leaks() {
    Leaks.sleepingThread("plain-leak");
  }
}
