package dev.timerguard.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.timerguard.agent.testing.Promtool;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The packaged agent's /metrics in a child JVM running {@link LeakySample}, scraped as Prometheus
 * would: checked by {@code promtool check metrics}, with the always-on watch time-compressed (rapid
 * window 1 s, rapid rate 10/s) so the leaking site reaches severity 2 within seconds, and behind a
 * bearer token.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsContractIT {

  private static final String TOKEN = "it-token-42";
  private static final String SAMPLE = LeakySample.class.getName();

  private Path dir;
  private ChildJvm child;
  private int port;

  @BeforeAll
  void start() throws Exception {
    dir = Files.createTempDirectory("timerguard-metrics-it");
    Path tokenFile = dir.resolve("token");
    Files.writeString(tokenFile, TOKEN + "\n");
    Path portFile = dir.resolve("port");
    child =
        new ChildJvm(
            List.of(
                "-Dtimerguard.watch.rapidRatePerSecond=10",
                "-javaagent:"
                    + ChildJvm.agentJar()
                    + "=http=0,portFile="
                    + portFile
                    + ",sampleMillis=100"
                    + ",watchCompression=600,tokenFile="
                    + tokenFile),
            SAMPLE,
            "100000",
            "50");
    child.await("ready", 30);
    port = ChildJvm.awaitPort(portFile, 30);
  }

  @AfterAll
  void stop() throws Exception {
    if (child != null) {
      child.close();
    }
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private String metrics() throws Exception {
    HttpResponse<String> r = ChildJvm.request(port, "/metrics", "Authorization", "Bearer " + TOKEN);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValue("text/plain; version=0.0.4; charset=utf-8");
    return r.body();
  }

  private static String sample(String metrics, String name, String kind, int line) {
    Matcher m =
        Pattern.compile(
                "(?m)^"
                    + name
                    + "\\{kind=\""
                    + kind
                    + "\",site=\"[^\"]+\",class=\""
                    + Pattern.quote(SAMPLE)
                    + "\",line=\""
                    + line
                    + "\"} (\\S+)$")
            .matcher(metrics);
    return m.find() ? m.group(1) : null;
  }

  @Test
  void theBootJarCarriesTheWatchSoItIsSharedWithTheJdkAndTheApplication() throws Exception {
    java.util.Set<String> names = new java.util.HashSet<>();
    try (java.util.jar.JarFile agent = new java.util.jar.JarFile(ChildJvm.agentJar().toFile());
        java.util.jar.JarInputStream boot =
            new java.util.jar.JarInputStream(
                agent.getInputStream(
                    agent.getJarEntry("META-INF/timerguard/timerguard-agent-boot.jar")))) {
      for (java.util.jar.JarEntry e; (e = boot.getNextJarEntry()) != null; ) {
        names.add(e.getName());
      }
      assertThat(agent.getJarEntry("dev/timerguard/live/GrowthWatch.class"))
          .as("not beside the boot jar")
          .isNull();
    }
    assertThat(names)
        .contains(
            "dev/timerguard/live/GrowthWatch.class",
            "dev/timerguard/live/GrowthWatch$Builder.class",
            "dev/timerguard/live/GrowthWatch$Report.class",
            "dev/timerguard/live/GrowthWatch$SiteStatus.class",
            "dev/timerguard/live/GrowthWatch$Listener.class",
            "dev/timerguard/live/WatchEvents.class",
            "dev/timerguard/live/WatchEvents$SeverityChanged.class",
            "dev/timerguard/live/SnapshotCodec.class",
            "dev/timerguard/internal/Json.class",
            "dev/timerguard/internal/Json$Writer.class",
            "dev/timerguard/agent/boot/Hooks.class");
    assertThat(names)
        .as("only the JSON of core's internal package")
        .noneMatch(
            n ->
                n.startsWith("dev/timerguard/internal/")
                    && n.endsWith(".class")
                    && !n.startsWith("dev/timerguard/internal/Json"));
  }

  @Test
  void promtoolFindsNothingToComplainAbout() throws Exception {
    Path promtool = Promtool.require();
    String text = metrics();
    assertThat(text).contains("timerguard_growth_worst_severity ", "timerguard_jvm_threads_live ");
    Promtool.Result r = Promtool.checkMetrics(promtool, text);
    assertThat(r.output()).as("promtool check metrics on\n" + text).isEmpty();
    assertThat(r.exitCode()).isZero();
  }

  @Test
  void theLeakingSiteReachesSeverityTwoWhileTheHealthyOnesStayAtZero() throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    String text = metrics();
    while (!"2"
        .equals(sample(text, "timerguard_site_growth_severity", "timer", LeakySample.LEAK_LINE))) {
      if (System.nanoTime() > end) {
        throw new AssertionError(
            "the leaking site never reached severity 2 within 60 s:\n"
                + text
                + "\nstderr:\n"
                + child.stderr());
      }
      Thread.sleep(100);
      text = metrics();
    }
    assertThat(
            Double.parseDouble(
                sample(text, "timerguard_site_growth_rate", "timer", LeakySample.LEAK_LINE)))
        .isGreaterThan(10);
    assertThat(text).contains("timerguard_growth_worst_severity 2\n");
    for (int line : new int[] {LeakySample.CANCELLED_LINE, LeakySample.FIRED_LINE}) {
      assertThat(sample(text, "timerguard_site_growth_severity", "timer", line))
          .as("timer line " + line)
          .isEqualTo("0");
    }
    assertThat(sample(text, "timerguard_site_growth_severity", "thread", LeakySample.THREAD_LINE))
        .isEqualTo("0");
    // the pool keeps every cancelled 10-minute timeout queued (CANCELLED_LINE): the watch follows
    // what an executor site holds, so the pool's own site grows too, from retained tasks alone
    String poolLevel =
        sample(text, "timerguard_site_growth_severity", "executor", LeakySample.POOL_LINE);
    while (!"2".equals(poolLevel)) {
      if (System.nanoTime() > end) {
        throw new AssertionError(
            "the retaining pool never reached severity 2 within 60 s:\n" + text);
      }
      Thread.sleep(100);
      text = metrics();
      poolLevel =
          sample(text, "timerguard_site_growth_severity", "executor", LeakySample.POOL_LINE);
    }
    assertThat(sample(text, "timerguard_site_live", "executor", LeakySample.POOL_LINE))
        .isEqualTo("1");
    // the watch logs the change after publishing it, and the child's stderr arrives through a pipe
    String logged =
        "TimerGuard watch: TIMER "
            + SAMPLE
            + ".request(LeakySample.java:"
            + LeakySample.LEAK_LINE
            + ") RAPID (was NONE)";
    while (!child.stderr().contains(logged)) {
      if (System.nanoTime() > end) {
        throw new AssertionError(
            "the watch never logged '" + logged + "'; stderr:\n" + child.stderr());
      }
      Thread.sleep(50);
    }
  }

  @Test
  void everyEndpointNeedsTheTokenAndAForeignHostIsForbidden() throws Exception {
    for (String path : List.of("/metrics", "/timers", "/snapshot", "/threads")) {
      assertThat(ChildJvm.request(port, path).statusCode()).as(path).isEqualTo(401);
      assertThat(ChildJvm.request(port, path, "Authorization", "Bearer wrong").statusCode())
          .as(path)
          .isEqualTo(401);
      assertThat(ChildJvm.request(port, path, "Authorization", "Bearer " + TOKEN).statusCode())
          .as(path)
          .isEqualTo(200);
    }
    // the JDK client will not send a foreign Host header, so speak HTTP by hand
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      s.getOutputStream()
          .write(
              ("GET /threads HTTP/1.1\r\nHost: rebound.attacker.example:"
                      + port
                      + "\r\nAuthorization: Bearer "
                      + TOKEN
                      + "\r\n\r\n")
                  .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      String answer =
          new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
      assertThat(answer).startsWith("HTTP/1.1 403 ");
    }
  }
}
