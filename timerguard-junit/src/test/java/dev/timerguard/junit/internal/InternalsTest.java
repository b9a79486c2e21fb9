package dev.timerguard.junit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class InternalsTest {

  @Test
  void durations() {
    assertThat(Durations.parse("p", "500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse("p", " 2s ")).isEqualTo(Duration.ofSeconds(2));
    assertThat(Durations.parse("p", "1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(Durations.parse("p", "1m")).isEqualTo(Duration.ofMinutes(1));
    assertThat(Durations.parse("p", "PT1S")).isEqualTo(Duration.ofSeconds(1));
    assertThat(Durations.parse("p", "0")).isEqualTo(Duration.ZERO);
    assertThatThrownBy(() -> Durations.parse("p", "-1ms"))
        .hasMessage("p must not be negative, was -1 ms");
    assertThatThrownBy(() -> Durations.parse("p", ""))
        .hasMessageStartingWith("p: '' is not a duration");
  }

  @Test
  void framePatterns() {
    StackTraceElement park = new StackTraceElement("jdk.internal.misc.Unsafe", "park", null, -2);
    assertThat(FramePattern.parse("p", "jdk.internal.misc.Unsafe.park").matches(park)).isTrue();
    assertThat(FramePattern.parse("p", "jdk.internal.misc.Unsafe.par").matches(park)).isFalse();
    assertThat(FramePattern.parse("p", "jdk.internal.misc.Unsafe.p*").matches(park)).isTrue();
    assertThat(FramePattern.parse("p", "jdk.internal.*").matches(park)).isTrue();
    assertThat(FramePattern.parse("p", "jdk.internal.misc.Unsafe.*").matches(park)).isTrue();
    assertThat(FramePattern.parse("p", "java.*").matches(park)).isFalse();
    assertThatThrownBy(() -> FramePattern.parse("p", " ")).hasMessageContaining("is empty");
    assertThatThrownBy(() -> FramePattern.parse("p", "a.b c")).hasMessageContaining("whitespace");
  }

  @Test
  void parsesTheJdkJsonThreadDump() {
    String json =
        "{\"threadDump\": {\"processId\": \"1\", \"threadContainers\": [{\"container\": \"<root>\","
            + " \"parent\": null, \"threads\": [{\"tid\": \"1\", \"name\": \"main\", \"stack\":"
            + " [\"java.base\\/java.lang.Thread.sleep0(Native Method)\","
            + "\"app\\/\\/com.acme.Main.main(Main.java:12)\"]},{\"tid\": \"31\", \"virtual\": true,"
            + " \"state\": \"waiting\", \"name\": \"v\\u00e9\", \"stack\": []}], \"threadCount\":"
            + " \"2\"}]}}";

    List<VirtualThreadDump.Entry> entries = VirtualThreadDump.parse(json);

    assertThat(entries).hasSize(2);
    assertThat(entries.get(0).tid()).isEqualTo(1);
    assertThat(entries.get(0).virtual()).isNull();
    assertThat(entries.get(0).stack().get(0).isNativeMethod()).isTrue();
    assertThat(entries.get(0).stack().get(0).getModuleName()).isEqualTo("java.base");
    assertThat(entries.get(0).stack().get(1).toString())
        .isEqualTo("app//com.acme.Main.main(Main.java:12)");
    assertThat(entries.get(1).virtual()).isTrue();
    assertThat(entries.get(1).state()).isEqualTo("WAITING");
    assertThat(entries.get(1).name()).isEqualTo("vé");
    assertThatThrownBy(() -> VirtualThreadDump.parse("{\"threadDump\": }"))
        .hasMessageStartingWith("malformed JSON at line 1, column 16");
  }
}
