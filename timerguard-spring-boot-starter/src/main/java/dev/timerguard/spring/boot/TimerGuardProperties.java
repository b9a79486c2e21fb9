package dev.timerguard.spring.boot;

import dev.timerguard.live.GrowthPolicy;
import dev.timerguard.live.GrowthWatch;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code timerguard.*} settings of the starter. Every value is checked before it is bound: an
 * unknown key under {@code timerguard.} (other than the {@code registry}, {@code leaks} and {@code
 * agent} groups of the other TimerGuard parts) or a malformed value stops the application at
 * startup with one line naming the property and its accepted values.
 *
 * <p>A plain settings holder: mutable while Spring binds it, read-only by convention afterwards;
 * not for concurrent writes.
 */
@ConfigurationProperties(prefix = "timerguard")
public class TimerGuardProperties {

  /**
   * Whether TimerGuard's auto-configuration applies at all (the watch, the metrics, the endpoint
   * and the health contributor).
   */
  private boolean enabled = true;

  private final Metrics metrics = new Metrics();
  private final Watch watch = new Watch();
  private final Health health = new Health();

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public Metrics getMetrics() {
    return metrics;
  }

  public Watch getWatch() {
    return watch;
  }

  public Health getHealth() {
    return health;
  }

  /** Micrometer export settings. */
  public static class Metrics {
    /**
     * The most call sites exported by name (at least 1); the rest are summed per kind under
     * site="other". Also bounds the rows of /actuator/timerguard.
     */
    private int maxSites = 200;

    public int getMaxSites() {
      return maxSites;
    }

    public void setMaxSites(int maxSites) {
      this.maxSites = maxSites;
    }
  }

  /** Settings of the shared growth watch, applied when the starter is the one to start it. */
  public static class Watch {
    /**
     * How often the watch samples the live registry (a positive duration, at most a third of the
     * rapid window). Default: the rapid window divided by 60, 10s with the defaults.
     */
    private Duration interval;

    /**
     * Divides both windows and the default interval by this factor (a number >= 1): 600 turns "10
     * minutes" into one second, for demos and end-to-end checks.
     */
    private double timeCompression = 1;

    /** Growth of live entries per second at or above which a site is RAPID (positive). */
    private double rapidRatePerSecond = 100;

    /** How long rapid growth must be observed (a positive duration). */
    private Duration rapidWindow = Duration.ofMinutes(10);

    /** Growth of live entries per second at or above which a site is SLOW (positive). */
    private double slowRatePerSecond = 5;

    /** How long slow growth must be observed (a positive duration). */
    private Duration slowWindow = Duration.ofHours(6);

    public Duration getInterval() {
      return interval;
    }

    public void setInterval(Duration interval) {
      this.interval = interval;
    }

    public double getTimeCompression() {
      return timeCompression;
    }

    public void setTimeCompression(double timeCompression) {
      this.timeCompression = timeCompression;
    }

    public double getRapidRatePerSecond() {
      return rapidRatePerSecond;
    }

    public void setRapidRatePerSecond(double rapidRatePerSecond) {
      this.rapidRatePerSecond = rapidRatePerSecond;
    }

    public Duration getRapidWindow() {
      return rapidWindow;
    }

    public void setRapidWindow(Duration rapidWindow) {
      this.rapidWindow = rapidWindow;
    }

    public double getSlowRatePerSecond() {
      return slowRatePerSecond;
    }

    public void setSlowRatePerSecond(double slowRatePerSecond) {
      this.slowRatePerSecond = slowRatePerSecond;
    }

    public Duration getSlowWindow() {
      return slowWindow;
    }

    public void setSlowWindow(Duration slowWindow) {
      this.slowWindow = slowWindow;
    }

    /** The watch builder these settings describe (over the global registry). */
    GrowthWatch.Builder toBuilder() {
      GrowthPolicy d = GrowthPolicy.defaults();
      GrowthWatch.Builder b =
          GrowthWatch.builder()
              .policy(
                  GrowthPolicy.of(
                      rapidRatePerSecond,
                      rapidWindow,
                      slowRatePerSecond,
                      slowWindow,
                      d.minConfidence(),
                      d.minIncrease()))
              .timeCompression(timeCompression);
      if (interval != null) {
        b.interval(interval);
      }
      return b;
    }
  }

  /** Settings of the {@code timerguard} health contributor. */
  public static class Health {
    /**
     * Whether a site growing rapidly turns the timerguard health contributor DOWN (default: it
     * stays UP and reports the site in its details).
     */
    private boolean downOnRapid = false;

    public boolean isDownOnRapid() {
      return downOnRapid;
    }

    public void setDownOnRapid(boolean downOnRapid) {
      this.downOnRapid = downOnRapid;
    }
  }
}
