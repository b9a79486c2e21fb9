package dev.timerguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code timerguard doctor <pid> --capture DIR} against the fixed-line leaky service in a child
 * JVM, by dynamic attach: every part of the bundle, read back with the tool made for it (Jackson
 * for the report, the JDK's JFR reader for the recording, a headless Chromium for the page).
 */
class CaptureEndToEndTest {

  @TempDir Path tmp;

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Runs the doctor with --capture on the leaky service; returns the bundle's folder. */
  private Path captureLeakyService(String... more) throws Exception {
    Path dir = tmp.resolve("bundle");
    try (DemoTarget t = LeakyService.start("100")) {
      List<String> args =
          new ArrayList<>(
              List.of(
                  "doctor",
                  Long.toString(t.pid()),
                  "--duration",
                  "5s",
                  "--interval",
                  "500ms",
                  "--capture",
                  dir.toString()));
      args.addAll(List.of(more));
      CliRun r = CliRun.of(args.toArray(new String[0]));
      assertThat(r.exit()).as(r.err()).isEqualTo(1);
      assertThat(r.err().strip()).startsWith("timerguard doctor: evidence bundle in " + dir + ": ");
    }
    return dir;
  }

  private static List<String> files(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** The report's growing findings: location and the metric the page plots for it. */
  private static List<String[]> growing(JsonNode report) {
    List<String[]> out = new ArrayList<>();
    for (String section : List.of("timerSites", "executors")) {
      for (JsonNode f : report.get(section)) {
        boolean retained = f.get("fix").asText().startsWith("this ScheduledThreadPoolExecutor");
        out.add(
            new String[] {
              f.get("location").asText(),
              f.get("kind").asText(),
              retained ? "retained" : "live",
              f.get("now").asText()
            });
      }
    }
    return out;
  }

  @Test
  void theBundleHoldsEveryPartAndTheCsvAgreesWithTheReport() throws Exception {
    Path dir = captureLeakyService();
    boolean json = Runtime.version().feature() >= 21; // the child runs this JVM's java
    String threads = json ? "threads.json" : "threads.txt";
    assertThat(files(dir))
        .containsExactlyInAnyOrder(
            "README.txt",
            "histogram-end.txt",
            "histogram-start.txt",
            "recording.jfr",
            "report.html",
            "report.json",
            "report.txt",
            "samples.csv",
            threads);
    String readme = Files.readString(dir.resolve("README.txt"));
    assertThat(readme).contains("Outcome:    complete").contains("Missing: nothing");
    for (String f : files(dir)) {
      assertThat(readme).containsPattern("(?m)^  " + Pattern.quote(f) + "[ :]");
    }
    assertThat(Files.readString(dir.resolve("histogram-start.txt"))).contains("#instances");
    assertThat(Files.readString(dir.resolve("histogram-end.txt")))
        .contains("ScheduledThreadPoolExecutor$ScheduledFutureTask");
    String dump = Files.readString(dir.resolve(threads));
    if (json) {
      assertThat(JSON.readTree(dump).get("threadDump").get("threadContainers").size()).isPositive();
    } else {
      assertThat(dump).contains("\"stdin-watch\"");
      assertThat(readme).contains("plain text because the target runs Java 17");
    }

    // the recording holds TimerGuard's events from the leaky service's lines
    int scheduled = 0;
    Set<String> sites = new HashSet<>();
    for (RecordedEvent e : RecordingFile.readAllEvents(dir.resolve("recording.jfr"))) {
      if (e.getEventType().getName().equals("dev.timerguard.TimerScheduled")) {
        scheduled++;
        sites.add(e.getString("site"));
      }
    }
    assertThat(scheduled).isGreaterThan(50);
    assertThat(String.join("\n", sites)).contains("LeakyService.java:37");

    // the CSV: one row per sample per site; its last values are the report's
    JsonNode report = JSON.readTree(dir.resolve("report.json").toFile());
    List<String> lines = Files.readAllLines(dir.resolve("samples.csv"));
    assertThat(lines.get(0)).isEqualTo(CaptureBundle.CSV_HEADER);
    Set<String> times = new HashSet<>();
    for (String l : lines.subList(1, lines.size())) {
      assertThat(l.split(",")).as(l).hasSize(8);
      times.add(l.substring(0, l.indexOf(',')));
    }
    assertThat(times).hasSize(report.get("samples").asInt());
    List<String[]> findings = growing(report);
    assertThat(findings).hasSizeGreaterThanOrEqualTo(3);
    for (String[] f : findings) {
      String last =
          lines.stream()
              .filter(l -> l.contains("," + f[1] + "," + f[0] + ","))
              .reduce((a, b) -> b)
              .orElseThrow(() -> new AssertionError("no CSV row for " + f[0]));
      String[] cells = last.split(",");
      assertThat(cells[f[2].equals("retained") ? 7 : 3]).as(f[0]).isEqualTo(f[3]);
    }
  }

  @Test
  void thePageRendersInAHeadlessBrowserWithOneSeriesPerGrowingSite() throws Exception {
    String chromium = onPath("chromium");
    assumeTrue(
        chromium != null,
        "chromium is not installed: 'apt-get install -y chromium' to render report.html in a browser");
    Path dir = captureLeakyService();
    Path page = dir.resolve("report.html");
    String source = Files.readString(page);
    assertThat(source)
        .doesNotContain("<script")
        .doesNotContain("src=")
        .doesNotContain("href=")
        .doesNotContain("url(")
        .doesNotContain("@import");

    String dom = browser(chromium, "--dump-dom", page.toUri().toString());
    JsonNode report = JSON.readTree(dir.resolve("report.json").toFile());
    assertThat(dom)
        .contains("TimerGuard doctor: JVM " + report.get("pid").asText())
        .contains("Live timers per growing site")
        .contains("Leaking lines");
    List<String[]> findings = growing(report);
    assertThat(findings).hasSizeGreaterThanOrEqualTo(3);
    Matcher m =
        Pattern.compile("<polyline [^>]*data-site=\"([^\"]*)\"[^>]*data-metric=\"([^\"]*)\"")
            .matcher(dom);
    List<String> plotted = new ArrayList<>();
    while (m.find()) {
      plotted.add(m.group(1) + " " + m.group(2));
    }
    List<String> expected = findings.stream().map(f -> f[0] + " " + f[2]).toList();
    assertThat(plotted).containsExactlyInAnyOrderElementsOf(expected);
    for (String[] f : findings) {
      assertThat(dom).contains("<code class=\"site\">" + f[0] + "</code>");
    }
    assertThat(dom)
        .contains("LeakyService.java:37)")
        .contains("LeakyService.java:40)")
        .contains("ScheduledThreadPoolExecutor$ScheduledFutureTask");

    Path png = tmp.resolve("report.png");
    browser(chromium, "--screenshot=" + png, "--window-size=1100,2200", page.toUri().toString());
    assertThat(Files.size(png)).isGreaterThan(10_000);
    Path keep = Path.of("target", "capture-report.png");
    Files.createDirectories(keep.getParent());
    Files.copy(png, keep, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  /** Runs headless Chromium with a throwaway profile and returns what it prints. */
  private String browser(String chromium, String... args) throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--user-data-dir=" + Files.createTempDirectory(tmp, "profile")));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("chromium did not finish within 120 s");
    }
    assertThat(p.exitValue()).as("chromium exit").isZero();
    return new String(out, StandardCharsets.UTF_8);
  }

  private static String onPath(String name) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path p = Path.of(d, name);
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    return null;
  }

  @Test
  void aTargetThatExitsMidSamplingLeavesValidPartsAndAReadmeSayingWhatIsMissing() throws Exception {
    Path dir = tmp.resolve("bundle");
    CliRun r;
    try (DemoTarget t = DemoTarget.startBundled(8)) {
      r =
          CliRun.of(
              "doctor",
              Long.toString(t.pid()),
              "--duration",
              "30s",
              "--interval",
              "500ms",
              "--capture",
              dir.toString());
    }
    assertThat(r.exit()).as(r.out()).isEqualTo(2);
    assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
    assertThat(r.err())
        .contains("exited during sampling")
        .contains(
            "the evidence bundle in "
                + dir
                + " keeps what was captured; README.txt says what is missing");
    assertThat(files(dir))
        .contains("README.txt", "histogram-start.txt", "samples.csv")
        .doesNotContain("report.json", "report.txt", "report.html", "histogram-end.txt");
    List<String> lines = Files.readAllLines(dir.resolve("samples.csv"));
    assertThat(lines.get(0)).isEqualTo(CaptureBundle.CSV_HEADER);
    assertThat(lines.size()).isGreaterThan(1);
    assertThat(lines).allSatisfy(l -> assertThat(l.split(",")).as(l).hasSize(8));
    assertThat(Files.readString(dir.resolve("histogram-start.txt"))).contains("#instances");
    String readme = Files.readString(dir.resolve("README.txt"));
    assertThat(readme)
        .contains("Outcome:    stopped early: JVM ")
        .contains("exited during sampling")
        .containsPattern("report\\.json: not reached: JVM \\d+ exited during sampling")
        .contains("histogram-end.txt: not reached: ");
    for (String f : files(dir)) {
      assertThat(readme).containsPattern("(?m)^  " + Pattern.quote(f) + "[ :]");
    }
  }
}
