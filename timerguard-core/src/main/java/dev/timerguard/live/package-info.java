/**
 * The one model of "a live timer" that every face of TimerGuard reads and writes.
 *
 * <ul>
 *   <li>{@link dev.timerguard.live.CallSite}: where a timer, ticker, executor or thread was made;
 *   <li>{@link dev.timerguard.live.SiteCounter}: the lock-free counters of one site, written on
 *       the hot path by the safe timer API, the wheel and the agent's hooks;
 *   <li>{@link dev.timerguard.live.LiveRegistry}: one per JVM, bounded in sites, no per-timer
 *       state;
 *   <li>{@link dev.timerguard.live.Snapshot}: an immutable, diffable copy of all sites;
 *   <li>{@link dev.timerguard.live.GrowthDetector} and {@link
 *       dev.timerguard.live.GrowthVerdict}: which sites grow, how fast, how sure, how severe.
 * </ul>
 *
 * <p>A timer's way: call site, {@code register} once, {@code created()} per timer, exactly one of
 * {@code fired}/{@code cancelled} when it ends, snapshots for readers, verdicts for reports.
 */
package dev.timerguard.live;
