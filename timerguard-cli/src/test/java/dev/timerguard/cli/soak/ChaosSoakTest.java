package dev.timerguard.cli.soak;

import static org.assertj.core.api.Assertions.assertThat;

import dev.timerguard.live.CallSite;
import dev.timerguard.live.GrowthDetector;
import dev.timerguard.live.GrowthPolicy;
import dev.timerguard.live.GrowthVerdict;
import dev.timerguard.samples.probe.LoadGenerator;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chaos and soak harness: the {@link ChaosClients} in their leaky and fixed variants, each in a
 * child JVM with the agent loaded, driven at a bounded rate against a flapping and a slow upstream
 * for {@code soak.duration} (default 20 s here; {@code mvn verify -Psoak} runs minutes, hours by
 * hand). Both children run at once; the test scrapes each agent's {@code /metrics} throughout and
 * then asserts:
 *
 * <ul>
 *   <li>fixed: at every client's marked line the watch's severity stays 0 and the live count (and
 *       the retained cancelled tasks) stay bounded, last quarter's median against the first's; the
 *       JVM's live timers, retained tasks, threads and heap after a forced GC stay bounded too, and
 *       no site but the harness's own load generator is ever flagged;
 *   <li>leaky: every client's marked line is flagged, by the watch (severity at least 1) or, for
 *       retained cancelled tasks, which the watch does not follow, by the detector on the scraped
 *       series, and its count grows over the leak's lifetime;
 *   <li>the chaos happened: the upstream went down and came back, the slow one timed calls out.
 * </ul>
 *
 * Bounded: polling stops at the run's end plus a minute at most, and the children are destroyed in
 * {@code finally}; nothing asserts a wall-clock time.
 */
class ChaosSoakTest {

  static final Duration DURATION = Duration.parse(System.getProperty("soak.duration", "PT20S"));
  static final double RATE = Double.parseDouble(System.getProperty("soak.rate", "20"));

  /** Leaks here last 30 s (60 s for the deadline): they grow for that long, then plateau. */
  static final Duration GROWTH_PHASE = Duration.ofSeconds(24);

  /** The watch's policy in the child, to judge series the watch does not follow. */
  static final GrowthPolicy CHILD_POLICY = childPolicy();

  private static GrowthPolicy childPolicy() {
    GrowthPolicy p = GrowthPolicy.defaults().scaled(SoakChild.COMPRESSION);
    return GrowthPolicy.of(
        SoakChild.RAPID_RATE,
        p.rapidWindow(),
        p.slowRatePerSecond(),
        p.slowWindow(),
        p.minConfidence(),
        p.minIncrease());
  }

  /** How far a fixed count may rise, first quarter's median to last quarter's. */
  static final double FLAT_SLACK = 10;

  static final long HEAP_SLACK_BYTES = 8L << 20;

  /** The harness's own thread site: where the load generator starts its workers. */
  static final String LOAD_GENERATOR_SITE = LoadGenerator.class.getName() + ".start(";

  @TempDir Path dir;

  static Path agentJar() throws URISyntaxException {
    URL url = ChaosSoakTest.class.getResource("/timerguard-agent.jar");
    if (url == null || !"file".equals(url.getProtocol())) {
      throw new AssertionError(
          "the agent jar is not on the test class path as /timerguard-agent.jar: build with"
              + " 'mvn -pl timerguard-cli -am verify' so the agent is packaged and copied first");
    }
    return Path.of(url.toURI());
  }

  /** The series a run recorded for one child. */
  static final class Recording {
    final SoakChild child;
    final Map<String, String[]> sites = new LinkedHashMap<>(); // name -> class, line
    final List<Double> seconds = new ArrayList<>();
    final Map<String, List<Double>> series = new LinkedHashMap<>();
    final Set<String> flagged = new TreeSet<>();
    long started;
    int failedScrapes;

    Recording(SoakChild child) {
      this.child = child;
    }

    void start() {
      for (String l : child.lines("site ")) {
        String[] p = l.split(" ");
        sites.put(p[0], new String[] {p[1], p[2]});
      }
      started = System.nanoTime();
    }

    void add(String key, double v) {
      series.computeIfAbsent(key, k -> new ArrayList<>()).add(v);
    }

    void scrape() {
      if (child.exited() || !child.alive()) {
        return;
      }
      String text = child.metrics();
      if (text == null) {
        failedScrapes++;
        return;
      }
      Scrape s = Scrape.parse(text);
      seconds.add((System.nanoTime() - started) / 1e9);
      add("live_timers", s.total("timerguard_live_timers"));
      add("retained", s.total("timerguard_retained_cancelled_tasks"));
      add("threads", s.total("timerguard_jvm_threads_live"));
      add("worst", s.total("timerguard_growth_worst_severity"));
      flagged.addAll(s.sitesAtLeast("timerguard_site_growth_severity", 1));
      for (Map.Entry<String, String[]> e : sites.entrySet()) {
        String c = e.getValue()[0];
        int line = Integer.parseInt(e.getValue()[1]);
        add(e.getKey() + ".live", s.atSite("timerguard_site_live", c, line));
        add(e.getKey() + ".severity", s.atSite("timerguard_site_growth_severity", c, line));
        add(
            e.getKey() + ".retained",
            s.atSite("timerguard_executor_retained_cancelled_tasks", c, line));
        add(e.getKey() + ".exported", s.kindsAt("timerguard_site_live", c, line).isEmpty() ? 0 : 1);
      }
    }

