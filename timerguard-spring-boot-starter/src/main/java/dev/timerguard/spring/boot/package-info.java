/**
 * Spring Boot auto-configuration for TimerGuard: the shared growth watch, the Micrometer metrics,
 * {@code /actuator/timerguard} and the {@code timerguard} health contributor, set with {@code
 * timerguard.*} properties ({@link dev.timerguard.spring.boot.TimerGuardProperties}).
 */
package dev.timerguard.spring.boot;
