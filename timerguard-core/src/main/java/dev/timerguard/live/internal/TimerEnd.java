package dev.timerguard.live.internal;

/**
 * How a timer (or ticker, executor, thread) ended, handed to {@link SiteCounter#end}: decides
 * whether the end counts as fired or cancelled in the site's counts and is the {@code how} field of
 * the JFR end event. Immutable.
 */
public enum TimerEnd {
  /** A one-shot timer ran its task. Counts as fired. */
  FIRED(true),
  /**
   * A timer's deadline passed and its owner found out by looking (a polled timeout seen expired),
   * not by a callback. Counts as fired.
   */
  EXPIRED(true),
  /** A periodic task threw, which ended its ticker after a run. Counts as fired. */
  FAILED(true),
  /** A thread terminated. Counts as fired. */
  TERMINATED(true),
  /** The owner cancelled the timer before it fired. Counts as cancelled. */
  CANCELLED(false),
  /** A ticker was stopped by its owner. Counts as cancelled. */
  STOPPED(false),
  /** The engine, timer thread or executor holding the timer was shut down. Counts as cancelled. */
  SHUT_DOWN(false),
  /**
   * The engine refused the timer (rejected execution) after it was counted. Counts as cancelled.
   */
  REJECTED(false);

  private final boolean fired;

  TimerEnd(boolean fired) {
    this.fired = fired;
  }

  /** Whether this end adds to the site's fired count (else to its cancelled count). */
  public boolean countsAsFired() {
    return fired;
  }
}
