package dev.timerguard.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.timerguard.live.GrowthWatch;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentOptionsTest {

  @TempDir Path dir;

  @Test
  void defaultsAndValues() {
    AgentOptions d = AgentOptions.parse(null);
    assertThat(d.httpPort).isNull();
    assertThat(d.jmx).isTrue();
    assertThat(d.watch).isTrue();
    assertThat(d.maxSeriesSites).isEqualTo(200);
    assertThat(d.token).isNull();
    AgentOptions o =
        AgentOptions.parse("http=0,portFile=p.txt,jmx=false,sampleMillis=50,exclude=a.;b.");
    assertThat(o.httpPort).isZero();
    assertThat(o.portFile).isEqualTo("p.txt");
    assertThat(o.jmx).isFalse();
    assertThat(o.sampleMillis).isEqualTo(50);
    assertThat(o.excludes).containsExactly("a.", "b.");
  }

  @Test
  void httpTakesAPortOrAHostAndAPortAndStaysOnLoopbackByDefault() throws Exception {
    AgentOptions port = AgentOptions.parse("http=9464");
    assertThat(port.httpPort).isEqualTo(9464);
    assertThat(port.httpBindAddress()).isEqualTo(InetAddress.getLoopbackAddress());
    AgentOptions any = AgentOptions.parse("http=0.0.0.0:9464");
    assertThat(any.httpBindAddress()).isEqualTo(InetAddress.getByName("0.0.0.0"));
    assertThat(any.httpHostName).isEqualTo("0.0.0.0");
    assertThat(AgentOptions.parse("http=[::1]:0").httpBindAddress())
        .isEqualTo(InetAddress.getByName("::1"));
    assertThat(AgentOptions.parse("http=localhost:1").httpBindAddress().isLoopbackAddress())
        .isTrue();
  }

  @Test
  void badHttpValuesAreRejectedNamingTheOption() {
    for (String bad :
        List.of(
            "nohost:",
            ":9464",
            "70000",
            "-1",
            "host:70000",
            "x",
            "::1:9464",
            "[::1]",
            "[::1]9464")) {
      assertThatThrownBy(() -> AgentOptions.parse("http=" + bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "agent option http must be PORT or HOST:PORT (IPv6: [ADDRESS]:PORT) with PORT in"
                  + " [0,65535], was '"
                  + bad
                  + "'");
    }
    assertThatThrownBy(() -> AgentOptions.parse("http=no-such-host.invalid:9464"))
        .hasMessage(
            "agent option http: cannot resolve host 'no-such-host.invalid' (was 'no-such-host.invalid:9464')");
  }

  @Test
  void aTokenComesInlineOrFromAFile() throws Exception {
    assertThat(AgentOptions.parse("token=abc.DEF-123").token).isEqualTo("abc.DEF-123");
    Path f = dir.resolve("token");
    Files.writeString(f, "  from-file\n");
    assertThat(AgentOptions.parse("tokenFile=" + f).token).isEqualTo("from-file");
    assertThatThrownBy(() -> AgentOptions.parse("token=a,tokenFile=" + f))
        .hasMessage("agent options token and tokenFile exclude each other: give one");
    assertThatThrownBy(() -> AgentOptions.parse("token="))
        .hasMessage("agent option token must not be empty");
    assertThatThrownBy(() -> AgentOptions.parse("tokenFile=" + dir.resolve("absent")))
        .hasMessageStartingWith(
            "agent option tokenFile: cannot read '" + dir.resolve("absent") + "'");
    Files.writeString(f, "two words");
    assertThatThrownBy(() -> AgentOptions.parse("tokenFile=" + f))
        .hasMessageStartingWith(
            "agent option tokenFile: the token in '"
                + f
                + "' must be printable ASCII without spaces");
  }

  @Test
  void watchOptions() {
    AgentOptions o =
        AgentOptions.parse("watch=false,watchInterval=250ms,watchCompression=600,maxSeriesSites=5");
    assertThat(o.watch).isFalse();
    assertThat(o.watchInterval).isEqualTo(Duration.ofMillis(250));
    assertThat(o.watchCompression).isEqualTo(600.0);
    assertThat(o.maxSeriesSites).isEqualTo(5);
    GrowthWatch w =
        AgentOptions.parse("watchInterval=50ms,watchCompression=600").watchSettings().build();
    assertThat(w.interval()).isEqualTo(Duration.ofMillis(50));
    assertThat(w.timeCompression()).isEqualTo(600.0);
    assertThat(w.policy().rapidWindow()).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void badWatchValuesAreRejectedNamingTheOption() {
    assertThatThrownBy(() -> AgentOptions.parse("watch=yes"))
        .hasMessage("agent option watch must be true or false, was 'yes'");
    assertThatThrownBy(() -> AgentOptions.parse("watchInterval=soon"))
        .hasMessage(
            "agent option watchInterval must be a positive duration such as 500ms, 10s, 5m, 1h or PT10S, was 'soon'");
    assertThatThrownBy(() -> AgentOptions.parse("watchCompression=0.5"))
        .hasMessage("agent option watchCompression must be a finite number >= 1, was '0.5'");
    assertThatThrownBy(
            () -> AgentOptions.parse("watchInterval=1s,watchCompression=600").watchSettings())
        .hasMessageStartingWith(
            "agent option watchInterval: timerguard.watch.interval PT1S is too long");
    assertThatThrownBy(() -> AgentOptions.parse("maxSeriesSites=0"))
        .hasMessage("agent option maxSeriesSites must be an integer in [1,1048576], was '0'");
  }

  @Test
  void theWatchReadsItsSystemPropertiesAndNamesABadOne() {
    System.setProperty("timerguard.watch.rapidRatePerSecond", "7");
    try {
      assertThat(AgentOptions.parse("").watchSettings().build().policy().rapidRatePerSecond())
          .isEqualTo(7.0);
      System.setProperty("timerguard.watch.rapidRatePerSecond", "fast");
      assertThatThrownBy(() -> AgentOptions.parse("").watchSettings())
          .hasMessageContaining("timerguard.watch.rapidRatePerSecond");
    } finally {
      System.clearProperty("timerguard.watch.rapidRatePerSecond");
    }
  }

  @Test
  void badInputNamesTheOption() {
    assertThatThrownBy(() -> AgentOptions.parse("http=70000")).hasMessageContaining("http");
    assertThatThrownBy(() -> AgentOptions.parse("nope=1"))
        .hasMessageStartingWith("unknown agent option 'nope' (accepted: http,");
    assertThatThrownBy(() -> AgentOptions.parse("http")).hasMessageContaining("not key=value");
    assertThatThrownBy(() -> AgentOptions.parse("jmx=maybe")).hasMessageContaining("jmx");
  }

  @Test
  void aBadDoctorSessionIsRejectedWithoutEchoingTheSecret() {
    String secret = "0123456789abcdef0123456789abcdef";
    AgentOptions ok = AgentOptions.parse("doctor=00112233aabbccdd:" + secret);
    assertThat(ok.doctorId).isEqualTo("00112233aabbccdd");
    assertThat(ok.doctorSecret).isEqualTo(secret);
    assertThat(AgentOptions.parse("").doctorId).isNull();
    for (String bad :
        new String[] {
          "00112233aabbccdd",
          "0011:" + secret,
          "00112233aabbccdd:short",
          "00112233AABBCCDD:" + secret,
          "00112233aabbccdd:" + secret + "z"
        }) {
      assertThatThrownBy(() -> AgentOptions.parse("doctor=" + bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "agent option doctor must be ID:SECRET with ID 16 and SECRET 32 to 128 lowercase"
                  + " hex digits (what timerguard doctor passes), was a value of "
                  + bad.length()
                  + " characters");
    }
  }

  @Test
  void jdkAgentAndModelAreNeverInstrumentedButApplicationsAre() {
    assertThat(Installer.excluded("java.util.Timer", List.of())).isTrue();
    assertThat(Installer.excluded("dev.timerguard.live.LiveRegistry", List.of())).isTrue();
    assertThat(Installer.excluded("dev.timerguard.agent.boot.Hooks", List.of())).isTrue();
    assertThat(Installer.excluded("dev.timerguard.Timers", List.of())).isTrue();
    assertThat(Installer.excluded("dev.timerguard.cli.LeakyService", List.of())).isFalse();
    assertThat(Installer.excluded("com.acme.Rpc", List.of())).isFalse();
    assertThat(Installer.excluded("com.acme.Rpc", List.of("com.acme."))).isTrue();
  }
}
