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
        "TG108Positive", "TG108Negative", "TG109Positive", "TG109Negative", "Suppressions",
        "WheelCopyPositive", "WheelCopyNegative"
      })
  void fixtureFindingsAreExactlyTheMarkedOnes(String name) throws Exception {
    Path fixture = PluginHarness.fixtures().resolve(name + ".java");
    List<PluginHarness.Diag> diags = PluginHarness.compile(out, List.of(fixture));
    assertThat(PluginHarness.errors(diags)).as("fixture must compile cleanly").isEmpty();
    TreeSet<String> actual = PluginHarness.actual(diags);
    actual.removeIf(k -> !k.startsWith(name + ".java:"));
    assertThat(actual).as(diags.toString()).isEqualTo(PluginHarness.expected(fixture));
  }

  /**
   * Reactor and RxJava schedulers, compiled against the real libraries (test dependencies of this
   * module, on the fixtures' class path).
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"ReactorPositive", "ReactorNegative", "RxJavaPositive", "RxJavaNegative"})
  void libraryFixtureFindingsAreExactlyTheMarkedOnes(String name) throws Exception {
    Path fixture = PluginHarness.fixtures().resolve("libraries/" + name + ".java");
    List<PluginHarness.Diag> diags = PluginHarness.compile(out, List.of(fixture));
    assertThat(PluginHarness.errors(diags)).as("fixture must compile cleanly").isEmpty();
    TreeSet<String> actual = PluginHarness.actual(diags);
    actual.removeIf(k -> !k.startsWith(name + ".java:"));
    assertThat(actual).as(diags.toString()).isEqualTo(PluginHarness.expected(fixture));
  }

  /** The messages name the handle and the release call of the library, not the JDK's. */
  @Test
  void reactiveFindingsNameTheDisposableAndHowToReleaseIt() throws Exception {
    Path fixture = PluginHarness.fixtures().resolve("libraries/RxJavaPositive.java");
    List<PluginHarness.Diag> diags = PluginHarness.compile(out, List.of(fixture));
    List<String> tg102 =
        diags.stream()
            .filter(d -> "TG102".equals(d.ruleId()) && d.file().equals("RxJavaPositive.java"))
            .map(PluginHarness.Diag::message)
            .collect(java.util.stream.Collectors.toList());
    assertThat(tg102)
        .filteredOn(m -> !m.contains("periodic"))
        .hasSize(3)
        .allSatisfy(
            m ->
                assertThat(m)
                    .contains("the Disposable of this one-shot timeout", "handle.dispose()"));
    assertThat(tg102)
        .filteredOn(m -> m.contains("periodic"))
        .singleElement()
        .satisfies(
            m ->
                assertThat(m)
                    .contains(
                        "the Disposable of this periodic subscription"
                            + " (Observable.interval(..).subscribe) is dropped",
                        "nothing can stop it",
                        "dispose()"));
    List<String> tg103 =
        diags.stream()
            .filter(d -> "TG103".equals(d.ruleId()) && d.file().equals("RxJavaPositive.java"))
            .map(PluginHarness.Diag::message)
            .collect(java.util.stream.Collectors.toList());
    assertThat(tg103)
        .filteredOn(m -> m.contains("Worker"))
        .isNotEmpty()
        .allSatisfy(m -> assertThat(m).contains("Scheduler.Worker", "never disposed"));
    assertThat(tg103)
        .filteredOn(m -> m.contains("Schedulers.from"))
        .singleElement()
        .satisfies(
            m ->
                assertThat(m)
                    .contains("an ExecutorService is created inside Schedulers.from(..)")
                    .contains("never shuts down the executor it wraps", "never shut down"));
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
