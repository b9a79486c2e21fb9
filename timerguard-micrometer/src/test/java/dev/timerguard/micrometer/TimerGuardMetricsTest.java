package dev.timerguard.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.timerguard.live.CallSite;
import dev.timerguard.live.GrowthWatch;
import dev.timerguard.live.SiteStats;
import dev.timerguard.live.Snapshot;
import dev.timerguard.live.internal.SiteCounter;
import dev.timerguard.live.internal.SiteRegistry;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class TimerGuardMetricsTest {

  static final CallSite TIMER_A = TestModel.site(CallSite.Kind.TIMER, "Rpc", 88);
  static final CallSite TIMER_B = TestModel.site(CallSite.Kind.TIMER, "Cache", 12);
  static final CallSite TIMER_C = TestModel.site(CallSite.Kind.TIMER, "Poller", 40);
  static final CallSite TIMER_D = TestModel.site(CallSite.Kind.TIMER, "Flusher", 7);
  static final CallSite TICKER = TestModel.site(CallSite.Kind.TICKER, "Heartbeat", 3);
  static final CallSite EXEC = TestModel.site(CallSite.Kind.EXECUTOR, "Pool", 21);
  static final CallSite THREAD = TestModel.site(CallSite.Kind.THREAD, "Worker", 55);

  final TestModel model = new TestModel();
  final MeterRegistry meters = new SimpleMeterRegistry();

  TimerGuardMetrics binder(int maxSites) {
    return TimerGuardMetrics.builder()
        .registry(model.registry)
        .watch(model.watch)
        .maxSites(maxSites)
        .build();
  }

  static double gauge(MeterRegistry m, String name, CallSite site) {
    Gauge g = m.find(name).tags(TimerGuardMetrics.tags(site)).gauge();
    assertThat(g).as("%s for %s", name, site).isNotNull();
    return g.value();
  }

  static double counter(MeterRegistry m, String name, CallSite site) {
    FunctionCounter c = m.find(name).tags(TimerGuardMetrics.tags(site)).functionCounter();
    assertThat(c).as("%s for %s", name, site).isNotNull();
    return c.count();
  }

  static Set<String> sitesOf(MeterRegistry m, String name) {
    return m.find(name).meters().stream()
        .map(x -> x.getId().getTag("site"))
        .collect(Collectors.toSet());
  }

  @Test
  void aRegistryRefusingOneSitesMetersLeavesTheOthersAndTheTotalsLive() {
    // a MeterFilter that throws for one site (a clashing id, a buggy filter in the application)
    meters
        .config()
        .meterFilter(
            new io.micrometer.core.instrument.config.MeterFilter() {
              @Override
              public io.micrometer.core.instrument.Meter.Id map(
                  io.micrometer.core.instrument.Meter.Id id) {
                if (TIMER_B.location().equals(id.getTag("site"))
                    && id.getName().endsWith("growth.rate")) {
                  throw new IllegalStateException("refused");
                }
                return id;
              }
            });
    SiteCounter a = model.counter(TIMER_A);
    SiteCounter b = model.counter(TIMER_B);
    model.create(a, 2);
    model.create(b, 3);
    model.sample(1000);
    binder(200).bindTo(meters);
    SiteCounter c = model.counter(TIMER_C);
    model.create(c, 7);
    model.create(a, 40);
    model.sample(1000);
    // TIMER_B is left out entirely (no half-registered meters), the rest follow every sample
    assertThat(sitesOf(meters, "timerguard.site.live")).doesNotContain(TIMER_B.location());
    assertThat(gauge(meters, "timerguard.site.live", TIMER_A)).isEqualTo(42);
    assertThat(gauge(meters, "timerguard.site.live", TIMER_C)).isEqualTo(7);
    assertThat(meters.get("timerguard.live.timers").gauge().value()).isEqualTo(52);
  }

  @Test
  void valuesEqualTheWatchsSnapshot() {
    SiteCounter a = model.counter(TIMER_A);
    model.create(a, 5);
    model.fire(a, 1);
    model.cancel(a, 1);
    SiteCounter e = model.counter(EXEC);
    model.create(e, 2);
    model.cancel(e, 1);
    e.retained(4);
    SiteCounter t = model.counter(THREAD);
    model.create(t, 3);
    model.fire(t, 1);
    SiteCounter k = model.counter(TICKER);
    model.create(k, 2);
    GrowthWatch.Report report = model.sample(1000);

    binder(200).bindTo(meters);

    Snapshot snap = report.snapshot();
    for (SiteStats s : snap.sites()) {
      assertThat(gauge(meters, "timerguard.site.live", s.site())).isEqualTo(s.live());
      assertThat(counter(meters, "timerguard.site.creations", s.site())).isEqualTo(s.created());
      assertThat(counter(meters, "timerguard.site.fired", s.site())).isEqualTo(s.fired());
      assertThat(counter(meters, "timerguard.site.cancelled", s.site())).isEqualTo(s.cancelled());
      assertThat(gauge(meters, "timerguard.site.growth.rate", s.site())).isZero();
      assertThat(gauge(meters, "timerguard.site.growth.severity", s.site())).isZero();
    }
    assertThat(gauge(meters, "timerguard.site.live", TIMER_A)).isEqualTo(3);
    assertThat(counter(meters, "timerguard.site.creations", TIMER_A)).isEqualTo(5);
    assertThat(gauge(meters, "timerguard.executor.retained.cancelled.tasks", EXEC)).isEqualTo(4);
    assertThat(sitesOf(meters, "timerguard.executor.retained.cancelled.tasks"))
        .containsExactly(EXEC.location());
    assertThat(gauge(meters, "timerguard.threads.live", THREAD)).isEqualTo(2);
    assertThat(sitesOf(meters, "timerguard.threads.live")).containsExactly(THREAD.location());

    assertThat(meters.get("timerguard.live.timers").gauge().value())
        .isEqualTo(snap.totalLiveTimers())
        .isEqualTo(3 + 2);
    assertThat(meters.get("timerguard.retained.cancelled.tasks").gauge().value()).isEqualTo(4);
    assertThat(meters.get("timerguard.live.threads").gauge().value()).isEqualTo(2);
    assertThat(meters.get("timerguard.growth.worst.severity").gauge().value()).isZero();
  }

  @Test
  void labelsAreKindSiteClassAndLine() {
    model.create(model.counter(EXEC), 1);
    model.sample(1000);
    binder(200).bindTo(meters);

    Meter.Id id = meters.get("timerguard.site.live").meter().getId();
    assertThat(id.getTags())
        .extracting(tag -> tag.getKey() + "=" + tag.getValue())
        .containsExactlyInAnyOrder(
            "kind=executor",
            "site=com.acme.Pool.run(Pool.java:21)",
            "class=com.acme.Pool",
            "line=21");
  }

  @Test
  void gaugesReadTheLastSampleNotTheLiveRegistry() {
    SiteCounter a = model.counter(TIMER_A);
    model.create(a, 2);
    model.sample(1000);
    binder(200).bindTo(meters);
    model.create(a, 10); // not sampled yet
    assertThat(gauge(meters, "timerguard.site.live", TIMER_A)).isEqualTo(2);
    model.sample(1000);
    assertThat(gauge(meters, "timerguard.site.live", TIMER_A)).isEqualTo(12);
    assertThat(counter(meters, "timerguard.site.creations", TIMER_A)).isEqualTo(12);
  }

  @Test
  void keepsTheTopSitesAndSumsTheRestUnderOtherPerKind() {
    model.create(model.counter(TIMER_A), 10);
    model.create(model.counter(TIMER_B), 8);
    SiteCounter c = model.counter(TIMER_C);
    model.create(c, 5);
    model.fire(c, 2); // live 3
    model.create(model.counter(TIMER_D), 1);
    model.create(model.counter(EXEC), 2);
    model.sample(1000);

    binder(2).bindTo(meters);

    CallSite otherTimer = CallSite.other(CallSite.Kind.TIMER);
    CallSite otherExec = CallSite.other(CallSite.Kind.EXECUTOR);
    assertThat(sitesOf(meters, "timerguard.site.live"))
        .containsExactlyInAnyOrder(TIMER_A.location(), TIMER_B.location(), "other");
    assertThat(gauge(meters, "timerguard.site.live", otherTimer)).isEqualTo(3 + 1);
    assertThat(counter(meters, "timerguard.site.creations", otherTimer)).isEqualTo(5 + 1);
    assertThat(counter(meters, "timerguard.site.fired", otherTimer)).isEqualTo(2);
    assertThat(gauge(meters, "timerguard.site.live", otherExec)).isEqualTo(2);
    assertThat(gauge(meters, "timerguard.executor.retained.cancelled.tasks", otherExec)).isZero();
    assertThat(meters.find("timerguard.site.live").tag("site", "other").gauges()).hasSize(2);
    assertThat(
            meters
                .find("timerguard.site.live")
                .tag("site", "other")
                .tag("line", "-1")
                .tag("class", "other")
                .gauges())
        .hasSize(2);
    // totals are over every site, not only the exported ones
    assertThat(meters.get("timerguard.live.timers").gauge().value()).isEqualTo(10 + 8 + 3 + 1);
  }

  @Test
  void sitesThatLeaveTheTopAreRemovedAndNewOnesAdded() {
    SiteCounter a = model.counter(TIMER_A);
    SiteCounter b = model.counter(TIMER_B);
    model.create(a, 5);
    model.create(b, 1);
    model.sample(1000);
    binder(1).bindTo(meters);
    assertThat(sitesOf(meters, "timerguard.site.live"))
        .containsExactlyInAnyOrder(TIMER_A.location(), "other");
    int before = meters.getMeters().size();

    model.cancel(a, 5);
    model.create(b, 9);
    model.sample(1000);

    assertThat(sitesOf(meters, "timerguard.site.live"))
        .containsExactlyInAnyOrder(TIMER_B.location(), "other");
    for (String name :
        new String[] {
          "timerguard.site.live",
          "timerguard.site.creations",
          "timerguard.site.fired",
          "timerguard.site.cancelled",
          "timerguard.site.growth.rate",
          "timerguard.site.growth.severity"
        }) {
      assertThat(meters.find(name).tag("site", TIMER_A.location()).meters()).as(name).isEmpty();
    }
    assertThat(gauge(meters, "timerguard.site.live", TIMER_B)).isEqualTo(10);
    assertThat(gauge(meters, "timerguard.site.live", CallSite.other(CallSite.Kind.TIMER))).isZero();
    assertThat(counter(meters, "timerguard.site.cancelled", CallSite.other(CallSite.Kind.TIMER)))
        .isEqualTo(5);
    assertThat(meters.getMeters()).hasSize(before);

    // many rounds of churn never grow the meter set
    for (int round = 0; round < 20; round++) {
      SiteCounter up = round % 2 == 0 ? a : b;
      SiteCounter down = round % 2 == 0 ? b : a;
      model.create(up, 50);
      model.cancel(down, (int) down.live());
      model.sample(1000);
      assertThat(meters.getMeters()).hasSize(before);
    }
  }

  @Test
  void aSiteEnteringAfterBindingGetsMetersAndCloseRemovesEverything() {
    model.sample(1000);
    TimerGuardMetrics metrics = binder(200);
    metrics.bindTo(meters);
    assertThat(meters.find("timerguard.site.live").meters()).isEmpty();
    int fixed = meters.getMeters().size();
    assertThat(fixed).isGreaterThanOrEqualTo(6); // 4 totals, jvm threads, gc counters...

    model.create(model.counter(TIMER_A), 3);
    model.sample(1000);
    assertThat(gauge(meters, "timerguard.site.live", TIMER_A)).isEqualTo(3);
    assertThat(meters.getMeters()).hasSize(fixed + 6);

    metrics.close();
    assertThat(meters.getMeters()).isEmpty();
    model.create(model.counter(TIMER_B), 3);
    model.sample(1000);
    assertThat(meters.getMeters()).isEmpty(); // no longer follows the watch
    metrics.close(); // idempotent
  }

  @Test
  void bindsToSeveralRegistriesAndOnceToEach() {
    model.create(model.counter(TIMER_A), 4);
    model.sample(1000);
    TimerGuardMetrics metrics = binder(200);
    MeterRegistry other = new SimpleMeterRegistry();
    metrics.bindTo(meters);
    metrics.bindTo(meters);
    metrics.bindTo(other);
    assertThat(gauge(other, "timerguard.site.live", TIMER_A)).isEqualTo(4);
    assertThat(meters.getMeters()).hasSameSizeAs(other.getMeters());
  }

  @Test
  void jvmSignalsCarryTheirOwnLabels() {
    binder(200).bindTo(meters);
    assertThat(meters.get("timerguard.jvm.threads.live").gauge().value()).isGreaterThanOrEqualTo(1);
    assertThat(meters.find("timerguard.jvm.gc.collections").functionCounters())
        .isNotEmpty()
        .allSatisfy(c -> assertThat(c.getId().getTag("gc")).isNotBlank());
    assertThat(meters.find("timerguard.jvm.gc.pause").functionCounters())
        .allSatisfy(c -> assertThat(c.getId().getBaseUnit()).isEqualTo("seconds"));
    assertThat(meters.find("timerguard.jvm.heap.after.gc").gauges())
        .isNotEmpty()
        .allSatisfy(
            g -> {
              assertThat(g.getId().getTag("pool")).isNotBlank();
              assertThat(g.getId().getBaseUnit()).isEqualTo("bytes");
            });
  }

  @Test
  void rowsBeforeTheFirstSampleAreEmpty() {
    assertThat(TimerGuardMetrics.rows(model.watch.report(), 5)).isEmpty();
    binder(5).bindTo(meters);
    assertThat(meters.find("timerguard.site.live").meters()).isEmpty();
    assertThat(meters.get("timerguard.live.timers").gauge().value()).isZero();
  }

  @Test
  void badInputIsRejectedWithTheSettingNamed() {
    assertThatThrownBy(() -> TimerGuardMetrics.builder().maxSites(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "maxSites must be at least 1 (the number of call sites exported by name; the rest are"
                + " summed under site=\"other\"), was 0");
    assertThatThrownBy(() -> TimerGuardMetrics.builder().maxSites(-3))
        .hasMessageContaining("maxSites must be at least 1")
        .hasMessageEndingWith("was -3");
    assertThatThrownBy(() -> TimerGuardMetrics.rows(model.watch.report(), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxSites must be at least 1");
    assertThatThrownBy(() -> TimerGuardMetrics.builder().registry(model.registry).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not LiveRegistry.global(): give a watch over it too");
    SiteRegistry elsewhere = SiteRegistry.create(4, System::nanoTime);
    assertThatThrownBy(
            () -> TimerGuardMetrics.builder().registry(elsewhere).watch(model.watch).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not the registry the watch samples");
    assertThatThrownBy(() -> TimerGuardMetrics.builder().watch(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("watch");
    TimerGuardMetrics metrics = binder(3);
    assertThatThrownBy(() -> metrics.bindTo(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("registry");
    metrics.close();
    assertThatThrownBy(() -> metrics.bindTo(meters))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("this TimerGuardMetrics was closed");
  }
}
