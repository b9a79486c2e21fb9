package dev.timerguard.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.timerguard.junit.samples.VirtualThreadLeakSample;
import org.junit.jupiter.api.Test;

class VirtualThreadLeakTest {

  private static final int FEATURE = Runtime.version().feature();

  @Test
  void failsTheTestThatLeaksAVirtualThread() {
    assumeTrue(FEATURE >= 21, "virtual threads need JDK 21+; this is JDK " + FEATURE);

    Throwable t =
        SampleRunner.outcomes(SampleRunner.run(VirtualThreadLeakSample.class))
            .get("leaksVirtualThread");

    assertThat(t).isInstanceOf(LeakDetectedError.class);
    assertThat(t.getMessage())
        .contains("1 x virtual thread")
        .contains(", daemon")
        .contains("\"leaky-virtual\"#")
        .contains("at dev.timerguard.junit.samples.Leaks.sleepUntilInterrupted(Leaks.java:")
        .as("carrier and unparker threads of the JDK are not leaks")
        .doesNotContain("platform thread");
  }

  @Test
  void onJdk17TheReportSaysVirtualThreadsWereNotChecked() {
    assumeTrue(FEATURE < 21, "virtual threads are checked on JDK " + FEATURE);

    LeakVerifier v = LeakVerifier.builder().grace(java.time.Duration.ZERO).build();
    LeakReport r = v.find(v.baseline());

    assertThat(r.isEmpty()).isTrue();
    assertThat(r.notes()).singleElement().asString().contains("virtual threads were not checked");
  }
}
