package dev.timerguard.samples.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The bundled leaky service leaks while it runs, and lets go of everything on close. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LeakyServiceTest {

  @Test
  void leaksWhileRunning() {
    try (LeakyService s = LeakyService.start(500)) {
      // wait for work, not for time: until 300 requests were served (bounded by the @Timeout)
      while (s.status().requests() < 300) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
      }
      LeakyService.Status st = s.status();
      assertThat(st.retainedKeepalives()).isGreaterThanOrEqualTo(250);
      assertThat(st.liveClientTimeouts()).isGreaterThanOrEqualTo(250);
      assertThat(st.liveTimerGuardTimers()).isGreaterThanOrEqualTo(250);
      assertThat(st.line()).contains("retained-keepalives=");
    }
  }

  @Test
  void commandLineRunsForSecondsAndRejectsBadInput() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
    PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
    assertThat(LeakyService.run(new String[] {"--seconds", "1", "--rate", "50"}, o, e)).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("LeakyService pid").contains("t=1s");

    assertThat(LeakyService.run(new String[] {"--seconds", "0"}, o, e)).isEqualTo(2);
    assertThat(LeakyService.run(new String[] {"--rate", "fast"}, o, e)).isEqualTo(2);
    assertThat(LeakyService.run(new String[] {"--bogus"}, o, e)).isEqualTo(2);
    assertThat(LeakyService.run(new String[] {"--seconds"}, o, e)).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("--seconds must be at least 1")
        .contains("not a number")
        .contains("unknown argument: --bogus")
        .contains("--seconds needs a value")
        .contains("Usage: LeakyService");
    assertThat(LeakyService.run(new String[] {"--help"}, o, e)).isZero();
    assertThatThrownBy(() -> LeakyService.start(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
