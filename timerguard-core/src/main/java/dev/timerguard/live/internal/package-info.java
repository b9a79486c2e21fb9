/**
 * The write side of the live model, <b>for TimerGuard's own engines and hooks, not for
 * applications</b>: nothing here is a promised API, and an application that writes here corrupts
 * the counts every face of TimerGuard reads.
 *
 * <ul>
 *   <li>{@link dev.timerguard.live.internal.SiteRegistry}: the writable registry behind {@link
 *       dev.timerguard.live.LiveRegistry}: registration of call sites, coarse creation stamps;
 *   <li>{@link dev.timerguard.live.internal.SiteCounter}: one site's lock-free counters, with one
 *       start call and one end call ({@link dev.timerguard.live.internal.TimerEnd how it ended})
 *       that count and commit the JFR events ({@link dev.timerguard.live.internal.TimerEvents})
 *       together;
 *   <li>{@link dev.timerguard.live.internal.ThreadSites}: the thread-to-site table behind {@link
 *       dev.timerguard.live.ThreadOrigins}.
 * </ul>
 *
 * <p>Who may use it: timerguard-core's safe timer API and wheel, the agent's hooks, and TimerGuard
 * modules' tests and benchmarks that drive counts. A package-rule test in timerguard-core checks
 * that no other core package writes outside these users, and that this package imports only {@code
 * java.*}, {@code jdk.jfr} and the read package (the agent puts it on the bootstrap class path).
 */
package dev.timerguard.live.internal;
