package dev.timerguard.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** The detector's linear-time median agrees with sorting, ties and all. */
class GrowthDetectorMedianPropertiesTest {

  @Property(tries = 500)
  void selectionMedianEqualsTheSortedMedian(
      @ForAll @Size(min = 1, max = 300) int[] raw, @ForAll @IntRange(min = 1, max = 7) int spread) {
    // few distinct values: runs of equal slopes, as flat and stepped series give
    double[] a = new double[raw.length];
    for (int i = 0; i < raw.length; i++) {
      a[i] = (raw[i] % spread) * 0.5;
    }
    double[] sorted = a.clone();
    Arrays.sort(sorted);
    int m = sorted.length / 2;
    double expected = sorted.length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
    assertThat(GrowthDetector.median(a.clone(), a.length)).isEqualTo(expected);
  }

  @Property(tries = 200)
  void selectionMedianOnDistinctValues(@ForAll @Size(min = 1, max = 2100) double[] a) {
    double[] clean = Arrays.stream(a).filter(Double::isFinite).toArray();
    if (clean.length == 0) {
      return;
    }
    double[] sorted = clean.clone();
    Arrays.sort(sorted);
    int m = sorted.length / 2;
    double expected = sorted.length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
    assertThat(GrowthDetector.median(clean.clone(), clean.length)).isEqualTo(expected);
  }
}
