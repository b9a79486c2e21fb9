package dev.timerguard.live;

import java.util.Objects;

/**
 * The change of one site's counters between two snapshots: what {@link Snapshot#diff} returns.
 *
 * @param site the call site
 * @param created timers created in between
 * @param fired timers fired in between
 * @param cancelled timers cancelled in between
 * @param live change in live timers (may be negative)
 * @param retained change in retained cancelled tasks (may be negative)
 * @param liveNow live timers at the later snapshot
 */
public record SiteDelta(
    CallSite site,
    long created,
    long fired,
    long cancelled,
    long live,
    long retained,
    long liveNow) {

  public SiteDelta {
    Objects.requireNonNull(site, "site");
  }
}
