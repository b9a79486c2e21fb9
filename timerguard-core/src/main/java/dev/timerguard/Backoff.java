package dev.timerguard;

import java.time.Duration;

/**
 * Exponential backoff with a cap and jitter, owning at most one timer.
 *
 * <p>Created by {@link TimerSource#backoff}. Delays grow from {@code initial} by {@code multiplier}
 * per attempt up to {@code max}; each is then reduced by a random share of up to {@code jitter} (0
 * = none, 1 = full jitter) so that clients retrying together spread out. {@link #retry(Runnable)}
 * schedules the next attempt; scheduling another one first cancels the pending one, so a reconnect
 * loop can never pile up timers (the "Reconnect Loop" incident). Each scheduled retry is counted as
 * a one-shot timer of the backoff's creation site. Thread-safe.
 */
public sealed interface Backoff extends TimerHandle permits BackoffImpl {

  /** The delay before the next attempt, advancing the attempt count. */
  Duration nextDelay();

  /**
   * Schedules {@code action} after {@link #nextDelay()}, cancelling a retry still pending.
   *
   * @return the scheduled retry
   * @throws NullPointerException if {@code action} is null
   * @throws IllegalStateException if the backoff was closed
   */
  Timeout retry(Runnable action);

  /** Back to the first delay after a success; cancels a pending retry. */
  void reset();

  /** Attempts since creation or the last {@link #reset()}. */
  int attempts();

  /** Cancels a pending retry and closes the backoff; returns true if it was open. */
  @Override
  boolean cancel();
}
