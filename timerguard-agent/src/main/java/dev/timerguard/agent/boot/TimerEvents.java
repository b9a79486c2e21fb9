package dev.timerguard.agent.boot;

import dev.timerguard.live.internal.SiteCounter;
import dev.timerguard.live.internal.TimerEnd;

/**
 * The agent's bridge to TimerGuard's JFR timer events ({@code dev.timerguard.TimerScheduled},
 * {@code TimerCancelled}, {@code TimerFired}), for the hooks that still count and record in two
 * calls. The events themselves are defined once, in the core's write package ({@link
 * dev.timerguard.live.internal.TimerEvents}), so the agent, the safe timer API and the wheel
 * emit the same events; a hook that ends a timer with {@link SiteCounter#end} records it there
 * and needs nothing here.
 *
 * <p>Each call checks the {@link HookGuard#JFR} switch first and reports its own failure there;
 * never throws. Thread-safe.
 */
public final class TimerEvents {

  private TimerEvents() {}

  /** Emits a scheduled event if a recording wants it. Never throws. */
  public static void scheduled(SiteCounter c, long delayNanos) {
    if (!HookGuard.on(HookGuard.JFR)) {
      return;
    }
    try {
      dev.timerguard.live.internal.TimerEvents.scheduled(c.site(), delayNanos);
    } catch (Throwable t) {
      HookGuard.fail(HookGuard.JFR, t);
    }
  }

  /** Emits a cancelled event if a recording wants it. Never throws. */
  public static void cancelled(SiteCounter c, long stamp) {
    ended(c, stamp, TimerEnd.CANCELLED);
  }

  /** Emits a fired event if a recording wants it. Never throws. */
  public static void fired(SiteCounter c, long stamp) {
    ended(c, stamp, TimerEnd.FIRED);
  }

  private static void ended(SiteCounter c, long stamp, TimerEnd how) {
    if (!HookGuard.on(HookGuard.JFR)) {
      return;
    }
    try {
      dev.timerguard.live.internal.TimerEvents.ended(c, stamp, how);
    } catch (Throwable t) {
      HookGuard.fail(HookGuard.JFR, t);
    }
  }
}
