package dev.timerguard;

import java.time.Duration;

/**
 * Runs an action at most once per period however often it is triggered, with one timer per
 * instance.
 *
 * <p>Created by {@link TimerSource#throttle}. The first {@link #trigger()} runs the action promptly
 * on a timer thread; triggers within the following period are folded into a single trailing run at
 * the end of that period. No trigger is lost: a trigger always leads to a run that starts after it.
 * Live until closed; closing drops a pending trailing run. Thread-safe; runs never overlap.
 */
public sealed interface Throttle extends TimerHandle permits ThrottleImpl {

  /**
   * Asks for a run.
   *
   * @throws IllegalStateException if the throttle was closed
   */
  void trigger();

  /** The minimum time between the starts of two runs. */
  Duration period();
}
