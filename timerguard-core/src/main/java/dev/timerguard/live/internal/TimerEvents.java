package dev.timerguard.live.internal;

import dev.timerguard.live.CallSite;
import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * TimerGuard's JFR events for timers and tickers, committed by {@link SiteCounter#start} and {@link
 * SiteCounter#end} (the safe timer API, the wheel and the agent's hooks all go through them):
 * {@code dev.timerguard.TimerScheduled} (site, kind, delay), {@code dev.timerguard.TimerFired} and
 * {@code dev.timerguard.TimerCancelled} (site, kind, how, age).
 *
 * <p>Until the JVM's flight recorder is initialized (a recording started, on the command line, with
 * {@code jcmd} or through the API) the emitters touch no event class at all: loading and
 * registering the first event class costs hundreds of milliseconds, which a program that never
 * records must not pay on its first timer. After that each emitter allocates its event and checks
 * {@link Event#isEnabled()} first; with no recording on, the JIT removes the allocation and the
 * check is a constant. Stack traces are off: the site is already in the event. On a runtime without
 * the {@code jdk.jfr} module the first attempt fails with a {@link LinkageError} and events are off
 * from then on; counting goes on. Thread-safe; never throws.
 */
public final class TimerEvents {

  private static volatile boolean unavailable;

  private TimerEvents() {}

  /** A timer or ticker was scheduled at a site. */
  @Name("dev.timerguard.TimerScheduled")
  @Label("Timer Scheduled")
  @Category({"TimerGuard"})
  @Description("A timer, ticker or delayed task was scheduled at a call site TimerGuard counts.")
  @StackTrace(false)
  static final class Scheduled extends Event {
    @Label("Site")
    String site;

    @Label("Kind")
    String kind;

    @Label("Delay")
    @Timespan(Timespan.NANOSECONDS)
    long delay;
  }

  /** A timer was cancelled, stopped, shut down or rejected before it fired. */
  @Name("dev.timerguard.TimerCancelled")
  @Label("Timer Cancelled")
  @Category({"TimerGuard"})
  @Description(
      "A timer or ticker created at a call site TimerGuard counts ended without firing:"
          + " cancelled, stopped, shut down or rejected (see How).")
  @StackTrace(false)
  static final class Cancelled extends Event {
    @Label("Site")
    String site;

    @Label("Kind")
    String kind;

    @Label("How")
    String how;

    @Label("Age")
    @Timespan(Timespan.NANOSECONDS)
    long age;
  }

  /** A one-shot timer fired (or was found expired). */
  @Name("dev.timerguard.TimerFired")
  @Label("Timer Fired")
  @Category({"TimerGuard"})
  @Description(
      "A timer created at a call site TimerGuard counts fired, or its owner found it expired"
          + " (see How).")
  @StackTrace(false)
  static final class Fired extends Event {
    @Label("Site")
    String site;

    @Label("Kind")
    String kind;

    @Label("How")
    String how;

    @Label("Age")
    @Timespan(Timespan.NANOSECONDS)
    long age;
  }

  /** Commits a scheduled event if a recording wants it. */
  public static void scheduled(CallSite site, long delayNanos) {
    if (unavailable) {
      return;
    }
    try {
      if (!FlightRecorder.isInitialized()) {
        return;
      }
      Scheduled e = new Scheduled();
      if (e.isEnabled()) {
        e.site = site.location();
        e.kind = site.kind().name();
        e.delay = delayNanos;
        e.commit();
      }
    } catch (LinkageError e) {
      unavailable = true;
    }
  }

  /**
   * Commits a fired or cancelled event if a recording wants it; the age is taken on {@code
   * registry}'s clock ({@code 0} when the stamp is {@link SiteCounter#NO_STAMP}).
   */
  static void ended(CallSite site, boolean fired, TimerEnd how, long stamp, SiteRegistry registry) {
    if (unavailable) {
      return;
    }
    try {
      if (!FlightRecorder.isInitialized()) {
        return;
      }
      if (fired) {
        Fired e = new Fired();
        if (e.isEnabled()) {
          e.site = site.location();
          e.kind = site.kind().name();
          e.how = how.name();
          e.age = age(stamp, registry);
          e.commit();
        }
      } else {
        Cancelled e = new Cancelled();
        if (e.isEnabled()) {
          e.site = site.location();
          e.kind = site.kind().name();
          e.how = how.name();
          e.age = age(stamp, registry);
          e.commit();
        }
      }
    } catch (LinkageError e) {
      unavailable = true;
    }
  }

  /**
   * Commits the end event of a timer counted elsewhere, for the agent's hooks that still count and
   * record in two calls; new code calls {@link SiteCounter#end}, which does both.
   */
  public static void ended(SiteCounter counter, long stamp, TimerEnd how) {
    ended(counter.site(), how.countsAsFired(), how, stamp, counter.registry());
  }

  private static long age(long stamp, SiteRegistry registry) {
    return stamp == SiteCounter.NO_STAMP ? 0 : Math.max(0, registry.nanoTime() - stamp);
  }
}
