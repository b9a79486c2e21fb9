/**
 * Fail tests that leak threads or timers: the JVM counterpart of Go's goleak, extended to
 * TimerGuard's live registry.
 *
 * <ul>
 *   <li>{@link dev.timerguard.junit.VerifyNoLeaks}: per class or per method;
 *   <li>{@link dev.timerguard.junit.LeakVerifierExtension}: the same, programmatic
 *       ({@code @RegisterExtension}) or suite-wide by JUnit's extension autodetection;
 *   <li>{@link dev.timerguard.junit.LeakVerifierListener}: every test of any engine (JUnit 4
 *       through Vintage included) and the whole run ({@code timerguard.leaks.run.enabled=true});
 *   <li>{@link dev.timerguard.junit.LeakVerifier}: the same checks without JUnit.
 * </ul>
 *
 * <p>Threads are attributed to the test that started them, through the chain of starting threads
 * (JFR thread-start events, no agent needed), so tests running in parallel fail for their own leaks
 * only. See {@code docs/junit.md} for setup with Maven Surefire and Gradle and for the
 * configuration parameters.
 */
package dev.timerguard.junit;
