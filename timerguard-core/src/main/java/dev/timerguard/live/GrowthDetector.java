package dev.timerguard.live;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.ToLongFunction;

/**
 * Finds call sites whose live count grows steadily in a series of snapshots, and says how fast,
 * how sure and how severe (see {@link GrowthPolicy}).
 *
 * <p>The trend is the Theil-Sen slope (the median of the slopes between every pair of samples),
 * which ignores the teeth of a sawtooth: timers that fire and are replaced move the count up and
 * down around a level, so their pairwise slopes cancel and the site is not flagged. The rise must
 * also go on in the second half of the series, so one step up is not taken for a leak. Confidence is
 * Kendall's tau: the share of sample pairs that rise minus the share that fall. A site grows when
 * its slope is positive, its confidence reaches the policy's minimum, and its level rose by at
 * least {@link GrowthPolicy#minIncrease()} from the first quarter of the series to the last.
 * Series longer than 128 samples are thinned evenly, so analysis costs at most ~8,000 pairs per
 * site.
 *
 * <p>Stateless and thread-safe.
 */
public final class GrowthDetector {

  /** Which counter of a site to follow. */
  public enum Metric {
    /** Live timers, tickers, executors or threads. */
    LIVE(SiteStats::live),
    /** Cancelled tasks still retained by an executor. */
    RETAINED(SiteStats::retained);

    private final ToLongFunction<SiteStats> read;

    Metric(ToLongFunction<SiteStats> read) {
      this.read = read;
    }
  }

  private static final int MAX_POINTS = 128;

  private final GrowthPolicy policy;

  /**
   * A detector applying {@code policy}.
   *
   * @throws NullPointerException if {@code policy} is null
   */
  public GrowthDetector(GrowthPolicy policy) {
    this.policy = Objects.requireNonNull(policy, "policy");
  }

  public GrowthPolicy policy() {
    return policy;
  }

  /** Analyses live counts. Same as {@code analyze(series, Metric.LIVE)}. */
  public GrowthVerdict analyze(List<Snapshot> series) {
    return analyze(series, Metric.LIVE);
  }

