package dev.timerguard.junit.bench;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.timerguard.junit.LeakVerifier;
import dev.timerguard.junit.LeakVerifierListener;
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
 * through the launcher without the verifier, with the extension by autodetection (thread
 * attribution on and off), by {@code @VerifyNoLeaks}, and with the launcher listener's per-test
 * verdicts, each sequentially and in parallel (8 workers), alternating, and prints the medians. Not
 * a unit test: see docs/junit.md and docs/benchmarks.md for the command and the numbers.
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
    System.out.printf(
        Locale.ROOT,
        "JDK %s, %d trivial tests, median of %d rounds%n",
        Runtime.version(),
        TESTS,
        rounds);
    for (boolean parallel : new boolean[] {false, true}) {
      for (int i = 0; i < 10; i++) {
        for (Variant v : Variant.values()) {
          run(launcher, v, parallel);
        }
      }
      long[][] times = new long[Variant.values().length][rounds];
      for (int i = 0; i < rounds; i++) {
        for (Variant v : Variant.values()) {
          times[v.ordinal()][i] = run(launcher, v, parallel);
        }
      }
      double p = median(times[0]) / 1e6;
      System.out.printf(
          Locale.ROOT,
          "%s:%n  %-34s %8.2f ms (%.1f us/test)%n",
          parallel ? "parallel, 8 workers" : "sequential",
          Variant.PLAIN.label,
          p,
          p * 1000 / TESTS);
      for (Variant v : Variant.values()) {
        if (v == Variant.PLAIN) {
          continue;
        }
        double m = median(times[v.ordinal()]) / 1e6;
        System.out.printf(
            Locale.ROOT,
            "  %-34s %8.2f ms (%.1f us/test), overhead %.1f us/test, ratio %.2fx%n",
            v.label,
            m,
            m * 1000 / TESTS,
            (m - p) * 1000 / TESTS,
            m / p);
      }
    }
  }

  private enum Variant {
    PLAIN(TrivialSuiteSample.class, false, true, false, "without verifier:"),
    AUTODETECTED(TrivialSuiteSample.class, true, true, false, "autodetected, attribution on:"),
    NO_ATTRIBUTION(TrivialSuiteSample.class, true, false, false, "autodetected, attribution off:"),
    ANNOTATED(AnnotatedTrivialSuiteSample.class, false, true, false, "@VerifyNoLeaks:"),
    LISTENER(TrivialSuiteSample.class, false, true, true, "launcher listener, per test:");

    final Class<?> suite;
    final boolean autodetect;
    final boolean attribution;
    final boolean listener;
    final String label;

    Variant(
        Class<?> suite, boolean autodetect, boolean attribution, boolean listener, String label) {
      this.suite = suite;
      this.autodetect = autodetect;
      this.attribution = attribution;
      this.listener = listener;
      this.label = label;
    }
  }

  private static long run(Launcher launcher, Variant variant, boolean parallel) {
    LauncherDiscoveryRequest request =
        LauncherDiscoveryRequestBuilder.request()
            .selectors(selectClass(variant.suite))
            .configurationParameter(
                "junit.jupiter.extensions.autodetection.enabled",
                String.valueOf(variant.autodetect))
            .configurationParameter(LeakVerifier.ATTRIBUTION, String.valueOf(variant.attribution))
            .configurationParameter(LeakVerifierListener.ENABLED, String.valueOf(variant.listener))
            .configurationParameter(
                "junit.jupiter.execution.parallel.enabled", String.valueOf(parallel))
            .configurationParameter("junit.jupiter.execution.parallel.mode.default", "concurrent")
            .configurationParameter("junit.jupiter.execution.parallel.config.strategy", "fixed")
            .configurationParameter(
                "junit.jupiter.execution.parallel.config.fixed.parallelism", "8")
            .build();
    SummaryGeneratingListener summary = new SummaryGeneratingListener();
    long start = System.nanoTime();
    if (variant.listener) {
      // per-test verdicts; the run-level check at session end is not part of the per-test cost
      launcher.execute(request, summary, new LeakVerifierListener());
    } else {
      launcher.execute(request, summary);
    }
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
