package dev.timerguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** {@code timerguard estimate}: the arithmetic, the table, and one clear line per bad input. */
class EstimateCommandTest {

  record Run(int exit, String out, String err) {}

  private static Run run(String... args) {
    CommandLine cl = TimerGuardCli.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void theDefaultJdkSchedulerHoldsRateTimesTimeout() {
    Run r = run("estimate", "--rate", "2000", "--timeout", "30s", "--engine", "stpe");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.err()).isEmpty();
    // 2,000/s x 30 s = 60,000 pending; x 102.3 bytes = 6,138,000 bytes = 5.9 MiB
    assertThat(r.out())
        .contains("2,000 timers/s, timeout 30 s, never cancelled")
        .contains("stpe (ScheduledThreadPoolExecutor, default policy)")
        .contains("pending timers    60,000  (rate x 30 s, until the deadline)")
        .contains("bytes per timer   102.3")
        .contains("heap held         5.9 MiB  (6,138,000 bytes)");
  }

  @Test
  void cancellingEarlyHelpsOnlyEnginesThatDropCancelledTimers() {
    Run wheel =
        run(
            "estimate",
            "--rate",
            "2000",
            "--timeout",
            "30s",
            "--cancel-after",
            "50ms",
            "--engine",
            "wheel");
    // 2,000/s x 0.05 s = 100 pending x 40 bytes = 4,000 bytes
    assertThat(wheel.out())
        .contains("cancelled after 50 ms")
        .contains("pending timers    100  (rate x 50 ms, until cancelled)")
        .contains("heap held         3.9 KiB  (4,000 bytes)");

    Run stpe =
        run(
            "estimate",
            "--rate",
            "2000",
            "--timeout",
            "30s",
            "--cancel-after",
            "50ms",
            "--engine",
            "stpe");
    assertThat(stpe.out())
        .contains(
            "pending timers    60,000  (rate x 30 s, until the deadline: cancelled tasks stay"
                + " queued)");
    Run timer =
        run(
            "estimate",
            "--rate",
            "2000",
            "--timeout",
            "30s",
            "--cancel-after",
            "50ms",
            "--engine",
            "timer");
    assertThat(timer.out()).contains("pending timers    60,000");
  }

  @Test
  void aCancelLaterThanTheTimeoutIsTheTimeout() {
    EstimateCommand.Estimate e =
        EstimateCommand.estimate(
            EstimateCommand.Engine.WHEEL,
            10,
            java.time.Duration.ofSeconds(5),
            java.time.Duration.ofSeconds(9));
    assertThat(e.pending()).isEqualTo(50.0);
    assertThat(e.heldToDeadline()).isTrue();
  }

  @Test
  void allPrintsOneRowPerEngine() {
    Run r = run("estimate", "--rate", "1000", "--timeout", "10m", "--engine", "all");
    assertThat(r.exit()).isZero();
    // 1,000/s x 600 s = 600,000 pending, for every engine (no --cancel-after)
    Pattern row =
        Pattern.compile(
            "(?m)^(\\w+)\\s+600,000\\s+(\\d+\\.\\d)\\s+(\\d+\\.\\d) MiB\\s+until the deadline$");
    Matcher m = row.matcher(r.out());
    Map<String, String> heap = new LinkedHashMap<>();
    while (m.find()) {
      heap.put(m.group(1), m.group(3));
    }
    assertThat(heap.keySet())
        .containsExactly(
            "wheel",
            "wheelCounted",
            "netty",
            "kafka",
            "stpe",
            "stpeRemove",
            "timer",
            "agrona",
            "fjp");
    assertThat(heap).containsEntry("wheel", "22.9").containsEntry("stpe", "58.5");
  }

  @Test
  void engineNamesIgnoreCase() {
    assertThat(run("estimate", "--rate", "1", "--timeout", "1s", "--engine", "StpeRemove").out())
        .contains("stpeRemove (ScheduledThreadPoolExecutor, setRemoveOnCancelPolicy(true))");
  }

