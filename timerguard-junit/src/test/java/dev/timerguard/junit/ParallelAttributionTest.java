package dev.timerguard.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.timerguard.junit.internal.RunLedger;
import dev.timerguard.junit.samples.Leaks;
import dev.timerguard.junit.samples.Overlap;
import dev.timerguard.junit.samples.ParallelSamples;
import dev.timerguard.junit.samples.SampleOnly;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * Sixteen tests in four classes on 8 concurrent workers: each leaky test fails naming only its own
 * leaks, with their creation sites; the clean ones beside them pass; what no test can be blamed for
 * is kept for the run's report.
 */
class ParallelAttributionTest {

  private static final List<String> LEAK_NAMES =
      List.of("a-leak", "a-pool-", "b-grandchild", "c-timer", "d-orphan", "d-holder");

  /** Started outside any test (the run listener of this module opens scopes for tests only). */
  @BeforeAll
  static void sharedWorker() throws Exception {
    ParallelSamples.startSharedWorker();
  }

  @AfterAll
  static void stopSharedWorker() throws InterruptedException {
    ParallelSamples.stopSharedWorker();
  }

  @BeforeEach
  void reset() {
    Overlap.reset();
  }

  @AfterEach
  void release() throws InterruptedException {
    Leaks.releaseAll();
  }

  private static EngineExecutionResults runParallel(String... extra) {
    var kit =
        EngineTestKit.engine("junit-jupiter")
            .selectors(
                selectClass(ParallelSamples.A.class),
                selectClass(ParallelSamples.B.class),
                selectClass(ParallelSamples.C.class),
                selectClass(ParallelSamples.D.class))
            .configurationParameter(SampleOnly.PARAMETER, "true")
            .configurationParameter("junit.jupiter.execution.parallel.enabled", "true")
            .configurationParameter("junit.jupiter.execution.parallel.mode.default", "concurrent")
            .configurationParameter(
                "junit.jupiter.execution.parallel.mode.classes.default", "concurrent")
            .configurationParameter("junit.jupiter.execution.parallel.config.strategy", "fixed")
            .configurationParameter(
                "junit.jupiter.execution.parallel.config.fixed.parallelism", "8");
    for (int i = 0; i < extra.length; i += 2) {
      kit = kit.configurationParameter(extra[i], extra[i + 1]);
    }
    return kit.execute();
  }

  /** "Class.method" to its failure message (null when it passed). */
  private static Map<String, String> outcomes(EngineExecutionResults results) {
    return results.testEvents().finished().list().stream()
        .collect(
            Collectors.toMap(
                ParallelAttributionTest::testName,
                e ->
                    e.getPayload(TestExecutionResult.class)
                        .get()
                        .getThrowable()
                        .map(Throwable::getMessage)
                        .orElse("")));
  }

  private static String testName(Event e) {
    MethodSource m = (MethodSource) e.getTestDescriptor().getSource().get();
    String cls = m.getClassName();
    return cls.substring(cls.lastIndexOf('$') + 1) + "." + m.getMethodName();
  }

  @Test
  void eachLeakyTestFailsForItsOwnLeaksAndCleanTestsBesideThemPass() {
    EngineExecutionResults results = runParallel();
    Map<String, String> outcomes = outcomes(results);

    assertThat(Overlap.peak()).as("tests inside at once").isEqualTo(Overlap.TARGET);
    assertThat(outcomes).hasSize(16);
    assertThat(
            outcomes.entrySet().stream()
                .filter(e -> !e.getValue().isEmpty())
                .map(Map.Entry::getKey)
                .collect(Collectors.toSet()))
        .containsExactlyInAnyOrder(
            "A.leaksThread", "A.leaksPool", "B.leaksGrandchild", "C.leaksTimer");
    assertOnlyOwn(outcomes.get("A.leaksThread"), "a-leak");
    assertThat(outcomes.get("A.leaksThread"))
        .contains("TimerGuard found leaks after test " + ParallelSamples.A.class.getName())
        .contains(".leaksThread(): 1 thread")
        .contains("created at: dev.timerguard.junit.samples.Leaks.start(Leaks.java:")
        .contains("<- dev.timerguard.junit.samples.ParallelSamples$A.lambda$leaksThread$")
        .contains("during test dev.timerguard.junit.samples.ParallelSamples$A.leaksThread()")
        .contains("what to do: sleeping thread that may end by itself");
    assertOnlyOwn(outcomes.get("A.leaksPool"), "a-pool-");
    assertThat(outcomes.get("A.leaksPool"))
        .contains(": 2 threads")
        .contains("\"a-pool-1\"#")
        .contains("\"a-pool-2\"#")
        .contains("what to do: pool thread of an executor never shut down");
    assertOnlyOwn(outcomes.get("B.leaksGrandchild"), "b-grandchild");
    assertThat(outcomes.get("B.leaksGrandchild"))
        .contains(": 1 thread")
        .containsPattern("started by: thread \"pool-\\d+-thread-1\" during test .*leaksGrandchild")
        .contains("<- dev.timerguard.junit.samples.ParallelSamples$B.lambda$leaksGrandchild$");
    assertOnlyOwn(outcomes.get("C.leaksTimer"), "c-timer");
    assertThat(outcomes.get("C.leaksTimer"))
        .contains("created at: dev.timerguard.junit.samples.Leaks.utilTimer(Leaks.java:")
        .contains("what to do: java.util.Timer never cancelled");
    // no class fails: the method leaks were reported, the rest is the run's
    assertThat(results.containerEvents().failed().count()).isZero();

    List<RunLedger.Entry> ledger = RunLedger.global().entries();
    assertThat(ledger)
        .anySatisfy(
            e -> {
              assertThat(e.kind()).isEqualTo(RunLedger.Kind.UNATTRIBUTED);
              assertThat(e.text())
                  .contains("\"d-orphan\"#")
                  .contains("started by thread \"shared-worker\", which belongs to no test");
            })
        .anySatisfy(
            e -> {
              assertThat(e.kind()).isEqualTo(RunLedger.Kind.SINGLETON);
              assertThat(e.text())
                  .contains("\"d-holder\"#")
                  .contains("held by " + ParallelSamples.Holder.class.getName())
                  .contains("(static initializer)")
                  .contains("cleanButTouchesAStaticHolder");
            });
  }

  private static void assertOnlyOwn(String message, String own) {
    assertThat(message).contains("\"" + own);
    for (String other : LEAK_NAMES) {
      if (!other.equals(own)) {
        assertThat(message).as("names only its own leak " + own).doesNotContain("\"" + other);
      }
    }
  }
}
