package dev.timerguard;

import dev.timerguard.internal.Sites;
import dev.timerguard.live.CallSite;
import dev.timerguard.live.internal.SiteCounter;
import dev.timerguard.live.internal.SiteRegistry;
import java.util.Objects;

/**
 * An explicit call site, for hot paths: attribution then costs one field read per timer.
 *
 * <p>By default TimerGuard attributes a timer to the line that created it, walking the stack once
 * per lambda class; {@code after}, {@code withTimeout} and tasks of named classes walk it on every
 * creation (about a microsecond). In a hot path, declare the site once and create through it:
 *
 * <pre>{@code
 * private static final TimerSite READ_TIMEOUT = TimerSite.here();
 * ...
 * timers.at(READ_TIMEOUT).withTimeout(reply, Duration.ofSeconds(5));
 * }</pre>
 *
 * Immutable and thread-safe; keep instances in static final fields.
 */
public final class TimerSite {

  private final CallSite location;
  private final SiteCounter[] global = new SiteCounter[CallSite.Kind.values().length];

  private TimerSite(CallSite location) {
    this.location = location;
  }

  /** The site of the line that calls this method. */
  public static TimerSite here() {
    return new TimerSite(Sites.caller(CallSite.Kind.TIMER));
  }

  /**
   * A named site, shown as {@code name} in reports.
   *
   * @throws NullPointerException if {@code name} is null
   * @throws IllegalArgumentException if {@code name} is blank
   */
  public static TimerSite named(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("site name must not be blank");
    }
    return new TimerSite(CallSite.of(CallSite.Kind.TIMER, name, "<named>", "?", -1));
  }

  /** The location this site stands for. */
  public CallSite location() {
    return location;
  }

  SiteCounter counter(SiteRegistry registry, CallSite.Kind kind) {
    if (registry != SiteRegistry.global()) {
      return registry.register(location.withKind(kind));
    }
    SiteCounter c = global[kind.ordinal()];
    if (c == null) {
      c = registry.register(location.withKind(kind));
      global[kind.ordinal()] = c; // benign race: same counter either way
    }
    return c;
  }

  @Override
  public String toString() {
    return "TimerSite[" + location.location() + "]";
  }
}
