package dev.timerguard.junit;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Objects;
import org.junit.platform.engine.ConfigurationParameters;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestPlan;

/**
 * Verifies a whole test run: goleak's {@code VerifyTestMain}. Works with any test engine and with
 * parallel execution, since it looks only before the first test plan starts and after the launcher
 * session closes.
 *
 * <p>Registered automatically (through {@code META-INF/services/
 * org.junit.platform.launcher.LauncherSessionListener}) whenever this module is on the test class
 * path, and <b>inactive unless</b> the configuration parameter {@value #ENABLED} is {@code true}
 * (in {@code junit-platform.properties}, a Surefire {@code configurationParameters} line, or a
 * {@code -D} system property). When active, it takes a {@link LeakVerifier.Baseline} when the first
 * test plan of the session starts and, when the session closes, waits the grace period and, if
 * anything leaked, prints the report to {@code System.err} and throws {@link LeakDetectedError}
 * from {@link #launcherSessionClosed}, which fails the run (Surefire reports the fork as failed).
 * Settings are the {@code timerguard.leaks.*} parameters of the first test plan.
 *
 * <p>One instance per launcher session; the launcher calls it from one thread at a time.
 */
public final class LeakVerifierListener implements LauncherSessionListener, TestExecutionListener {

  /**
   * Configuration parameter that turns run verification on: {@code timerguard.leaks.run.enabled}.
   */
  public static final String ENABLED = "timerguard.leaks.run.enabled";

  private final PrintStream err;
  private volatile LeakVerifier verifier;
  private volatile LeakVerifier.Baseline baseline;
  private volatile RuntimeException configError;

  /** The instance the launcher creates; reports go to {@code System.err}. */
  public LeakVerifierListener() {
    this(System.err);
  }

  /**
   * An instance that prints reports to {@code err} (for tests and embedding).
   *
   * @throws NullPointerException if {@code err} is null
   */
  public LeakVerifierListener(PrintStream err) {
    this.err = Objects.requireNonNull(err, "err");
  }

  @Override
  public void launcherSessionOpened(LauncherSession session) {
    session.getLauncher().registerTestExecutionListeners(this);
  }

  @Override
  public void testPlanExecutionStarted(TestPlan testPlan) {
    if (baseline != null || configError != null) {
      return;
    }
    ConfigurationParameters params = testPlan.getConfigurationParameters();
    boolean on =
        params
            .get(ENABLED)
            .map(v -> v.trim().toLowerCase(Locale.ROOT))
            .map("true"::equals)
            .orElse(false);
    if (!on) {
      return;
    }
    try {
      verifier = LeakVerifier.builder().configure(params::get).build();
      baseline = verifier.baseline();
    } catch (RuntimeException e) {
      // a listener's exception here would only be logged by the launcher: keep it for the end
      configError = e;
    }
  }

  @Override
  public void launcherSessionClosed(LauncherSession session) {
    if (configError != null) {
      throw configError;
    }
    LeakVerifier.Baseline b = baseline;
    if (b == null) {
      return;
    }
    baseline = null;
    LeakReport report = verifier.find(b);
    if (!report.isEmpty()) {
      LeakDetectedError e = new LeakDetectedError("the test run", report);
      err.println(e.getMessage());
      err.flush();
      throw e;
    }
  }
}
