package dev.timerguard.internal;

import dev.timerguard.live.CallSite;

/**
 * A task that knows the call site of the timer it belongs to, so that an engine which does not
 * count its tasks itself (the wheel under the {@code Timers} API) can still name that site, for
 * example in its slow-callback warning. Not public API.
 *
 * <p>{@link #site()} must be cheap, must not throw and must not return null; it may be called from
 * any thread while the task runs.
 */
public interface SiteAware {

  /** Where the timer this task belongs to was created. */
  CallSite site();
}
