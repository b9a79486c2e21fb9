package dev.timerguard.live;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Which sites grow, how fast, how sure and how severe: the result of {@link GrowthDetector} over
 * snapshots. One series' trend on its own is a {@link Trend} (any {@link Series}) or a {@link
 * SiteGrowth} (a call site's). Immutable and thread-safe.
 */
public final class GrowthVerdict {

  /** How bad a site's growth is. */
  public enum Severity {
    /** Flat, falling, or a sawtooth: not a leak. */
    NONE,
    /** Grows steadily, but not yet fast or long enough for an alert. */
    WATCH,
    /** The slow-leak rule holds (default: above 5 live/s for 6 hours). */
    SLOW,
    /** The rapid-leak rule holds (default: above 100 live/s for 10 minutes). */
    RAPID
  }

  /**
   * The trend of one named {@link Series}: the heap, the live threads, a stack group, an executor's
   * queue, an incident's signal, or a call site's count under its location.
   *
   * @param series the series' name
   * @param ratePerSecond robust slope of the series, in units per second (Theil-Sen)
   * @param confidence how monotone the rise is, 0..1 (Kendall's tau, negatives clamped to 0)
   * @param first the series' level at the start (median of the first quarter)
   * @param last the series' level at the end (median of the last quarter)
   * @param observedNanos how long the series spans
   * @param severity the verdict
   */
  public record Trend(
      String series,
      double ratePerSecond,
      double confidence,
      long first,
      long last,
      long observedNanos,
      Severity severity) {

    public Trend {
      Objects.requireNonNull(series, "series");
      Objects.requireNonNull(severity, "severity");
    }

    /** True when the series grows steadily (any severity above NONE). */
    public boolean growing() {
      return severity != Severity.NONE;
    }
  }

  /**
   * One site's trend.
   *
   * @param site the call site
   * @param ratePerSecond robust slope of the series, in units per second (Theil-Sen)
   * @param confidence how monotone the rise is, 0..1 (Kendall's tau, negatives clamped to 0)
   * @param first the series' level at the start (median of the first quarter)
   * @param last the series' level at the end (median of the last quarter)
   * @param observedNanos how long the series spans
   * @param severity the verdict
   */
  public record SiteGrowth(
      CallSite site,
      double ratePerSecond,
      double confidence,
      long first,
      long last,
      long observedNanos,
      Severity severity) {

    public SiteGrowth {
      Objects.requireNonNull(site, "site");
      Objects.requireNonNull(severity, "severity");
    }

    /** True when the site's count grows steadily (any severity above NONE). */
    public boolean growing() {
      return severity != Severity.NONE;
    }

    /** The same trend as a named series' (named by the site's {@link CallSite#location()}). */
    public Trend trend() {
      return new Trend(
          site.location(), ratePerSecond, confidence, first, last, observedNanos, severity);
    }

    static SiteGrowth of(CallSite site, Trend t) {
      return new SiteGrowth(
          site,
          t.ratePerSecond(),
          t.confidence(),
          t.first(),
          t.last(),
          t.observedNanos(),
          t.severity());
    }
  }

  private final List<SiteGrowth> sites;
  private final int samples;

  GrowthVerdict(List<SiteGrowth> sites, int samples) {
    List<SiteGrowth> sorted = new ArrayList<>(sites);
    sorted.sort(
        (a, b) -> {
          int c = b.severity().compareTo(a.severity());
          return c != 0 ? c : Double.compare(b.ratePerSecond(), a.ratePerSecond());
        });
    this.sites = Collections.unmodifiableList(sorted);
    this.samples = samples;
  }

  /** Every site analysed, worst first. */
  public List<SiteGrowth> sites() {
    return sites;
  }

  /** Only the sites that grow, worst first. */
  public List<SiteGrowth> growing() {
    List<SiteGrowth> out = new ArrayList<>();
    for (SiteGrowth g : sites) {
      if (g.growing()) {
        out.add(g);
      }
    }
    return out;
  }

  /** The worst severity over all sites. */
  public Severity worst() {
    return sites.isEmpty() ? Severity.NONE : sites.get(0).severity();
  }

  /** The trend of one site, or {@code null} if it was not in the series. */
  public SiteGrowth site(CallSite site) {
    Objects.requireNonNull(site, "site");
    for (SiteGrowth g : sites) {
      if (g.site().equals(site)) {
        return g;
      }
    }
    return null;
  }

  /** How many snapshots the verdict rests on. */
  public int samples() {
    return samples;
  }

  @Override
  public String toString() {
    return "GrowthVerdict[worst=" + worst() + ", growing=" + growing().size() + "]";
  }
}
