package dev.timerguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * {@code timerguard doctor} against the bundled leaky service in a child JVM, by dynamic attach
 * (the same launcher as {@code --demo}).
 */
class DoctorEndToEndTest {

  // LeakyService.handle: line 35 schedules a timeout that is cancelled (retained, not live),
  // line 37 a watchdog never cancelled (live grows), line 40 a scheduler per call never shut down.
  private static final String CANCELLED = "LeakyService.java:35)";
  private static final String WATCHDOG = "LeakyService.java:37)";
  private static final String PER_CALL = "LeakyService.java:40)";

  @Test
  void reportsTheGrowingSitesWithTheirLinesAndNotTheHealthyOne() throws Exception {
    try (DemoTarget t = LeakyService.start("100")) {
      CliRun r =
          CliRun.of(
              "doctor",
              Long.toString(t.pid()),
              "--duration",
              "5s",
              "--interval",
              "500ms",
              "--json");
      assertThat(r.exit()).as(r.err()).isEqualTo(1);
      String json = r.out();
      assertThat(json).startsWith("{\"pid\":" + t.pid()).contains("\"leak\":true");
      String timerSites =
          json.substring(json.indexOf("\"timerSites\""), json.indexOf("\"executors\""));
      assertThat(timerSites).contains(WATCHDOG).doesNotContain(CANCELLED).doesNotContain(PER_CALL);
      String executors =
          json.substring(json.indexOf("\"executors\""), json.indexOf("\"threadGroups\""));
      assertThat(executors).contains(PER_CALL).contains("setRemoveOnCancelPolicy(true)");
      assertThat(executors).contains("first used here](" + CANCELLED);
      assertThat(json).contains("ScheduledThreadPoolExecutor$ScheduledFutureTask");
      assertThat(json).contains("\"question\":\"Is it timers?\",\"answer\":true");
    }
  }

  @Test
  void demoRunsTheServiceDiagnosesItAndSaysWhichBranchItTook() {
    CliRun r = CliRun.of("doctor", "--demo", "--duration", "4s", "--interval", "500ms");
    assertThat(r.exit()).as(r.err()).isEqualTo(1);
    assertThat(r.out())
        .contains("1. Is heap growing?")
        .contains("2. Is it timers?")
        .contains("3. Are threads growing?")
        .contains("Branch taken:")
        .contains("TIMER LEAK")
        .contains("DiscardedCancel.java:") // a per-request timeout of the samples' service
        .contains("RpcReadLoop.java:") // the executor that retains cancelled keepalives
        .contains("fix: ");
  }
}
