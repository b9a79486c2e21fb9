package dev.timerguard;

/**
 * A one-shot timer: runs its action once after a delay unless cancelled first.
 *
 * <p>Created by {@link TimerSource#schedule}. Live until the action starts or the timeout is
 * cancelled. Exactly one of {@link #isFired()} and {@link #isCancelled()} becomes true, once: a
 * cancel that races with firing either wins (the action never starts) or loses (returns {@code
 * false}; the action has started). Thread-safe.
 */
public sealed interface Timeout extends TimerHandle permits OneShot {

  /** True once the action has started. */
  boolean isFired();

  /** True once the timeout was cancelled before it fired. */
  boolean isCancelled();
}