  /**
   * Analyses one metric of every site over a time-ordered series of snapshots. A site missing
   * from early snapshots counts as zero there. Fewer than three snapshots give no growth.
   *
   * @throws NullPointerException if an argument or an element is null
   * @throws IllegalArgumentException if the snapshots are not in time order
   */
  public GrowthVerdict analyze(List<Snapshot> series, Metric metric) {
    Objects.requireNonNull(series, "series");
    Objects.requireNonNull(metric, "metric");
    for (int i = 0; i < series.size(); i++) {
      Objects.requireNonNull(series.get(i), "series[" + i + "]");
      if (i > 0 && series.get(i).nanoTime() < series.get(i - 1).nanoTime()) {
        throw new IllegalArgumentException("snapshots are not in time order at index " + i);
      }
    }
    List<Snapshot> pts = thin(series);
    int n = pts.size();
    Map<CallSite, long[]> values = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      for (SiteStats s : pts.get(i).sites()) {
        long[] v = values.computeIfAbsent(s.site(), k -> new long[n]);
        v[i] = metric.read.applyAsLong(s);
      }
    }
    double[] t = new double[n];
    for (int i = 0; i < n; i++) {
      t[i] = (pts.get(i).nanoTime() - (n > 0 ? pts.get(0).nanoTime() : 0)) / 1e9;
    }
    long observed = n < 2 ? 0 : pts.get(n - 1).nanoTime() - pts.get(0).nanoTime();
    List<GrowthVerdict.SiteGrowth> out = new ArrayList<>();
    for (Map.Entry<CallSite, long[]> e : values.entrySet()) {
      out.add(trend(e.getKey(), t, e.getValue(), observed));
    }
    return new GrowthVerdict(out, series.size());
  }

  /** The trend of one raw series (times in seconds from the start), for callers without snapshots. */
  public GrowthVerdict.SiteGrowth trend(CallSite site, double[] seconds, long[] values) {
    Objects.requireNonNull(site, "site");
    Objects.requireNonNull(seconds, "seconds");
    Objects.requireNonNull(values, "values");
    if (seconds.length != values.length) {
      throw new IllegalArgumentException("seconds and values differ in length");
    }
    long observed = seconds.length < 2 ? 0 : (long) ((seconds[seconds.length - 1] - seconds[0]) * 1e9);
    return trend(site, seconds, values, observed);
  }

  private GrowthVerdict.SiteGrowth trend(CallSite site, double[] t, long[] v, long observedNanos) {
    int n = v.length;
    if (n < 3) {
      long only = n == 0 ? 0 : v[n - 1];
      return new GrowthVerdict.SiteGrowth(
          site, 0, 0, only, only, observedNanos, GrowthVerdict.Severity.NONE);
    }
    double[] whole = slopeAndTau(t, v, 0, n);
    double slope = whole[0];
    double confidence = whole[1];
    int q = Math.max(1, n / 4);
    long first = medianOf(v, 0, q);
    long last = medianOf(v, n - q, n);
    // still rising in the second half: a single step up (a burst of long-lived timers) is not a leak
    boolean ongoing = slopeAndTau(t, v, n / 2, n)[0] > 0;
    boolean grows =
        slope > 0
            && ongoing
            && confidence >= policy.minConfidence()
            && last - first >= policy.minIncrease();
    GrowthVerdict.Severity sev = GrowthVerdict.Severity.NONE;
    if (grows) {
      sev = GrowthVerdict.Severity.WATCH;
      if (slope >= policy.slowRatePerSecond() && observedNanos >= policy.slowWindow().toNanos()) {
        sev = GrowthVerdict.Severity.SLOW;
      }
      if (slope >= policy.rapidRatePerSecond()
          && observedNanos >= policy.rapidWindow().toNanos()) {
        sev = GrowthVerdict.Severity.RAPID;
      }
    }
    return new GrowthVerdict.SiteGrowth(site, slope, confidence, first, last, observedNanos, sev);
  }

  /** Theil-Sen slope and Kendall's tau (clamped at 0) of samples {@code from..to-1}. */
  private static double[] slopeAndTau(double[] t, long[] v, int from, int to) {
    int n = to - from;
    if (n < 2) {
      return new double[] {0, 0};
    }
    double[] slopes = new double[n * (n - 1) / 2];
    int k = 0;
    long up = 0;
    long down = 0;
    for (int i = from; i < to; i++) {
      for (int j = i + 1; j < to; j++) {
        double dt = t[j] - t[i];
        long dv = v[j] - v[i];
        if (dv > 0) {
          up++;
        } else if (dv < 0) {
          down++;
        }
        if (dt > 0) {
          slopes[k++] = dv / dt;
        }
      }
    }
    double slope = k == 0 ? 0 : median(Arrays.copyOf(slopes, k));
    long pairs = (long) n * (n - 1) / 2;
    return new double[] {slope, Math.max(0, (double) (up - down) / pairs)};
  }

  private static long medianOf(long[] v, int from, int to) {
    long[] c = Arrays.copyOfRange(v, from, to);
    Arrays.sort(c);
    return c[c.length / 2];
  }

  private static double median(double[] a) {
    Arrays.sort(a);
    int m = a.length / 2;
    return a.length % 2 == 1 ? a[m] : (a[m - 1] + a[m]) / 2;
  }

  private static List<Snapshot> thin(List<Snapshot> series) {
    int n = series.size();
    if (n <= MAX_POINTS) {
      return series;
    }
    List<Snapshot> out = new ArrayList<>(MAX_POINTS);
    for (int i = 0; i < MAX_POINTS; i++) {
      out.add(series.get((int) ((long) i * (n - 1) / (MAX_POINTS - 1))));
    }
    return out;
  }
}
