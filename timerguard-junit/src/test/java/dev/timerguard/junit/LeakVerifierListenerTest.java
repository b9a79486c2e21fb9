package dev.timerguard.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.timerguard.junit.samples.Leaks;
import dev.timerguard.junit.samples.ParallelSample;
import dev.timerguard.junit.samples.PlainSample;
import dev.timerguard.junit.samples.SampleOnly;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

class LeakVerifierListenerTest {

  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @AfterEach
  void release() throws InterruptedException {
    Leaks.releaseAll();
  }

  private LauncherSession run(Class<?> sample, String... keyValues) {
    Map<String, String> params = new LinkedHashMap<>();
    params.put(SampleOnly.PARAMETER, "true");
    for (int i = 0; i < keyValues.length; i += 2) {
      params.put(keyValues[i], keyValues[i + 1]);
    }
    LauncherSession session =
        LauncherFactory.openSession(
            LauncherConfig.builder()
                .enableLauncherSessionListenerAutoRegistration(false)
                .enableTestExecutionListenerAutoRegistration(false)
                .addLauncherSessionListeners(
                    new LeakVerifierListener(new PrintStream(err, true, StandardCharsets.UTF_8)))
                .build());
    session
        .getLauncher()
        .execute(
            LauncherDiscoveryRequestBuilder.request()
                // not this module's junit-platform.properties, which enables the listener
                .enableImplicitConfigurationParameters(false)
                .selectors(selectClass(sample))
                .configurationParameters(params)
                .build());
    return session;
  }

  @Test
  void failsTheRunNamingEachLeakyTest() {
    LauncherSession session =
        run(PlainSample.class, LeakVerifierListener.ENABLED, "true", LeakVerifier.GRACE, "50ms");

    assertThatThrownBy(session::close)
        .isInstanceOf(LeakDetectedError.class)
        .hasMessage(
            "TimerGuard found leaks after 1 test (each reported above):\n"
                + "  test dev.timerguard.junit.samples.PlainSample.leaks()");
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains(
            "TimerGuard found leaks after test dev.timerguard.junit.samples.PlainSample.leaks():"
                + " 1 thread")
        .contains("\"plain-leak\"#")
        .contains("created at: dev.timerguard.junit.samples.Leaks.start(Leaks.java:")
        .contains("<- dev.timerguard.junit.samples.PlainSample.leaks(PlainSample.java:");
  }

  @Test
  void perRunOnlyFailsTheRunNamingTheTestThatStartedTheThread() {
    LauncherSession session =
        run(
            PlainSample.class,
            LeakVerifierListener.ENABLED,
            "true",
            LeakVerifierListener.PER_TEST,
            "false",
            LeakVerifier.GRACE,
            "50ms");

    assertThatThrownBy(session::close)
        .isInstanceOf(LeakDetectedError.class)
        .hasMessageStartingWith("TimerGuard found leaks after the test run: 1 thread")
        .hasMessageContaining("\"plain-leak\"#")
        .hasMessageContaining(
            "started by: thread \"main\" during test"
                + " dev.timerguard.junit.samples.PlainSample.leaks()");
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("\"plain-leak\"#");
  }

  @Test
  void staysQuietWhenNotEnabled() {
    LauncherSession session = run(PlainSample.class, LeakVerifier.GRACE, "50ms");

    session.close();
    assertThat(err.size()).isZero();
  }

  @Test
  void verifiesTheWholeRunEvenWhenTestsRunInParallel() {
    LauncherSession session =
        run(
            ParallelSample.class,
            LeakVerifierListener.ENABLED,
            "true",
            LeakVerifier.GRACE,
            "50ms",
            "junit.jupiter.execution.parallel.enabled",
            "true");

    assertThatThrownBy(session::close)
        .isInstanceOf(LeakDetectedError.class)
        .hasMessageContaining("\"parallel-a\"#")
        .hasMessageContaining("\"parallel-b\"#");
  }

  @Test
  void badConfigurationFailsTheRunWithTheProperty() {
    LauncherSession session =
        run(PlainSample.class, LeakVerifierListener.ENABLED, "true", LeakVerifier.GRACE, "-1s");

    assertThatThrownBy(session::close)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timerguard.leaks.grace must not be negative, was -1.0 s");
  }

  @Test
  void isRegisteredAsALauncherSessionListenerService() throws Exception {
    try (var in =
        getClass()
            .getResourceAsStream(
                "/META-INF/services/org.junit.platform.launcher.LauncherSessionListener")) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8).trim())
          .isEqualTo(LeakVerifierListener.class.getName());
    }
  }
}
