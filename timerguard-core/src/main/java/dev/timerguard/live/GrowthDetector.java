package dev.timerguard.live;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.ToLongFunction;

/**
 * Finds series that grow steadily, and says how fast, how sure and how severe (see {@link
 * GrowthPolicy}): any named {@link Series} ({@link #trend(Series)}: the heap, live threads, a stack
 * group, an incident's signal), and the call sites of a series of snapshots ({@link
 * #analyze(List)}), each site's count being one series.
 *
 * <p>The trend is the Theil-Sen slope (the median of the slopes between every pair of samples),
 * which ignores the teeth of a sawtooth: timers that fire and are replaced move the count up and
 * down around a level, so their pairwise slopes cancel and the site is not flagged. The rise must
 * also go on in the second half of the series, so one step up is not taken for a leak. Confidence
 * is Kendall's tau: the share of sample pairs that rise minus the share that fall. A site grows
 * when its slope is positive, its confidence reaches the policy's minimum, and its level rose by at
 * least {@link GrowthPolicy#minIncrease()} from the first quarter of the series to the last. Series
 * longer than 128 samples are thinned evenly, so analysis costs at most ~8,000 pairs per site.
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

  /**
   * The name the site paths give the shared computation: a {@link GrowthVerdict.SiteGrowth} carries
   * its site instead, so the hot path builds no location string.
   */
  private static final String SITE = "";

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
   * Analyses one metric of every site over a time-ordered series of snapshots. A site missing from
   * early snapshots counts as zero there. Fewer than three snapshots give no growth.
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
      CallSite site = e.getKey();
      out.add(GrowthVerdict.SiteGrowth.of(site, trend(SITE, t, e.getValue(), observed, null)));
    }
    return new GrowthVerdict(out, series.size());
  }

  /**
   * The trend of one named series.
   *
   * @throws NullPointerException if {@code series} is null
   */
  public GrowthVerdict.Trend trend(Series series) {
    Objects.requireNonNull(series, "series");
    double[] t = series.times();
    long observed = t.length < 2 ? 0 : (long) ((t[t.length - 1] - t[0]) * 1e9);
    return trend(series.name(), t, series.values(), observed, null);
  }

  /**
   * The trend of one call site's raw series (times in seconds from the start), for callers without
   * snapshots. For anything that is not a call site, use {@link #trend(Series)}.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the arrays differ in length
   */
  public GrowthVerdict.SiteGrowth trend(CallSite site, double[] seconds, long[] values) {
    Objects.requireNonNull(site, "site");
    Objects.requireNonNull(seconds, "seconds");
    Objects.requireNonNull(values, "values");
    if (seconds.length != values.length) {
      throw new IllegalArgumentException("seconds and values differ in length");
    }
    long observed =
        seconds.length < 2 ? 0 : (long) ((seconds[seconds.length - 1] - seconds[0]) * 1e9);
    return GrowthVerdict.SiteGrowth.of(site, trend(SITE, seconds, values, observed, null));
  }

  /**
   * {@link #trend(CallSite, double[], long[])} with a caller-owned scratch buffer of at least
   * {@code n * (n - 1) / 2} doubles, so a caller analysing many series (the watch) allocates no
   * pair array per series. Not thread-safe in the buffer: one buffer per thread.
   */
  GrowthVerdict.SiteGrowth trend(CallSite site, double[] seconds, long[] values, double[] scratch) {
    long observed =
        seconds.length < 2 ? 0 : (long) ((seconds[seconds.length - 1] - seconds[0]) * 1e9);
    return GrowthVerdict.SiteGrowth.of(site, trend(SITE, seconds, values, observed, scratch));
  }

  /** The trend of one series: the one computation behind every public entry. */
  private GrowthVerdict.Trend trend(
      String name, double[] t, long[] v, long observedNanos, double[] scratch) {
    int n = v.length;
    if (n < 3) {
      long only = n == 0 ? 0 : v[n - 1];
      return new GrowthVerdict.Trend(
          name, 0, 0, only, only, observedNanos, GrowthVerdict.Severity.NONE);
    }
    double[] whole = slopeAndTau(t, v, 0, n, scratch);
    double slope = whole[0];
    double confidence = whole[1];
    int q = Math.max(1, n / 4);
    long first = medianOf(v, 0, q);
    long last = medianOf(v, n - q, n);
    // still rising in the second half: a single step up (a burst of long-lived timers) is not a
    // leak
    boolean ongoing = slopeAndTau(t, v, n / 2, n, scratch)[0] > 0;
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
      if (slope >= policy.rapidRatePerSecond() && observedNanos >= policy.rapidWindow().toNanos()) {
        sev = GrowthVerdict.Severity.RAPID;
      }
    }
    return new GrowthVerdict.Trend(name, slope, confidence, first, last, observedNanos, sev);
  }

  /** Theil-Sen slope and Kendall's tau (clamped at 0) of samples {@code from..to-1}. */
  private static double[] slopeAndTau(double[] t, long[] v, int from, int to, double[] scratch) {
    int n = to - from;
    if (n < 2) {
      return new double[] {0, 0};
    }
    int need = n * (n - 1) / 2;
    double[] slopes = scratch != null && scratch.length >= need ? scratch : new double[need];
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
    double slope = median(slopes, k);
    long pairs = (long) n * (n - 1) / 2;
    return new double[] {slope, Math.max(0, (double) (up - down) / pairs)};
  }

  /**
   * The median of {@code a[0..k-1]} in expected linear time (three-way quickselect, so long runs of
   * equal slopes, the usual case for a flat or stepped series, cost nothing extra). Reorders the
   * array; {@code 0} when {@code k} is 0.
   */
  static double median(double[] a, int k) {
    if (k == 0) {
      return 0;
    }
    int m = k / 2;
    double hi = select(a, k, m);
    if (k % 2 == 1) {
      return hi;
    }
    // after select, a[0..m-1] holds the m smallest: the other middle value is their maximum
    double lo = a[0];
    for (int i = 1; i < m; i++) {
      lo = Math.max(lo, a[i]);
    }
    return (lo + hi) / 2;
  }

  /** The {@code m}-th smallest of {@code a[0..k-1]}, leaving smaller values before it. */
  private static double select(double[] a, int k, int m) {
    int lo = 0;
    int hi = k - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      double p = medianOfThree(a[lo], a[mid], a[hi]);
      // three-way partition: [lo, lt) < p, [lt, i) == p, (gt, hi] > p
      int lt = lo;
      int gt = hi;
      int i = lo;
      while (i <= gt) {
        double x = a[i];
        if (x < p) {
          a[i++] = a[lt];
          a[lt++] = x;
        } else if (x > p) {
          a[i] = a[gt];
          a[gt--] = x;
        } else {
          i++;
        }
      }
      if (m < lt) {
        hi = lt - 1;
      } else if (m > gt) {
        lo = gt + 1;
      } else {
        return p;
      }
    }
    return a[m];
  }

  private static double medianOfThree(double a, double b, double c) {
    return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
  }

  private static long medianOf(long[] v, int from, int to) {
    long[] c = Arrays.copyOfRange(v, from, to);
    Arrays.sort(c);
    return c[c.length / 2];
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
