package dev.timerguard.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.IntToLongFunction;
import org.junit.jupiter.api.Test;

class GrowthDetectorTest {

  static final CallSite LEAK = CallSite.of(CallSite.Kind.TIMER, "Leaky", "read", "Leaky.java", 10);
  static final CallSite SAW = CallSite.of(CallSite.Kind.TIMER, "Fine", "read", "Fine.java", 20);

  /** One snapshot per second for {@code n} seconds, with the given live counts. */
  static List<Snapshot> series(int n, IntToLongFunction leak, IntToLongFunction saw) {
    List<Snapshot> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(
          new Snapshot(
              i * 1_000_000_000L,
              0,
              List.of(
                  new SiteStats(LEAK, 0, 0, 0, leak.applyAsLong(i), 0, 0, 0),
                  new SiteStats(SAW, 0, 0, 0, saw.applyAsLong(i), 0, 0, 0))));
    }
    return out;
  }

  @Test
  void steadyGrowthIsFlaggedAndASawtoothIsNot() {
    Random rnd = new Random(1);
    GrowthDetector d = new GrowthDetector(GrowthPolicy.defaults().scaled(60)); // 10 min -> 10 s
    GrowthVerdict v = d.analyze(series(30, i -> 150L * i + rnd.nextInt(40), i -> (i % 5) * 400L));
    GrowthVerdict.SiteGrowth leak = v.site(LEAK);
    assertThat(leak.severity()).isEqualTo(GrowthVerdict.Severity.RAPID);
    assertThat(leak.ratePerSecond()).isBetween(140.0, 160.0);
    assertThat(leak.confidence()).isGreaterThan(0.9);
    assertThat(v.site(SAW).severity()).isEqualTo(GrowthVerdict.Severity.NONE);
    assertThat(v.growing()).extracting(GrowthVerdict.SiteGrowth::site).containsExactly(LEAK);
    assertThat(v.worst()).isEqualTo(GrowthVerdict.Severity.RAPID);
  }

  @Test
  void aLeakUnderASawtoothIsStillFound() {
    GrowthDetector d = new GrowthDetector(GrowthPolicy.defaults().scaled(600));
    GrowthVerdict v = d.analyze(series(60, i -> 20L * i + (i % 4) * 300L, i -> 0));
    assertThat(v.site(LEAK).growing()).isTrue();
    assertThat(v.site(LEAK).ratePerSecond()).isBetween(10.0, 30.0);
  }

  @Test
  void severityNeedsTheWindowAndTheRate() {
    GrowthDetector d = new GrowthDetector(GrowthPolicy.defaults());
    // fast, but observed for 30 s only: a leak to watch, not yet an alert
    assertThat(d.analyze(series(30, i -> 500L * i, i -> 0)).site(LEAK).severity())
        .isEqualTo(GrowthVerdict.Severity.WATCH);
    GrowthDetector slow =
        new GrowthDetector(
            GrowthPolicy.of(100, Duration.ofSeconds(10), 5, Duration.ofSeconds(20), 0.5, 10));
    assertThat(slow.analyze(series(30, i -> 7L * i, i -> 0)).site(LEAK).severity())
        .isEqualTo(GrowthVerdict.Severity.SLOW);
    assertThat(slow.analyze(series(30, i -> 2L * i, i -> 0)).site(LEAK).severity())
        .isEqualTo(GrowthVerdict.Severity.WATCH);
  }

  @Test
  void flatFallingAndShortSeriesAreNotGrowth() {
    GrowthDetector d = new GrowthDetector(GrowthPolicy.defaults());
    assertThat(d.analyze(series(30, i -> 1000, i -> 1000 - 10L * i)).growing()).isEmpty();
    assertThat(d.analyze(series(2, i -> 1000L * i, i -> 0)).growing()).isEmpty();
    assertThat(d.analyze(List.of()).worst()).isEqualTo(GrowthVerdict.Severity.NONE);
    // a single step up (a burst of long-lived timers) is not steady growth
    assertThat(d.analyze(series(40, i -> i < 20 ? 0 : 5000, i -> 0)).site(LEAK).growing())
        .isFalse();
  }

  @Test
  void longSeriesAreThinned() {
    GrowthDetector d = new GrowthDetector(GrowthPolicy.defaults().scaled(600));
    GrowthVerdict v = d.analyze(series(5000, i -> 200L * i, i -> 7));
    assertThat(v.site(LEAK).severity()).isEqualTo(GrowthVerdict.Severity.RAPID);
    assertThat(v.samples()).isEqualTo(5000);
  }

  @Test
  void retainedIsAMetricToo() {
    List<Snapshot> s = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      s.add(
          new Snapshot(
              i * 1_000_000_000L, 0, List.of(new SiteStats(LEAK, 0, 0, 0, 1, 1, 0, 1000L * i))));
    }
    GrowthDetector d = new GrowthDetector(GrowthPolicy.defaults().scaled(600));
    assertThat(d.analyze(s, GrowthDetector.Metric.RETAINED).site(LEAK).growing()).isTrue();
    assertThat(d.analyze(s, GrowthDetector.Metric.LIVE).site(LEAK).growing()).isFalse();
  }

  @Test
  void badInput() {
    assertThatThrownBy(() -> new GrowthDetector(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("policy");
    GrowthDetector d = new GrowthDetector(GrowthPolicy.defaults());
    assertThatThrownBy(() -> d.analyze(null)).isInstanceOf(NullPointerException.class);
    List<Snapshot> backwards = series(5, i -> i, i -> i);
    java.util.Collections.reverse(backwards);
    assertThatThrownBy(() -> d.analyze(backwards))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("time order");
    assertThatThrownBy(() -> GrowthPolicy.defaults().scaled(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> GrowthPolicy.of(-1, Duration.ZERO, 1, Duration.ZERO, 0.5, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> GrowthPolicy.of(1, Duration.ZERO, 1, Duration.ZERO, 2, 1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
