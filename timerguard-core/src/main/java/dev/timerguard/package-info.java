/**
 * The safe timer API: timers that cannot leak unnoticed.
 *
 * <p>{@link dev.timerguard.Timers} creates one-shot {@link dev.timerguard.Timeout}s, {@link
 * dev.timerguard.Ticker}s, leak-free {@code after} and {@code withTimeout} futures, {@link
 * dev.timerguard.Watchdog}s whose reset never loses to expiry, {@link dev.timerguard.Backoff},
 * {@link dev.timerguard.Throttle} and {@link dev.timerguard.Coalescer}, each owning at most one
 * timer. Every handle is {@code AutoCloseable}; a {@link dev.timerguard.TimerScope} cancels all it
 * created when it closes. Every timer is counted per call site in {@link
 * dev.timerguard.live.LiveRegistry} from creation until it fires or is cancelled, which is what the
 * JUnit extension, the agent's exporters and the CLI read.
 */
package dev.timerguard;
