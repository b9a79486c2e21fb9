package dev.timerguard.junit;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.timerguard.junit.samples.Leaks;
import dev.timerguard.junit.samples.SampleOnly;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/** Runs sample classes through the Jupiter engine and then undoes every sample leak. */
final class SampleRunner {

  private SampleRunner() {}

  static EngineExecutionResults run(Class<?> sample, String... keyValues) {
    Map<String, String> params = new LinkedHashMap<>();
    params.put(SampleOnly.PARAMETER, "true");
    for (int i = 0; i < keyValues.length; i += 2) {
      params.put(keyValues[i], keyValues[i + 1]);
    }
    try {
      return EngineTestKit.engine("junit-jupiter")
          .selectors(selectClass(sample))
          .configurationParameters(params)
          .execute();
    } finally {
      try {
        Leaks.releaseAll();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Test method name to its failure (null when it passed). */
  static Map<String, Throwable> outcomes(EngineExecutionResults results) {
    Map<String, Throwable> out = new LinkedHashMap<>();
    for (Event e : results.testEvents().finished().list()) {
      String name = ((MethodSource) e.getTestDescriptor().getSource().get()).getMethodName();
      TestExecutionResult r = e.getPayload(TestExecutionResult.class).get();
      out.put(name, r.getThrowable().orElse(null));
    }
    return out;
  }

  /** The failure of the (single) class container, or null. */
  static Throwable classFailure(EngineExecutionResults results) {
    return results.containerEvents().failed().list().stream()
        .map(e -> e.getPayload(TestExecutionResult.class).get().getThrowable().orElse(null))
        .findFirst()
        .orElse(null);
  }
}
