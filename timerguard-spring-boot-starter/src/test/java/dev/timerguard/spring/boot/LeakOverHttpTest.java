package dev.timerguard.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.timerguard.Timeout;
import dev.timerguard.Timers;
import dev.timerguard.live.GrowthWatch;
import dev.timerguard.live.LiveRegistry;
import dev.timerguard.live.SiteStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.annotation.DirtiesContext;
import tools.jackson.databind.JsonNode;

/**
 * A real web application whose watch runs on a test clock: a leaking and a sawtooth site, both made
 * of real timers of the safe API, driven sample by sample and read back over HTTP.
 */
@SpringBootTest(
    classes = LeakOverHttpTest.App.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "management.endpoints.web.exposure.include=health,prometheus,timerguard",
      "management.endpoint.health.show-details=always"
    })
@DirtiesContext
class LeakOverHttpTest {

  static final AtomicLong CLOCK = new AtomicLong(1);
  static final LiveRegistry REGISTRY = LiveRegistry.create(64, CLOCK::get);

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {
    /** The application's own watch (windows divided by 60: rapid = 100/s over 10 s). */
    @Bean
    GrowthWatch testWatch() {
      return GrowthWatch.builder().registry(REGISTRY).timeCompression(60).build();
    }
  }

  @LocalServerPort int port;
  @Autowired GrowthWatch watch;

  List<Timeout> leak(Timers timers) {
    List<Timeout> out = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      out.add(timers.schedule(Duration.ofMinutes(30), () -> {}));
    }
    return out;
  }

  List<Timeout> burst(Timers timers) {
    List<Timeout> out = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      out.add(timers.schedule(Duration.ofMinutes(30), () -> {}));
    }
    return out;
  }

  @Test
  void aLeakIsRapidInPrometheusTheEndpointAndHealthAndASawtoothIsNot() throws Exception {
    List<Timeout> leaked = new ArrayList<>();
    List<Timeout> saw = new ArrayList<>();
    try (Timers timers = Timers.builder().registry(REGISTRY).build()) {
      // 16 s of samples every 200 ms: the leak gains 100 per sample (500/s); the sawtooth 100
      // per sample, all closed every fifth sample
      for (int i = 1; i <= 80; i++) {
        leaked.addAll(leak(timers));
        saw.addAll(burst(timers));
        if (i % 5 == 0) {
          saw.forEach(Timeout::close);
          saw.clear();
        }
        CLOCK.addAndGet(200_000_000L);
        watch.sampleNow();
      }
      String leakSite = null;
      String sawSite = null;
      for (SiteStats s : watch.report().snapshot().sites()) {
        if (s.site().methodName().equals("leak")) {
          leakSite = s.site().location();
        } else if (s.site().methodName().equals("burst")) {
          sawSite = s.site().location();
        }
      }
      assertThat(leakSite).isNotNull();
      assertThat(sawSite).isNotNull();

      List<Http.Sample> samples = Http.prometheus(port);
      assertThat(Http.value(samples, "timerguard_site_live", leakSite)).isEqualTo(8000);
      assertThat(Http.value(samples, "timerguard_site_growth_severity", leakSite)).isEqualTo(2);
      assertThat(Http.value(samples, "timerguard_site_growth_rate", leakSite))
          .isBetween(450.0, 550.0);
      assertThat(Http.value(samples, "timerguard_site_growth_severity", sawSite)).isZero();
      assertThat(Http.value(samples, "timerguard_site_live", sawSite)).isZero();
      assertThat(Http.value(samples, "timerguard_site_cancelled_total", sawSite)).isEqualTo(8000);
      assertThat(
              samples.stream()
                  .filter(s -> s.name().equals("timerguard_growth_worst_severity"))
                  .findFirst()
                  .orElseThrow()
                  .value())
          .isEqualTo(2);

      JsonNode report = Http.json(port, "/actuator/timerguard");
      JsonNode leakRow = null;
      JsonNode sawRow = null;
      for (JsonNode r : report.get("sites")) {
        if (r.get("site").asString().equals(leakSite)) {
          leakRow = r;
        } else if (r.get("site").asString().equals(sawSite)) {
          sawRow = r;
        }
      }
      assertThat(leakRow.get("level").asInt()).isEqualTo(2);
      assertThat(leakRow.get("severity").asString()).isEqualTo("RAPID");
      assertThat(leakRow.get("since").asString()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
      assertThat(leakRow.get("live").asLong()).isEqualTo(8000);
      assertThat(leakRow.get("ratePerSecond").asDouble()).isBetween(450.0, 550.0);
      assertThat(sawRow.get("level").asInt()).isZero();
      assertThat(report.get("totals").get("worstLevel").asInt()).isEqualTo(2);
      assertThat(report.get("totals").get("worstSeverity").asString()).isEqualTo("RAPID");
      assertThat(report.get("totals").get("alerting").asInt()).isEqualTo(1);
      assertThat(report.get("watch").get("running").asBoolean()).isFalse();

      JsonNode health = Http.json(port, "/actuator/health");
      assertThat(health.get("status").asString()).isEqualTo("UP"); // down-on-rapid is off
      JsonNode details = health.get("components").get("timerguard").get("details");
      assertThat(details.get("worstSeverity").asString()).isEqualTo("RAPID");
      assertThat(details.get("alerting").get(0).get("site").asString()).isEqualTo(leakSite);
      assertThat(details.get("alerting").get(0).get("level").asInt()).isEqualTo(2);
    } finally {
      leaked.forEach(Timeout::close);
    }
  }
}
