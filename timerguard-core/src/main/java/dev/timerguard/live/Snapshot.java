package dev.timerguard.live;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An immutable, timestamped copy of every call site's counters.
 *
 * <p>Snapshots are cheap (one pass over the registered sites, no locks held across sites) and are
 * the only way readers see the registry: exporters, reports, the JUnit extension and the growth
 * detector all work on snapshots. Each site's counters are read without stopping writers, so a
 * snapshot taken while timers are being created is a consistent copy per counter, not across
 * counters; taken at quiescence it is exact.
 */
public final class Snapshot {

  private final long nanoTime;
  private final long epochMillis;
  private final List<SiteStats> sites;
  private final Map<CallSite, SiteStats> bySite;

  /**
   * Creates a snapshot.
   *
   * @param nanoTime the registry clock's reading (monotonic nanoseconds) when it was taken
   * @param epochMillis wall-clock time when it was taken, for display
   * @param sites the sites' counters
   */
  public Snapshot(long nanoTime, long epochMillis, List<SiteStats> sites) {
    Objects.requireNonNull(sites, "sites");
    this.nanoTime = nanoTime;
    this.epochMillis = epochMillis;
    this.sites = Collections.unmodifiableList(new ArrayList<>(sites));
    Map<CallSite, SiteStats> map = new HashMap<>();
    for (SiteStats s : this.sites) {
      map.put(s.site(), s);
    }
    this.bySite = map;
  }

  /** The monotonic time of the snapshot, in nanoseconds of the registry's clock. */
  public long nanoTime() {
    return nanoTime;
  }

  /** The wall-clock time of the snapshot. */
  public long epochMillis() {
    return epochMillis;
  }

  /** Every site, in registration order. */
  public List<SiteStats> sites() {
    return sites;
  }

  /** The stats of one site, or {@code null} if the site was not registered then. */
  public SiteStats site(CallSite site) {
    return bySite.get(Objects.requireNonNull(site, "site"));
  }

  /** Live timers and tickers over all sites (executors and threads excluded). */
  public long totalLiveTimers() {
    long n = 0;
    for (SiteStats s : sites) {
      if (s.site().kind() == CallSite.Kind.TIMER || s.site().kind() == CallSite.Kind.TICKER) {
        n += s.live();
      }
    }
    return n;
  }

  /** Live entries of the given kind over all sites. */
  public long totalLive(CallSite.Kind kind) {
    Objects.requireNonNull(kind, "kind");
    long n = 0;
    for (SiteStats s : sites) {
      if (s.site().kind() == kind) {
        n += s.live();
      }
    }
    return n;
  }

  /** Queued tasks over all executor sites. */
  public long totalQueued() {
    long n = 0;
    for (SiteStats s : sites) {
      n += s.queued();
    }
    return n;
  }

  /** Retained cancelled tasks over all executor sites. */
  public long totalRetained() {
    long n = 0;
    for (SiteStats s : sites) {
      n += s.retained();
    }
    return n;
  }

  /**
   * What changed since an earlier snapshot, one entry per site present in this one; a site that is
   * new since {@code earlier} counts from zero.
   *
   * @throws NullPointerException if {@code earlier} is null
   */
  public List<SiteDelta> diff(Snapshot earlier) {
    Objects.requireNonNull(earlier, "earlier");
    List<SiteDelta> out = new ArrayList<>(sites.size());
    for (SiteStats now : sites) {
      SiteStats then = earlier.bySite.get(now.site());
      long c0 = then == null ? 0 : then.created();
      long f0 = then == null ? 0 : then.fired();
      long x0 = then == null ? 0 : then.cancelled();
      long l0 = then == null ? 0 : then.live();
      long r0 = then == null ? 0 : then.retained();
      out.add(
          new SiteDelta(
              now.site(),
              now.created() - c0,
              now.fired() - f0,
              now.cancelled() - x0,
              now.live() - l0,
              now.retained() - r0,
              now.live()));
    }
    return out;
  }

  /**
   * This snapshot with at most {@code maxSites} sites kept by name and the rest summed, per kind,
   * into {@link CallSite#other(Kind)}: what exporters use to bound label cardinality. The sites
   * kept are those with the most live entries (ties: most created, then registration order); an
   * existing {@code other} site is always summed, never kept by name. Summed sites add their
   * created, fired, cancelled, live, peak, retained and queued counts and keep the oldest age. The
   * order is: kept sites in registration order, then the {@code other} sites in kind order. Returns
   * {@code this} when nothing needs summing.
   *
   * @throws IllegalArgumentException if {@code maxSites} is less than 1
   */
  public Snapshot limitSites(int maxSites) {
    if (maxSites < 1) {
      throw new IllegalArgumentException("maxSites must be at least 1, was " + maxSites);
    }
    boolean hasOther = false;
    for (SiteStats s : sites) {
      hasOther |= s.site().isOther();
    }
    if (sites.size() <= maxSites && !hasOther) {
      return this;
    }
    List<Integer> order = new ArrayList<>(sites.size());
    for (int i = 0; i < sites.size(); i++) {
      if (!sites.get(i).site().isOther()) {
        order.add(i);
      }
    }
    order.sort(
        (a, b) -> {
          SiteStats x = sites.get(a);
          SiteStats y = sites.get(b);
          int c = Long.compare(y.live(), x.live());
          if (c == 0) {
            c = Long.compare(y.created(), x.created());
          }
          return c != 0 ? c : Integer.compare(a, b);
        });
    boolean[] keep = new boolean[sites.size()];
    for (int i = 0; i < Math.min(maxSites, order.size()); i++) {
      keep[order.get(i)] = true;
    }
    int kinds = CallSite.Kind.values().length;
    long[][] sum = new long[kinds][];
    List<SiteStats> out = new ArrayList<>(Math.min(sites.size(), maxSites + kinds));
    for (int i = 0; i < sites.size(); i++) {
      SiteStats s = sites.get(i);
      if (keep[i]) {
        out.add(s);
        continue;
      }
      int k = s.site().kind().ordinal();
      long[] a = sum[k] == null ? (sum[k] = new long[8]) : sum[k];
      a[0] += s.created();
      a[1] += s.fired();
      a[2] += s.cancelled();
      a[3] += s.live();
      a[4] += s.peak();
      a[5] = Math.max(a[5], s.oldestLiveAgeNanos());
      a[6] += s.retained();
      a[7] += s.queued();
    }
    for (CallSite.Kind k : CallSite.Kind.values()) {
      long[] a = sum[k.ordinal()];
      if (a != null) {
        out.add(new SiteStats(CallSite.other(k), a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]));
      }
    }
    return new Snapshot(nanoTime, epochMillis, out);
  }

  @Override
  public String toString() {
    return "Snapshot[" + sites.size() + " sites, " + totalLiveTimers() + " live timers]";
  }
}
