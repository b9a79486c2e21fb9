package dev.timerguard.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HarnessTest {

  @Test
  void nearestRankPercentiles() {
    double[] v = new double[100];
    for (int i = 0; i < 100; i++) {
      v[i] = i + 1;
    }
    assertThat(Harness.percentile(v, 50)).isEqualTo(50);
    assertThat(Harness.percentile(v, 99)).isEqualTo(99);
    assertThat(Harness.percentile(v, 100)).isEqualTo(100);
    assertThat(Harness.percentile(new double[] {3}, 99)).isEqualTo(3);
    assertThat(Harness.percentile(new double[0], 50)).isNaN();
    Map<String, Object> s = Harness.stats(List.of(5.0, 1.0, 3.0));
    assertThat(s).containsEntry("count", 3).containsEntry("p50", 3.0).containsEntry("max", 5.0);
  }

  @Test
  void childResultsSurviveTheJsonRoundTrip() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("rate", 199_683.25);
    m.put("share", 0.054);
    m.put("none", Double.NaN);
    m.put("name", "say \"hi\"");
    m.put("ok", true);
    Map<String, Object> back = Harness.parseFlat(Harness.json(m));
    assertThat(back)
        .containsEntry("rate", 199_683.0)
        .containsEntry("share", 0.054)
        .containsEntry("none", null)
        .containsEntry("ok", true);
    assertThat(Harness.parseFlat("{\"a\": 1E+6, \"b\": \"x\"}"))
        .containsEntry("a", 1_000_000.0)
        .containsEntry("b", "x");
    assertThatThrownBy(() -> Harness.parseFlat("[1]"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a flat JSON object");
  }

  @Test
  void gcThreadsAreRecognisedByName() {
    assertThat(Harness.isGcThread("GC Thread#1")).isTrue();
    assertThat(Harness.isGcThread("G1 Conc#0")).isTrue();
    assertThat(Harness.isGcThread("ZWorkerYoung#0")).isTrue();
    assertThat(Harness.isGcThread("ZDirector")).isTrue();
    assertThat(Harness.isGcThread("VM Thread")).isFalse();
    assertThat(Harness.isGcThread("churn-0")).isFalse();
    assertThat(Harness.isGcThread("Zebra")).isFalse();
  }
}
