package dev.timerguard.maven;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.timerguard.lint.Baseline;
import dev.timerguard.lint.Finding;
import dev.timerguard.lint.ScanResult;
import dev.timerguard.lint.Severity;
import dev.timerguard.lint.rules.Rules;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plugin's configuration checks, without Maven (the invoker projects cover the mojo). */
class CheckSettingsTest {
  @TempDir Path dir;

  private static Finding finding(String rule, Severity severity, String file, String fingerprint) {
    return new Finding(rule, "name", severity, file, 3, 5, "message", "hint", fingerprint);
  }

  private static ScanResult result(List<Finding> findings, List<ScanResult.FileError> errors) {
    return new ScanResult(findings, errors, 4, 2, 0, Duration.ZERO);
  }

  @Test
  void defaultsFailOnErrorsOnlyAndRunEveryRule() {
    CheckSettings s = CheckSettings.of("error", null, null);
    assertThat(s.threshold()).contains(Severity.ERROR);
    assertThat(Rules.all()).allMatch(r -> s.lintOptions().isEnabled(r));
    ScanResult r = result(List.of(finding("TG103", Severity.WARNING, "A.java", "f")), List.of());
    assertThat(s.withoutBaselined(r)).isSameAs(r);
    assertThat(s.summary(r, r))
        .isEqualTo("timerguard: 1 finding(s) in 4 file(s), 0 at or above failOn=error");
  }

  @Test
  void neverMeansNoThreshold() {
    assertThat(CheckSettings.of("never", "", null).threshold()).isEmpty();
  }

  @Test
  void optionsUseTheJavacPluginSyntax() {
    CheckSettings s = CheckSettings.of("warning", "disable=TG107 TG103=error", null);
    assertThat(s.lintOptions().isEnabled(Rules.byId("TG107"))).isFalse();
    assertThat(s.lintOptions().severityOf(Rules.byId("TG103"))).isEqualTo(Severity.ERROR);
  }

  @Test
  void badValuesNameTheParameterTheValueAndWhatIsAccepted() {
    assertThatThrownBy(() -> CheckSettings.of("fatal", null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "bad failOn: unknown severity threshold 'fatal' (expected info, warning, error or never)");
    assertThatThrownBy(() -> CheckSettings.of("error", "TG999=error", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("bad options: unknown TimerGuard rule 'TG999' (known: ");
    Path missing = dir.resolve("nope.txt");
    assertThatThrownBy(() -> CheckSettings.of("error", null, missing))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("baseline file does not exist: " + missing);
  }

  @Test
  void aFileThatIsNotABaselineIsRejectedByName() throws Exception {
    Path notABaseline = Files.writeString(dir.resolve("pom.xml"), "<project/>\n");
    assertThatThrownBy(() -> CheckSettings.of("error", null, notABaseline))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a timerguard baseline")
        .hasMessageContaining(notABaseline.toString());
  }

  @Test
  void baselineRemovesKnownFindingsAndTheSummaryCountsThem() {
    Finding known = finding("TG103", Severity.WARNING, "src/main/java/A.java", "aaa");
    Finding fresh = finding("TG101", Severity.WARNING, "src/main/java/B.java", "bbb");
    Path file = dir.resolve("baseline.txt");
    Baseline.of(List.of(known)).write(file);
    CheckSettings s = CheckSettings.of("warning", null, file);
    ScanResult all =
        result(
            List.of(known, fresh),
            List.of(new ScanResult.FileError("src/main/java/C.java", "unparsable")));
    ScanResult reported = s.withoutBaselined(all);
    assertThat(reported.findings()).containsExactly(fresh);
    assertThat(reported.errors()).hasSize(1);
    assertThat(s.summary(all, reported))
        .isEqualTo(
            "timerguard: 1 finding(s) in 4 file(s), 1 at or above failOn=warning,"
                + " 1 matched the baseline, 1 file(s) not analysed");
  }

  @Test
  void sarifPathsArePrefixedWithTheModuleDirectory() {
    ScanResult r =
        result(
            List.of(finding("TG103", Severity.WARNING, "src/main/java/A.java", "f")),
            List.of(new ScanResult.FileError("src/main/java/C.java", "unparsable")));
    ScanResult moved = CheckSettings.relativeTo(r, "app/");
    assertThat(moved.findings())
        .extracting(Finding::file)
        .containsExactly("app/src/main/java/A.java");
    assertThat(moved.errors())
        .extracting(ScanResult.FileError::file)
        .containsExactly("app/src/main/java/C.java");
    assertThat(moved.findings().get(0).fingerprint()).isEqualTo("f");
    assertThat(CheckSettings.relativeTo(r, "")).isSameAs(r);
  }
}
