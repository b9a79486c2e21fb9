package dev.timerguard.cli;

import dev.timerguard.live.CallSite;
import dev.timerguard.live.GrowthDetector;
import dev.timerguard.live.GrowthPolicy;
import dev.timerguard.live.GrowthVerdict;
import dev.timerguard.live.Snapshot;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One doctor run: {@link DoctorSampler} samples a {@link DoctorTarget} for a duration, then {@link
 * DecisionTree} walks the decision tree ("Is heap growing? Is it timers? Are threads growing?")
 * with the live model's {@link GrowthDetector}; {@link ReportWriter} and {@link HtmlReport} render
 * the {@link Report}, whose findings carry a typed {@link FindingKind} and whose advice comes from
 * {@link Advice}.
 *
 * <p>Growth policy: the production alert rules compressed to the sampling window (see {@link
 * #policy(Duration)}). Not thread-safe; one per run.
 */
final class Diagnosis {

  /** What a site finding is about; the report writers switch on it. */
  enum FindingKind {
    /** One-shot timers created at the site stay live and grow. */
    TIMER_SITE_GROWS,
    /** Periodic timers created at the site are never stopped and grow. */
    TICKER_SITE_GROWS,
    /** Executors created at the site are never shut down and grow. */
    EXECUTOR_SITE_GROWS,
    /** Threads started at the site never end and grow. */
    THREAD_SITE_GROWS,
    /** An executor created at the site keeps its cancelled tasks queued, more and more of them. */
    CANCELLED_TASKS_RETAINED;

    /** The kind of a growing live count at a site of {@code kind}. */
    static FindingKind liveGrowth(CallSite.Kind kind) {
      switch (kind) {
        case TIMER:
          return TIMER_SITE_GROWS;
        case TICKER:
          return TICKER_SITE_GROWS;
        case EXECUTOR:
          return EXECUTOR_SITE_GROWS;
        case THREAD:
          return THREAD_SITE_GROWS;
        default:
          throw new IllegalArgumentException("no finding for site kind " + kind);
      }
    }
  }

  /** The branch of the decision tree taken. */
  enum Verdict {
    /** Timers (or executors, or pending timer objects) grow. */
    TIMER_LEAK,
    /** Not timers, but threads grow. */
    THREAD_LEAK,
    /** The heap grows, but neither timers nor threads do. */
    SOMETHING_ELSE,
    /** Nothing grows in the window. */
    NO_LEAK
  }

  /** One finding about a call site; {@code queue} is the executor's queued tasks, else 0. */
  record SiteFinding(
      FindingKind kind, CallSite site, GrowthVerdict.SiteGrowth growth, long now, long queue) {
    SiteFinding {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(site, "site");
      Objects.requireNonNull(growth, "growth");
    }

    /** What to change at the site ({@link Advice#fix}). */
    String fix() {
      return Advice.fix(kind);
    }
  }

  /** One growing group of threads with identical stacks. */
  record ThreadFinding(
      String label,
      String state,
      int first,
      int last,
      GrowthVerdict.Trend growth,
      List<String> stack) {}

  /** One timer class whose instance count changed between the two histograms. */
  record HistoFinding(String className, long before, long after) {}

  /** One answer in the decision tree. */
  record Step(String question, boolean yes, String evidence) {}

  /** Everything the doctor found; {@code branch} is {@code verdict} in words. */
  record Report(
      long pid,
      Duration duration,
      int samples,
      List<Step> tree,
      Verdict verdict,
      String branch,
      List<SiteFinding> timerSites,
      List<SiteFinding> executors,
      List<ThreadFinding> threadGroups,
      List<HistoFinding> histogram,
      boolean leak) {}

  /** How the sampler waits; tests pass a no-op. */
  interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  /**
   * Sees the raw material as it is read (the evidence bundle keeps it), on the sampling thread. An
   * observer must not throw: it keeps its own failures.
   */
  interface Observer {
    /** A class histogram as read, at the start ({@code start}) or at the end of sampling. */
    default void histogram(boolean start, String text) {}

    /** Sample {@code index}, taken {@code seconds} after the first. */
    default void sample(int index, double seconds, Snapshot snapshot) {}
  }

  private final DoctorTarget target;
  private final long pid;
  private final Duration duration;
  private final Duration interval;
  private final Sleeper sleeper;
  private Observer observer = new Observer() {};

  Diagnosis(DoctorTarget target, long pid, Duration duration, Duration interval, Sleeper sleeper) {
    this.target = target;
    this.pid = pid;
    this.duration = duration;
    this.interval = interval;
    this.sleeper = sleeper;
  }

  /** Lets {@code o} see what this run reads; returns this diagnosis. */
  Diagnosis observe(Observer o) {
    this.observer = Objects.requireNonNull(o, "o");
    return this;
  }

  /**
   * The production alert rules (rapid: 100 live/s over 10 min, slow: 5 live/s over 6 h) with both
   * windows compressed to half the sampling duration, so a 30-second run can say RAPID or SLOW.
   */
  static GrowthPolicy policy(Duration duration) {
    Duration half = duration.dividedBy(2);
    GrowthPolicy d = GrowthPolicy.defaults();
    return GrowthPolicy.of(
        d.rapidRatePerSecond(),
        half,
        d.slowRatePerSecond(),
        half,
        d.minConfidence(),
        d.minIncrease());
  }

  /** Samples and analyses. */
  Report run() {
    DoctorSampler.Samples samples =
        new DoctorSampler(target, pid, duration, interval, sleeper, observer).run();
    return DecisionTree.analyse(samples, pid, duration);
  }
}
