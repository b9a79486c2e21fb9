package dev.timerguard.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.timerguard.junit.internal.RunLedger;
import dev.timerguard.junit.samples.SingletonSample;
import dev.timerguard.junit.samples.StrictSingletonSample;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What a test cannot fix is not its failure, unless strict mode says so. */
class ProcessWideResourcesTest {

  @Test
  void staticInitializerThreadsAndIgnoredCreatorsAreReportedForTheRunNotTheTest() {
    Map<String, Throwable> outcomes =
        SampleRunner.outcomes(
            SampleRunner.run(
                SingletonSample.class,
                LeakVerifier.IGNORE_CREATORS,
                "dev.timerguard.junit.samples.Leaks.utilTimer"));

    assertThat(outcomes).containsOnlyKeys("touchesHolder", "startsTimerInIgnoredCreator");
    assertThat(outcomes.values()).containsOnlyNulls();
    assertThat(RunLedger.global().entries())
        .anySatisfy(
            e -> {
              assertThat(e.kind()).isEqualTo(RunLedger.Kind.SINGLETON);
              assertThat(e.text())
                  .contains("\"singleton-holder\"#")
                  .contains("held by " + SingletonSample.class.getName() + "$Holder")
                  .contains("(static initializer)")
                  .contains("during test " + SingletonSample.class.getName() + ".touchesHolder()");
            })
        .anySatisfy(
            e -> {
              assertThat(e.kind()).isEqualTo(RunLedger.Kind.FRAMEWORK);
              assertThat(e.text())
                  .contains("\"creator-timer\"#")
                  .contains("created at dev.timerguard.junit.samples.Leaks.utilTimer(Leaks.java:");
            });
  }

  @Test
  void strictModeFailsTheTestThatInitializedTheHolder() {
    Map<String, Throwable> outcomes =
        SampleRunner.outcomes(
            SampleRunner.run(StrictSingletonSample.class, LeakVerifier.STRICT, "true"));

    assertThat(outcomes.get("touchesHolder"))
        .isInstanceOf(LeakDetectedError.class)
        .hasMessageContaining("\"strict-holder\"#")
        .hasMessageContaining("<- " + StrictSingletonSample.class.getName() + "$Holder.<clinit>(");
  }

  @Test
  void badValuesOfTheNewPropertiesNameTheProperty() {
    assertThatThrownBy(() -> configure(LeakVerifier.STRICT, "yes"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timerguard.leaks.strict: 'yes' is not true or false");
    assertThatThrownBy(() -> configure(LeakVerifier.ATTRIBUTION, "jfr"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timerguard.leaks.attribution: 'jfr' is not true or false");
    assertThatThrownBy(() -> configure(LeakVerifier.IGNORE_CREATORS, "org.acme.*.run"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "timerguard.leaks.ignore.creators: frame pattern 'org.acme.*.run' has a '*' that is"
                + " not at the end");
    assertThatThrownBy(() -> configure(LeakVerifier.SINGLETONS, "Metrics"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "timerguard.leaks.singletons: frame pattern 'Metrics' is not of the form"
                + " package.Class.method");
  }

  private static void configure(String key, String value) {
    LeakVerifier.builder().configure(k -> k.equals(key) ? Optional.of(value) : Optional.empty());
  }
}
