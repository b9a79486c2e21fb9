package dev.timerguard.junit.bench;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.timerguard.junit.samples.TrivialSuiteSample;
import java.util.Arrays;
import java.util.Locale;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Measures what the leak verifier costs when nothing leaks: runs a suite of 1,000 trivial tests
 * through the launcher with and without the extension (autodetection on/off), alternating, and
 * prints the medians. Not a unit test: see docs/junit.md for the command and the numbers.
 *
 * <p>Arguments: {@code [rounds]} (default 21 measured rounds per variant after 10 warm-up rounds).
 */
public final class OverheadMain {

  private static final int TESTS = 1000;

  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 21;
    Launcher launcher =
        LauncherFactory.create(
            LauncherConfig.builder()
                .enableTestExecutionListenerAutoRegistration(false)
                .enableLauncherSessionListenerAutoRegistration(false)
                .build());
    for (int i = 0; i < 10; i++) {
      run(launcher, false);
      run(launcher, true);
    }
    long[] plain = new long[rounds];
    long[] verified = new long[rounds];
    for (int i = 0; i < rounds; i++) {
      plain[i] = run(launcher, false);
      verified[i] = run(launcher, true);
    }
    double p = median(plain) / 1e6;
    double v = median(verified) / 1e6;
    System.out.printf(
        Locale.ROOT,
        "JDK %s, %d trivial tests, median of %d rounds:%n"
            + "  without extension: %8.2f ms (%.1f us/test)%n"
            + "  with extension:    %8.2f ms (%.1f us/test)%n"
            + "  overhead:          %8.1f us/test, ratio %.2fx%n",
        Runtime.version(),
        TESTS,
        rounds,
        p,
        p * 1000 / TESTS,
        v,
        v * 1000 / TESTS,
        (v - p) * 1000 / TESTS,
        v / p);
  }

  private static long run(Launcher launcher, boolean verify) {
    LauncherDiscoveryRequest request =
        LauncherDiscoveryRequestBuilder.request()
            .selectors(selectClass(TrivialSuiteSample.class))
            .configurationParameter(
                "junit.jupiter.extensions.autodetection.enabled", String.valueOf(verify))
            .build();
    SummaryGeneratingListener summary = new SummaryGeneratingListener();
    long start = System.nanoTime();
    launcher.execute(request, summary);
    long took = System.nanoTime() - start;
    TestExecutionSummary s = summary.getSummary();
    if (s.getTestsSucceededCount() != TESTS || s.getTotalFailureCount() != 0) {
      throw new IllegalStateException("suite did not pass: " + s.getTestsSucceededCount());
    }
    return took;
  }

  private static double median(long[] a) {
    long[] c = a.clone();
    Arrays.sort(c);
    return c[c.length / 2];
  }
}
