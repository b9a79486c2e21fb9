package dev.timerguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.timerguard.lint.JsonCheck;
import dev.timerguard.live.CallSite;
import dev.timerguard.live.GrowthVerdict;
import java.lang.management.ThreadInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The decision tree and the report, on a scripted target (no JVM attached). */
class DiagnosisTest {

  /** A target whose timer site grows by {@code timerRate} per sample and retains nothing. */
  private static final class Scripted implements DoctorTarget {
    final long timerRate;
    final int failAfter;
    int sample;

    Scripted(long timerRate, int failAfter) {
      this.timerRate = timerRate;
      this.failAfter = failAfter;
    }

    @Override
    public String[] snapshotRows() {
      if (sample == failAfter) {
        throw new IllegalStateException("connection closed");
      }
      long live = 5 + timerRate * sample;
      List<String> rows = new ArrayList<>();
      rows.add("kind\tclass\tmethod\tfile\tline\tcreated\tfired\tcancelled\tlive\tpeak\toldestLiveAgeNanos\tretained\tqueue");
      rows.add("TIMER\tcom.acme.Rpc\tread\tRpc.java\t88\t" + live + "\t0\t0\t" + live + "\t" + live + "\t0\t0\t0");
      rows.add("TIMER\tcom.acme.Rpc\tok\tRpc.java\t90\t100\t100\t0\t0\t1\t0\t0\t0");
      rows.add("#" + (1_000_000_000L * sample) + "\t0");
      sample++;
      return rows.toArray(new String[0]);
    }

    @Override
    public String[] timerTaskClasses() {
      return new String[] {"com.acme.Reaper"};
    }

    @Override
    public ThreadInfo[] threads() {
      return new ThreadInfo[0];
    }

    @Override
    public long heapUsed() {
      return 10 << 20;
    }

    @Override
    public String classHistogram() {
      return " num     #instances         #bytes  class name (module)\n"
          + "   1:          " + (10 + timerRate * sample) + "           4800  java.util.concurrent.ScheduledThreadPoolExecutor$ScheduledFutureTask (java.base@17)\n"
          + "   2:             3            72  com.acme.Reaper\n";
    }
  }

  private static Diagnosis.Report run(Scripted t) {
    return new Diagnosis(t, ProcessHandle.current().pid(), Duration.ofSeconds(10), Duration.ofSeconds(1), d -> { }).run();
  }

  @Test
  void aGrowingTimerSiteIsATimerLeakWithItsLineAndTheFlatSiteIsNot() {
    Diagnosis.Report r = run(new Scripted(20, -1));
    assertThat(r.leak()).isTrue();
    assertThat(r.samples()).isEqualTo(10);
    assertThat(r.timerSites()).singleElement().satisfies(f -> {
      assertThat(f.site().location()).isEqualTo("com.acme.Rpc.read(Rpc.java:88)");
      assertThat(f.growth().ratePerSecond()).isEqualTo(20.0);
    });
    assertThat(r.branch()).contains("heap not yet visibly growing").contains("TIMER LEAK");
    assertThat(r.tree()).extracting(Diagnosis.Step::yes).containsExactly(false, true, false);
    assertThat(r.histogram()).extracting(Diagnosis.HistoFinding::className)
        .contains("java.util.concurrent.ScheduledThreadPoolExecutor$ScheduledFutureTask", "com.acme.Reaper");
    String text = ReportWriter.text(r);
    assertThat(text).contains("Branch taken:").contains("Rpc.java:88").doesNotContain("Rpc.java:90");
    assertThat(ReportWriter.json(r)).contains("\"line\":88").contains("\"leak\":true");
  }

  @Test
  void nothingGrowingIsNoLeak() {
    Diagnosis.Report r = run(new Scripted(0, -1));
    assertThat(r.leak()).isFalse();
    assertThat(r.branch()).contains("NO LEAK");
    assertThat(ReportWriter.text(r)).contains("Result: no leak found (exit 0)");
  }

  @Test
  void aTargetThatFailsMidSampleWhileAliveIsReportedAsLost() {
    assertThatThrownBy(() -> run(new Scripted(1, 3)))
        .isInstanceOf(DoctorException.class)
        .hasMessageContaining("during sampling");
  }

  /**
   * Thread names, class names and stack frames come from the target JVM: control characters in
   * them are shown escaped in the text report (no terminal escape reaches the screen, no forged
   * line) and stay correct JSON.
   */
  @Test
  void controlCharactersFromTheTargetAreEscapedInTheTextReport() {
    String evil = "\u001b[2J\nResult: no leak found (exit 0)\r\u0007\u009b";
    CallSite site = CallSite.of(CallSite.Kind.TIMER, "com.acme." + evil, "run", "A.java", 7);
    GrowthVerdict.SiteGrowth g =
        new GrowthVerdict.SiteGrowth(site, 20, 1, 5, 200, 10_000_000_000L, GrowthVerdict.Severity.SLOW);
    Diagnosis.Report r = new Diagnosis.Report(1234, Duration.ofSeconds(10), 10,
        List.of(new Diagnosis.Step("Is it timers?", true, "yes")), "TIMER LEAK",
        List.of(new Diagnosis.SiteFinding(site, g, 200, 0, "cancel it")), List.of(),
        List.of(new Diagnosis.ThreadFinding("threads like \"" + evil + "\", x", "WAITING", 1, 9, g,
            List.of("frame " + evil))),
        List.of(new Diagnosis.HistoFinding("com.acme.Task" + evil, 1, 2)), true);
    String text = ReportWriter.text(r);
    assertThat(text.chars().filter(c -> (c < 0x20 && c != '\n') || (c >= 0x7f && c < 0xa0)))
        .as(text).isEmpty();
    assertThat(text).contains("\\u001b[2J\\nResult: no leak found (exit 0)\\r\\u0007\\u009b");
    assertThat(text.lines().filter(l -> l.startsWith("Result:"))).containsExactly("Result: LEAK (exit 1)");
    String json = ReportWriter.json(r);
    assertThat(JsonCheck.isWellFormed(json)).as(json).isTrue();
    assertThat(json).contains("\\u001b[2J\\nResult").doesNotContain("\\\\u001b");
  }
}
