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

  /** What leaked ({@code null} only after deserialization). */
  public LeakReport report() {
    return report;
  }
}