    List<Double> get(String key) {
      return series.getOrDefault(key, List.of());
    }

    /** The first samples up to {@code phase} into the run. */
    List<Double> within(String key, Duration phase) {
      List<Double> v = get(key);
      int n = 0;
      while (n < v.size() && seconds.get(n) <= phase.toMillis() / 1000.0) {
        n++;
      }
      return v.subList(0, n);
    }

    List<Double> heap() {
      List<Double> out = new ArrayList<>();
      for (String l : child.lines("heap ")) {
        out.add(Double.parseDouble(l));
      }
      return out;
    }

    /** {@code done NAME CALLS FAILURES} lines: name -> {calls, failures}. */
    Map<String, long[]> done() {
      Map<String, long[]> out = new LinkedHashMap<>();
      for (String l : child.lines("done ")) {
        String[] p = l.split(" ");
        out.put(p[0], new long[] {Long.parseLong(p[1]), Long.parseLong(p[2])});
      }
      return out;
    }

    String summary() {
      StringBuilder b = new StringBuilder(child.variant()).append(": ");
      b.append(seconds.size()).append(" scrapes, ").append(failedScrapes).append(" failed");
      for (Map.Entry<String, List<Double>> e : series.entrySet()) {
        b.append("\n  ")
            .append(e.getKey())
            .append(" first-q ")
            .append(firstQuarter(e.getValue()))
            .append(" last-q ")
            .append(lastQuarter(e.getValue()))
            .append(" max ")
            .append(max(e.getValue()));
      }
      b.append("\n  flagged ").append(flagged);
      b.append("\n  heap first-q ")
          .append(firstQuarter(heap()))
          .append(" last-q ")
          .append(lastQuarter(heap()));
      b.append("\n  done ");
      done()
          .forEach(
              (k, v) -> b.append(k).append('=').append(v[0]).append('/').append(v[1]).append(' '));
      return b.toString();
    }
  }

  static double median(List<Double> v) {
    if (v.isEmpty()) {
      return Double.NaN;
    }
    double[] a = v.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(a);
    return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
  }

  static double firstQuarter(List<Double> v) {
    return median(v.subList(0, Math.max(1, v.size() / 4)));
  }

  static double lastQuarter(List<Double> v) {
    return median(v.subList(v.size() - Math.max(1, v.size() / 4), v.size()));
  }

  static double max(List<Double> v) {
    return v.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
  }

