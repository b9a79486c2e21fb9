package dev.timerguard.cli.soak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/** The chaos harness's upstreams misbehave as promised, and refuse bad settings by name. */
class UpstreamsTest {

  /** Polls (bounded, 10 s) until a call ends the expected way; returns how many calls it took. */
  private static int until(int port, boolean refused) {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    int calls = 0;
    while (System.nanoTime() < end) {
      calls++;
      try {
        assertThat(ChaosClients.get(port, "/x")).isEqualTo(200);
        if (!refused) {
          return calls;
        }
      } catch (ConnectException e) {
        if (refused) {
          return calls;
        }
      } catch (IOException e) {
        throw new AssertionError("neither served nor refused: " + e, e);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
    throw new AssertionError("the flapping upstream never " + (refused ? "went down" : "came up"));
  }

  @Test
  void flappingUpstreamServesThenRefusesThenServesAgainOnTheSamePort() throws Exception {
    try (Upstreams.Flapping f =
        Upstreams.Flapping.start(Duration.ofMillis(300), Duration.ofMillis(300))) {
      until(f.port(), false);
      long served = f.served();
      assertThat(served).isPositive();
      until(f.port(), true);
      assertThat(f.downPhases()).isGreaterThanOrEqualTo(1);
      until(f.port(), false);
      assertThat(f.served()).isGreaterThan(served);
    }
  }

  @Test
  void slowUpstreamAnswersAfterTheClientsTimeout() throws Exception {
    try (Upstreams.Slow s = Upstreams.Slow.start(Duration.ofSeconds(2))) {
      assertThatThrownBy(() -> ChaosClients.get(s.port(), "/slow"))
          .isInstanceOf(SocketTimeoutException.class);
      assertThat(s.received()).isEqualTo(1);
    }
  }

  @Test
  void badDurationsAreRefusedByName() {
    assertThatThrownBy(() -> Upstreams.Flapping.start(Duration.ZERO, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("up must be a positive duration, was PT0S");
    assertThatThrownBy(
            () -> Upstreams.Flapping.start(Duration.ofSeconds(1), Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("down must be a positive duration, was PT-1S");
    assertThatThrownBy(() -> Upstreams.Slow.start(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("delay");
  }

  private static String childError(String... args) throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                ChaosChild.class.getName()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    try {
      String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(err).isEqualTo(2);
      return err.trim();
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  void theChildRefusesBadArgumentsByName() throws Exception {
    assertThat(childError("sometimes", "1", "2", "PT1S", "5"))
        .startsWith("chaos child: variant must be leaky or fixed, was 'sometimes'; usage: ");
    assertThat(childError("fixed", "1", "2", "20s", "5"))
        .startsWith("chaos child: DURATION must be an ISO-8601 duration such as PT20S, was '20s'");
    assertThat(childError("fixed", "1", "70000", "PT1S", "5"))
        .startsWith("chaos child: SLOW_PORT must be a number from 1.0 to 65535.0, was '70000'");
  }

  @Test
  void aScrapeLineThatIsNotASampleIsRefusedWithTheLineQuoted() {
    assertThatThrownBy(() -> Scrape.parse("timerguard_live_timers 1\nnot a row\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("not a Prometheus sample row: 'not a row'");
    Scrape s =
        Scrape.parse(
            "# TYPE x gauge\ntimerguard_site_live{kind=\"timer\",site=\"a.B.c(B.java:3)\",class=\"a.B\","
                + "line=\"3\"} 7\ntimerguard_live_timers 2\n");
    assertThat(s.atSite("timerguard_site_live", "a.B", 3)).isEqualTo(7);
    assertThat(s.atSite("timerguard_site_live", "a.B", 4)).isZero();
    assertThat(s.total("timerguard_live_timers")).isEqualTo(2);
  }
}
