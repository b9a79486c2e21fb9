package dev.timerguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScanCommandTest {
  private static final String LEAKY =
      "import java.util.concurrent.*;\n"
          + "class Leaky {\n"
          + "  void run(ScheduledExecutorService ses, java.util.List<CompletableFuture<?>> rs) {\n"
          + "    for (CompletableFuture<?> r : rs) {\n"
          + "      r.orTimeout(1, TimeUnit.SECONDS);\n"
          + "    }\n"
          + "  }\n"
          + "}\n";

  @TempDir Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream oldOut;
  private PrintStream oldErr;

  @BeforeEach
  void capture() {
    oldOut = System.out;
    oldErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restore() {
    System.setOut(oldOut);
    System.setErr(oldErr);
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void findingsGiveExitOneAndTextReport() throws Exception {
    Files.writeString(dir.resolve("Leaky.java"), LEAKY);
    int code = TimerGuardCli.run("scan", dir.toString());
    assertThat(code).isEqualTo(1);
    assertThat(out()).contains("Leaky.java:5:7: warning: [TG101] timer-in-loop:");
    assertThat(err()).contains("1/1 files");
  }

  @Test
  void failOnErrorPassesOnWarningsAndJsonSarifFormats() throws Exception {
    Files.writeString(dir.resolve("Leaky.java"), LEAKY);
    assertThat(TimerGuardCli.run("scan", "--fail-on", "error", "--format", "json", "-q", dir.toString())).isZero();
    assertThat(out()).contains("\"ruleId\": \"TG101\"");
    Path sarif = dir.resolve("out.sarif");
    assertThat(TimerGuardCli.run("scan", "--format", "sarif", "-o", sarif.toString(), "-q", dir.resolve("Leaky.java").toString()))
        .isEqualTo(1);
    assertThat(Files.readString(sarif)).contains("\"version\": \"2.1.0\"", "\"ruleId\": \"TG101\"");
  }

  @Test
  void baselineMakesOnlyNewFindingsFail() throws Exception {
    Files.writeString(dir.resolve("Leaky.java"), LEAKY);
    Path baseline = dir.resolve("timerguard-baseline.txt");
    assertThat(TimerGuardCli.run("scan", "-q", "--write-baseline", baseline.toString(), dir.resolve("Leaky.java").toString()))
        .isZero();
    assertThat(TimerGuardCli.run("scan", "-q", "--baseline", baseline.toString(), dir.resolve("Leaky.java").toString()))
        .isZero();
    Files.writeString(dir.resolve("Leaky.java"), LEAKY.replace("for (CompletableFuture<?> r : rs) {", "for (CompletableFuture<?> r : rs) {\n      r.completeOnTimeout(null, 9, TimeUnit.SECONDS);"));
    assertThat(TimerGuardCli.run("scan", "-q", "--baseline", baseline.toString(), dir.resolve("Leaky.java").toString()))
        .isEqualTo(1);
  }

  @Test
  void badUsageExitsTwoWithAClearMessage() {
    assertThat(TimerGuardCli.run("scan", dir.resolve("missing").toString())).isEqualTo(2);
    assertThat(err()).contains("no such file or directory");
    assertThat(TimerGuardCli.run("scan", "--format", "xml", dir.toString())).isEqualTo(2);
    assertThat(err()).contains("unknown format 'xml'");
    assertThat(TimerGuardCli.run("scan", "--rules", "TG999", dir.toString())).isEqualTo(2);
    assertThat(err()).contains("unknown TimerGuard rule 'TG999'");
    assertThat(TimerGuardCli.run("scan", "--baseline", dir.resolve("nope.txt").toString(), dir.toString())).isEqualTo(2);
    assertThat(err()).contains("baseline file does not exist");
    assertThat(TimerGuardCli.run("scan")).isEqualTo(2);
  }

  @Test
  void cleanCodeExitsZero() throws Exception {
    Files.writeString(dir.resolve("Clean.java"), "class Clean { void m() {} }\n");
    assertThat(TimerGuardCli.run("scan", "-q", dir.toString())).isZero();
    assertThat(out()).contains("0 finding(s) in 1 file(s)");
  }
}
