import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoublePredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The production watch end to end, against a real Prometheus server.
 *
 * <p>Starts, all on 127.0.0.1 and each on a free port:
 *
 * <ol>
 *   <li>the bundled leaky service ({@code dev.timerguard.samples.service.LeakyService}) with the
 *       TimerGuard agent, whose {@code /metrics} is scraped as job {@code agent};
 *   <li>the Spring Boot sample with the TimerGuard starter, scraped at {@code
 *       /actuator/prometheus} as job {@code spring}, and a bounded load loop on its {@code /leaky}
 *       and {@code /healthy} endpoints;
 *   <li>the same Spring Boot sample with the agent loaded too (job {@code spring-agent}): the
 *       starter then exports the registry the agent writes, JDK executors and threads included;
 *   <li>a Prometheus server scraping all three every second.
 * </ol>
 *
 * <p>Both JVMs run the watch with its windows compressed 60 times ({@code watchCompression=60}
 * for the agent, {@code timerguard.watch.time-compression=60} for the starter): "100 live/s over
 * 10 minutes" becomes "100 live/s over 10 seconds". Then it asks Prometheus's HTTP API, and
 * checks for each job: the target is up, the leaking site's {@code timerguard_site_live} grows,
 * its {@code timerguard_site_growth_severity} reaches 2 (rapid), and a healthy site's severity
 * stays 0 throughout. Everything it started is stopped at the end, on failure too, and every
 * child runs under {@code timeout} so nothing outlives a killed run.
 *
 * <p>Run by {@code ops/e2e/run-prometheus-e2e.sh} (which builds the jars); exit 0 when every
 * check passed, 1 when one failed, 2 on a set-up error.
 */
public class PrometheusEndToEnd {

  static final Duration OVERALL = Duration.ofMinutes(4);
  static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  static final List<Process> STARTED = new ArrayList<>();
  static Path work;
  static int passed;
  static int failed;

  public static void main(String[] args) throws Exception {
    String prometheus = args.length > 0 ? args[0] : "prometheus";
    Path agentJar = Path.of("timerguard-agent/target/timerguard-agent.jar");
    Path serviceJar = Path.of("timerguard-cli/target/timerguard.jar");
    Path springJar = Path.of("timerguard-spring-boot-sample/target/timerguard-spring-boot-sample.jar");
    for (Path p : List.of(agentJar, serviceJar, springJar)) {
      if (!Files.isRegularFile(p)) {
        System.err.println("e2e: " + p + " is missing; build first (ops/e2e/run-prometheus-e2e.sh does)");
        System.exit(2);
      }
    }
    Runtime.getRuntime().addShutdownHook(new Thread(PrometheusEndToEnd::stopAll));
    long deadline = System.nanoTime() + OVERALL.toNanos();
    work = Files.createTempDirectory("timerguard-e2e");
    int code = 2;
    try {
      code = run(prometheus, agentJar, serviceJar, springJar, deadline);
    } catch (Exception e) {
      System.out.println("e2e: set-up failed: " + e.getMessage());
      failed++; // show the children's logs
    } finally {
      stopAll();
      deleteTree(work);
    }
    System.exit(code);
  }

  static int run(String prometheus, Path agentJar, Path serviceJar, Path springJar, long deadline)
      throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    // (a) the bundled leaky service with the agent
    Path portFile = work.resolve("agent.port");
    start(
        "agent",
        java,
        "-Xmx512m",
        "-javaagent:" + agentJar.toAbsolutePath() + "=http=0,portFile=" + portFile + ",watchCompression=60",
        "-cp",
        serviceJar.toAbsolutePath().toString(),
        "dev.timerguard.samples.service.LeakyService",
        "--rate",
        "300",
        "--seconds",
        "200");
    int agentPort = awaitPortFile(portFile, deadline);

    // (b) the Spring Boot sample with the starter
    int springPort = freePort();
    start(
        "spring",
        java,
        "-Xmx512m",
        "-jar",
        springJar.toAbsolutePath().toString(),
        "--server.port=" + springPort,
        "--server.address=127.0.0.1",
        "--timerguard.watch.time-compression=60");
    awaitHttp("http://127.0.0.1:" + springPort + "/actuator/health", deadline);

