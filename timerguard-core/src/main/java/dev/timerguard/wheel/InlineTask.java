package dev.timerguard.wheel;

/**
 * Marks a task as cheap enough to run directly on the wheel's tick thread.
 *
 * <p>Contract: an {@code InlineTask} must be short (microseconds), non-blocking (no I/O, no locks
 * that may be held for long, no sleeping, no waiting on futures) and must not schedule unbounded
 * work. It runs on the tick thread of the {@link WheelScheduler}, in the expiry pass in which it
 * falls due, so while it runs no other timer of that scheduler fires: a slow inline task makes
 * every other timer late by its own running time. In exchange it costs no hand-off to the callback
 * executor (no queue, no thread wake-up), which is what makes it the fastest way to complete a
 * future, flip a flag or enqueue a message on a timeout.
 *
 * <p>Failure: a throwing inline task is caught on the tick thread, recorded in its future and
 * reported to the scheduler's exception handler; the tick thread and the other timers carry on.
 *
 * <p>Tasks that do not implement this interface (and every {@code Callable}) run on the scheduler's
 * callback executor.
 */
public interface InlineTask extends Runnable {}
