package dev.timerguard.spring.sample;

import static org.assertj.core.api.Assertions.assertThat;

import dev.timerguard.live.GrowthWatch;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The sample as its users see it: requests in, counts out of /actuator/timerguard. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SampleApplicationTest {

  static final HttpClient CLIENT = HttpClient.newHttpClient();

  @LocalServerPort int port;
  @Autowired GrowthWatch watch;

  String get(String path) throws Exception {
    HttpResponse<String> r =
        CLIENT.send(
            HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(path).isEqualTo(200);
    return r.body();
  }

  /** Live, created and cancelled at the site of a controller method, as the endpoint shows. */
  long[] site(String method) throws Exception {
    watch.sampleNow();
    JsonNode report = JsonMapper.builder().build().readTree(get("/actuator/timerguard"));
    String prefix = LeakController.class.getName() + "." + method + "(";
    for (JsonNode r : report.get("sites")) {
      if (r.get("site").asString().startsWith(prefix)) {
        return new long[] {
          r.get("live").asLong(), r.get("created").asLong(), r.get("cancelled").asLong()
        };
      }
    }
    return new long[3];
  }

  @Test
  void leakyRaisesTheLiveCountByOnePerRequestAndHealthyLeavesItAlone() throws Exception {
    long[] leaky0 = site("leaky");
    long[] healthy0 = site("healthy");
    for (int i = 0; i < 5; i++) {
      assertThat(get("/leaky")).startsWith("scheduled");
    }
    for (int i = 0; i < 4; i++) {
      assertThat(get("/healthy")).startsWith("scheduled");
    }
    long[] leaky1 = site("leaky");
    long[] healthy1 = site("healthy");
    assertThat(leaky1[0] - leaky0[0]).as("live at /leaky's site").isEqualTo(5);
    assertThat(leaky1[1] - leaky0[1]).as("created at /leaky's site").isEqualTo(5);
    assertThat(healthy1[0] - healthy0[0]).as("live at /healthy's site").isZero();
    assertThat(healthy1[1] - healthy0[1]).as("created at /healthy's site").isEqualTo(4);
    assertThat(healthy1[2] - healthy0[2]).as("cancelled at /healthy's site").isEqualTo(4);

    String prometheus = get("/actuator/prometheus");
    assertThat(prometheus)
        .contains("timerguard_site_live{")
        .contains("site=\"" + LeakController.class.getName() + ".leaky(");
    JsonNode health = JsonMapper.builder().build().readTree(get("/actuator/health"));
    assertThat(health.get("components").get("timerguard").get("status").asString()).isEqualTo("UP");
  }
}
