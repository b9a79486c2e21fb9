package dev.timerguard.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The detector judges any named series; a call site's count is one user of the same rule. */
class SeriesTrendTest {

  private final GrowthDetector detector =
      new GrowthDetector(GrowthPolicy.defaults().scaled(60)); // 10 min -> 10 s

  private static double[] seconds(int n) {
    double[] t = new double[n];
    for (int i = 0; i < n; i++) {
      t[i] = i;
    }
    return t;
  }

  @Test
  void aRisingSeriesIsJudgedUnderItsOwnName() {
    Random rnd = new Random(3);
    long[] heap = new long[30];
    for (int i = 0; i < heap.length; i++) {
      heap[i] = 10_000 + 150L * i + rnd.nextInt(40);
    }
    GrowthVerdict.Trend t = detector.trend(Series.of("heap KiB", seconds(30), heap));
    assertThat(t.series()).isEqualTo("heap KiB");
    assertThat(t.severity()).isEqualTo(GrowthVerdict.Severity.RAPID);
    assertThat(t.growing()).isTrue();
    assertThat(t.ratePerSecond()).isBetween(140.0, 160.0);
    assertThat(t.observedNanos()).isEqualTo(29_000_000_000L);
  }

  @Test
  void aSawtoothSeriesDoesNotGrow() {
    long[] threads = new long[30];
    for (int i = 0; i < threads.length; i++) {
      threads[i] = 40 + (i % 5) * 400L;
    }
    GrowthVerdict.Trend t = detector.trend(Series.of("live threads", seconds(30), threads));
    assertThat(t.severity()).isEqualTo(GrowthVerdict.Severity.NONE);
    assertThat(t.growing()).isFalse();
  }

  @Test
  void theSitePathAndTheSeriesPathAgree() {
    CallSite site = CallSite.of(CallSite.Kind.TIMER, "a.Rpc", "read", "Rpc.java", 9);
    long[] v = new long[20];
    for (int i = 0; i < v.length; i++) {
      v[i] = 7L * i * i;
    }
    GrowthVerdict.SiteGrowth bySite = detector.trend(site, seconds(20), v);
    GrowthVerdict.Trend bySeries = detector.trend(Series.of(site.location(), seconds(20), v));
    assertThat(bySite.trend()).isEqualTo(bySeries);
    assertThat(bySite.site()).isSameAs(site);
  }

  @Test
  void tooFewPointsGiveNoGrowthAndTheLastLevel() {
    GrowthVerdict.Trend t =
        detector.trend(Series.of("signal", new double[] {0, 1}, new long[] {5, 900}));
    assertThat(t.severity()).isEqualTo(GrowthVerdict.Severity.NONE);
    assertThat(t.last()).isEqualTo(900);
  }

  @Test
  void nanoTimesAreSecondsFromTheFirstAndInputsAreCopied() {
    long[] values = {1, 2, 3};
    Series s =
        Series.ofNanos(
            "queue", new long[] {5_000_000_000L, 5_500_000_000L, 7_000_000_000L}, values);
    values[0] = 99;
    assertThat(s.size()).isEqualTo(3);
    assertThat(s.seconds(0)).isZero();
    assertThat(s.seconds(1)).isEqualTo(0.5);
    assertThat(s.seconds(2)).isEqualTo(2.0);
    assertThat(s.value(0)).isEqualTo(1);
    assertThat(s).isEqualTo(Series.of("queue", new double[] {0, 0.5, 2}, new long[] {1, 2, 3}));
    assertThat(s.toString()).isEqualTo("Series[queue, 3 points, last 3]");
  }

  @Test
  void badSeriesAreRefusedSayingWhy() {
    assertThatThrownBy(() -> Series.of(null, new double[0], new long[0]))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("name");
    assertThatThrownBy(() -> Series.of("x", null, new long[0]))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("seconds");
    assertThatThrownBy(() -> Series.of("x", new double[0], null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("values");
    assertThatThrownBy(() -> Series.of(" ", new double[0], new long[0]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("series name must not be blank");
    assertThatThrownBy(() -> Series.of("heap", new double[] {0, 1}, new long[] {1}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("series 'heap': seconds and values differ in length (2 and 1)");
    assertThatThrownBy(() -> Series.of("heap", new double[] {0, 2, 1}, new long[] {1, 2, 3}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("series 'heap': seconds are not finite and in time order at index 2");
    assertThatThrownBy(() -> Series.of("heap", new double[] {0, Double.NaN}, new long[] {1, 2}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at index 1");
    assertThatThrownBy(() -> Series.ofNanos("heap", null, new long[0]))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("nanoTimes");
    assertThatThrownBy(() -> detector.trend((Series) null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("series");
  }
}
