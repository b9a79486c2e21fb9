package dev.timerguard;

import java.time.Duration;

/**
 * A periodic timer, at a fixed rate or with a fixed delay between runs.
 *
 * <p>Created by {@link TimerSource#tickAtFixedRate} or {@link TimerSource#tickWithFixedDelay}. Live
 * until cancelled or closed: a ticker that is never closed is the JVM's {@code time.NewTicker}
 * leak, and shows as a live site in the registry. A run that throws is reported to the error
 * handler and the ticker keeps ticking. Runs of one ticker never overlap. Thread-safe.
 */
public sealed interface Ticker extends TimerHandle permits TickerImpl {

  /** The current period (or delay between runs). */
  Duration period();

  /**
   * Changes the period, reusing this ticker: the next run comes one new period from now, and no
   * second ticker is created (so replacing a ticker on a period change, and leaking the old one,
   * cannot happen).
   *
   * @throws NullPointerException if {@code period} is null
   * @throws IllegalArgumentException if {@code period} is not positive
   * @throws IllegalStateException if the ticker was cancelled or closed
   */
  void setPeriod(Duration period);
}
