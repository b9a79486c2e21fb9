package dev.timerguard.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.timerguard.Timeout;
import dev.timerguard.Timers;
import dev.timerguard.live.GrowthWatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import tools.jackson.databind.JsonNode;

/**
 * A real web application with the starter's defaults: the shared watch over the global registry,
 * timers created through the safe API, read back over HTTP.
 */
@SpringBootTest(
    classes = SharedWatchWebTest.App.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "management.endpoints.web.exposure.include=health,prometheus,timerguard",
      "management.endpoint.health.show-details=always",
      "timerguard.watch.time-compression=600"
    })
@DirtiesContext // closes the context after the class, and with it the watch it started
class SharedWatchWebTest {

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {}

  @LocalServerPort int port;
  @Autowired GrowthWatch watch;

  static final Set<String> CONTRACT =
      Set.of(
          "timerguard_site_live",
          "timerguard_site_creations_total",
          "timerguard_site_fired_total",
          "timerguard_site_cancelled_total",
          "timerguard_site_growth_rate",
          "timerguard_site_growth_severity",
          "timerguard_live_timers",
          "timerguard_retained_cancelled_tasks",
          "timerguard_live_threads",
          "timerguard_growth_worst_severity",
          "timerguard_jvm_heap_after_gc_bytes",
          "timerguard_jvm_gc_pause_seconds_total",
          "timerguard_jvm_gc_collections_total",
          "timerguard_jvm_threads_live");

  @Test
  void prometheusTimerguardAndHealthShowTheTimersOfTheSafeApi() throws Exception {
    assertThat(watch).isSameAs(GrowthWatch.sharedIfRunning());
    assertThat(watch.timeCompression()).isEqualTo(600);
    List<Timeout> leaked = new ArrayList<>();
    try (Timers timers = Timers.create()) {
      for (int i = 0; i < 7; i++) {
        leaked.add(timers.schedule(Duration.ofMinutes(30), () -> {})); // never closed in time
      }
      watch.sampleNow();

      // the site of the loop above, as the watch saw it
      JsonNode report = Http.json(port, "/actuator/timerguard");
      JsonNode row = null;
      for (JsonNode r : report.get("sites")) {
        if (r.get("class").asString().equals(SharedWatchWebTest.class.getName())) {
          assertThat(row).as("one site of this class").isNull();
          row = r;
        }
      }
      assertThat(row).isNotNull();
      String site = row.get("site").asString();
      assertThat(row.get("kind").asString()).isEqualTo("timer");
      assertThat(site).startsWith(SharedWatchWebTest.class.getName() + ".");
      assertThat(site).endsWith("(SharedWatchWebTest.java:" + row.get("line").asInt() + ")");
      assertThat(row.get("live").asLong()).isEqualTo(7);
      assertThat(row.get("created").asLong()).isEqualTo(7);
      assertThat(row.get("fired").asLong()).isZero();
      assertThat(row.get("cancelled").asLong()).isZero();
      assertThat(row.get("retained").asLong()).isZero();
      assertThat(row.get("level").asInt()).isZero();
      assertThat(row.get("severity").asString()).isIn("NONE", "WATCH");
      assertThat(row.has("ratePerSecond")).isTrue();
      assertThat(row.get("since").isNull()).isTrue();
      assertThat(report.get("totals").get("liveTimers").asLong()).isGreaterThanOrEqualTo(7);
      JsonNode settings = report.get("watch");
      assertThat(settings.get("running").asBoolean()).isTrue();
      assertThat(settings.get("timeCompression").asDouble()).isEqualTo(600);
      assertThat(settings.get("rapidWindow").asString()).isEqualTo("PT1S");
      assertThat(settings.get("maxSites").asInt()).isEqualTo(200);

      List<Http.Sample> samples = Http.prometheus(port);
      Set<String> names =
          samples.stream()
              .map(Http.Sample::name)
              .filter(n -> n.startsWith("timerguard_"))
              .collect(Collectors.toSet());
      assertThat(names).containsAll(CONTRACT);
      assertThat(Http.value(samples, "timerguard_site_live", site)).isEqualTo(7);
      assertThat(Http.value(samples, "timerguard_site_creations_total", site)).isEqualTo(7);
      assertThat(Http.value(samples, "timerguard_site_growth_severity", site)).isZero();
      assertThat(
              samples.stream()
                  .filter(s -> s.name().equals("timerguard_site_live"))
                  .filter(s -> site.equals(s.labels().get("site")))
                  .findFirst()
                  .orElseThrow()
                  .labels())
          .containsOnlyKeys("kind", "site", "class", "line")
          .containsEntry("class", SharedWatchWebTest.class.getName())
          .containsEntry("line", Integer.toString(row.get("line").asInt()));

      JsonNode health = Http.json(port, "/actuator/health");
      assertThat(health.get("status").asString()).isEqualTo("UP");
      JsonNode tg = health.get("components").get("timerguard");
      assertThat(tg.get("status").asString()).isEqualTo("UP");
      assertThat(tg.get("details").has("worstSeverity")).isTrue();
      assertThat(tg.get("details").get("downOnRapid").asBoolean()).isFalse();

      leaked.forEach(Timeout::close);
      watch.sampleNow();
      assertThat(Http.value(Http.prometheus(port), "timerguard_site_live", site)).isZero();
      assertThat(Http.value(Http.prometheus(port), "timerguard_site_cancelled_total", site))
          .isEqualTo(7);
    }
  }
}
