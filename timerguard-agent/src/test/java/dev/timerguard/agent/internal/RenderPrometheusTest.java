package dev.timerguard.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.timerguard.agent.testing.Promtool;
import dev.timerguard.live.CallSite;
import dev.timerguard.live.GrowthWatch;
import dev.timerguard.live.Snapshot;
import dev.timerguard.live.internal.SiteCounter;
import dev.timerguard.live.internal.SiteRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The /metrics text against the metric contract: names, types, label order, the {@code other}
 * bucket, growth figures from a watch driven on a test clock, and label escaping.
 */
class RenderPrometheusTest {

  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private final SiteRegistry registry = SiteRegistry.create(64, nanos::get);

  private SiteCounter site(CallSite.Kind kind, String cls, int line) {
    return registry.register(CallSite.of(kind, cls, "run", "X.java", line));
  }

  /** Drives a watch compressed to a 1 s rapid window: {@code perTick} creations per 20 ms tick. */
  private GrowthWatch.Report leak(SiteCounter[] sites, int[] perTick) {
    GrowthWatch w = GrowthWatch.builder().registry(registry).timeCompression(600).build();
    GrowthWatch.Report r = null;
    for (int tick = 0; tick < 100; tick++) {
      for (int i = 0; i < sites.length; i++) {
        for (int k = 0; k < perTick[i]; k++) {
          sites[i].start(0);
        }
      }
      nanos.addAndGet(20_000_000L);
      r = w.sampleNow();
    }
    return r;
  }

  private static String value(String text, String name, String site) {
    Matcher m =
        Pattern.compile(
                "(?m)^"
                    + name
                    + "\\{kind=\"[a-z]+\",site=\""
                    + Pattern.quote(site)
                    + "\",class=\"[^\"]*\",line=\"-?\\d+\"\\} (\\S+)$")
            .matcher(text);
    assertThat(m.find()).as(name + " of " + site + " in\n" + text).isTrue();
    return m.group(1);
  }

