package dev.timerguard.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.timerguard.Timeout;
import dev.timerguard.Timers;
import dev.timerguard.live.CallSite;
import dev.timerguard.live.GrowthWatch;
import dev.timerguard.live.LiveRegistry;
import dev.timerguard.live.SiteStats;
import dev.timerguard.live.internal.SiteCounter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The binder as Prometheus sees it: the scrape text parsed back, line by line. */
class PrometheusExportTest {

  static final Set<String> SITE_LABELS = Set.of("kind", "site", "class", "line");

  /** One sample line of the text format: name, labels, value. */
  record Sample(String name, Map<String, String> labels, double value) {}

  /** Parsed scrape: the samples and the declared type of every metric family. */
  record Scrape(List<Sample> samples, Map<String, String> types) {
    List<Sample> named(String name) {
      return samples.stream().filter(s -> s.name().equals(name)).toList();
    }

    double value(String name, CallSite site) {
      List<Sample> found =
          samples.stream()
              .filter(
                  s ->
                      s.name().equals(name)
                          && site.location().equals(s.labels().get("site"))
                          && site.kind().name().toLowerCase().equals(s.labels().get("kind")))
              .toList();
      assertThat(found).as("%s{site=%s}", name, site.location()).hasSize(1);
      return found.get(0).value();
    }

    double value(String name) {
      List<Sample> found = named(name);
      assertThat(found).as(name).hasSize(1);
      return found.get(0).value();
    }
  }

