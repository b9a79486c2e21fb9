package dev.timerguard.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.timerguard.junit.samples.ParallelSample;
import dev.timerguard.junit.samples.PlainSample;
import dev.timerguard.junit.samples.ProgrammaticInstanceSample;
import dev.timerguard.junit.samples.ProgrammaticSample;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineExecutionResults;

class EnablementTest {

  private static final String AUTODETECT = "junit.jupiter.extensions.autodetection.enabled";

  @Test
  void programmaticExtensionUsesItsBuilderSettings() {
    Map<String, Throwable> outcomes =
        SampleRunner.outcomes(SampleRunner.run(ProgrammaticSample.class));

    assertThat(outcomes.get("leaks")).hasMessageContaining("\"not-tolerated\"#");
    assertThat(outcomes.get("tolerated")).isNull();
  }

  @Test
  void programmaticAndAutodetectedTogetherReportOnceWithTheProgrammaticSettings() {
    Map<String, Throwable> outcomes =
        SampleRunner.outcomes(
            SampleRunner.run(
                ProgrammaticSample.class, AUTODETECT, "true", LeakVerifier.GRACE, "50ms"));

    assertThat(outcomes.get("leaks")).isInstanceOf(LeakDetectedError.class);
    assertThat(outcomes.get("leaks").getSuppressed()).isEmpty();
    assertThat(outcomes.get("tolerated")).isNull();
  }

  @Test
  void aLeakReportedByOneInstanceIsNotReportedAgainForTheClassByAnother() {
    EngineExecutionResults results =
        SampleRunner.run(
            ProgrammaticInstanceSample.class, AUTODETECT, "true", LeakVerifier.GRACE, "50ms");

    assertThat(SampleRunner.outcomes(results).get("leaks"))
        .hasMessageContaining("\"instance-field-leak\"#");
    assertThat(SampleRunner.classFailure(results)).isNull();
  }

  @Test
  void unannotatedTestsAreVerifiedOnlyWithAutodetection() {
    Map<String, Throwable> off = SampleRunner.outcomes(SampleRunner.run(PlainSample.class));
    Map<String, Throwable> on =
        SampleRunner.outcomes(
            SampleRunner.run(PlainSample.class, AUTODETECT, "true", LeakVerifier.GRACE, "50ms"));

    assertThat(off.get("leaks")).isNull();
    assertThat(on.get("clean")).isNull();
    assertThat(on.get("leaks"))
        .isInstanceOf(LeakDetectedError.class)
        .hasMessageContaining("PlainSample.leaks()")
        .hasMessageContaining("\"plain-leak\"#");
  }

  @Test
  void concurrentTestsFailEachForItsOwnLeak() {
    Map<String, Throwable> outcomes =
        SampleRunner.outcomes(
            SampleRunner.run(
                ParallelSample.class, "junit.jupiter.execution.parallel.enabled", "true"));

    assertThat(outcomes.get("leaksA"))
        .hasMessageContaining("\"parallel-a\"#")
        .hasMessageNotContaining("parallel-b");
    assertThat(outcomes.get("leaksB"))
        .hasMessageContaining("\"parallel-b\"#")
        .hasMessageNotContaining("parallel-a");
  }

  @Test
  void concurrentTestsAreNotVerifiedWithoutAttributionButSaySo() {
    EngineExecutionResults results =
        SampleRunner.run(
            ParallelSample.class,
            "junit.jupiter.execution.parallel.enabled",
            "true",
            LeakVerifier.ATTRIBUTION,
            "false");

    assertThat(SampleRunner.outcomes(results))
        .containsOnlyKeys("leaksA", "leaksB")
        .allSatisfy((name, failure) -> assertThat(failure).as(name).isNull());
    assertThat(results.allEvents().reportingEntryPublished().list())
        .isNotEmpty()
        .allSatisfy(
            e ->
                assertThat(
                        e.getPayload(org.junit.platform.engine.reporting.ReportEntry.class)
                            .get()
                            .getKeyValuePairs()
                            .get(LeakVerifierExtension.REPORT_KEY))
                    .contains("tests run concurrently")
                    .contains("thread attribution is off (timerguard.leaks.attribution=false)"));
  }

  @Test
  void concurrentClassesByDefaultAreNotVerifiedEitherWithoutAttribution() {
    EngineExecutionResults results =
        SampleRunner.run(
            PlainSample.class,
            LeakVerifier.ATTRIBUTION,
            "false",
            AUTODETECT,
            "true",
            "junit.jupiter.execution.parallel.enabled",
            "true",
            "junit.jupiter.execution.parallel.mode.classes.default",
            "concurrent");

    assertThat(SampleRunner.outcomes(results).get("leaks")).isNull();
    assertThat(results.allEvents().reportingEntryPublished().count()).isPositive();
  }

  @Test
  void sameSampleWithoutParallelExecutionFails() {
    Map<String, Throwable> outcomes = SampleRunner.outcomes(SampleRunner.run(ParallelSample.class));

    assertThat(outcomes.get("leaksA")).hasMessageContaining("\"parallel-a\"#");
    assertThat(outcomes.get("leaksB")).hasMessageContaining("\"parallel-b\"#");
  }
}
