package dev.timerguard.spring.boot;

import dev.timerguard.live.CallSite;
import dev.timerguard.live.GrowthPolicy;
import dev.timerguard.live.GrowthWatch;
import dev.timerguard.live.Snapshot;
import dev.timerguard.micrometer.TimerGuardMetrics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * {@code /actuator/timerguard}: the growth watch's latest report as JSON, the same rows the
 * Micrometer binder exports. {@code sites} holds one object per exported site ({@code kind, site,
 * class, line, live, created, fired, cancelled, retained, ratePerSecond, severity, level, since}),
 * at most {@code timerguard.metrics.max-sites} by name plus one {@code other} row per kind; {@code
 * totals} the sums over every site; {@code watch} the watch's settings.
 *
 * <p>Reads the watch's last report only (no snapshot of its own); thread-safe.
 */
@Endpoint(id = "timerguard")
public class TimerGuardEndpoint {

  private final GrowthWatch watch;
  private final int maxSites;

  /**
   * @param watch the watch whose reports to show
   * @param maxSites the most sites shown by name (at least 1)
   * @throws IllegalArgumentException if {@code maxSites} is less than 1
   */
  public TimerGuardEndpoint(GrowthWatch watch, int maxSites) {
    this.watch = Objects.requireNonNull(watch, "watch");
    if (maxSites < 1) {
      throw new IllegalArgumentException("maxSites must be at least 1, was " + maxSites);
    }
    this.maxSites = maxSites;
  }

  /** The report as a JSON object. */
  @ReadOperation
  public Map<String, Object> report() {
    GrowthWatch.Report report = watch.report();
    Snapshot snap = report.snapshot();
    List<Map<String, Object>> sites = new ArrayList<>();
    for (TimerGuardMetrics.Row r : TimerGuardMetrics.rows(report, maxSites)) {
      CallSite s = r.site();
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("kind", s.kind().name().toLowerCase(Locale.ROOT));
      m.put("site", s.location());
      m.put("class", s.className());
      m.put("line", s.line());
      m.put("live", r.stats().live());
      m.put("created", r.stats().created());
      m.put("fired", r.stats().fired());
      m.put("cancelled", r.stats().cancelled());
      m.put("retained", r.stats().retained());
      m.put("ratePerSecond", r.ratePerSecond());
      m.put("severity", r.severity().name());
      m.put("level", r.level());
      long since = r.sinceEpochMillis();
      m.put("since", since == 0 ? null : Instant.ofEpochMilli(since).toString());
      sites.add(m);
    }
    Map<String, Object> totals = new LinkedHashMap<>();
    totals.put("sites", snap == null ? 0 : snap.sites().size());
    totals.put("liveTimers", snap == null ? 0 : snap.totalLiveTimers());
    totals.put("retainedCancelledTasks", snap == null ? 0 : snap.totalRetained());
    totals.put("liveThreads", snap == null ? 0 : snap.totalLive(CallSite.Kind.THREAD));
    totals.put("worstSeverity", report.worst().name());
    totals.put("worstLevel", report.worstLevel());
    totals.put("alerting", report.alerting().size());

    GrowthPolicy p = watch.policy();
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("running", watch.isRunning());
    settings.put("samples", report.samples());
    settings.put("interval", watch.interval().toString());
    settings.put("timeCompression", watch.timeCompression());
    settings.put("rapidRatePerSecond", p.rapidRatePerSecond());
    settings.put("rapidWindow", p.rapidWindow().toString());
    settings.put("slowRatePerSecond", p.slowRatePerSecond());
    settings.put("slowWindow", p.slowWindow().toString());
    settings.put("maxSites", maxSites);

    Map<String, Object> out = new LinkedHashMap<>();
    out.put("sampledAt", snap == null ? null : Instant.ofEpochMilli(snap.epochMillis()).toString());
    out.put("sites", sites);
    out.put("totals", totals);
    out.put("watch", settings);
    return out;
  }
}
