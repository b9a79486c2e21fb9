package dev.timerguard.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.timerguard.junit.samples.TimerLeakSample;
import dev.timerguard.live.CallSite;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TimerLeakTest {

  // Note: these simulate TimerGuard timers through the registry; tests with the real
  // dev.timerguard.Timers API belong here once it is merged.

  @Test
  void failsTheTestThatLeavesATimerLiveAndNamesItsSite() {
    Map<String, Throwable> outcomes =
        SampleRunner.outcomes(SampleRunner.run(TimerLeakSample.class));

    assertThat(outcomes.get("timerFiresWithinGrace"))
        .as("timer that fires within the grace")
        .isNull();
    Throwable t = outcomes.get("leaksTimer");
    assertThat(t).isInstanceOf(LeakDetectedError.class);
    assertThat(t.getMessage())
        .contains("1 live timer, task or executor at 1 site")
        .contains(
            "TIMER dev.timerguard.junit.samples.TimerLeakSample.leaksTimer(TimerLeakSample.java:")
        .contains("1 timer still live")
        .doesNotContain("Leaked threads");
    LeakReport.LeakedSite site = ((LeakDetectedError) t).report().sites().get(0);
    assertThat(site.site().kind()).isEqualTo(CallSite.Kind.TIMER);
    assertThat(site.leaked()).isEqualTo(1);
  }

  @Test
  void reportsExecutorsAndThreadOriginsCountedByTheAgent() {
    Throwable t =
        SampleRunner.outcomes(SampleRunner.run(TimerLeakSample.class))
            .get("leaksExecutorAndThreadSeenByAgent");

    assertThat(t.getMessage())
        .contains(
            "EXECUTOR"
                + " dev.timerguard.junit.samples.TimerLeakSample.leaksExecutorAndThreadSeenByAgent(")
        .contains("1 executor still live")
        .contains("\"agent-counted\"#")
        .contains(
            "created at:"
                + " dev.timerguard.junit.samples.TimerLeakSample.leaksExecutorAndThreadSeenByAgent(TimerLeakSample.java:")
        .contains("Thread creation sites with more live threads than before");
  }
}
