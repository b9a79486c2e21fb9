package dev.timerguard.junit.bench;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.timerguard.junit.samples.AnnotatedTrivialSuiteSample;
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
 * through the launcher without the extension, with it by autodetection, and with it by
 * {@code @VerifyNoLeaks}, alternating, and prints the medians. Not a unit test: see docs/junit.md
 * for the command and the numbers.
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
      run(launcher, Variant.PLAIN);
      run(launcher, Variant.AUTODETECTED);
      run(launcher, Variant.ANNOTATED);
    }
    long[][] times = new long[Variant.values().length][rounds];
    for (int i = 0; i < rounds; i++) {
      for (Variant v : Variant.values()) {
        times[v.ordinal()][i] = run(launcher, v);
      }
    }
    double p = median(times[0]) / 1e6;
    System.out.printf(
        Locale.ROOT,
        "JDK %s, %d trivial tests, median of %d rounds:%n  %-22s %8.2f ms (%.1f us/test)%n",
        Runtime.version(),
        TESTS,
        rounds,
        "without extension:",
        p,
        p * 1000 / TESTS);
    for (Variant v : new Variant[] {Variant.AUTODETECTED, Variant.ANNOTATED}) {
      double m = median(times[v.ordinal()]) / 1e6;
      System.out.printf(
          Locale.ROOT,
          "  %-22s %8.2f ms (%.1f us/test), overhead %.1f us/test, ratio %.2fx%n",
          v.label,
          m,
          m * 1000 / TESTS,
          (m - p) * 1000 / TESTS,
          m / p);
    }
  }

  private enum Variant {
    PLAIN(TrivialSuiteSample.class, false, "without extension:"),
    AUTODETECTED(TrivialSuiteSample.class, true, "autodetected:"),
    ANNOTATED(AnnotatedTrivialSuiteSample.class, false, "@VerifyNoLeaks:");

    final Class<?> suite;
    final boolean autodetect;
    final String label;

    Variant(Class<?> suite, boolean autodetect, String label) {
      this.suite = suite;
      this.autodetect = autodetect;
      this.label = label;
    }
  }

  private static long run(Launcher launcher, Variant variant) {
    LauncherDiscoveryRequest request =
        LauncherDiscoveryRequestBuilder.request()
            .selectors(selectClass(variant.suite))
            .configurationParameter(
                "junit.jupiter.extensions.autodetection.enabled",
                String.valueOf(variant.autodetect))
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
