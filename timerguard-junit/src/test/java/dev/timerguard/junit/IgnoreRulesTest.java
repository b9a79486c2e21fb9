package dev.timerguard.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.timerguard.junit.samples.IgnoredThreadsSample;
import dev.timerguard.junit.samples.PlainSample;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineExecutionResults;

class IgnoreRulesTest {

  @Test
  void threadsMatchingARuleOrPresentBeforeTheTestPass() {
    EngineExecutionResults results = SampleRunner.run(IgnoredThreadsSample.class);

    assertThat(SampleRunner.outcomes(results))
        .containsOnlyKeys(
            "ignoredByName", "ignoredByTopFrame", "ignoredByAnyFrame", "threadPresentBeforeTheTest")
        .allSatisfy((name, failure) -> assertThat(failure).as(name).isNull());
    assertThat(SampleRunner.classFailure(results)).isNull();
  }

  @Test
  void ignoreRulesFromConfigurationParameters() {
    Map<String, Throwable> byName =
        SampleRunner.outcomes(
            SampleRunner.run(
                PlainSample.class,
                "junit.jupiter.extensions.autodetection.enabled",
                "true",
                LeakVerifier.GRACE,
                "50ms",
                LeakVerifier.IGNORE_THREAD_NAMES,
                "plain-.*"));
    Map<String, Throwable> byTopFrame =
        SampleRunner.outcomes(
            SampleRunner.run(
                PlainSample.class,
                "junit.jupiter.extensions.autodetection.enabled",
                "true",
                LeakVerifier.GRACE,
                "50ms",
                LeakVerifier.IGNORE_FRAMES,
                "com.acme.Other.run, dev.timerguard.junit.samples.Leaks.*"));

    assertThat(byName.get("leaks")).isNull();
    assertThat(byTopFrame.get("leaks")).isNull();
  }
}
