/**
 * TimerGuard's live model as Micrometer meters: {@link dev.timerguard.micrometer.TimerGuardMetrics}
 * binds the per-site counts of {@link dev.timerguard.live.LiveRegistry} and the growth rate and
 * severity of {@link dev.timerguard.live.GrowthWatch} to any {@code MeterRegistry}, under the same
 * names the TimerGuard agent exports, with a bounded number of site labels.
 */
package dev.timerguard.micrometer;
