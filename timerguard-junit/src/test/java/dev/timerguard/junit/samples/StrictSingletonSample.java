package dev.timerguard.junit.samples;

import dev.timerguard.junit.VerifyNoLeaks;
import org.junit.jupiter.api.Test;

/** Like {@link SingletonSample}, with a holder of its own, for a run in strict mode. */
@SampleOnly
@VerifyNoLeaks(grace = "100ms")
public class StrictSingletonSample {

  @Test
  void touchesHolder() {
    Holder.touch();
  }

  /** Holds a thread for the JVM's life, started when the class is initialized. */
  static final class Holder {
    static final Thread DAEMON = Leaks.sleepingThread("strict-holder");

    static void touch() {
      DAEMON.getName();
    }
  }
}
