package dev.timerguard.live;

import java.time.Duration;
import java.util.Objects;

/**
 * When growth of live timers at a site is a leak, and how severe: the thresholds the {@link
 * GrowthDetector} applies.
 *
 * <p>The {@link #defaults()} are the production alert rules TimerGuard ships (the same thresholds
 * as {@code ops/prometheus/timerguard-rules.yml}): <em>rapid</em> is sustained growth above 100
 * live/s over 10 minutes, <em>slow</em> above 5 live/s over 6 hours. Tests and demos run for
 * seconds, not hours: {@link #scaled(double)} divides the windows (and leaves the rates alone), or
 * build exact values with {@link #of}. Immutable and thread-safe.
 *
 * @param rapidRatePerSecond growth rate at or above which a site is {@link
 *     GrowthVerdict.Severity#RAPID} once observed for {@code rapidWindow}
 * @param rapidWindow how long rapid growth must be observed
 * @param slowRatePerSecond growth rate at or above which a site is {@link
 *     GrowthVerdict.Severity#SLOW} once observed for {@code slowWindow}
 * @param slowWindow how long slow growth must be observed
 * @param minConfidence the trend confidence (0..1) below which a series is not "growing"
 * @param minIncrease the least rise in live count, first quarter to last quarter, that counts
 */
public record GrowthPolicy(
    double rapidRatePerSecond,
    Duration rapidWindow,
    double slowRatePerSecond,
    Duration slowWindow,
    double minConfidence,
    long minIncrease) {

  public GrowthPolicy {
    Objects.requireNonNull(rapidWindow, "rapidWindow");
    Objects.requireNonNull(slowWindow, "slowWindow");
    if (!(rapidRatePerSecond > 0) || !(slowRatePerSecond > 0)) {
      throw new IllegalArgumentException("rates must be positive");
    }
    if (rapidWindow.isNegative() || slowWindow.isNegative()) {
      throw new IllegalArgumentException("windows must not be negative");
    }
    if (!(minConfidence >= 0 && minConfidence <= 1)) {
      throw new IllegalArgumentException("minConfidence must be in [0,1], was " + minConfidence);
    }
    if (minIncrease < 1) {
      throw new IllegalArgumentException("minIncrease must be at least 1, was " + minIncrease);
    }
  }

  /** The production alert rules: rapid 100/s over 10 min, slow 5/s over 6 h. */
  public static GrowthPolicy defaults() {
    return new GrowthPolicy(100, Duration.ofMinutes(10), 5, Duration.ofHours(6), 0.5, 10);
  }

  /** Builds a policy from explicit values (see the record components). */
  public static GrowthPolicy of(
      double rapidRatePerSecond,
      Duration rapidWindow,
      double slowRatePerSecond,
      Duration slowWindow,
      double minConfidence,
      long minIncrease) {
    return new GrowthPolicy(
        rapidRatePerSecond, rapidWindow, slowRatePerSecond, slowWindow, minConfidence, minIncrease);
  }

  /**
   * The same policy with both windows divided by {@code timeCompression}: {@code scaled(600)} turns
   * "10 minutes" into one second, for tests and demos.
   *
   * @throws IllegalArgumentException if {@code timeCompression} is not positive and finite
   */
  public GrowthPolicy scaled(double timeCompression) {
    if (!(timeCompression > 0) || Double.isInfinite(timeCompression)) {
      throw new IllegalArgumentException(
          "timeCompression must be positive and finite, was " + timeCompression);
    }
    return new GrowthPolicy(
        rapidRatePerSecond,
        Duration.ofNanos((long) (rapidWindow.toNanos() / timeCompression)),
        slowRatePerSecond,
        Duration.ofNanos((long) Math.min(Long.MAX_VALUE, slowWindow.toNanos() / timeCompression)),
        minConfidence,
        minIncrease);
  }
}
