package dev.timerguard;

import dev.timerguard.live.CallSite;

/**
 * A timer that TimerGuard counts from creation until it ends: the common face of {@link Timeout},
 * {@link Ticker}, {@link Watchdog}, {@link Throttle}, {@link Coalescer}, {@link Backoff} and {@link
 * TimerScope}.
 *
 * <p>Every handle is {@link AutoCloseable}, so try-with-resources is the Java spelling of Go's
 * {@code defer t.Stop()}. {@link #close()} and {@link #cancel()} are idempotent, thread-safe and
 * never throw; after either returns, the handle's action will not start again (an action already
 * running on a timer thread finishes). A handle is <em>live</em> in the {@link
 * dev.timerguard.live.LiveRegistry} from creation until it fires (one-shots), expires (watchdogs),
 * or is cancelled or closed (everything).
 *
 * <p>Sealed: only TimerGuard's own timers implement it, so a handle always ends in the registry
 * exactly once.
 */
public sealed interface TimerHandle extends AutoCloseable
    permits Timeout, Ticker, Watchdog, Throttle, Coalescer, Backoff, Handle {

  /**
   * Stops the timer and removes it from its engine at once.
   *
   * @return {@code true} if this call stopped a live timer, {@code false} if it had already fired,
   *     expired or been cancelled
   */
  boolean cancel();

  /** Same as {@link #cancel()}, for try-with-resources. */
  @Override
  default void close() {
    cancel();
  }

  /** True while the timer is live: scheduled and not yet fired, expired, cancelled or closed. */
  boolean isLive();

  /** Where the timer was created, as counted in the live registry. */
  CallSite site();
}
