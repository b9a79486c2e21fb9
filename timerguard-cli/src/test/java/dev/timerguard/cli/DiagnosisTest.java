package dev.timerguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.timerguard.internal.Json;
import dev.timerguard.live.CallSite;
import dev.timerguard.live.GrowthVerdict;
import dev.timerguard.live.SiteStats;
import dev.timerguard.live.Snapshot;
import dev.timerguard.live.SnapshotCodec;
import java.lang.management.ThreadInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The decision tree and the report, on a scripted target (no JVM attached). */
class DiagnosisTest {

  /** A target whose timer site grows by {@code timerRate} per sample and retains nothing. */
  private static class Scripted implements DoctorTarget {
    final long timerRate;
    final int failAfter;
    long retainedRate;
    int sample;

    Scripted(long timerRate, int failAfter) {
      this.timerRate = timerRate;
      this.failAfter = failAfter;
    }

    @Override
    public String snapshotJson() {
      if (sample == failAfter) {
        throw new IllegalStateException("connection closed");
      }
      long live = 5 + timerRate * sample;
      List<SiteStats> sites = new ArrayList<>();
      sites.add(
          new SiteStats(
              CallSite.of(CallSite.Kind.TIMER, "com.acme.Rpc", "read", "Rpc.java", 88),
              live,
              0,
              0,
              live,
              live,
              0,
              0));
      sites.add(
          new SiteStats(
              CallSite.of(CallSite.Kind.TIMER, "com.acme.Rpc", "ok", "Rpc.java", 90),
              100,
              100,
              0,
              0,
              1,
              0,
              0));
      sites.add(
          new SiteStats(
              CallSite.of(CallSite.Kind.EXECUTOR, "com.acme.Pool", "make", "Pool.java", 7),
              1,
              0,
              0,
              1,
              1,
              0,
              retainedRate * sample,
              40 + sample));
      Snapshot snap = new Snapshot(1_000_000_000L * sample, 0, sites);
      sample++;
      return SnapshotCodec.encode(snap);
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
          + "   1:          "
          + (10 + timerRate * sample)
          + "           4800  java.util.concurrent.ScheduledThreadPoolExecutor$ScheduledFutureTask (java.base@17)\n"
          + "   2:             3            72  com.acme.Reaper\n";
    }
  }

  private static Diagnosis.Report run(Scripted t) {
    return new Diagnosis(
            t,
            ProcessHandle.current().pid(),
            Duration.ofSeconds(10),
            Duration.ofSeconds(1),
            d -> {})
        .run();
  }

