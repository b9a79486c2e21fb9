package dev.timerguard.junit;

import java.util.Objects;

/**
 * Thrown when threads, timers, scheduled tasks or executors outlive a test, a test class or a test
 * run. An {@link AssertionError}, so test frameworks report a failure, not an error; its message is
 * {@link LeakReport#format(String)} and {@link #report()} gives the details.
 */
public final class LeakDetectedError extends AssertionError {

  private static final long serialVersionUID = 1L;

  private final transient LeakReport report;

  /**
   * Creates the error for leaks found after {@code subject}.
   *
   * @throws NullPointerException naming the argument that is null
   */
  public LeakDetectedError(String subject, LeakReport report) {
    super(
        Objects.requireNonNull(report, "report")
            .format(Objects.requireNonNull(subject, "subject")));
    this.report = report;
  }

  /** The run's summary of the tests that leaked, each reported before; it has no report. */
  LeakDetectedError(String summary) {
    super(Objects.requireNonNull(summary, "summary"));
    this.report = null;
  }

  /**
   * What leaked; {@code null} after deserialization and for the launcher listener's summary of the
   * tests that leaked (whose reports were printed one by one).
   */
  public LeakReport report() {
    return report;
  }
}