  @Test
  void fixedClientsStayFlatAndLeakyOnesAreFlaggedAtTheirLinesUnderChaos() throws Exception {
    Path agent = agentJar();
    Duration scrapeEvery = Duration.ofMillis(Math.max(500, DURATION.toMillis() / 400));
    Recording fixed;
    Recording leaky;
    long downs;
    long slowRequests;
    try (Upstreams.Flapping flap =
            Upstreams.Flapping.start(Duration.ofSeconds(2), Duration.ofSeconds(1));
        Upstreams.Slow slow = Upstreams.Slow.start(Duration.ofSeconds(2));
        SoakChild f =
            SoakChild.start(agent, dir, "fixed", flap.port(), slow.port(), DURATION, RATE);
        SoakChild l =
            SoakChild.start(agent, dir, "leaky", flap.port(), slow.port(), DURATION, RATE)) {
      f.awaitReady(Duration.ofSeconds(60));
      l.awaitReady(Duration.ofSeconds(60));
      fixed = new Recording(f);
      leaky = new Recording(l);
      fixed.start();
      leaky.start();
      long deadline = System.nanoTime() + DURATION.plusSeconds(60).toNanos();
      while ((!f.exited() || !l.exited()) && System.nanoTime() < deadline) {
        fixed.scrape();
        leaky.scrape();
        if (!f.alive() && !f.exited() || !l.alive() && !l.exited()) {
          break; // a child died: the assertions below say which
        }
        LockSupport.parkNanos(scrapeEvery.toNanos());
      }
      assertThat(f.awaitExit(Duration.ofSeconds(20))).as("fixed child ends by itself").isTrue();
      assertThat(l.awaitExit(Duration.ofSeconds(20))).as("leaky child ends by itself").isTrue();
      assertThat(f.exitValue()).as("fixed child exit; stderr:\n" + f.stderr()).isZero();
      assertThat(l.exitValue()).as("leaky child exit; stderr:\n" + l.stderr()).isZero();
      downs = flap.downPhases();
      slowRequests = slow.received();
    }
    String report = fixed.summary() + "\n" + leaky.summary();
    System.out.println(report); // the numbers docs/incidents.md quotes come from here

    // the chaos happened, and the clients went through it
    assertThat(downs).as("the flapping upstream went down").isGreaterThanOrEqualTo(2);
    assertThat(slowRequests).as("the slow upstream was called").isPositive();
    for (Recording r : List.of(fixed, leaky)) {
      assertThat(r.sites).as(report).hasSize(5);
      assertThat(r.seconds.size())
          .as("scrapes of the " + r.child.variant() + " child\n" + report)
          .isGreaterThanOrEqualTo(8);
      Map<String, long[]> done = r.done();
      assertThat(done).as(report).hasSize(5);
      done.forEach((name, v) -> assertThat(v[0]).as(name + " calls\n" + report).isPositive());
      assertThat(done.get("ortimeout-race")[1]).as("slow upstream timeouts").isPositive();
      assertThat(done.get("per-request-timeout")[1]).as("refused while down").isPositive();
      for (String name : r.sites.keySet()) {
        assertThat(max(r.get(name + ".exported")))
            .as(name + " exported by the agent\n" + report)
            .isEqualTo(1);
      }
    }
    // same marked lines in both variants where the code is shared
    assertThat(fixed.sites.get("per-request-timeout"))
        .isEqualTo(leaky.sites.get("per-request-timeout"));
    assertThat(fixed.sites.get("ortimeout-race")).isEqualTo(leaky.sites.get("ortimeout-race"));

    // fixed: flat everywhere, never flagged
    for (String name : fixed.sites.keySet()) {
      assertThat(max(fixed.get(name + ".severity"))).as(name + " severity\n" + report).isZero();
      assertThat(lastQuarter(fixed.get(name + ".live")))
          .as(name + " live\n" + report)
          .isLessThanOrEqualTo(firstQuarter(fixed.get(name + ".live")) + FLAT_SLACK);
      assertThat(lastQuarter(fixed.get(name + ".retained")))
          .as(name + " retained\n" + report)
          .isLessThanOrEqualTo(firstQuarter(fixed.get(name + ".retained")) + FLAT_SLACK);
    }
    // No site of the fixed JVM is flagged, except the harness's own: the load generators start
    // their 17 workers within a moment, a step the compressed 1 s window rates as rapid.
    assertThat(fixed.flagged)
        .as("sites of the fixed JVM the watch flagged\n" + report)
        .allMatch(site -> site.startsWith("thread " + LOAD_GENERATOR_SITE), "the load generator's");
    for (String total : List.of("live_timers", "retained", "threads")) {
      assertThat(lastQuarter(fixed.get(total)))
          .as(total + "\n" + report)
          .isLessThanOrEqualTo(firstQuarter(fixed.get(total)) + 2 * FLAT_SLACK);
    }
    assertThat(fixed.heap().size()).as(report).isGreaterThanOrEqualTo(4);
    assertThat(lastQuarter(fixed.heap()))
        .as("fixed heap after GC\n" + report)
        .isLessThanOrEqualTo(firstQuarter(fixed.heap()) + HEAP_SLACK_BYTES);

    // leaky: each marked line flagged, and growing over the leak's lifetime
    for (String name :
        List.of("ortimeout-race", "timer-per-call", "reconnect-heartbeat", "retry-with-deadline")) {
      assertThat(max(leaky.get(name + ".severity")))
          .as(name + " flagged by the watch\n" + report)
          .isGreaterThanOrEqualTo(1);
      List<Double> live = leaky.within(name + ".live", GROWTH_PHASE);
      assertThat(lastQuarter(live))
          .as(name + " live grows\n" + report)
          .isGreaterThan(firstQuarter(live) + FLAT_SLACK);
    }
    String[] executor = leaky.sites.get("per-request-timeout");
    List<Double> retained = leaky.within("per-request-timeout.retained", GROWTH_PHASE);
    double[] t =
        leaky.seconds.subList(0, retained.size()).stream()
            .mapToDouble(Double::doubleValue)
            .toArray();
    long[] v = retained.stream().mapToLong(Double::longValue).toArray();
    GrowthVerdict.SiteGrowth g =
        new GrowthDetector(CHILD_POLICY)
            .trend(
                CallSite.of(
                    CallSite.Kind.EXECUTOR,
                    executor[0],
                    "<init>",
                    null,
                    Integer.parseInt(executor[1])),
                t,
                v);
    assertThat(g.severity())
        .as("retained cancelled tasks at the scheduler's line\n" + report)
        .isNotEqualTo(GrowthVerdict.Severity.NONE);
    assertThat(lastQuarter(leaky.within("threads", GROWTH_PHASE)))
        .as("a Timer thread per call\n" + report)
        .isGreaterThan(firstQuarter(leaky.within("threads", GROWTH_PHASE)) + FLAT_SLACK);
  }
}
