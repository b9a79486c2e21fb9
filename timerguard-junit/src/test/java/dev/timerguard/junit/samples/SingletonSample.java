package dev.timerguard.junit.samples;

import dev.timerguard.junit.VerifyNoLeaks;
import org.junit.jupiter.api.Test;

/**
 * Process-wide resources: a thread started by a static initializer, and a timer started by code
 * configured as a creator to ignore. The holder classes are initialized once per JVM, so each run
 * of this sample uses the holder named by its test.
 */
@SampleOnly
@VerifyNoLeaks(grace = "100ms")
public class SingletonSample {

  @Test
  void touchesHolder() {
    Holder.touch();
  }

  @Test
  void startsTimerInIgnoredCreator() {
    Leaks.utilTimer("creator-timer");
  }

  /** Holds a thread for the JVM's life, started when the class is initialized. */
  static final class Holder {
    static final Thread DAEMON = Leaks.sleepingThread("singleton-holder");

    static void touch() {
      DAEMON.getName();
    }
  }
}
