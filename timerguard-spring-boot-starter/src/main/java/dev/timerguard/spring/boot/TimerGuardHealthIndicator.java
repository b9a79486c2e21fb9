package dev.timerguard.spring.boot;

import dev.timerguard.live.GrowthWatch;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The {@code timerguard} health contributor: details {@code worstSeverity}, {@code worstLevel} and
 * {@code alerting} (the sites at level 1 or 2, worst first: kind, site, level, severity,
 * ratePerSecond, live). The status is UP, also while sites grow, unless it was built with {@code
 * downOnRapid} ({@code timerguard.health.down-on-rapid=true}): then DOWN while any site grows
 * rapidly. Reads the watch's last report only; thread-safe.
 */
public class TimerGuardHealthIndicator implements HealthIndicator {

  /** At most this many alerting sites are listed in the details. */
  static final int MAX_LISTED = 20;

  private final GrowthWatch watch;
  private final boolean downOnRapid;

  public TimerGuardHealthIndicator(GrowthWatch watch, boolean downOnRapid) {
    this.watch = Objects.requireNonNull(watch, "watch");
    this.downOnRapid = downOnRapid;
  }

  @Override
  public Health health() {
    GrowthWatch.Report report = watch.report();
    List<GrowthWatch.SiteStatus> alerting = report.alerting();
    List<Map<String, Object>> listed = new ArrayList<>();
    for (GrowthWatch.SiteStatus s : alerting.subList(0, Math.min(MAX_LISTED, alerting.size()))) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("kind", s.site().kind().name().toLowerCase(Locale.ROOT));
      m.put("site", s.site().location());
      m.put("level", s.level());
      m.put("severity", s.severity().name());
      m.put("ratePerSecond", s.ratePerSecond());
      m.put("live", s.live());
      listed.add(m);
    }
    Health.Builder b = downOnRapid && report.worstLevel() >= 2 ? Health.down() : Health.up();
    return b.withDetail("worstSeverity", report.worst().name())
        .withDetail("worstLevel", report.worstLevel())
        .withDetail("alertingSites", alerting.size())
        .withDetail("alerting", listed)
        .withDetail("downOnRapid", downOnRapid)
        .build();
  }
}
