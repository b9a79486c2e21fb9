package dev.timerguard.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.timerguard.Timeout;
import dev.timerguard.junit.samples.RealTimersSample;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The verifier against the real safe timer API of timerguard-core, not a simulation. */
class RealTimersTest {

  @AfterEach
  void cancelWhatTheSampleLeaked() {
    RealTimersSample.LEFT_BEHIND.forEach(Timeout::cancel);
    RealTimersSample.LEFT_BEHIND.clear();
  }

  @Test
  void aLeakedTimeoutFailsWithItsLineAndClosedOnesPass() {
    Map<String, Throwable> outcomes =
        SampleRunner.outcomes(SampleRunner.run(RealTimersSample.class));
    assertThat(outcomes.get("closesItsTimeout")).isNull();
    assertThat(outcomes.get("scopeCancelsEverything")).isNull();
    Throwable t = outcomes.get("leaksARealTimeout");
    assertThat(t).isInstanceOf(LeakDetectedError.class);
    assertThat(t.getMessage())
        .contains(
            "TIMER dev.timerguard.junit.samples.RealTimersSample.leaksARealTimeout(RealTimersSample.java:21)")
        .contains("1 timer still live");
  }
}
