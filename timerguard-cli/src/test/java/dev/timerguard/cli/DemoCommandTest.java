package dev.timerguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.timerguard.internal.Json;
import dev.timerguard.samples.incidents.Incident;
import dev.timerguard.samples.incidents.Incidents;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code timerguard demo} as a user meets it: output, progress, errors and exit codes. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DemoCommandTest {

  /** Exit code, stdout and stderr of one command line. */
  record Result(int code, String out, String err) {}

  private static synchronized Result run(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int code = TimerGuardCli.run(args);
      System.out.flush();
      System.err.flush();
      return new Result(
          code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  @Test
  void oneIncidentPrintsLeakyAndFixedWithTheLineAtFault() {
    Result r = run("demo", "--incident", "1");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("RPC read loop")
        .contains("leaky")
        .contains("fixed")
        .contains("live timers")
        .contains("retained")
        .contains("heap after GC")
        .contains("RAPID")
        .containsPattern(
            "at: +RpcReadLoop\\.java:\\d+ in RpcReadLoop\\$LeakyConnection\\.readLoop\\(\\)")
        .contains("why:")
        .doesNotContain("K.2");
    assertThat(r.err()).contains("[1/1] incident 1").contains("demo finished in");
  }

  @Test
  void correctnessIncidentShowsSpuriousTimeouts() {
    Result r = run("demo", "--incident", "2");
    assertThat(r.code()).isZero();
    assertThat(r.out()).containsPattern("spurious timeouts: leaky [1-9][0-9,]*, fixed 0");
  }

  @Test
  void jsonIsOneDocumentOnStdout() {
    Result r = run("demo", "--incident", "3", "--json");
    assertThat(r.code()).isZero();
    String json = r.out().trim();
    assertThat(json).startsWith("{").endsWith("}");
    assertThat(json)
        .contains("\"id\": 3")
        .contains("\"leaky\": {")
        .contains("\"fixed\": {")
        .contains("\"liveTimers\": ")
        .contains("\"verdict\": \"RAPID\"")
        .contains("\"verdict\": \"NONE\"")
        .containsPattern("\"file\": \"DiscardedCancel.java\", \"line\": \\d+");
    assertThat(Json.parse(json)).as("well-formed JSON: %s", json).isInstanceOf(java.util.Map.class);
    assertThat(r.err()).contains("[1/1]"); // progress stays off stdout
  }

  @Test
  void unknownIncidentIsAUsageError() {
    Result r = run("demo", "--incident", "42");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .contains("no incident 42")
        .contains("numbered 1 to " + Incidents.all().size())
        .contains("Usage: timerguard demo");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void nonNumericIncidentIsAUsageError() {
    Result r = run("demo", "--incident", "three");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("three");
  }

  @Test
  void helpDescribesTheOptions() {
    Result r = run("demo", "--help");
    assertThat(r.code()).isZero();
    assertThat(r.out())
        .contains("--incident=N")
        .contains("from 1 to " + Incidents.all().size())
        .contains("--json")
        .contains("Examples:");
  }

  @Test
  void fullDemoCoversEveryIncident() {
    Result r = run("demo", "--no-live");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).doesNotContain("Live diagnosis");
    for (Incident i : Incidents.all()) {
      assertThat(r.out()).contains(i.title());
    }
    int n = Incidents.all().size();
    assertThat(r.out()).contains("Leaky variants grew in " + n + " of " + n);
    assertThat(r.out()).contains("fixed variants stayed flat in " + n + " of " + n);
    assertThat(r.err()).contains("[" + n + "/" + n + "]");
  }

  @Test
  void liveDiagnosisFollowsTheTableWhenAsked() {
    Result r = run("demo", "--incident", "3", "--live");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("Live diagnosis")
        .contains("Branch taken:")
        .contains("LeakyService.java:");
  }
}
