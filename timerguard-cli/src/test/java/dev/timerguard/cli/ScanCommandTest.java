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
    assertThat(
            TimerGuardCli.run(
                "scan", "--fail-on", "error", "--format", "json", "-q", dir.toString()))
        .isZero();
    assertThat(out()).contains("\"ruleId\": \"TG101\"");
    Path sarif = dir.resolve("out.sarif");
    assertThat(
            TimerGuardCli.run(
                "scan",
                "--format",
                "sarif",
                "-o",
                sarif.toString(),
                "-q",
                dir.resolve("Leaky.java").toString()))
        .isEqualTo(1);
    assertThat(Files.readString(sarif)).contains("\"version\": \"2.1.0\"", "\"ruleId\": \"TG101\"");
  }

  @Test
  void baselineMakesOnlyNewFindingsFail() throws Exception {
    Files.writeString(dir.resolve("Leaky.java"), LEAKY);
    Path baseline = dir.resolve("timerguard-baseline.txt");
    assertThat(
            TimerGuardCli.run(
                "scan",
                "-q",
                "--write-baseline",
                baseline.toString(),
                dir.resolve("Leaky.java").toString()))
        .isZero();
    assertThat(
            TimerGuardCli.run(
                "scan",
                "-q",
                "--baseline",
                baseline.toString(),
                dir.resolve("Leaky.java").toString()))
        .isZero();
    Files.writeString(
        dir.resolve("Leaky.java"),
        LEAKY.replace(
            "for (CompletableFuture<?> r : rs) {",
            "for (CompletableFuture<?> r : rs) {\n      r.completeOnTimeout(null, 9, TimeUnit.SECONDS);"));
    assertThat(
            TimerGuardCli.run(
                "scan",
                "-q",
                "--baseline",
                baseline.toString(),
                dir.resolve("Leaky.java").toString()))
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
    assertThat(
            TimerGuardCli.run(
                "scan", "--baseline", dir.resolve("nope.txt").toString(), dir.toString()))
        .isEqualTo(2);
    assertThat(err()).contains("baseline file does not exist");
    assertThat(TimerGuardCli.run("scan")).isEqualTo(2);
  }

  @Test
  void cleanCodeExitsZero() throws Exception {
    Files.writeString(dir.resolve("Clean.java"), "class Clean { void m() {} }\n");
    assertThat(TimerGuardCli.run("scan", "-q", dir.toString())).isZero();
    assertThat(out()).contains("0 finding(s) in 1 file(s)");
  }

  @Test
  void filesThatCouldNotBeAnalysedFailTheScanWithExitThreeUnlessAllowed() throws Exception {
    Files.writeString(dir.resolve("Clean.java"), "class Clean { void m() {} }\n");
    Files.writeString(dir.resolve("Broken.java"), "class Broken {");
    assertThat(TimerGuardCli.run("scan", "-q", dir.toString())).isEqualTo(3);
    assertThat(out()).contains("Broken.java: error: unparsable").contains("1 file(s) not analysed");
    assertThat(err())
        .contains("timerguard scan: 1 of 2 file(s) could not be analysed")
        .contains("--allow-unanalysed");
    assertThat(TimerGuardCli.run("scan", "-q", "--allow-unanalysed", dir.toString())).isZero();
    Files.writeString(dir.resolve("Leaky.java"), LEAKY);
    assertThat(TimerGuardCli.run("scan", "-q", dir.toString()))
        .as("findings come first")
        .isEqualTo(1);
    assertThat(TimerGuardCli.run("scan", "-q", "--fail-on", "never", dir.toString())).isEqualTo(3);
  }

  @Test
  void anOutputPathThatCannotBeWrittenIsRefusedBeforeScanning() throws Exception {
    Files.writeString(dir.resolve("Leaky.java"), LEAKY);
    Path missing = dir.resolve("no-such-folder").resolve("report.sarif");
    assertThat(TimerGuardCli.run("scan", "-o", missing.toString(), dir.toString())).isEqualTo(2);
    assertThat(err().strip())
        .isEqualTo(
            "timerguard scan: cannot write the report to "
                + missing
                + ": folder "
                + missing.getParent()
                + " does not exist");
    assertThat(TimerGuardCli.run("scan", "-o", dir.toString(), dir.toString())).isEqualTo(2);
    assertThat(err()).contains("cannot write the report to " + dir + ": it is a folder");
    assertThat(TimerGuardCli.run("scan", "--write-baseline", missing.toString(), dir.toString()))
        .isEqualTo(2);
    assertThat(err()).contains("cannot write the baseline to " + missing);
    assertThat(err()).doesNotContain("files in"); // no scan started
  }

  @Test
  void aReportThatCannotBeWrittenToStandardOutputIsAnError() throws Exception {
    Path full = Path.of("/dev/full");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isWritable(full), "needs /dev/full");
    Files.writeString(dir.resolve("Leaky.java"), LEAKY);
    ProcessResult r = runCli(java.util.List.of(), full.toFile(), "scan", "-q", dir.toString());
    assertThat(r.exit).as(r.err).isEqualTo(2);
    assertThat(r.err.strip())
        .isEqualTo("timerguard scan: cannot write the report to standard output");
  }

  @Test
  void aFileTooLargeToAnalyseIsNamedAndTheOthersAreScanned() throws Exception {
    Files.writeString(dir.resolve("Leaky.java"), LEAKY);
    Files.writeString(
        dir.resolve("Huge.java"), "class Huge { String s = \"" + "x".repeat(3000) + "\"; }\n");
    assertThat(TimerGuardCli.run("scan", "-q", "--max-file-size", "2k", dir.toString()))
        .isEqualTo(1);
    assertThat(out())
        .contains("Leaky.java:5:7: warning: [TG101]")
        .contains(
            "Huge.java: error: too large to analyse: 3030 bytes, above the limit of 2048 bytes");
    assertThat(TimerGuardCli.run("scan", "-q", "--max-file-size", "lots", dir.toString()))
        .isEqualTo(2);
    assertThat(err()).contains("--max-file-size must be from 1 to 4g bytes");
    assertThat(TimerGuardCli.run("scan", "-q", "--max-file-size", "5g", dir.toString()))
        .isEqualTo(2);
  }

  /**
   * A file so large that the scanner runs out of memory on it (a 64 MB heap, the size limit raised)
   * costs only itself: it is named, the other file of its batch is analysed.
   */
  @Test
  void aFileThatExhaustsTheHeapCostsOnlyItself() throws Exception {
    Files.writeString(dir.resolve("Leaky.java"), LEAKY);
    try (java.io.Writer w = Files.newBufferedWriter(dir.resolve("Huge.java"))) {
      w.write("class Huge { String s = \"");
      char[] chunk = new char[1 << 20];
      java.util.Arrays.fill(chunk, 'x');
      for (int i = 0; i < 96; i++) {
        w.write(chunk);
      }
      w.write("\"; }\n");
    }
    ProcessResult r =
        runCli(
            java.util.List.of("-Xmx64m"),
            null,
            "scan",
            "-q",
            "--max-file-size",
            "1g",
            "--threads",
            "1",
            dir.toString());
    assertThat(r.exit).as(r.err).isEqualTo(1);
    assertThat(r.out)
        .contains("Leaky.java:5:7: warning: [TG101]")
        .contains("Huge.java: error: too large to analyse")
        .contains("1 file(s) not analysed");
  }

  private record ProcessResult(int exit, String out, String err) {}

  /** Runs the CLI in a child JVM (stdout to {@code stdout} if not null). */
  private static ProcessResult runCli(
      java.util.List<String> jvmArgs, java.io.File stdout, String... args) throws Exception {
    java.util.List<String> cmd = new java.util.ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmArgs);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(TimerGuardCli.class.getName());
    cmd.addAll(java.util.List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    Path errFile = Files.createTempFile("scan-err", ".txt");
    Path outFile = Files.createTempFile("scan-out", ".txt");
    try {
      pb.redirectError(errFile.toFile());
      pb.redirectOutput(stdout != null ? stdout : outFile.toFile());
      Process p = pb.start();
      assertThat(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      return new ProcessResult(p.exitValue(), Files.readString(outFile), Files.readString(errFile));
    } finally {
      Files.deleteIfExists(errFile);
      Files.deleteIfExists(outFile);
    }
  }
}
