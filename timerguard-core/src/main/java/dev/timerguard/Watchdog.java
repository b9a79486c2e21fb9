package dev.timerguard;

/**
 * A deadline pushed out by progress: runs its expiry action once if {@link #reset()} is not called
 * within the timeout.
 *
 * <p>Created by {@link TimerSource#watchdog}. One timer is reused for the watchdog's whole life, so
 * a reset costs a clock read and an uncontended lock, never a new timer. <b>Reset never loses a
 * race with expiry</b> (the "Forgotten Reset" incident): once {@code reset()} has returned {@code
 * true}, the old deadline cannot fire; expiry happens only if the new deadline passes with no
 * further reset. If expiry won the race, {@code reset()} returns {@code false} and the expiry
 * action has started or run.
 *
 * <p>Live until it expires or is closed. Thread-safe.
 */
public sealed interface Watchdog extends TimerHandle permits WatchdogImpl {

  /**
   * Records progress: the deadline becomes one timeout from now.
   *
   * @return {@code true} if the deadline moved; {@code false} if the watchdog had already expired
   *     or was closed (nothing is re-armed)
   */
  boolean reset();

  /** True once the watchdog expired. */
  boolean isExpired();
}
