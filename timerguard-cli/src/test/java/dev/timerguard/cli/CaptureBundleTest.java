package dev.timerguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.timerguard.live.CallSite;
import dev.timerguard.live.SiteStats;
import dev.timerguard.live.Snapshot;
import dev.timerguard.live.SnapshotCodec;
import java.io.IOException;
import java.lang.management.ThreadInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The evidence bundle on scripted targets (no JVM attached): the folder checks, the parts, the
 * README for a run cut short or a part that fails, the CSV against the report.
 */
class CaptureBundleTest {

  @TempDir Path tmp;

  private static final String SELF = Long.toString(ProcessHandle.current().pid());

  private static void assertOneLineError(CliRun r, String expected) {
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err().strip()).contains(expected);
    assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
  }

  /**
   * A target whose timer site grows by 20 per sample; {@code failAfter} samples, then it is gone.
   */
  private static final class Scripted implements DoctorTarget {
    final int failAfter;
    int sample;

    Scripted(int failAfter) {
      this.failAfter = failAfter;
    }

    @Override
    public String snapshotJson() {
      if (sample == failAfter) {
        throw new IllegalStateException("connection closed");
      }
      long live = 5 + 20L * sample;
      List<SiteStats> sites = new ArrayList<>();
      sites.add(
          new SiteStats(
              CallSite.of(CallSite.Kind.TIMER, "com.acme.Rpc", "read", "Rpc.java", 88),
              live,
              0,
              0,
              live,
              live,
              0,
              0));
      sites.add(
          new SiteStats(
              CallSite.of(CallSite.Kind.TIMER, "com.acme.Rpc", "ok", "Rpc.java", 90),
              100,
              100,
              0,
              0,
              1,
              0,
              0));
      sites.add(
          new SiteStats(
              CallSite.of(CallSite.Kind.EXECUTOR, "com.acme.Pool", "make", "Pool.java", 7),
              1,
              0,
              0,
              1,
              1,
              0,
              30L * sample));
      Snapshot snap =
          new Snapshot(1_000_000_000L * sample, 1_700_000_000_000L + 1000L * sample, sites);
      sample++;
      return SnapshotCodec.encode(snap);
    }

    @Override
    public String[] timerTaskClasses() {
      return new String[0];
    }

    @Override
    public ThreadInfo[] threads() {
      return new ThreadInfo[0];
    }

    @Override
    public long heapUsed() {
      return 10 << 20;
    }

    @Override
    public String classHistogram() {
      return " num     #instances         #bytes  class name (module)\n"
          + "   1:          "
          + (10 + 20 * sample)
          + "           4800  java.util.concurrent.ScheduledThreadPoolExecutor$ScheduledFutureTask (java.base@17)\n"
          + "   2:             "
          + (3 + sample)
          + "            72  com.acme.<b>Odd</b>\n";
    }
  }

  /** A Java 17 target without a flight recorder; records what was asked. */
  private static final class Java17NoJfr implements CaptureTarget {
    final List<String> calls = new ArrayList<>();

    @Override
    public int featureVersion() {
      return 17;
    }

    @Override
    public void threadDumpJson(Path file) {
      calls.add("json");
      throw new AssertionError("a Java 17 target has no JSON thread dump");
    }

    @Override
    public String threadDumpText() {
      calls.add("text");
      return "Full thread dump\n\"main\" #1 prio=5\n";
    }

    @Override
    public long startRecording(Path file, Duration limit) {
      calls.add("start");
      throw new IllegalStateException("jdk.management.jfr:type=FlightRecorder not registered");
    }

    @Override
    public void stopRecording(long id) {
      calls.add("stop");
    }
  }

  private static Diagnosis diagnosis(DoctorTarget t) {
    return new Diagnosis(
        t, ProcessHandle.current().pid(), Duration.ofSeconds(10), Duration.ofSeconds(1), d -> {});
  }

  private static List<String> files(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static void assertReadmeListsEveryFile(Path dir) throws IOException {
    String readme = Files.readString(dir.resolve("README.txt"));
    for (String f : files(dir)) {
      assertThat(readme)
          .as("README.txt lists " + f)
          .containsPattern("(?m)^  " + java.util.regex.Pattern.quote(f) + "[ :]");
    }
  }

  @Test
  void aCompleteBundleFromAJava17TargetWithoutAFlightRecorderSaysWhatIsMissingAndWhy()
      throws Exception {
    Path dir = tmp.resolve("bundle");
    CaptureBundle b = CaptureBundle.prepare(dir.toString(), false);
    Java17NoJfr target = new Java17NoJfr();
    Diagnosis.Report r = b.capture(target, 42, Duration.ofMinutes(2), diagnosis(new Scripted(-1)));

    assertThat(r.leak()).isTrue();
    assertThat(target.calls)
        .containsExactly("start", "text"); // no JSON dump asked of Java 17, no stop
    assertThat(files(dir))
        .containsExactly(
            "README.txt",
            "histogram-end.txt",
            "histogram-start.txt",
            "report.html",
            "report.json",
            "report.txt",
            "samples.csv",
            "threads.txt");
    assertThat(Files.readString(dir.resolve("report.txt"))).isEqualTo(ReportWriter.text(r));
    assertThat(Files.readString(dir.resolve("report.json"))).isEqualTo(ReportWriter.json(r) + "\n");
    assertThat(Files.readString(dir.resolve("histogram-start.txt"))).contains(" 10 ");
    assertThat(Files.readString(dir.resolve("histogram-end.txt"))).contains(" 210 ");
    String readme = Files.readString(dir.resolve("README.txt"));
    assertThat(readme)
        .contains("Outcome:    complete")
        .contains(
            "recording.jfr: the target could not start a flight recording:"
                + " jdk.management.jfr:type=FlightRecorder not registered")
        .contains(
            "plain text because the target runs Java 17: the JSON thread dump"
                + " (Thread.dump_to_file -format=json, with virtual threads) needs Java 21 or later")
        .contains("samples.csv (")
        .contains("10 samples");
    assertReadmeListsEveryFile(dir);
    assertThat(b.summary()).contains("8 files").contains("missing recording.jfr");
  }

  @Test
  void theSamplesCsvHasOneRowPerSamplePerSiteAndAgreesWithTheReport() throws Exception {
    Path dir = tmp.resolve("bundle");
    Diagnosis.Report r =
        CaptureBundle.prepare(dir.toString(), false)
            .capture(new Java17NoJfr(), 42, Duration.ofMinutes(2), diagnosis(new Scripted(-1)));
    List<String> lines = Files.readAllLines(dir.resolve("samples.csv"));
    assertThat(lines.get(0)).isEqualTo("time,kind,site,live,created,fired,cancelled,retained");
    assertThat(lines).hasSize(1 + 10 * 3);
    assertThat(lines.get(1))
        .isEqualTo("2023-11-14T22:13:20Z,TIMER,com.acme.Rpc.read(Rpc.java:88),5,5,0,0,0");
    // the report's timer site ends where the CSV's last row for it ends
    Diagnosis.SiteFinding timer = r.timerSites().get(0);
    String last =
        lines.stream()
            .filter(l -> l.contains("," + timer.site().location() + ","))
            .reduce((a, b) -> b)
            .orElseThrow();
    assertThat(last.split(",")[3]).isEqualTo(Long.toString(timer.now()));
    // the executor retaining cancelled tasks: its last retained value is the report's "now"
    Diagnosis.SiteFinding retained = r.executors().get(0);
    String lastExec =
        lines.stream()
            .filter(l -> l.contains("," + retained.site().location() + ","))
            .reduce((a, b) -> b)
            .orElseThrow();
    assertThat(lastExec.split(",")[7]).isEqualTo(Long.toString(retained.now()));
    // and the page plots exactly those two findings
    String html = Files.readString(dir.resolve("report.html"));
    assertThat(html.split("<polyline ", -1)).hasSize(3);
    assertThat(html)
        .contains(
            "data-site=\"com.acme.Rpc.read(Rpc.java:88)\" data-kind=\"TIMER\" data-metric=\"live\"")
        .contains(
            "data-site=\"com.acme.Pool.make(Pool.java:7)\" data-kind=\"EXECUTOR\" data-metric=\"retained\"")
        .contains("com.acme.&lt;b&gt;Odd&lt;/b&gt;")
        .doesNotContain("<b>Odd");
  }

  @Test
  void aTargetLostMidSamplingLeavesTheWrittenPartsValidAndAReadmeSayingWhatIsMissing()
      throws Exception {
    Path dir = tmp.resolve("bundle");
    CaptureBundle b = CaptureBundle.prepare(dir.toString(), false);
    DoctorException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            DoctorException.class,
            () ->
                b.capture(
                    new Java17NoJfr(), 42, Duration.ofMinutes(2), diagnosis(new Scripted(4))));
    assertThat(e.getMessage()).contains("during sampling");

    assertThat(files(dir)).containsExactly("README.txt", "histogram-start.txt", "samples.csv");
    assertThat(Files.readAllLines(dir.resolve("samples.csv")))
        .hasSize(1 + 4 * 3)
        .allSatisfy(l -> assertThat(l.split(",")).hasSize(8));
    String readme = Files.readString(dir.resolve("README.txt"));
    assertThat(readme)
        .contains("Outcome:    stopped early: " + e.getMessage())
        .contains("report.json: not reached: " + e.getMessage())
        .contains("report.html: not reached: ")
        .contains("histogram-end.txt: not reached: ")
        .contains("threads.json or threads.txt: not reached: ")
        .contains("4 samples");
    assertReadmeListsEveryFile(dir);
    assertThat(b.abandon(e).getMessage())
        .contains(e.getMessage())
        .contains("the evidence bundle in " + dir + " keeps what was captured");
  }

  @Test
  void aNonEmptyDirectoryIsRefusedBeforeAttachingUnlessForced() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("old"));
    Files.writeString(dir.resolve("notes.md"), "mine");
    // this JVM's own pid: a directory check that came after attaching would say "itself" instead
    assertOneLineError(
        CliRun.of("doctor", SELF, "--capture", dir.toString()),
        "--capture directory "
            + dir
            + " is not empty (1 entries, e.g. notes.md); give a new or"
            + " empty directory, or add --force to replace the bundle's files in it");
    assertThat(files(dir)).containsExactly("notes.md");

    Files.writeString(dir.resolve("report.json"), "{\"old\":true}");
    CaptureBundle b = CaptureBundle.prepare(dir.toString(), true);
    assertThat(files(dir))
        .containsExactly("notes.md"); // the old bundle's part is gone, the rest stays
    b.capture(new Java17NoJfr(), 42, Duration.ofMinutes(2), diagnosis(new Scripted(-1)));
    assertThat(Files.readString(dir.resolve("README.txt")))
        .contains("Other files (not written by this run)\n  notes.md (4 bytes)\n");
    assertReadmeListsEveryFile(dir);
  }

  @Test
  void aDirectoryThatCannotBeCreatedIsOneLineBeforeAttaching() throws Exception {
    Path file = Files.writeString(tmp.resolve("plain-file"), "x");
    assertOneLineError(
        CliRun.of("doctor", SELF, "--capture", file.resolve("bundle").toString()),
        "--capture directory " + file.resolve("bundle") + " cannot be created (");
    assertOneLineError(
        CliRun.of("doctor", SELF, "--capture", file.toString()),
        "--capture " + file + " is a file, not a directory");
  }

  @Test
  void aDirectoryThisUserCannotWriteIsOneLineBeforeAttaching() throws Exception {
    assumeThat(System.getProperty("user.name")).as("root writes anywhere").isNotEqualTo("root");
    Path dir = Files.createDirectories(tmp.resolve("locked"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-xr-xr-x"));
    try {
      assertOneLineError(
          CliRun.of("doctor", SELF, "--capture", dir.toString()),
          "--capture directory " + dir + " is not writable (");
    } finally {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
  }

  @Test
  void forceWithoutCaptureIsRefused() {
    assertOneLineError(
        CliRun.of("doctor", SELF, "--force"),
        "--force applies to --capture DIR only; give --capture DIR too");
  }

  @Test
  void theHelpNamesCaptureAndForce() {
    CliRun r = CliRun.of("doctor", "--help");
    assertThat(r.out()).contains("--capture=DIR").contains("evidence bundle").contains("--force");
  }
}