  private static final Pattern SAMPLE =
      Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})? (\\S+)(?: \\S+)?");
  private static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

  static Scrape parse(String text) {
    List<Sample> samples = new ArrayList<>();
    Map<String, String> types = new HashMap<>();
    for (String line : text.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      if (line.startsWith("# TYPE ")) {
        String[] p = line.split(" ");
        types.put(p[2], p[3]);
        continue;
      }
      if (line.startsWith("#")) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      assertThat(m.matches()).as("a sample line: %s", line).isTrue();
      Map<String, String> labels = new LinkedHashMap<>();
      if (m.group(2) != null) {
        Matcher l = LABEL.matcher(m.group(2));
        int end = 0;
        while (l.find()) {
          assertThat(l.start()).as("labels of %s", line).isEqualTo(end);
          labels.put(l.group(1), l.group(2).replace("\\\"", "\"").replace("\\\\", "\\"));
          end = l.end();
        }
        assertThat(end).as("labels of %s", line).isEqualTo(m.group(2).length());
      }
      samples.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(3))));
    }
    return new Scrape(samples, types);
  }

  @Test
  void namesTypesAndLabelsAreTheContracts() {
    TestModel model = new TestModel();
    CallSite timer = TestModel.site(CallSite.Kind.TIMER, "Rpc", 88);
    CallSite exec = TestModel.site(CallSite.Kind.EXECUTOR, "Pool", 21);
    CallSite thread = TestModel.site(CallSite.Kind.THREAD, "Worker", 55);
    SiteCounter t = model.counter(timer);
    model.create(t, 9);
    model.fire(t, 2);
    model.cancel(t, 3);
    SiteCounter e = model.counter(exec);
    model.create(e, 1);
    e.retained(6);
    model.create(model.counter(thread), 2);
    model.sample(1000);
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    TimerGuardMetrics.builder().watch(model.watch).build().bindTo(prometheus);

    Scrape s = parse(prometheus.scrape());

    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("timerguard_site_live", "gauge");
    expected.put("timerguard_site_creations_total", "counter");
    expected.put("timerguard_site_fired_total", "counter");
    expected.put("timerguard_site_cancelled_total", "counter");
    expected.put("timerguard_executor_retained_cancelled_tasks", "gauge");
    expected.put("timerguard_threads_live", "gauge");
    expected.put("timerguard_site_growth_rate", "gauge");
    expected.put("timerguard_site_growth_severity", "gauge");
    expected.put("timerguard_live_timers", "gauge");
    expected.put("timerguard_retained_cancelled_tasks", "gauge");
    expected.put("timerguard_live_threads", "gauge");
    expected.put("timerguard_growth_worst_severity", "gauge");
    expected.put("timerguard_jvm_heap_after_gc_bytes", "gauge");
    expected.put("timerguard_jvm_gc_pause_seconds_total", "counter");
    expected.put("timerguard_jvm_gc_collections_total", "counter");
    expected.put("timerguard_jvm_threads_live", "gauge");
    Set<String> names = new TreeSet<>();
    s.samples().forEach(x -> names.add(x.name()));
    assertThat(names).containsExactlyInAnyOrderElementsOf(expected.keySet());
    for (Map.Entry<String, String> x : expected.entrySet()) {
      String family =
          x.getValue().equals("counter")
              ? x.getKey().substring(0, x.getKey().length() - "_total".length())
              : x.getKey();
      String declared = s.types().getOrDefault(x.getKey(), s.types().get(family));
      assertThat(declared).as("TYPE of %s", x.getKey()).isEqualTo(x.getValue());
    }
    for (Sample x : s.samples()) {
      if (x.name().startsWith("timerguard_site_")
          || x.name().equals("timerguard_threads_live")
          || x.name().equals("timerguard_executor_retained_cancelled_tasks")) {
        assertThat(x.labels().keySet()).as(x.name()).isEqualTo(SITE_LABELS);
      } else if (x.name().equals("timerguard_jvm_heap_after_gc_bytes")) {
        assertThat(x.labels().keySet()).isEqualTo(Set.of("pool"));
      } else if (x.name().startsWith("timerguard_jvm_gc_")) {
        assertThat(x.labels().keySet()).isEqualTo(Set.of("gc"));
      } else {
        assertThat(x.labels()).as(x.name()).isEmpty();
      }
      if (expected.get(x.name()).equals("counter")) {
        assertThat(x.name()).endsWith("_total");
      }
    }

    assertThat(s.named("timerguard_site_live"))
        .extracting(Sample::labels)
        .contains(
            Map.of(
                "kind", "timer",
                "site", "com.acme.Rpc.run(Rpc.java:88)",
                "class", "com.acme.Rpc",
                "line", "88"));
    assertThat(s.value("timerguard_site_live", timer)).isEqualTo(4);
    assertThat(s.value("timerguard_site_creations_total", timer)).isEqualTo(9);
    assertThat(s.value("timerguard_site_fired_total", timer)).isEqualTo(2);
    assertThat(s.value("timerguard_site_cancelled_total", timer)).isEqualTo(3);
    assertThat(s.value("timerguard_executor_retained_cancelled_tasks", exec)).isEqualTo(6);
    assertThat(s.named("timerguard_executor_retained_cancelled_tasks")).hasSize(1);
    assertThat(s.value("timerguard_threads_live", thread)).isEqualTo(2);
    assertThat(s.named("timerguard_threads_live")).hasSize(1);
    assertThat(s.value("timerguard_live_timers")).isEqualTo(4);
    assertThat(s.value("timerguard_retained_cancelled_tasks")).isEqualTo(6);
    assertThat(s.value("timerguard_live_threads")).isEqualTo(2);
    assertThat(s.value("timerguard_jvm_threads_live")).isGreaterThanOrEqualTo(1);
  }

  @Test
  void openMetricsScrapesCarryTheSameSampleNames() {
    // a Prometheus server asks for OpenMetrics first: the series names must not change
    TestModel model = new TestModel();
    model.create(model.counter(TestModel.site(CallSite.Kind.EXECUTOR, "Pool", 21)), 2);
    model.sample(1000);
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    TimerGuardMetrics.builder().watch(model.watch).build().bindTo(prometheus);

    String open = prometheus.scrape("application/openmetrics-text; version=1.0.0; charset=utf-8");
    String text = prometheus.scrape();

    assertThat(open).endsWith("# EOF\n");
    Set<String> openNames = new TreeSet<>();
    parse(open.replace("# EOF\n", "")).samples().forEach(x -> openNames.add(x.name()));
    Set<String> textNames = new TreeSet<>();
    parse(text).samples().forEach(x -> textNames.add(x.name()));
    assertThat(openNames).isEqualTo(textNames).contains("timerguard_site_creations_total");
  }

  @Test
  void aCounterNamedCreatedWouldLoseItsName() {
    // why the creations counter is not called timerguard.site.created: the Prometheus client
    // reserves the _created suffix and strips it
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    io.micrometer.core.instrument.Counter.builder("timerguard.site.created").register(prometheus);
    assertThat(parse(prometheus.scrape()).samples())
        .extracting(Sample::name)
        .containsExactly("timerguard_site_total");
  }

  @Test
  void aLeakReachesSeverityTwoAndASawtoothStaysAtZero() {
    TestModel model = new TestModel();
    CallSite leak = TestModel.site(CallSite.Kind.TIMER, "Leaky", 10);
    CallSite saw = TestModel.site(CallSite.Kind.TIMER, "Batcher", 20);
    SiteCounter l = model.counter(leak);
    SiteCounter w = model.counter(saw);
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    TimerGuardMetrics.builder().watch(model.watch).build().bindTo(prometheus);
    List<Double> leakLevels = new ArrayList<>();

    // 20 s of samples every 200 ms (the watch's windows are divided by 60: rapid = 100/s over
    // 10 s): the leak gains 100 per sample (500/s), the sawtooth 100 per sample and drops to 0
    // every fifth sample
    for (int i = 1; i <= 100; i++) {
      model.create(l, 100);
      model.create(w, 100);
      if (i % 5 == 0) {
        model.fire(w, (int) w.live());
      }
      model.sample(200);
      Scrape s = parse(prometheus.scrape());
      leakLevels.add(s.value("timerguard_site_growth_severity", leak));
      assertThat(s.value("timerguard_site_growth_severity", saw)).as("sample %d", i).isZero();
    }

    Scrape s = parse(prometheus.scrape());
    assertThat(s.value("timerguard_site_growth_severity", leak)).isEqualTo(2);
    assertThat(s.value("timerguard_growth_worst_severity")).isEqualTo(2);
    assertThat(s.value("timerguard_site_growth_rate", leak)).isBetween(450.0, 550.0);
    assertThat(s.value("timerguard_site_live", leak)).isEqualTo(10_000);
    assertThat(leakLevels.get(0)).isZero(); // not before the window is observed
    assertThat(leakLevels).contains(2.0);
    GrowthWatch.SiteStatus status = model.watch.report().site(leak);
    assertThat(status.level()).isEqualTo(2);
  }

  @Test
  void theOtherBucketSumsRatesAndTakesTheWorstSeverity() {
    TestModel model = new TestModel();
    CallSite big = TestModel.site(CallSite.Kind.TIMER, "Big", 1);
    CallSite leakA = TestModel.site(CallSite.Kind.TIMER, "LeakA", 2);
    CallSite leakB = TestModel.site(CallSite.Kind.TIMER, "LeakB", 3);
    SiteCounter b = model.counter(big);
    SiteCounter a1 = model.counter(leakA);
    SiteCounter a2 = model.counter(leakB);
    model.create(b, 1_000_000); // always the top site, flat
    for (int i = 1; i <= 100; i++) {
      model.create(a1, 100); // 500/s
      model.create(a2, 10); // 50/s
      model.sample(200);
    }
    GrowthWatch.Report report = model.watch.report();
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    TimerGuardMetrics.builder().watch(model.watch).maxSites(1).build().bindTo(prometheus);

    Scrape s = parse(prometheus.scrape());
    CallSite other = CallSite.other(CallSite.Kind.TIMER);
    assertThat(s.named("timerguard_site_live")).hasSize(2);
    assertThat(s.value("timerguard_site_live", other)).isEqualTo(100 * 100 + 100 * 10);
    assertThat(s.value("timerguard_site_growth_rate", other))
        .isCloseTo(
            report.site(leakA).ratePerSecond() + report.site(leakB).ratePerSecond(),
            org.assertj.core.data.Offset.offset(1e-9));
    assertThat(s.value("timerguard_site_growth_severity", other))
        .isEqualTo(Math.max(report.site(leakA).level(), report.site(leakB).level()))
        .isEqualTo(2);
    assertThat(s.value("timerguard_site_growth_severity", big)).isZero();
  }

  @Test
  void countsTheSafeApisTimersInTheGlobalRegistry() throws Exception {
    GrowthWatch watch = GrowthWatch.builder().build(); // the global registry, driven by hand
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    TimerGuardMetrics metrics =
        TimerGuardMetrics.builder().registry(LiveRegistry.global()).watch(watch).build();
    metrics.bindTo(prometheus);
    List<Timeout> pending = new ArrayList<>();
    try (Timers timers = Timers.create()) {
      for (int i = 0; i < 7; i++) {
        pending.add(timers.schedule(Duration.ofMinutes(30), () -> {}));
      }
      watch.sampleNow();
      CallSite site = siteOfThisClass(watch);
      Scrape s = parse(prometheus.scrape());
      assertThat(site.kind()).isEqualTo(CallSite.Kind.TIMER);
      assertThat(s.value("timerguard_site_live", site)).isEqualTo(7);
      assertThat(s.value("timerguard_site_creations_total", site)).isEqualTo(7);

      pending.forEach(Timeout::close);
      watch.sampleNow();
      s = parse(prometheus.scrape());
      assertThat(s.value("timerguard_site_live", site)).isZero();
      assertThat(s.value("timerguard_site_cancelled_total", site)).isEqualTo(7);
    } finally {
      metrics.close();
    }
    assertThat(prometheus.getMeters()).isEmpty();
  }

  private static CallSite siteOfThisClass(GrowthWatch watch) {
    List<CallSite> mine = new ArrayList<>();
    for (SiteStats st : watch.report().snapshot().sites()) {
      if (st.site().className().equals(PrometheusExportTest.class.getName())) {
        mine.add(st.site());
      }
    }
    assertThat(mine).as("sites created by this class").hasSize(1);
    return mine.get(0);
  }
}
