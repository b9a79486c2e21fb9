package dev.timerguard;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method of the safe timer API that creates a timer, or an object owning timers or timer
 * threads, which its caller must release (cancel, close) or let end. The mark is the analyzer's
 * source of truth: {@code timerguard-lint} recognises TimerGuard calls by this annotation, read by
 * name from the compiler's model of the called method, never from a list of method names.
 *
 * <p>Only methods of this package carry it, and only where the returned value holds a timer or an
 * engine; methods that merely configure or read do not. Adding it to a method (or removing it)
 * changes what the analyzer reports on code that calls the method. Retained in class files and at
 * run time, so compilers reading the jar and tools using reflection see it alike. It has no effect
 * on the annotated method's behaviour.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface CreatesTimer {

  /** What the call creates. */
  Kind value();

  /** The kinds of timer a marked method creates, by how the caller releases it. */
  enum Kind {
    /**
     * A timer that fires once after a delay unless cancelled first; the returned handle is how the
     * caller cancels it when the work it guards finishes early.
     */
    ONE_SHOT,
    /** A timer that fires repeatedly until the returned handle is cancelled or closed. */
    PERIODIC,
    /**
     * A deadline on a future that the caller passes in; the timer is removed when that future
     * completes, so no handle needs to be kept.
     */
    FUTURE_TIMEOUT,
    /**
     * A reusable timer object (a watchdog, throttle, coalescer or backoff) that stays live until it
     * is closed; create one per owner, not one per event.
     */
    REUSABLE,
    /** An instance that owns an engine and its threads; close it when its owner closes. */
    ENGINE
  }
}
