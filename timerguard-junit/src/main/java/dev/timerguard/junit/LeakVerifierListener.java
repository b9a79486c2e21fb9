package dev.timerguard.junit;

import dev.timerguard.junit.internal.RunLedger;
import dev.timerguard.junit.internal.ThreadAttribution;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.platform.engine.ConfigurationParameters;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Verifies every test and the whole run, for any test engine (Jupiter, Vintage for JUnit 4, ...):
 * goleak's {@code VerifyTestMain}, plus per-test verdicts.
 *
 * <p>Registered automatically (through {@code META-INF/services/
 * org.junit.platform.launcher.LauncherSessionListener}) whenever this module is on the test class
 * path, and <b>inactive unless</b> the configuration parameter {@value #ENABLED} is {@code true}
 * (in {@code junit-platform.properties}, a Surefire {@code configurationParameters} line, or a
 * {@code -D} system property). When active:
 *
 * <ul>
 *   <li><b>per test</b> (unless {@value #PER_TEST} is {@code false}): each test is a scope from its
 *       start to its end as the launcher reports them; threads it started (through the chain of
 *       starting threads, see {@link LeakVerifierExtension}) and still alive after the grace period
 *       are printed to {@code System.err} at once, naming the test, and counted against it. A
 *       listener cannot fail a test, so the run fails at the end, listing the leaky tests. Tests
 *       that the extension verified are not verified again;
 *   <li><b>per run</b>: a baseline when the first test plan starts; when the session closes, what
 *       is still alive and was not reported for a test fails the run, each thread naming the test
 *       that started it (also with {@value #PER_TEST}{@code =false}).
 * </ul>
 *
 * <p>It fails the run by printing the report to {@code System.err} and throwing {@link
 * LeakDetectedError} from {@link #launcherSessionClosed}, which Surefire reports as a failed fork.
 * Whenever verifications ran (this listener's or the extension's), the session's end also prints,
 * once, what was seen but blamed on no test: framework and build tool resources, process-wide
 * resources of static initializers, and what could not be attributed. Settings are the {@code
 * timerguard.leaks.*} parameters of the first test plan.
 *
 * <p>One instance per launcher session; test callbacks may come from many threads at once.
 */
public final class LeakVerifierListener implements LauncherSessionListener, TestExecutionListener {

  /**
   * Configuration parameter that turns run verification on: {@code timerguard.leaks.run.enabled}.
   */
  public static final String ENABLED = "timerguard.leaks.run.enabled";

  /**
   * Configuration parameter: {@code false} keeps the enabled listener to the whole run, without
   * per-test verdicts; default {@code true}.
   */
  public static final String PER_TEST = "timerguard.leaks.run.perTest";

  private static final AtomicInteger OPEN_SESSIONS = new AtomicInteger();

  private final PrintStream err;
  private volatile LeakVerifier verifier;
  private volatile LeakVerifier.Baseline baseline;
  private volatile RuntimeException configError;
  private volatile boolean perTest;
  private volatile boolean enabled;
  private final Map<String, Running> running = new ConcurrentHashMap<>();
  private final List<String> leakyTests = new ArrayList<>();
  private final List<LeakReport> testReports = new ArrayList<>();

  private static final class Running {
    final LeakVerifier.Baseline baseline;
    final ThreadAttribution attribution;
    final ThreadAttribution.Scope scope;

    Running(
        LeakVerifier.Baseline baseline,
        ThreadAttribution attribution,
        ThreadAttribution.Scope scope) {
      this.baseline = baseline;
      this.attribution = attribution;
      this.scope = scope;
    }
  }

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
    OPEN_SESSIONS.incrementAndGet();
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
      perTest = params.get(PER_TEST).map(v -> LeakVerifier.Builder.bool(PER_TEST, v)).orElse(true);
      verifier.attribution(); // started before the baseline, so that its threads are in it
      baseline = verifier.baseline();
      enabled = true;
    } catch (RuntimeException e) {
      // a listener's exception here would only be logged by the launcher: keep it for the end
      configError = e;
    }
  }

  @Override
  public void executionStarted(TestIdentifier test) {
    if (!enabled || !test.isTest()) {
      return;
    }
    ThreadAttribution attr = verifier.attribution();
    ThreadAttribution.Scope scope =
        attr == null
            ? null
            : attr.open(test.getUniqueId(), name(test), test.getParentId().orElse(null));
    running.put(test.getUniqueId(), new Running(verifier.baseline(scope), attr, scope));
  }

  @Override
  public void executionFinished(TestIdentifier test, TestExecutionResult result) {
    Running r = running.remove(test.getUniqueId());
    if (r == null) {
      return;
    }
    try {
      if (!perTest) {
        return; // the scope only names the test in the run's report
      }
      if (r.scope != null && r.scope.verified()) {
        return; // the extension judged it (and failed the test if it leaked)
      }
      if (r.scope == null && running.size() > 0) {
        return; // without attribution, concurrent tests cannot be told apart
      }
      LeakReport report = verifier.find(r.baseline);
      if (report.isEmpty()) {
        return;
      }
      LeakDetectedError e = new LeakDetectedError(name(test), report);
      synchronized (this) {
        leakyTests.add(name(test));
        testReports.add(report);
        err.println(e.getMessage());
        err.println();
        err.flush();
      }
    } finally {
      if (r.scope != null) {
        r.scope.markVerified();
        r.attribution.close(r.scope);
      }
    }
  }

  @Override
  public void launcherSessionClosed(LauncherSession session) {
    boolean outermost = OPEN_SESSIONS.decrementAndGet() == 0;
    try {
      if (configError != null) {
        throw configError;
      }
      LeakVerifier.Baseline b = baseline;
      if (b == null) {
        return;
      }
      baseline = null;
      List<String> leaky;
      synchronized (this) {
        for (LeakReport r : testReports) {
          b = b.accepting(r);
        }
        leaky = List.copyOf(leakyTests);
      }
      LeakReport report = verifier.find(b);
      if (!report.isEmpty()) {
        LeakDetectedError e = new LeakDetectedError("the test run", report);
        err.println(e.getMessage());
        err.flush();
        throw e;
      }
      if (!leaky.isEmpty()) {
        String message =
            "TimerGuard found leaks after "
                + leaky.size()
                + (leaky.size() == 1 ? " test" : " tests")
                + " (each reported above):\n  "
                + String.join("\n  ", leaky);
        err.println(message);
        err.flush();
        throw new LeakDetectedError(message);
      }
    } finally {
      if (enabled || outermost) {
        RunLedger ledger = RunLedger.global();
        int dropped = ledger.dropped();
        String info = RunLedger.format(ledger.drain(), dropped);
        if (!info.isEmpty()) {
          err.println(info);
          err.flush();
        }
      }
    }
  }

  /** "test com.acme.FooTest.bar()" for a method source, else the display name. */
  static String name(TestIdentifier test) {
    TestSource source = test.getSource().orElse(null);
    if (source instanceof MethodSource) {
      MethodSource m = (MethodSource) source;
      String base = "test " + m.getClassName() + "." + m.getMethodName() + "()";
      return test.getDisplayName().startsWith(m.getMethodName())
          ? base
          : base + " [" + test.getDisplayName() + "]";
    }
    return "test " + test.getDisplayName() + " (" + test.getUniqueId() + ")";
  }
}