  @Test
  void sitesBeyondTheCapAreSummedIntoOtherWithSummedRatesAndTheWorstLevel() {
    SiteCounter big = site(CallSite.Kind.TIMER, "com.acme.Big", 1);
    for (int i = 0; i < 100_000; i++) {
      big.start(0);
    }
    SiteCounter fast = site(CallSite.Kind.TIMER, "com.acme.Fast", 2);
    SiteCounter slow = site(CallSite.Kind.TIMER, "com.acme.Slow", 3);
    SiteCounter pool = site(CallSite.Kind.EXECUTOR, "com.acme.Pool", 4);
    pool.start(0);
    pool.queued(7);
    GrowthWatch.Report report =
        leak(new SiteCounter[] {fast, slow}, new int[] {20, 1}); // 1000/s, 50/s
    Snapshot snap = registry.snapshot();

    String text = Render.prometheus(snap, report, 1);

    assertThat(value(text, "timerguard_site_live", "com.acme.Big.run(X.java:1)"))
        .isEqualTo("100000");
    assertThat(text).doesNotContain("com.acme.Fast", "com.acme.Slow");
    assertThat(text)
        .contains(
            "timerguard_site_live{kind=\"timer\",site=\"other\",class=\"other\",line=\"-1\"} "
                + (fast.live() + slow.live())
                + "\n");
    assertThat(text).doesNotContain("com.acme.Pool");
    assertThat(text)
        .contains(
            "timerguard_executor_queue_size{kind=\"executor\",site=\"other\",class=\"other\",line=\"-1\"} 7\n");
    double fastRate = report.site(fast.site()).ratePerSecond();
    double slowRate = report.site(slow.site()).ratePerSecond();
    assertThat(fastRate).isGreaterThan(500);
    assertThat(report.site(fast.site()).level()).isEqualTo(2);
    assertThat(report.site(slow.site()).level())
        .isZero(); // below the rapid rate, slow window not reached
    assertThat(Double.parseDouble(value(text, "timerguard_site_growth_rate", "other")))
        .isCloseTo(fastRate + slowRate, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(value(text, "timerguard_site_growth_severity", "other")).isEqualTo("2");
    assertThat(value(text, "timerguard_site_growth_severity", "com.acme.Big.run(X.java:1)"))
        .isEqualTo("0");
    assertThat(text).contains("timerguard_growth_worst_severity 2\n");
    assertThat(text).contains("timerguard_live_timers " + snap.totalLiveTimers() + "\n");
  }

  @Test
  void everyFamilyOfTheContractHasItsTypeAndLabelsInContractOrder() {
    site(CallSite.Kind.TIMER, "com.acme.T", 1).start(0);
    site(CallSite.Kind.TICKER, "com.acme.K", 2).start(0);
    site(CallSite.Kind.EXECUTOR, "com.acme.E", 3).start(0);
    site(CallSite.Kind.THREAD, "com.acme.H", 4).start(0);
    nanos.addAndGet(1_000_000_000L);
    GrowthWatch w = GrowthWatch.builder().registry(registry).build();
    String text = Render.prometheus(registry.snapshot(), w.sampleNow(), 200);
    List<String[]> families =
        List.of(
            new String[] {"timerguard_site_live", "gauge"},
            new String[] {"timerguard_site_creations_total", "counter"},
            new String[] {"timerguard_site_fired_total", "counter"},
            new String[] {"timerguard_site_cancelled_total", "counter"},
            new String[] {"timerguard_executor_retained_cancelled_tasks", "gauge"},
            new String[] {"timerguard_threads_live", "gauge"},
            new String[] {"timerguard_site_growth_rate", "gauge"},
            new String[] {"timerguard_site_growth_severity", "gauge"},
            new String[] {"timerguard_live_timers", "gauge"},
            new String[] {"timerguard_retained_cancelled_tasks", "gauge"},
            new String[] {"timerguard_live_threads", "gauge"},
            new String[] {"timerguard_growth_worst_severity", "gauge"},
            new String[] {"timerguard_jvm_heap_after_gc_bytes", "gauge"},
            new String[] {"timerguard_jvm_gc_pause_seconds_total", "counter"},
            new String[] {"timerguard_jvm_gc_collections_total", "counter"},
            new String[] {"timerguard_jvm_threads_live", "gauge"},
            new String[] {"timerguard_agent_disabled_hooks", "gauge"},
            new String[] {"timerguard_executor_queue_size", "gauge"});
    for (String[] f : families) {
      assertThat(text).contains("# TYPE " + f[0] + " " + f[1] + "\n");
    }
    assertThat(text).doesNotContain("\njvm_");
    Matcher m =
        Pattern.compile("(?m)^(timerguard_(?:site|executor|threads)_\\w+)\\{(.*)\\} ")
            .matcher(text);
    int n = 0;
    while (m.find()) {
      n++;
      assertThat(m.group(2))
          .as(m.group())
          .matches("kind=\"\\w+\",site=\"[^\"]+\",class=\"[^\"]+\",line=\"-?\\d+\"");
    }
    assertThat(n)
        .isEqualTo(
            4 * 6 + 2 + 1); // 4 sites x 6 per-site families, executor retained + queue, thread live
    assertThat(text)
        .contains(
            "timerguard_threads_live{kind=\"thread\",site=\"com.acme.H.run(X.java:4)\",class=\"com.acme.H\",line=\"4\"} 1\n");
    assertThat(text).containsPattern("(?m)^timerguard_jvm_threads_live [1-9]\\d*$");
  }

  @Test
  void withoutAWatchTheGrowthFamiliesAreLeftOut() {
    site(CallSite.Kind.TIMER, "com.acme.T", 1).start(0);
    String text = Render.prometheus(registry.snapshot(), null, 200);
    assertThat(text).doesNotContain("growth").contains("timerguard_site_live{");
  }

  @Test
  void labelValuesAreEscapedAndPassPromtool() throws Exception {
    String hostile = "com.acme.\"Quoted\\Back\nLine";
    registry.register(CallSite.of(CallSite.Kind.TIMER, hostile, "m", "X.java", 9)).start(0);
    nanos.addAndGet(1_000_000_000L);
    String text =
        Render.prometheus(
            registry.snapshot(), GrowthWatch.builder().registry(registry).build().sampleNow(), 200);
    assertThat(text).contains("class=\"com.acme.\\\"Quoted\\\\Back\\nLine\"");
    assertThat(Render.esc("a\\b\"c\nd")).isEqualTo("a\\\\b\\\"c\\nd");
    Path promtool = Promtool.require();
    Promtool.Result r = Promtool.checkMetrics(promtool, text);
    assertThat(r.output()).as("promtool on\n" + text).isEmpty();
    assertThat(r.exitCode()).isZero();
  }

  @Test
  void numbersAreSpelledAsTheFormatWants() {
    assertThat(Render.number(2.0)).isEqualTo("2");
    assertThat(Render.number(0.066)).isEqualTo("0.066");
    assertThat(Render.number(Double.NaN)).isEqualTo("NaN");
    assertThat(Render.number(Double.NEGATIVE_INFINITY)).isEqualTo("-Inf");
    assertThat(Render.number(1e20)).isEqualTo("1.0E20");
  }
}
