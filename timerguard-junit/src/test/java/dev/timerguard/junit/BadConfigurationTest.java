package dev.timerguard.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.timerguard.junit.samples.BadConfigSample;
import dev.timerguard.junit.samples.PlainSample;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BadConfigurationTest {

  @Test
  void badAnnotationAttributesFailWithAClearMessage() {
    Map<String, Throwable> outcomes =
        SampleRunner.outcomes(SampleRunner.run(BadConfigSample.class));

    assertThat(outcomes.get("negativeGrace"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("@VerifyNoLeaks(grace) must not be negative, was -5 ms");
    assertThat(outcomes.get("badRegex"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("ignoreThreadNames: 'worker-[' is not a valid regular expression");
    assertThat(outcomes.get("badFramePattern"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'com.acme.*.run' has a '*' that is not at the end");
  }

  @Test
  void badPropertiesFailTheClassWithAMessageNamingTheProperty() {
    Throwable grace =
        SampleRunner.classFailure(
            SampleRunner.run(
                PlainSample.class,
                "junit.jupiter.extensions.autodetection.enabled",
                "true",
                LeakVerifier.GRACE,
                "soon"));
    Throwable regex =
        SampleRunner.classFailure(
            SampleRunner.run(
                PlainSample.class,
                "junit.jupiter.extensions.autodetection.enabled",
                "true",
                LeakVerifier.IGNORE_THREAD_NAMES,
                "(unclosed"));

    assertThat(rootCause(grace))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("timerguard.leaks.grace: 'soon' is not a duration");
    assertThat(rootCause(regex))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "timerguard.leaks.ignore.threadNames: '(unclosed' is not a valid regular expression");
  }

  private static Throwable rootCause(Throwable t) {
    assertThat(t).isNotNull();
    while (!(t instanceof IllegalArgumentException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