  @Test
  void durationsTakeDecimalsAndEveryUnit() {
    assertThat(EstimateCommand.parseDuration("--timeout", "1.5s").toMillis()).isEqualTo(1500);
    assertThat(EstimateCommand.parseDuration("--timeout", "250ms").toMillis()).isEqualTo(250);
    assertThat(EstimateCommand.parseDuration("--timeout", "10m").toSeconds()).isEqualTo(600);
    assertThat(EstimateCommand.parseDuration("--timeout", "2h").toSeconds()).isEqualTo(7200);
    assertThat(EstimateCommand.parseDuration("--timeout", "1d").toHours()).isEqualTo(24);
    assertThat(EstimateCommand.parseDuration("--timeout", "36525d").toDays()).isEqualTo(36525);
    assertThat(EstimateCommand.human(java.time.Duration.ofNanos(100))).isEqualTo("100 ns");
    assertThat(EstimateCommand.human(java.time.Duration.ofMillis(1500))).isEqualTo("1.5 s");
    assertThat(EstimateCommand.human(java.time.Duration.ofMinutes(10))).isEqualTo("10 min");
    assertThat(EstimateCommand.human(java.time.Duration.ofDays(3))).isEqualTo("3 d");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "--rate|-5|--rate must be a number of timers per second greater than 0 and at most 100000000, was '-5'",
        "--rate|0|--rate must be a number of timers per second greater than 0 and at most 100000000, was '0'",
        "--rate|NaN|--rate must be a number of timers per second greater than 0 and at most 100000000, was 'NaN'",
        "--rate|1e12|--rate must be a number of timers per second greater than 0 and at most 100000000, was '1e12'",
        "--rate|Infinity|--rate must be a number of timers per second greater than 0 and at most 100000000",
        "--rate|lots|--rate must be a number of timers per second greater than 0 and at most 100000000, was 'lots'",
        "--timeout|0s|--timeout must be a duration greater than 0 and at most 100 years, like 500ms, 30s, 10m, 2h or 1d, was '0s'",
        "--timeout|-1s|--timeout must be a duration greater than 0 and at most 100 years",
        "--timeout|36526d|--timeout must be a duration greater than 0 and at most 100 years",
        "--timeout|30|--timeout must be a duration greater than 0 and at most 100 years, like 500ms, 30s, 10m, 2h or 1d, was '30'",
        "--timeout|NaNs|--timeout must be a duration greater than 0 and at most 100 years",
        "--cancel-after|0ms|--cancel-after must be a duration greater than 0 and at most 100 years",
        "--engine|quartz|--engine must be one of wheel, wheelCounted, netty, kafka, stpe, stpeRemove, timer, agrona, fjp, all, was 'quartz'"
      })
  void badInputIsOneLineNamingTheOptionAndRange(String option, String value, String message) {
    Map<String, String> args = new LinkedHashMap<>();
    args.put("--rate", "100");
    args.put("--timeout", "30s");
    args.put("--engine", "wheel");
    args.put(option, value);
    String[] argv =
        args.entrySet().stream()
            .flatMap(e -> java.util.stream.Stream.of(e.getKey(), e.getValue()))
            .toArray(String[]::new);
    Run r =
        run(
            java.util.stream.Stream.concat(
                    java.util.stream.Stream.of("estimate"), java.util.Arrays.stream(argv))
                .toArray(String[]::new));
    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
    assertThat(r.err().strip()).startsWith("timerguard: ").contains(message);
  }

  @Test
  void topLevelHelpListsEstimate() {
    Run r = run("--help");
    assertThat(r.out())
        .containsPattern("(?m)^\\s+estimate\\s+Estimate the heap held by pending timers");
  }

  /**
   * The engines' bytes per pending timer are the ones measured in docs/benchmarks.md and copied
   * into the cost worksheet: editing one without the others fails here.
   */
  @Test
  void footprintsMatchTheBenchmarksAndTheWorksheet() throws IOException {
    Map<String, Double> measured =
        table(read("docs/benchmarks.md"), "| peer | bytes per pending timer (handle included) |");
    Map<String, Double> worksheet =
        table(read("docs/operations/cost-worksheet.md"), "| engine | bytes per pending timer |");
    for (EstimateCommand.Engine e : EstimateCommand.Engine.values()) {
      assertThat(measured)
          .as("docs/benchmarks.md row for " + e.id)
          .containsEntry(e.id, e.bytesPerTimer);
      assertThat(worksheet)
          .as("cost-worksheet.md row for " + e.id)
          .containsEntry(e.id, e.bytesPerTimer);
    }
    assertThat(worksheet.keySet()).hasSize(EstimateCommand.Engine.values().length);
  }

  private static String read(String repoPath) throws IOException {
    Path p = Path.of("..").resolve(repoPath);
    assertThat(p).as("the test runs in timerguard-cli and reads " + repoPath).exists();
    return Files.readString(p, StandardCharsets.UTF_8);
  }

  /** Engine name (bold and parentheses stripped) to the number of a two-column markdown table. */
  private static Map<String, Double> table(String markdown, String header) {
    int at = markdown.indexOf(header);
    assertThat(at).as("table with header " + header).isNotNegative();
    Map<String, Double> rows = new LinkedHashMap<>();
    List<String> lines = markdown.substring(at).lines().skip(2).toList();
    for (String line : lines) {
      if (!line.startsWith("|")) {
        break;
      }
      String[] cells = line.split("\\|");
      String name = cells[1].replace("*", "").replaceAll("\\(.*\\)", "").strip();
      rows.put(name, Double.parseDouble(cells[2].replace("*", "").strip()));
    }
    return rows;
  }
}
