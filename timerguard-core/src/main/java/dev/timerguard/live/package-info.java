/**
 * The one model of "a live timer" as its readers see it: what every face of TimerGuard reads.
 *
 * <ul>
 *   <li>{@link dev.timerguard.live.CallSite}: where a timer, ticker, executor or thread was made;
 *   <li>{@link dev.timerguard.live.LiveRegistry}: one per JVM, bounded in sites, no per-timer
 *       state; read by {@link dev.timerguard.live.LiveRegistry#snapshot() snapshots};
 *   <li>{@link dev.timerguard.live.Snapshot}, {@link dev.timerguard.live.SiteStats}, {@link
 *       dev.timerguard.live.SiteDelta}: an immutable, diffable copy of all sites;
 *   <li>{@link dev.timerguard.live.GrowthDetector}, {@link dev.timerguard.live.GrowthPolicy},
 *       {@link dev.timerguard.live.GrowthVerdict} and {@link dev.timerguard.live.GrowthWatch}:
 *       which sites grow, how fast, how sure, how severe;
 *   <li>{@link dev.timerguard.live.ThreadOrigins}: which site started a given thread.
 * </ul>
 *
 * <p>A timer's way: its engine registers the call site once, starts a count per timer and ends it
 * exactly once (fired, cancelled, stopped...), in one call that also commits the JFR event; readers
 * take snapshots, verdicts make reports. The write side is {@link dev.timerguard.live.internal},
 * for TimerGuard's own engines and hooks only.
 *
 * <p><b>Package rule.</b> This package imports only {@code java.*}, {@code jdk.jfr} and, in two
 * places, the write package: {@link dev.timerguard.live.LiveRegistry#global()}/{@code create} (the
 * read view's factories must build the writable registry behind it) and {@link
 * dev.timerguard.live.ThreadOrigins#siteOf} (the thread-to-site table is kept by its writer). The
 * agent puts this package and its write package on the bootstrap class path, so neither may import
 * anything else.
 */
package dev.timerguard.live;
