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
 * <p>Snapshots are cheap (one pass over the registered sites, no locks held across sites) and
 * are the only way readers see the registry: exporters, reports, the JUnit extension and the
 * growth detector all work on snapshots. Each site's counters are read without stopping writers,
 * so a snapshot taken while timers are being created is a consistent copy per counter, not across
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

  /** Retained cancelled tasks over all executor sites. */
  public long totalRetained() {
    long n = 0;
    for (SiteStats s : sites) {
      n += s.retained();
    }
    return n;
  }

  /**
   * What changed since an earlier snapshot, one entry per site present in this one; a site that
   * is new since {@code earlier} counts from zero.
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

  @Override
  public String toString() {
    return "Snapshot[" + sites.size() + " sites, " + totalLiveTimers() + " live timers]";
  }
}
