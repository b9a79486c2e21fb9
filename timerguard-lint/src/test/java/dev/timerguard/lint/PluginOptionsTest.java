package dev.timerguard.lint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import javax.tools.Diagnostic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plugin options, severities and option errors, through the real javac plugin. */
class PluginOptionsTest {
  @TempDir Path out;

  private static Path fixture() {
    return PluginHarness.fixtures().resolve("TG107Positive.java");
  }

  private static List<String> kinds(List<PluginHarness.Diag> diags) {
    return diags.stream()
        .filter(d -> d.ruleId() != null)
        .map(d -> d.ruleId() + ":" + d.kind())
        .distinct()
        .collect(Collectors.toList());
  }

  @Test
  void defaultIsAMandatoryWarningThatSurvivesNowarnWithFileLineColumnAndHint() {
    List<PluginHarness.Diag> diags =
        PluginHarness.compileWith(out, List.of(fixture()), List.of("-nowarn"));
    assertThat(kinds(diags)).containsExactly("TG107:" + Diagnostic.Kind.MANDATORY_WARNING);
    PluginHarness.Diag d =
        diags.stream().filter(x -> "TG107".equals(x.ruleId())).findFirst().orElseThrow();
    assertThat(d.file()).isEqualTo("TG107Positive.java");
    assertThat(d.line()).isEqualTo(14);
    assertThat(d.column()).isEqualTo(17);
    assertThat(d.message()).startsWith("[TG107] wait-while-locked: ").contains("\n    fix: ");
  }

  @Test
  void severityErrorFailsTheCompileAndPerRuleOffDisables() {
    assertThat(kinds(PluginHarness.compile(out, List.of(fixture()), "severity=error")))
        .containsExactly("TG107:" + Diagnostic.Kind.ERROR);
    assertThat(kinds(PluginHarness.compile(out, List.of(fixture()), "TG107=off"))).isEmpty();
    assertThat(kinds(PluginHarness.compile(out, List.of(fixture()), "rules=TG101,TG102")))
        .isEmpty();
    assertThat(kinds(PluginHarness.compile(out, List.of(fixture()), "TG107=info")))
        .containsExactly("TG107:" + Diagnostic.Kind.NOTE);
  }

  @Test
  void badPluginOptionsGiveOneClearCompilerError() {
    List<PluginHarness.Diag> diags = PluginHarness.compile(out, List.of(fixture()), "rules=TG999");
    List<PluginHarness.Diag> errors = PluginHarness.errors(diags);
    assertThat(errors).hasSize(1);
    assertThat(errors.get(0).message()).contains("TimerGuard: unknown TimerGuard rule 'TG999'");
  }

  /** Truncated sources through the real plugin, analysed despite errors: never a crash. */
  @Test
  void truncatedSourcesNeverCrashThePlugin() throws Exception {
    java.util.Random random = new java.util.Random(7);
    List<String> names =
        List.of(
            "TG101Positive",
            "TG103Positive",
            "TG105Positive",
            "TG106Positive",
            "TG107Positive",
            "TG109Positive");
    for (int i = 0; i < 12; i++) {
      String name = names.get(i % names.size());
      String text =
          java.nio.file.Files.readString(PluginHarness.fixtures().resolve(name + ".java"));
      Path dir = java.nio.file.Files.createDirectories(out.resolve("t" + i).resolve("src"));
      Path cut = dir.resolve(name + ".java");
      java.nio.file.Files.writeString(
          cut, text.substring(0, 1 + random.nextInt(text.length() - 1)));
      List<PluginHarness.Diag> diags =
          PluginHarness.compileWith(
              out.resolve("t" + i), List.of(cut), List.of("-XDshould-stop.ifError=FLOW"));
      assertThat(diags)
          .noneMatch(
              d ->
                  d.message().contains("TimerGuard failed")
                      || d.message().contains("rule failed")
                      || d.message().contains("exception has occurred"));
    }
  }

  @Test
  void optionParsingRejectsBadInputClearly() {
    assertThatThrownBy(() -> LintOptions.parse("nonsense"))
        .hasMessageContaining("expected key=value");
    assertThatThrownBy(() -> LintOptions.parse("severity=loud"))
        .hasMessageContaining("unknown severity 'loud'");
    assertThatThrownBy(() -> LintOptions.parse((String[]) null))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> Severity.parse(null)).isInstanceOf(NullPointerException.class);
    assertThat(Severity.parse("WARN")).isEqualTo(Severity.WARNING);
    assertThatThrownBy(() -> new Finding(null, "n", Severity.INFO, "f", 1, 1, "m", "h", "x"))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("ruleId");
  }
}
