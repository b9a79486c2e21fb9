package dev.timerguard.lint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every rule's positive and negative fixture, compiled through the real javac plugin. The
 * expectation is the fixture itself: exactly the lines marked {@code // BUG: TGxxx} get findings.
 */
class RuleFixturesTest {
  @TempDir Path out;

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "TG100Positive", "TG101Positive", "TG101Negative", "TG102Positive", "TG102Negative",
        "TG103Positive", "TG103Negative", "TG104Positive", "TG104Negative", "TG105Positive",
        "TG105Negative", "TG106Positive", "TG106Negative", "TG107Positive", "TG107Negative",
        "TG108Positive", "TG108Negative", "TG109Positive", "TG109Negative", "Suppressions"
      })
  void fixtureFindingsAreExactlyTheMarkedOnes(String name) throws Exception {
    Path fixture = PluginHarness.fixtures().resolve(name + ".java");
    List<PluginHarness.Diag> diags = PluginHarness.compile(out, List.of(fixture));
    assertThat(PluginHarness.errors(diags)).as("fixture must compile cleanly").isEmpty();
    TreeSet<String> actual = PluginHarness.actual(diags);
    actual.removeIf(k -> !k.startsWith(name + ".java:"));
    assertThat(actual).as(diags.toString()).isEqualTo(PluginHarness.expected(fixture));
  }

  /** JDK 19+: ExecutorService is AutoCloseable; try-with-resources is the correct idiom. */
  @Test
  void tryWithResourcesOnExecutorIsSilent() throws Exception {
    assumeTrue(Runtime.version().feature() >= 19, "ExecutorService is AutoCloseable from JDK 19");
    Path fixture = PluginHarness.fixtures().resolve("jdk19/TG103TryWithResources.java");
    List<PluginHarness.Diag> diags = PluginHarness.compile(out, List.of(fixture));
    assertThat(PluginHarness.errors(diags)).isEmpty();
    assertThat(PluginHarness.actual(diags)).isEqualTo(PluginHarness.expected(fixture));
  }
}
