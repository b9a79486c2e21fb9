package dev.timerguard.live;

import java.util.Objects;

/**
 * An immutable copy of one call site's counters, taken by {@link LiveRegistry#snapshot()}.
 *
 * <p>What the counters mean depends on the site's {@link CallSite.Kind}: for timers and tickers
 * {@code fired} counts one-shots that ran (a ticker is never "fired", only cancelled or stopped);
 * for executors {@code cancelled} counts shutdowns; for threads {@code fired} counts terminations.
 * In every case {@code live = created - fired - cancelled} once the site is quiescent, and the
 * three cumulative counters never decrease.
 *
 * @param site where the timers were created
 * @param created timers created at the site since the registry started
 * @param fired timers that ran to completion (one-shots) or threads that terminated
 * @param cancelled timers cancelled or stopped, executors shut down
 * @param live timers alive now (scheduled and not yet fired, cancelled or stopped)
 * @param peak the highest {@code live} value any snapshot of the site has seen
 * @param oldestLiveAgeNanos the age of the oldest live timer, an upper bound with about one second
 *     of resolution; {@code 0} when nothing is live
 * @param retained for executor sites: cancelled tasks still held in a queue (the {@code
 *     removeOnCancelPolicy(false)} leak); otherwise {@code 0}
 * @param queued for executor sites: tasks waiting in the queues of the site's executors when they
 *     were last sampled (a gauge the agent's sampler sets); otherwise {@code 0}
 */
public record SiteStats(
    CallSite site,
    long created,
    long fired,
    long cancelled,
    long live,
    long peak,
    long oldestLiveAgeNanos,
    long retained,
    long queued) {

  public SiteStats {
    Objects.requireNonNull(site, "site");
  }

  /** Stats with no queued tasks: every site that is not a sampled executor. */
  public SiteStats(
      CallSite site,
      long created,
      long fired,
      long cancelled,
      long live,
      long peak,
      long oldestLiveAgeNanos,
      long retained) {
    this(site, created, fired, cancelled, live, peak, oldestLiveAgeNanos, retained, 0);
  }
}