    // (c) the same Spring Boot sample with the agent loaded too: the starter's metrics then come
    // from the registry the agent writes (the JDK's executors and threads appear beside the
    // safe API's timers), and the starter uses the watch the agent started
    int springAgentPort = freePort();
    start(
        "spring-agent",
        java,
        "-Xmx512m",
        "-javaagent:" + agentJar.toAbsolutePath() + "=watchCompression=60",
        "-jar",
        springJar.toAbsolutePath().toString(),
        "--server.port=" + springAgentPort,
        "--server.address=127.0.0.1");
    awaitHttp("http://127.0.0.1:" + springAgentPort + "/actuator/health", deadline);

    // (c) Prometheus, scraping both every second
    int promPort = freePort();
    Path config = work.resolve("prometheus.yml");
    Files.writeString(
        config,
        String.join(
            "\n",
            "global:",
            "  scrape_interval: 1s",
            "  scrape_timeout: 1s",
            "scrape_configs:",
            "  - job_name: agent",
            "    static_configs:",
            "      - targets: ['127.0.0.1:" + agentPort + "']",
            "  - job_name: spring",
            "    metrics_path: /actuator/prometheus",
            "    static_configs:",
            "      - targets: ['127.0.0.1:" + springPort + "']",
            "  - job_name: spring-agent",
            "    metrics_path: /actuator/prometheus",
            "    static_configs:",
            "      - targets: ['127.0.0.1:" + springAgentPort + "']",
            ""));
    start(
        "prometheus",
        prometheus,
        "--config.file=" + config,
        "--storage.tsdb.path=" + work.resolve("tsdb"),
        "--web.listen-address=127.0.0.1:" + promPort,
        "--log.level=warn");
    String prom = "http://127.0.0.1:" + promPort;
    awaitHttp(prom + "/-/ready", deadline);

    // a bounded load on the sample: 200 leaky and 20 healthy requests a second for 25 seconds
    Thread load = new Thread(() -> load(springPort, Duration.ofSeconds(25)), "e2e-load");
    load.setDaemon(true);
    load.start();

    String agentLeak = "{job=\"agent\",kind=\"timer\",site=~\"dev\\\\.timerguard\\\\.samples\\\\.service\\\\.LeakyService\\\\.request\\\\(.*\"}";
    String agentHealthy = "{job=\"agent\",kind=\"executor\",class=\"dev.timerguard.samples.service.LeakyService\"}";
    String springLeak = "{job=\"spring\",kind=\"timer\",site=~\".*[Ll]eaky.*\"}";
    String springHealthy = "{job=\"spring\",kind=\"timer\",site=~\".*[Hh]ealthy.*\"}";

