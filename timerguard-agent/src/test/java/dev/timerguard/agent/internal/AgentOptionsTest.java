package dev.timerguard.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class AgentOptionsTest {

  @Test
  void defaultsAndValues() {
    AgentOptions d = AgentOptions.parse(null);
    assertThat(d.httpPort).isNull();
    assertThat(d.jmx).isTrue();
    AgentOptions o = AgentOptions.parse("http=0,portFile=p.txt,jmx=false,sampleMillis=50,exclude=a.;b.");
    assertThat(o.httpPort).isZero();
    assertThat(o.portFile).isEqualTo("p.txt");
    assertThat(o.jmx).isFalse();
    assertThat(o.sampleMillis).isEqualTo(50);
    assertThat(o.excludes).containsExactly("a.", "b.");
  }

  @Test
  void badInputNamesTheOption() {
    assertThatThrownBy(() -> AgentOptions.parse("http=70000")).hasMessageContaining("http");
    assertThatThrownBy(() -> AgentOptions.parse("nope=1")).hasMessageContaining("unknown agent option 'nope'");
    assertThatThrownBy(() -> AgentOptions.parse("http")).hasMessageContaining("not key=value");
    assertThatThrownBy(() -> AgentOptions.parse("jmx=maybe")).hasMessageContaining("jmx");
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
