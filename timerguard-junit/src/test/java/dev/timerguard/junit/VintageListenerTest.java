package dev.timerguard.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.timerguard.junit.samples.Leaks;
import dev.timerguard.junit.samples.VintageSamples;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

/** JUnit 4 suites through the Vintage engine get the same per-test verdicts from the listener. */
class VintageListenerTest {

  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @BeforeEach
  void arm() {
    VintageSamples.armed = true;
  }

  @AfterEach
  void release() throws InterruptedException {
    VintageSamples.armed = false;
    Leaks.releaseAll();
  }

  @ParameterizedTest(name = "parallel={0}")
  @ValueSource(booleans = {false, true})
  void eachLeakyJUnit4TestIsNamedWithItsOwnLeaksOnly(boolean parallel) {
    LauncherSession session =
        LauncherFactory.openSession(
            LauncherConfig.builder()
                .enableLauncherSessionListenerAutoRegistration(false)
                .enableTestExecutionListenerAutoRegistration(false)
                .addLauncherSessionListeners(
                    new LeakVerifierListener(new PrintStream(err, true, StandardCharsets.UTF_8)))
                .build());
    SummaryGeneratingListener summary = new SummaryGeneratingListener();
    session
        .getLauncher()
        .execute(
            LauncherDiscoveryRequestBuilder.request()
                .enableImplicitConfigurationParameters(false)
                .selectors(
                    selectClass(VintageSamples.First.class),
                    selectClass(VintageSamples.Second.class))
                .configurationParameter(LeakVerifierListener.ENABLED, "true")
                .configurationParameter(LeakVerifier.GRACE, "200ms")
                .configurationParameter(
                    "junit.vintage.execution.parallel.enabled", String.valueOf(parallel))
                .configurationParameter("junit.vintage.execution.parallel.classes", "true")
                .configurationParameter("junit.vintage.execution.parallel.methods", "true")
                .configurationParameter("junit.vintage.execution.parallel.pool-size", "8")
                .build(),
            summary);

    assertThat(summary.getSummary().getTestsSucceededCount()).isEqualTo(6);
    assertThatThrownBy(session::close)
        .isInstanceOf(LeakDetectedError.class)
        .hasMessageStartingWith("TimerGuard found leaks after 3 tests (each reported above):")
        .hasMessageContaining("test " + VintageSamples.First.class.getName() + ".leaksThread()")
        .hasMessageContaining("test " + VintageSamples.First.class.getName() + ".leaksPool()")
        .hasMessageContaining("test " + VintageSamples.Second.class.getName() + ".leaksTimer()")
        .hasMessageNotContaining("clean");
    List<String> reports =
        Arrays.stream(err.toString(StandardCharsets.UTF_8).split("\n(?=TimerGuard)"))
            .filter(r -> r.startsWith("TimerGuard found leaks after test "))
            .collect(Collectors.toList());
    assertThat(reports).hasSize(3);
    assertThat(reports)
        .anySatisfy(r -> assertOwn(r, "leaksThread", "v-leak", "sleeping thread"))
        .anySatisfy(r -> assertOwn(r, "leaksPool", "v-pool-1", "executor never shut down"))
        .anySatisfy(r -> assertOwn(r, "leaksTimer", "v-timer", "java.util.Timer never cancelled"));
  }

  private static void assertOwn(String report, String test, String thread, String advice) {
    assertThat(report).contains("." + test + "(): 1 thread");
    assertThat(report)
        .contains("\"" + thread + "\"#")
        .contains("created at: dev.timerguard.junit.samples.Leaks.")
        .contains("what to do: ")
        .contains(advice);
    for (String other : List.of("v-leak", "v-pool", "v-timer", "v-short", "v-joined")) {
      if (!thread.startsWith(other)) {
        assertThat(report).doesNotContain("\"" + other);
      }
    }
  }
}
