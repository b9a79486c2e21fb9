package dev.timerguard.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.timerguard.live.CallSite;
import dev.timerguard.live.GrowthWatch;
import dev.timerguard.live.internal.SiteCounter;
import dev.timerguard.live.internal.SiteRegistry;
import dev.timerguard.micrometer.TimerGuardMetrics;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class TimerGuardAutoConfigurationTest {

  final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(TimerGuardAutoConfiguration.class));

  /** The one-line message of the failure that stopped a context. */
  static String failure(AssertableApplicationContext context) {
    assertThat(context).hasFailed();
    Throwable t = context.getStartupFailure();
    while (t.getCause() != null && !(t instanceof InvalidConfigurationPropertyValueException)) {
      t = t.getCause();
    }
    assertThat(t.getMessage()).doesNotContain("\n");
    return t.getMessage();
  }

  @Test
  void startsTheSharedWatchBindsTheMetricsAndStopsTheWatchOnClose() {
    assertThat(GrowthWatch.sharedIfRunning()).as("no shared watch before the test").isNull();
    GrowthWatch[] seen = new GrowthWatch[1];
    runner.run(
        context -> {
          assertThat(context).hasNotFailed();
          GrowthWatch watch = context.getBean(GrowthWatch.class);
          seen[0] = watch;
          assertThat(watch).isSameAs(GrowthWatch.sharedIfRunning());
          assertThat(watch.isRunning()).isTrue();
          assertThat(watch.registry()).isSameAs(SiteRegistry.global());
          assertThat(watch.policy().rapidWindow()).isEqualTo(Duration.ofMinutes(10));
          TimerGuardMetrics metrics = context.getBean(TimerGuardMetrics.class);
          assertThat(metrics.watch()).isSameAs(watch);
          assertThat(metrics.maxSites()).isEqualTo(TimerGuardMetrics.DEFAULT_MAX_SITES);
          TimerGuardProperties p = context.getBean(TimerGuardProperties.class);
          assertThat(p.getMetrics().getMaxSites()).isEqualTo(TimerGuardMetrics.DEFAULT_MAX_SITES);
          assertThat(p.getHealth().isDownOnRapid()).isFalse();
        });
    assertThat(seen[0].isRunning()).isFalse();
    assertThat(GrowthWatch.sharedIfRunning()).isNull();
  }

  @Test
  void oneContextClosingLeavesTheWatchToTheOthers() {
    assertThat(GrowthWatch.sharedIfRunning()).isNull();
    GrowthWatch[] second = new GrowthWatch[1];
    runner.run(
        outer -> {
          GrowthWatch watch = outer.getBean(GrowthWatch.class);
          // a second context in the same JVM (a cached test context, a second application)
          runner.run(inner -> second[0] = inner.getBean(GrowthWatch.class));
          assertThat(second[0]).isSameAs(watch);
          assertThat(watch.isRunning()).as("the outer context still reads it").isTrue();
        });
    assertThat(second[0].isRunning()).as("the last context closed").isFalse();
  }

  @Test
  void leavesAWatchItDidNotStartRunning() {
    GrowthWatch mine = GrowthWatch.startShared(GrowthWatch.builder().timeCompression(60));
    try {
      runner
          .withPropertyValues("timerguard.watch.time-compression=600")
          .run(
              context -> {
                GrowthWatch watch = context.getBean(GrowthWatch.class);
                assertThat(watch).isSameAs(mine);
                assertThat(watch.timeCompression()).isEqualTo(60); // the first start wins
              });
      assertThat(mine.isRunning()).isTrue();
    } finally {
      mine.close();
    }
  }

  @Test
  void bindsTheSettings() {
    runner
        .withPropertyValues(
            "timerguard.metrics.max-sites=17",
            "timerguard.watch.interval=50ms",
            "timerguard.watch.time-compression=600",
            "timerguard.watch.rapid-rate-per-second=10",
            "timerguard.watch.rapid-window=20m",
            "timerguard.watch.slow-rate-per-second=0.5",
            "timerguard.watch.slow-window=12h",
            "timerguard.health.down-on-rapid=true")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              GrowthWatch watch = context.getBean(GrowthWatch.class);
              assertThat(watch.interval()).isEqualTo(Duration.ofMillis(50));
              assertThat(watch.timeCompression()).isEqualTo(600);
              assertThat(watch.policy().rapidRatePerSecond()).isEqualTo(10);
              assertThat(watch.policy().rapidWindow()).isEqualTo(Duration.ofSeconds(2));
              assertThat(watch.policy().slowRatePerSecond()).isEqualTo(0.5);
              assertThat(watch.policy().slowWindow()).isEqualTo(Duration.ofSeconds(72));
              assertThat(context.getBean(TimerGuardMetrics.class).maxSites()).isEqualTo(17);
              assertThat(context.getBean(TimerGuardProperties.class).getHealth().isDownOnRapid())
                  .isTrue();
            });
  }

  @Test
  void relaxedNamesOfTheSameKeysAreAccepted() {
    runner
        .withPropertyValues("timerguard.watch.timeCompression=600", "timerguard.metrics.maxSites=3")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context.getBean(GrowthWatch.class).timeCompression()).isEqualTo(600);
              assertThat(context.getBean(TimerGuardMetrics.class).maxSites()).isEqualTo(3);
            });
  }

  @Test
  void disabledRegistersNothing() {
    runner
        .withPropertyValues("timerguard.enabled=false", "timerguard.metrics.max-sites=0")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context).doesNotHaveBean(GrowthWatch.class);
              assertThat(context).doesNotHaveBean(TimerGuardMetrics.class);
              assertThat(context).doesNotHaveBean(TimerGuardEndpoint.class);
              assertThat(context).doesNotHaveBean(TimerGuardHealthIndicator.class);
            });
  }

  static final String ACCEPTED =
      "accepted: timerguard.enabled, timerguard.metrics.max-sites, timerguard.watch.interval,"
          + " timerguard.watch.time-compression, timerguard.watch.rapid-rate-per-second,"
          + " timerguard.watch.rapid-window, timerguard.watch.slow-rate-per-second,"
          + " timerguard.watch.slow-window, timerguard.health.down-on-rapid";

  @Test
  void anUnknownKeyFailsStartupNamingItAndTheAcceptedKeys() {
    runner
        .withPropertyValues("timerguard.watch.intervall=5s")
        .run(
            context ->
                assertThat(failure(context))
                    .isEqualTo(
                        "Property timerguard.watch.intervall with value '5s' is invalid: not a"
                            + " TimerGuard property; "
                            + ACCEPTED));
    runner
        .withPropertyValues("timerguard.metricz.max-sites=5")
        .run(context -> assertThat(failure(context)).contains("timerguard.metricz.max-sites"));
  }

  @Test
  void keysOfTheOtherTimerGuardPartsAreLeftAlone() {
    runner
        .withPropertyValues("timerguard.registry.max-sites=8192", "timerguard.leaks.grace=1s")
        .run(context -> assertThat(context).hasNotFailed());
  }

  @Test
  void unknownEnvironmentVariablesAreNotConfigurationButKnownOnesAreChecked() {
    // TIMERGUARD_HOME or a CI script's TIMERGUARD_E2E_REQUIRE on the host must not stop the app
    runner
        .withInitializer(
            ctx ->
                ctx.getEnvironment()
                    .getPropertySources()
                    .addFirst(
                        new org.springframework.core.env.SystemEnvironmentPropertySource(
                            org.springframework.core.env.StandardEnvironment
                                .SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                            java.util.Map.of(
                                "TIMERGUARD_HOME", "/opt/tg", "TIMERGUARD_E2E_REQUIRE", "1"))))
        .run(context -> assertThat(context).hasNotFailed());
    runner
        .withInitializer(
            ctx ->
                ctx.getEnvironment()
                    .getPropertySources()
                    .addFirst(
                        new org.springframework.core.env.SystemEnvironmentPropertySource(
                            org.springframework.core.env.StandardEnvironment
                                .SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                            java.util.Map.of("TIMERGUARD_WATCH_INTERVAL", "-5s"))))
        .run(context -> assertThat(failure(context)).contains("timerguard.watch.interval", "-5s"));
  }

  @Test
  void malformedValuesFailStartupNamingThePropertyAndTheAcceptedValues() {
    String duration = "a positive duration such as 500ms, 10s, 5m, 6h, 1d or PT10S";
    Map<String, String> cases =
        Map.of(
            "timerguard.watch.interval=-5s",
            "Property timerguard.watch.interval with value '-5s' is invalid: must be " + duration,
            "timerguard.watch.rapid-window=0s",
            "Property timerguard.watch.rapid-window with value '0s' is invalid: must be "
                + duration,
            "timerguard.watch.slow-window=six hours",
            "Property timerguard.watch.slow-window with value 'six hours' is invalid: must be "
                + duration,
            "timerguard.metrics.max-sites=0",
            "Property timerguard.metrics.max-sites with value '0' is invalid: must be a whole"
                + " number >= 1",
            "timerguard.metrics.max-sites=many",
            "Property timerguard.metrics.max-sites with value 'many' is invalid: must be a whole"
                + " number >= 1",
            "timerguard.watch.time-compression=0.5",
            "Property timerguard.watch.time-compression with value '0.5' is invalid: must be a"
                + " number >= 1 (1: real time, 600: 10 minutes in a second)",
            "timerguard.watch.rapid-rate-per-second=-1",
            "Property timerguard.watch.rapid-rate-per-second with value '-1' is invalid: must be"
                + " a positive number",
            "timerguard.health.down-on-rapid=yes",
            "Property timerguard.health.down-on-rapid with value 'yes' is invalid: must be true"
                + " or false",
            "timerguard.enabled=on",
            "Property timerguard.enabled with value 'on' is invalid: must be true or false");
    List<String> checked = new ArrayList<>();
    cases.forEach(
        (property, message) ->
            runner
                .withPropertyValues(property)
                .run(
                    context -> {
                      assertThat(failure(context)).as(property).isEqualTo(message);
                      checked.add(property);
                    }));
    assertThat(checked).hasSize(cases.size());
    assertThat(GrowthWatch.sharedIfRunning()).isNull();
  }

  @Test
  void anIntervalLongerThanAThirdOfTheRapidWindowFailsWithTheWatchsMessage() {
    runner
        .withPropertyValues("timerguard.watch.interval=5m")
        .run(
            context -> {
              assertThat(context).hasFailed();
              Throwable t = context.getStartupFailure();
              while (t.getCause() != null) {
                t = t.getCause();
              }
              assertThat(t)
                  .isInstanceOf(IllegalArgumentException.class)
                  .hasMessageStartingWith(
                      "timerguard.watch.interval PT5M is too long for the rapid" + " window PT10M");
            });
  }

  /** A watch over a test registry, supplied by the application: the starter then starts none. */
  @Configuration(proxyBeanMethods = false)
  static class TestWatch {
    static final AtomicLong CLOCK = new AtomicLong(1);
    static final SiteRegistry REGISTRY = SiteRegistry.create(64, CLOCK::get);

    @Bean
    GrowthWatch testWatch() {
      return GrowthWatch.builder().registry(REGISTRY).timeCompression(60).build();
    }
  }

  /** Drives a leak at a site of the test registry until the watch calls it rapid. */
  static CallSite leak(GrowthWatch watch) {
    CallSite site = CallSite.of(CallSite.Kind.TIMER, "com.acme.Leaky", "read", "Leaky.java", 42);
    SiteCounter c = TestWatch.REGISTRY.register(site);
    for (int i = 0;
        i < 80 && (watch.report().site(site) == null || watch.report().site(site).level() < 2);
        i++) {
      for (int j = 0; j < 100; j++) {
        c.start(0);
      }
      TestWatch.CLOCK.addAndGet(200_000_000L);
      watch.sampleNow();
    }
    assertThat(watch.report().site(site).level()).isEqualTo(2);
    return site;
  }

  @Test
  void healthStaysUpWhileASiteGrowsAndReportsIt() {
    runner
        .withUserConfiguration(TestWatch.class)
        .run(
            context -> {
              assertThat(context).hasSingleBean(TimerGuardHealthIndicator.class);
              GrowthWatch watch = context.getBean(GrowthWatch.class);
              assertThat(watch.isRunning()).isFalse(); // the application's watch, not started
              TimerGuardHealthIndicator health = context.getBean(TimerGuardHealthIndicator.class);
              assertThat(health.health().getStatus()).isEqualTo(Status.UP);
              CallSite site = leak(watch);
              Health h = health.health();
              assertThat(h.getStatus()).isEqualTo(Status.UP);
              assertThat(h.getDetails())
                  .containsEntry("worstSeverity", "RAPID")
                  .containsEntry("worstLevel", 2)
                  .containsEntry("alertingSites", 1);
              @SuppressWarnings("unchecked")
              List<Map<String, Object>> alerting =
                  (List<Map<String, Object>>) h.getDetails().get("alerting");
              assertThat(alerting).hasSize(1);
              assertThat(alerting.get(0))
                  .containsEntry("site", site.location())
                  .containsEntry("kind", "timer")
                  .containsEntry("level", 2);
            });
  }

  @Test
  void downOnRapidTurnsHealthDown() {
    runner
        .withUserConfiguration(TestWatch.class)
        .withPropertyValues("timerguard.health.down-on-rapid=true")
        .run(
            context -> {
              TimerGuardHealthIndicator health = context.getBean(TimerGuardHealthIndicator.class);
              GrowthWatch watch = context.getBean(GrowthWatch.class);
              watch.sampleNow();
              assertThat(health.health().getStatus()).isEqualTo(Status.UP);
              leak(watch);
              assertThat(health.health().getStatus()).isEqualTo(Status.DOWN);
            });
  }

  @Test
  void theEndpointIsThereWhenExposed() {
    runner
        .withPropertyValues("management.endpoints.web.exposure.include=timerguard")
        .run(context -> assertThat(context).hasSingleBean(TimerGuardEndpoint.class));
    runner.run(context -> assertThat(context).doesNotHaveBean(TimerGuardEndpoint.class));
  }

  @Test
  void withoutActuatorTheWatchAndTheMetricsStillWork() {
    runner
        .withClassLoader(
            new FilteredClassLoader(
                "org.springframework.boot.actuate", "org.springframework.boot.health"))
        .withPropertyValues("management.endpoints.web.exposure.include=timerguard")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context).hasSingleBean(GrowthWatch.class);
              assertThat(context).hasSingleBean(TimerGuardMetrics.class);
              assertThat(context).doesNotHaveBean(TimerGuardEndpoint.class);
              assertThat(context).doesNotHaveBean(TimerGuardHealthIndicator.class);
            });
  }

  @Test
  void theHealthIndicatorCanBeTurnedOff() {
    runner
        .withPropertyValues("management.health.timerguard.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(TimerGuardHealthIndicator.class));
  }

  @Test
  void configurationMetadataDescribesEveryProperty() throws Exception {
    // this module's own metadata (other jars on the class path have theirs)
    String ours =
        TimerGuardProperties.class.getProtectionDomain().getCodeSource().getLocation().toString();
    URL url = null;
    String path = "META-INF/spring-configuration-metadata.json";
    for (URL u : Collections.list(getClass().getClassLoader().getResources(path))) {
      if (u.toString().contains(ours)) {
        url = u;
      }
    }
    assertThat(url).as("metadata generated by spring-boot-configuration-processor").isNotNull();
    JsonNode json;
    try (InputStream in = url.openStream()) {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      json = JsonMapper.builder().build().readTree(text);
    }
    List<String> names = new ArrayList<>();
    for (JsonNode p : json.get("properties")) {
      String name = p.get("name").asString();
      if (!name.startsWith("timerguard.")) {
        continue;
      }
      names.add(name);
      assertThat(p.path("description").asString()).as(name).isNotBlank();
    }
    assertThat(names)
        .containsExactlyInAnyOrder(
            "timerguard.enabled",
            "timerguard.metrics.max-sites",
            "timerguard.watch.interval",
            "timerguard.watch.time-compression",
            "timerguard.watch.rapid-rate-per-second",
            "timerguard.watch.rapid-window",
            "timerguard.watch.slow-rate-per-second",
            "timerguard.watch.slow-window",
            "timerguard.health.down-on-rapid");
    for (JsonNode p : json.get("properties")) {
      if (p.get("name").asString().equals("timerguard.metrics.max-sites")) {
        assertThat(p.get("defaultValue").asInt()).isEqualTo(TimerGuardMetrics.DEFAULT_MAX_SITES);
      }
    }
  }
}
