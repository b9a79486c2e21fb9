package dev.timerguard.junit.samples;

import dev.timerguard.junit.VerifyNoLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/** Two tests that each leak a thread, for runs with and without parallel execution. */
@SampleOnly
@VerifyNoLeaks(grace = "50ms")
@Execution(ExecutionMode.CONCURRENT)
public class ParallelSample {

  @Test
  void leaksA() {
    Leaks.sleepingThread("parallel-a");
  }

  @Test
  void leaksB() {
    Leaks.sleepingThread("parallel-b");
  }
}
