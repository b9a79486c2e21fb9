package dev.timerguard.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.timerguard.junit.samples.ThreadLeakSample;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineExecutionResults;

class ThreadLeakTest {

  @Test
  void failsExactlyTheTestsThatLeakThreads() {
    EngineExecutionResults results = SampleRunner.run(ThreadLeakSample.class);
    Map<String, Throwable> outcomes = SampleRunner.outcomes(results);

    assertThat(outcomes)
        .containsOnlyKeys(
            "clean", "leaksOneThread", "leaksThreeIdenticalThreads", "threadEndsWithinGrace");
    assertThat(outcomes.get("clean")).isNull();
    assertThat(outcomes.get("threadEndsWithinGrace"))
        .as("thread ending within the grace period")
        .isNull();
    assertThat(SampleRunner.classFailure(results)).as("no second report for the class").isNull();
  }

  @Test
  void messageNamesTheThreadItsStateDaemonFlagAndFullStack() {
    Throwable t =
        SampleRunner.outcomes(SampleRunner.run(ThreadLeakSample.class)).get("leaksOneThread");

    assertThat(t).isInstanceOf(LeakDetectedError.class);
    assertThat(t.getMessage())
        .startsWith(
            "TimerGuard found leaks after test"
                + " dev.timerguard.junit.samples.ThreadLeakSample.leaksOneThread(): 1 thread")
        .contains("1 x platform thread, state TIMED_WAITING, non-daemon")
        .contains("names: \"leaky-worker\"#")
        .contains("at dev.timerguard.junit.samples.Leaks.sleepUntilInterrupted(Leaks.java:")
        .contains("at java.base/java.lang.Thread.run(Thread.java:")
        .doesNotContain("Live timers");
    LeakReport report = ((LeakDetectedError) t).report();
    assertThat(report.threads())
        .extracting(LeakReport.LeakedThread::name)
        .containsExactly("leaky-worker");
    assertThat(report.threads().get(0).stack()).isNotEmpty();
  }

  @Test
  void identicalStacksAreGroupedWithACount() {
    Throwable t =
        SampleRunner.outcomes(SampleRunner.run(ThreadLeakSample.class))
            .get("leaksThreeIdenticalThreads");

    assertThat(t.getMessage())
        .contains("3 threads")
        .contains("Leaked threads: 3, in 1 group by identical stack")
        .contains("3 x platform thread, state WAITING, non-daemon")
        .contains("\"pool-worker-1\"#")
        .contains("\"pool-worker-3\"#")
        .contains("at dev.timerguard.junit.samples.Leaks.lambda$parkedThread$");
  }
}
