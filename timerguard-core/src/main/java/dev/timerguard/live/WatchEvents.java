package dev.timerguard.live;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * The JFR event of the {@link GrowthWatch}: {@code dev.timerguard.GrowthSeverityChanged}, one per
 * change of a site's alert level. Level changes are rare (a site rising to slow or rapid growth, or
 * falling back), and with no recording on the event is not even allocated. On a runtime without the
 * {@code jdk.jfr} module the watch goes on without events.
 */
final class WatchEvents {

  private static volatile boolean unavailable;

  private WatchEvents() {}

  @Name("dev.timerguard.GrowthSeverityChanged")
  @Label("Growth Severity Changed")
  @Category({"TimerGuard"})
  @Description("The always-on growth watch changed a call site's alert level (none, slow, rapid).")
  @StackTrace(false)
  static final class SeverityChanged extends Event {
    @Label("Site")
    String site;

    @Label("Kind")
    String kind;

    @Label("From")
    String from;

    @Label("To")
    String to;

    @Label("Rate per Second")
    double ratePerSecond;

    @Label("Live")
    long live;
  }

  static void severityChanged(CallSite site, String from, String to, GrowthWatch.SiteStatus s) {
    if (unavailable) {
      return;
    }
    try {
      SeverityChanged e = new SeverityChanged();
      if (e.isEnabled()) {
        e.site = site.location();
        e.kind = site.kind().name();
        e.from = from;
        e.to = to;
        e.ratePerSecond = s.ratePerSecond();
        e.live = s.live();
        e.commit();
      }
    } catch (LinkageError e) {
      unavailable = true;
    }
  }
}