    check(prom, "agent target is up", "up{job=\"agent\"}", v -> v == 1, deadline);
    check(prom, "spring target is up", "up{job=\"spring\"}", v -> v == 1, deadline);
    check(prom, "spring with the agent: the starter exports the agent's executor and thread sites",
        "count(timerguard_site_live{job=\"spring-agent\",kind=~\"executor|thread\"})", v -> v >= 2, deadline);
    String settings = get("http://127.0.0.1:" + springAgentPort + "/actuator/timerguard");
    if (settings.contains("\"timeCompression\":60.0") || settings.contains("\"timeCompression\":60,")) {
      passed++;
      System.out.println("  ok    spring with the agent: the starter uses the watch the agent started (compression 60)");
    } else {
      failed++;
      System.out.println("  FAIL  spring with the agent: /actuator/timerguard shows another watch: " + settings);
    }
    check(prom, "agent: the leaking site's live timers grow by thousands",
        "max_over_time(timerguard_site_live" + agentLeak + "[5m]) - min_over_time(timerguard_site_live" + agentLeak + "[5m])",
        v -> v >= 2000, deadline);
    check(prom, "agent: the leaking site's severity reaches rapid (2)",
        "max_over_time(timerguard_site_growth_severity" + agentLeak + "[5m])", v -> v == 2, deadline);
    check(prom, "spring: the leaking site's live timers grow by thousands",
        "max_over_time(timerguard_site_live" + springLeak + "[5m]) - min_over_time(timerguard_site_live" + springLeak + "[5m])",
        v -> v >= 2000, deadline);
    check(prom, "spring: the leaking site's severity reaches rapid (2)",
        "max_over_time(timerguard_site_growth_severity" + springLeak + "[5m])", v -> v == 2, deadline);
    load.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
    // the healthy sites are judged over the whole run, once the leaks have been seen
    // the service's three schedulers: the keepalive one retains every cancelled keepalive (a
    // leak the watch follows on the executor's site); the two that retain nothing are healthy
    String retaining = "(max_over_time(timerguard_executor_retained_cancelled_tasks" + agentHealthy + "[5m]) > 1000)";
    String retainingNothing = "(max_over_time(timerguard_executor_retained_cancelled_tasks" + agentHealthy + "[5m]) == 0)";
    check(prom, "agent: the scheduler retaining cancelled keepalives reaches rapid (2) on its own site",
        "max_over_time(timerguard_site_growth_severity" + agentHealthy + "[5m]) and on(site) " + retaining,
        v -> v == 2, deadline);
    check(prom, "agent: healthy sites (the schedulers that retain nothing) exist and stay at severity 0",
        "max_over_time(timerguard_site_growth_severity" + agentHealthy + "[5m]) and on(site) " + retainingNothing,
        v -> v == 0, deadline);
    check(prom, "spring: the healthy endpoint's site exists and stays at severity 0",
        "max_over_time(timerguard_site_growth_severity" + springHealthy + "[5m]) == 0 and max_over_time(timerguard_site_creations_total" + springHealthy + "[5m]) > 100",
        v -> v == 0, deadline);
    check(prom, "both jobs report the worst severity as rapid",
        "count(max_over_time(timerguard_growth_worst_severity{job=~\"agent|spring\"}[5m]) == 2)", v -> v == 2, deadline);
    checkNamesUsedByOpsExist(prom);
    System.out.println("e2e: " + passed + " passed, " + failed + " failed");
    return failed == 0 ? 0 : 1;
  }

  /** Metric names that only the agent exports, or that exist only where executor or thread sites do. */
  static final java.util.Set<String> NOT_IN_EVERY_SPRING_APP =
      java.util.Set.of(
          "timerguard_executor_queue_size",
          "timerguard_agent_disabled_hooks",
          "timerguard_executor_retained_cancelled_tasks",
          "timerguard_threads_live");

  /**
   * Every metric name that the alert rules and the dashboard use must be in the real scrape: all
   * of them in the agent's, and all but the agent-only and per-kind ones in the starter's, so no
   * rule or panel points at a metric that does not exist.
   */
  static void checkNamesUsedByOpsExist(String prom) throws IOException, InterruptedException {
    java.util.Set<String> used = new java.util.TreeSet<>();
    Pattern name = Pattern.compile("(?<![:\\w])timerguard_[a-z0-9_]+(?![:\\w])"); // not recording rules
    for (Path f : List.of(Path.of("ops/prometheus/timerguard-rules.yml"), Path.of("ops/grafana/timerguard-dashboard.json"))) {
      Matcher m = name.matcher(Files.readString(f));
      while (m.find()) {
        used.add(m.group());
      }
    }
    for (String job : List.of("agent", "spring")) {
      String body = get(prom + "/api/v1/label/__name__/values?match[]="
          + URLEncoder.encode("{job=\"" + job + "\"}", StandardCharsets.UTF_8));
      java.util.Set<String> scraped = new java.util.TreeSet<>();
      Matcher m = Pattern.compile("\"([a-zA-Z_:][a-zA-Z0-9_:]*)\"").matcher(body.substring(body.indexOf("\"data\"")));
      while (m.find()) {
        scraped.add(m.group(1));
      }
      java.util.Set<String> missing = new java.util.TreeSet<>(used);
      missing.removeAll(scraped);
      if (job.equals("spring")) {
        missing.removeAll(NOT_IN_EVERY_SPRING_APP);
      }
      String what = job + ": every metric the rules and the dashboard use (" + used.size() + ") is in the real scrape";
      if (used.isEmpty() || !missing.isEmpty()) {
        failed++;
        System.out.println("  FAIL  " + what + ": missing " + missing);
      } else {
        passed++;
        System.out.println("  ok    " + what);
      }
    }
  }

  /** Polls an instant query until every returned sample satisfies {@code ok} (at least one). */
  static void check(String prom, String what, String query, DoublePredicate ok, long deadline)
      throws InterruptedException {
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      try {
        String body = get(prom + "/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8));
        List<Double> values = values(body);
        last = values.isEmpty() ? "no series" : values.toString();
        if (!values.isEmpty() && values.stream().allMatch(ok::test)) {
          passed++;
          System.out.println("  ok    " + what + " " + last);
          return;
        }
      } catch (IOException e) {
        last = e.toString();
      }
      Thread.sleep(1000);
    }
    failed++;
    System.out.println("  FAIL  " + what + ": last answer " + last + " for " + query);
  }

  static final Pattern VALUE = Pattern.compile("\"value\":\\[[0-9.e+]+,\"([^\"]+)\"\\]");

  static List<Double> values(String body) {
    if (!body.contains("\"status\":\"success\"")) {
      throw new IllegalStateException("Prometheus answered " + body);
    }
    List<Double> out = new ArrayList<>();
    Matcher m = VALUE.matcher(body);
    while (m.find()) {
      out.add(Double.parseDouble(m.group(1)));
    }
    return out;
  }

  static void load(int port, Duration length) {
    long end = System.nanoTime() + length.toNanos();
    AtomicLong errors = new AtomicLong();
    long n = 0;
    long start = System.nanoTime();
    while (System.nanoTime() < end) {
      // 220 requests a second, paced from the intended start of each, one in eleven healthy
      long due = start + n * 1_000_000_000L / 220;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        try {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        } catch (InterruptedException e) {
          return;
        }
      }
      String path = n % 11 == 0 ? "/healthy" : "/leaky";
      HTTP.sendAsync(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.discarding())
          .whenComplete((r, e) -> {
            if (e != null || r.statusCode() != 200) {
              errors.incrementAndGet();
            }
          });
      n++;
    }
    System.out.println("  load: " + n + " requests sent, " + errors.get() + " failed");
  }

  static String get(String url) throws IOException, InterruptedException {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException(url + " answered " + r.statusCode());
    }
    return r.body();
  }

  static void awaitHttp(String url, long deadline) throws Exception {
    while (System.nanoTime() < deadline) {
      try {
        get(url);
        return;
      } catch (IOException e) {
        Thread.sleep(250);
      }
      for (Process p : STARTED) {
        if (!p.isAlive()) {
          throw new IllegalStateException(
              p.info().commandLine().orElse("a child") + " exited early with " + p.exitValue());
        }
      }
    }
    throw new IllegalStateException(url + " did not answer in time");
  }

  static int awaitPortFile(Path file, long deadline) throws Exception {
    while (System.nanoTime() < deadline) {
      if (Files.isRegularFile(file)) {
        String s = Files.readString(file).trim();
        if (!s.isEmpty()) {
          return Integer.parseInt(s);
        }
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("the agent wrote no port file " + file);
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  static void start(String name, String... command) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("timeout", "-k", "10", "300"));
    cmd.addAll(List.of(command));
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(work.resolve(name + ".log").toFile())
            .start();
    STARTED.add(p);
    System.out.println("  started " + name + " (pid " + p.pid() + ")");
  }

  static synchronized void stopAll() {
    for (Process p : STARTED) {
      p.descendants().forEach(ProcessHandle::destroy);
      p.destroy();
    }
    for (Process p : STARTED) {
      try {
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.descendants().forEach(ProcessHandle::destroyForcibly);
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (failed > 0 && work != null) {
      for (String name : List.of("agent", "spring", "spring-agent", "prometheus")) {
        Path log = work.resolve(name + ".log");
        try {
          if (Files.isRegularFile(log)) {
            List<String> lines = Files.readAllLines(log);
            System.out.println("---- last lines of " + name + ".log");
            lines.subList(Math.max(0, lines.size() - 15), lines.size()).forEach(System.out::println);
          }
        } catch (IOException ignored) {
          // best effort
        }
      }
    }
    STARTED.clear();
  }

  static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a temp folder left behind is harmless
    }
  }

  static String fmt(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }
}