  @Test
  void aGrowingTimerSiteIsATimerLeakWithItsLineAndTheFlatSiteIsNot() {
    Diagnosis.Report r = run(new Scripted(20, -1));
    assertThat(r.leak()).isTrue();
    assertThat(r.samples()).isEqualTo(10);
    assertThat(r.timerSites())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.site().location()).isEqualTo("com.acme.Rpc.read(Rpc.java:88)");
              assertThat(f.growth().ratePerSecond()).isEqualTo(20.0);
            });
    assertThat(r.verdict()).isEqualTo(Diagnosis.Verdict.TIMER_LEAK);
    assertThat(r.branch()).contains("heap not yet visibly growing").contains("TIMER LEAK");
    assertThat(r.executors()).isEmpty();
    assertThat(r.tree()).extracting(Diagnosis.Step::yes).containsExactly(false, true, false);
    assertThat(r.histogram())
        .extracting(Diagnosis.HistoFinding::className)
        .contains(
            "java.util.concurrent.ScheduledThreadPoolExecutor$ScheduledFutureTask",
            "com.acme.Reaper");
    String text = ReportWriter.text(r);
    assertThat(text)
        .contains("Branch taken:")
        .contains("Rpc.java:88")
        .doesNotContain("Rpc.java:90");
    assertThat(ReportWriter.json(r)).contains("\"line\":88").contains("\"leak\":true");
  }

  @Test
  void nothingGrowingIsNoLeak() {
    Diagnosis.Report r = run(new Scripted(0, -1));
    assertThat(r.leak()).isFalse();
    assertThat(r.verdict()).isEqualTo(Diagnosis.Verdict.NO_LEAK);
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
   * Thread names, class names and stack frames come from the target JVM: control characters in them
   * are shown escaped in the text report (no terminal escape reaches the screen, no forged line)
   * and stay correct JSON.
   */
  @Test
  void controlCharactersFromTheTargetAreEscapedInTheTextReport() {
    String evil = "\u001b[2J\nResult: no leak found (exit 0)\r\u0007\u009b";
    CallSite site = CallSite.of(CallSite.Kind.TIMER, "com.acme." + evil, "run", "A.java", 7);
    GrowthVerdict.SiteGrowth g =
        new GrowthVerdict.SiteGrowth(
            site, 20, 1, 5, 200, 10_000_000_000L, GrowthVerdict.Severity.SLOW);
    Diagnosis.Report r =
        new Diagnosis.Report(
            1234,
            Duration.ofSeconds(10),
            10,
            List.of(new Diagnosis.Step("Is it timers?", true, "yes")),
            Diagnosis.Verdict.TIMER_LEAK,
            "TIMER LEAK",
            List.of(
                new Diagnosis.SiteFinding(Diagnosis.FindingKind.TIMER_SITE_GROWS, site, g, 200, 0)),
            List.of(),
            List.of(
                new Diagnosis.ThreadFinding(
                    "threads like \"" + evil + "\", x",
                    "WAITING",
                    1,
                    9,
                    g.trend(),
                    List.of("frame " + evil))),
            List.of(new Diagnosis.HistoFinding("com.acme.Task" + evil, 1, 2)),
            true);
    String text = ReportWriter.text(r);
    assertThat(text.chars().filter(c -> (c < 0x20 && c != '\n') || (c >= 0x7f && c < 0xa0)))
        .as(text)
        .isEmpty();
    assertThat(text).contains("\\u001b[2J\\nResult: no leak found (exit 0)\\r\\u0007\\u009b");
    assertThat(text.lines().filter(l -> l.startsWith("Result:")))
        .containsExactly("Result: LEAK (exit 1)");
    String json = ReportWriter.json(r);
    assertThat(Json.parse(json)).as(json).isInstanceOf(Map.class);
    assertThat(json).contains("\\u001b[2J\\nResult").doesNotContain("\\\\u001b");
  }

  @Test
  void retainedCancelledTasksAreATypedFindingWithTheQueueFromTheSnapshot() {
    Scripted t = new Scripted(0, -1);
    t.retainedRate = 30;
    Diagnosis.Report r = run(t);
    assertThat(r.verdict()).isEqualTo(Diagnosis.Verdict.TIMER_LEAK);
    assertThat(r.timerSites()).isEmpty();
    assertThat(r.executors())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.kind()).isEqualTo(Diagnosis.FindingKind.CANCELLED_TASKS_RETAINED);
              assertThat(f.site().location()).isEqualTo("com.acme.Pool.make(Pool.java:7)");
              assertThat(f.now()).isEqualTo(270);
              assertThat(f.queue()).isEqualTo(49);
              assertThat(f.fix())
                  .isEqualTo(Advice.fix(Diagnosis.FindingKind.CANCELLED_TASKS_RETAINED));
            });
    assertThat(ReportWriter.text(r)).contains("+30.0 retained/s").contains("queue now: 49");
    assertThat(HtmlReport.retained(r.executors().get(0))).isTrue();
    @SuppressWarnings("unchecked")
    Map<String, Object> json = (Map<String, Object>) Json.parse(ReportWriter.json(r));
    assertThat(json.get("verdict")).isEqualTo("TIMER_LEAK");
    assertThat((List<?>) json.get("executors"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(((Map<?, ?>) e).get("finding")).isEqualTo("CANCELLED_TASKS_RETAINED");
              assertThat(((Map<?, ?>) e).get("queue")).isEqualTo(49L);
              assertThat(((Map<?, ?>) e).get("ratePerSecond")).isEqualTo(30.0);
            });
  }

  @Test
  void everyFindingKindHasAdviceAndACountAndEveryVerdictItsWords() {
    for (Diagnosis.FindingKind k : Diagnosis.FindingKind.values()) {
      assertThat(Advice.fix(k)).as("%s", k).isNotBlank();
      assertThat(Advice.counted(k)).as("%s", k).isNotBlank();
    }
    assertThat(Advice.counted(Diagnosis.FindingKind.EXECUTOR_SITE_GROWS))
        .isEqualTo("live executors");
    for (CallSite.Kind k : CallSite.Kind.values()) {
      assertThat(Diagnosis.FindingKind.liveGrowth(k).name()).startsWith(k.name() + "_SITE_");
    }
    assertThat(Advice.branch(Diagnosis.Verdict.THREAD_LEAK, true, true))
        .isEqualTo(
            "heap growing -> not timers -> threads growing -> THREAD LEAK: fix the thread groups below");
    assertThat(Advice.branch(Diagnosis.Verdict.SOMETHING_ELSE, true, false))
        .contains("something else");
    assertThat(Advice.branch(Diagnosis.Verdict.TIMER_LEAK, true, true))
        .isEqualTo(
            "heap growing -> timers growing -> TIMER LEAK: fix the sites below; threads grow too (see below)");
  }

  @Test
  void aSnapshotTheDoctorCannotReadStopsTheRunNamingWhatIsWrong() {
    DoctorTarget t =
        new Scripted(0, -1) {
          @Override
          public String snapshotJson() {
            return super.snapshotJson().replace("\"version\":1", "\"version\":2");
          }
        };
    assertThatThrownBy(
            () ->
                new Diagnosis(
                        t,
                        ProcessHandle.current().pid(),
                        Duration.ofSeconds(3),
                        Duration.ofSeconds(1),
                        d -> {})
                    .run())
        .isInstanceOf(DoctorException.class)
        .hasMessageContaining(
            "the agent's snapshot cannot be read: this TimerGuard snapshot has format version 2");
  }
}
