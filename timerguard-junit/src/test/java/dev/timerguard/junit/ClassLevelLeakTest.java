package dev.timerguard.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.timerguard.junit.samples.BeforeAllLeakSample;
import dev.timerguard.junit.samples.NestedSample;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineExecutionResults;

class ClassLevelLeakTest {

  @Test
  void leakInBeforeAllFailsTheClassNotItsTests() {
    EngineExecutionResults results = SampleRunner.run(BeforeAllLeakSample.class);
    Map<String, Throwable> outcomes = SampleRunner.outcomes(results);

    assertThat(outcomes.get("usesServer")).isNull();
    assertThat(outcomes.get("leaksToo")).hasMessageContaining("\"method-leak\"#");
    Throwable classFailure = SampleRunner.classFailure(results);
    assertThat(classFailure).isInstanceOf(LeakDetectedError.class);
    assertThat(classFailure.getMessage())
        .startsWith(
            "TimerGuard found leaks after test class"
                + " dev.timerguard.junit.samples.BeforeAllLeakSample")
        .contains("\"fixture-server\"#")
        .contains("TIMER dev.timerguard.junit.samples.BeforeAllLeakSample.startServer(")
        .as("a leak already reported for a method is not reported again")
        .doesNotContain("method-leak");
  }

  @Test
  void leakInANestedTestIsReportedOnceForThatTest() {
    EngineExecutionResults results = SampleRunner.run(NestedSample.class);
    Map<String, Throwable> outcomes = SampleRunner.outcomes(results);

    assertThat(outcomes.get("outerClean")).isNull();
    assertThat(outcomes.get("innerLeaks")).hasMessageContaining("\"nested-leak\"#");
    assertThat(results.containerEvents().failed().count()).isZero();
  }
}
