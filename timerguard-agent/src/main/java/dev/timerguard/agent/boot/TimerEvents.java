package dev.timerguard.agent.boot;

import dev.timerguard.live.SiteCounter;
import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * JFR events for timers seen by the agent: {@code dev.timerguard.TimerScheduled}, {@code
 * dev.timerguard.TimerCancelled} and {@code dev.timerguard.TimerFired}.
 *
 * <p>Each emitter allocates its event and checks {@link Event#isEnabled()} first; with no
 * recording on, the JIT removes the allocation and the check is a constant, so the events cost
 * nothing. Stack traces are off: the site is already in the event. Thread-safe.
 */
public final class TimerEvents {

  private TimerEvents() {}

  /** A timer or ticker was scheduled at a site. */
  @Name("dev.timerguard.TimerScheduled")
  @Label("Timer Scheduled")
  @Category({"TimerGuard"})
  @Description("A timer, ticker or delayed task was scheduled at an instrumented call site.")
  @StackTrace(false)
  public static final class Scheduled extends Event {
    @Label("Site")
    String site;

    @Label("Kind")
    String kind;

    @Label("Delay")
    @Timespan(Timespan.NANOSECONDS)
    long delay;
  }

  /** A timer was cancelled or stopped before it fired. */
  @Name("dev.timerguard.TimerCancelled")
  @Label("Timer Cancelled")
  @Category({"TimerGuard"})
  @Description("A timer or ticker created at an instrumented call site was cancelled or stopped.")
  @StackTrace(false)
  public static final class Cancelled extends Event {
    @Label("Site")
    String site;

    @Label("Age")
    @Timespan(Timespan.NANOSECONDS)
    long age;
  }

  /** A one-shot timer fired. */
  @Name("dev.timerguard.TimerFired")
  @Label("Timer Fired")
  @Category({"TimerGuard"})
  @Description("A one-shot timer created at an instrumented call site fired.")
  @StackTrace(false)
  public static final class Fired extends Event {
    @Label("Site")
    String site;

    @Label("Age")
    @Timespan(Timespan.NANOSECONDS)
    long age;
  }

  /** Emits a scheduled event if a recording wants it. Never throws. */
  public static void scheduled(SiteCounter c, long delayNanos) {
    if (!HookGuard.on(HookGuard.JFR)) {
      return;
    }
    try {
      Scheduled e = new Scheduled();
      if (e.isEnabled()) {
        e.site = c.site().location();
        e.kind = c.site().kind().name();
        e.delay = delayNanos;
        e.commit();
      }
    } catch (Throwable t) {
      HookGuard.fail(HookGuard.JFR, t);
    }
  }

  /** Emits a cancelled event if a recording wants it. Never throws. */
  public static void cancelled(SiteCounter c, long stamp) {
    if (!HookGuard.on(HookGuard.JFR)) {
      return;
    }
    try {
      Cancelled e = new Cancelled();
      if (e.isEnabled()) {
        e.site = c.site().location();
        e.age = stamp == SiteCounter.NO_STAMP ? 0 : System.nanoTime() - stamp;
        e.commit();
      }
    } catch (Throwable t) {
      HookGuard.fail(HookGuard.JFR, t);
    }
  }

  /** Emits a fired event if a recording wants it. Never throws. */
  public static void fired(SiteCounter c, long stamp) {
    if (!HookGuard.on(HookGuard.JFR)) {
      return;
    }
    try {
      Fired e = new Fired();
      if (e.isEnabled()) {
        e.site = c.site().location();
        e.age = stamp == SiteCounter.NO_STAMP ? 0 : System.nanoTime() - stamp;
        e.commit();
      }
    } catch (Throwable t) {
      HookGuard.fail(HookGuard.JFR, t);
    }
  }
}
