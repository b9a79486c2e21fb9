package dev.timerguard.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fails a test that leaves threads, timers, scheduled tasks or executors behind.
 *
 * <p>On a test class: every test method is verified from just before its {@code @BeforeEach}
 * methods to just after its {@code @AfterEach} methods, and the class itself from before
 * {@code @BeforeAll} to after {@code @AfterAll} (a leak there fails the class, not a method; a leak
 * already reported for a method is not reported again for its class). On a test method: that method
 * only. See {@link LeakVerifier} for what counts as a leak and {@link LeakVerifierExtension} for
 * the programmatic form and for parallel execution.
 *
 * <p>Attributes add to the {@code timerguard.leaks.*} configuration parameters (ignore rules add
 * up; a non-empty {@link #grace()} replaces the configured one); on a method they add to the
 * class's annotation.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(LeakVerifierExtension.class)
public @interface VerifyNoLeaks {

  /**
   * How long to wait for threads to end and timers to fire before failing, e.g. {@code "200ms"},
   * {@code "2s"}, {@code "PT1S"}; empty means the {@value LeakVerifier#GRACE} parameter, or 1 s. A
   * malformed or negative value fails the test with a message naming this attribute.
   */
  String grace() default "";

  /** A regex: threads whose whole name matches are not leaks. Empty means none. */
  String ignoreThreadNames() default "";

  /**
   * Frame patterns ({@code pkg.Class.method}, or a prefix ending in {@code *}): threads whose top
   * frame matches are not leaks (goleak's {@code IgnoreTopFunction}).
   */
  String[] ignoreTopFrames() default {};

  /** Frame patterns: threads with any matching frame in their stack are not leaks. */
  String[] ignoreFrames() default {};
}
