package dev.timerguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.UndeclaredThrowableException;
import org.junit.jupiter.api.Test;

/**
 * How the doctor tells a target that exited from one it lost otherwise, when a read fails: a JVM on
 * its way out drops its JMX connection a moment before its process ends, and the JMX proxy wraps
 * that {@link IOException} in an {@link UndeclaredThrowableException}.
 */
class DoctorSamplerExitTest {

  @Test
  void aLostConnectionOfAJvmThatIsEndingCountsAsItsExit() throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    Process p = new ProcessBuilder(java, "-version").redirectErrorStream(true).start();
    try {
      // asked at once, while it may still be alive: the lost connection waits for the exit
      assertThat(
              DoctorSampler.exited(
                  p.pid(), new UndeclaredThrowableException(new IOException("connection reset"))))
          .isTrue();
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  void anotherFailureOfALiveJvmIsNotAnExit() throws Exception {
    java.io.File sleep = new java.io.File("/bin/sleep");
    org.junit.jupiter.api.Assumptions.assumeTrue(
        sleep.canExecute(), "needs /bin/sleep for a process that stays up");
    Process p = new ProcessBuilder(sleep.getPath(), "60").start();
    try {
      assertThat(DoctorSampler.exited(p.pid(), new IllegalStateException("bad reply"))).isFalse();
      // a lost connection of a process that stays up: not an exit either (after the short wait)
      assertThat(DoctorSampler.exited(p.pid(), new IOException("connection reset"))).isFalse();
    } finally {
      p.destroyForcibly();
    }
    long me = ProcessHandle.current().pid(); // cannot wait for itself: answered, not thrown
    assertThat(DoctorSampler.exited(me, new IOException("connection reset"))).isFalse();
  }

  @Test
  void aJvmThatIsGoneHasExited() {
    assertThat(DoctorSampler.exited(Long.MAX_VALUE, new IllegalStateException())).isTrue();
  }

  @Test
  void theMessageNamesTheWrappedFailureNotTheProxysWrapper() {
    assertThat(
            AttachSession.oneLine(
                new UndeclaredThrowableException(new IOException("Connection refused to host"))))
        .isEqualTo("Connection refused to host");
  }
}
