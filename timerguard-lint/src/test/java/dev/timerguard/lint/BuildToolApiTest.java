package dev.timerguard.lint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pieces of the public API that build tools (the CLI, the Maven plugin) share. */
class BuildToolApiTest {
  @TempDir Path dir;

  @Test
  void pathBaseMakesReportedPathsAndBaselineKeysIndependentOfTheWorkingDirectory()
      throws Exception {
    Path module = dir.resolve("module");
    Path file = module.resolve("src/main/java/app/Leaky.java");
    Files.createDirectories(file.getParent());
    Files.writeString(file, ScannerTest.LEAKY);

    ScanResult fromModule =
        Scanner.builder()
            .paths(List.of(module.resolve("src/main/java")))
            .pathBase(module)
            .build()
            .scan();
    assertThat(fromModule.findings())
        .extracting(f -> f.file() + ":" + f.line() + ":" + f.ruleId())
        .containsExactly(
            "src/main/java/app/Leaky.java:7:TG101", "src/main/java/app/Leaky.java:11:TG103");

    // the same module scanned with a base above it: other paths, so the baseline no longer matches
    ScanResult fromParent =
        Scanner.builder()
            .paths(List.of(module.resolve("src/main/java")))
            .pathBase(dir)
            .build()
            .scan();
    assertThat(fromParent.findings())
        .extracting(Finding::file)
        .containsOnly("module/src/main/java/app/Leaky.java");
    Baseline baseline = Baseline.of(fromModule.findings());
    assertThat(baseline.newFindings(fromModule.findings())).isEmpty();
    assertThat(baseline.newFindings(fromParent.findings())).hasSize(2);
  }

  @Test
  void filesOutsideThePathBaseAreReportedRelativeToTheirScanRoot() throws Exception {
    Path root = dir.resolve("elsewhere");
    Files.createDirectories(root.resolve("app"));
    Files.writeString(root.resolve("app/Leaky.java"), ScannerTest.LEAKY);
    ScanResult r =
        Scanner.builder().paths(List.of(root)).pathBase(dir.resolve("module")).build().scan();
    assertThat(r.findings()).extracting(Finding::file).containsOnly("app/Leaky.java");
  }

  @Test
  void thresholdAcceptsSeveritiesAndNever() {
    assertThat(Severity.parseThreshold("error")).contains(Severity.ERROR);
    assertThat(Severity.parseThreshold(" Warning ")).contains(Severity.WARNING);
    assertThat(Severity.parseThreshold("info")).contains(Severity.INFO);
    assertThat(Severity.parseThreshold("NEVER")).isEqualTo(Optional.empty());
  }

  @Test
  void unknownThresholdNamesTheValueAndTheAcceptedOnes() {
    assertThatThrownBy(() -> Severity.parseThreshold("fatal"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown severity threshold 'fatal' (expected info, warning, error or never)");
    assertThatThrownBy(() -> Scanner.builder().pathBase(null))
        .isInstanceOf(NullPointerException.class);
  }
}
