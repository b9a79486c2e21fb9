package dev.timerguard.cli;

/**
 * The doctor's prose: what to do about each kind of finding and how to word the branch of the
 * decision tree taken. The only place the doctor's advice is written; the decision tree decides,
 * the report writers render, and neither reads this text back. Stateless.
 */
final class Advice {

  private Advice() {}

  /** What to change at a site with a finding of {@code kind}. */
  static String fix(Diagnosis.FindingKind kind) {
    switch (kind) {
      case TIMER_SITE_GROWS:
        return "cancel the timer when the work it guards completes (keep the future, cancel it in a"
            + " finally block), or re-arm one timer per connection instead of one per call";
      case TICKER_SITE_GROWS:
        return "keep the ScheduledFuture of this periodic task and cancel it when its owner closes";
      case EXECUTOR_SITE_GROWS:
        return "an executor is created here per call and never shut down: share one executor, or"
            + " shut it down when done (try-with-resources on JDK 19+)";
      case THREAD_SITE_GROWS:
        return "threads started here never end: give them an exit condition or use a bounded pool";
      case CANCELLED_TASKS_RETAINED:
        return "this ScheduledThreadPoolExecutor keeps cancelled tasks until their deadline: call"
            + " setRemoveOnCancelPolicy(true) right after creating it (or purge() it periodically)";
      default:
        throw new IllegalArgumentException("no advice for " + kind);
    }
  }

  /** What a finding of {@code kind} counts, per second in the report ("live", "retained"). */
  static String counted(Diagnosis.FindingKind kind) {
    switch (kind) {
      case CANCELLED_TASKS_RETAINED:
        return "retained";
      case EXECUTOR_SITE_GROWS:
        return "live executors";
      default:
        return "live";
    }
  }

  /** The branch of the decision tree taken, as a person on call reads it. */
  static String branch(Diagnosis.Verdict verdict, boolean heapGrows, boolean threadsGrow) {
    switch (verdict) {
      case TIMER_LEAK:
        return (heapGrows
                ? "heap growing -> timers growing"
                : "heap not yet visibly growing -> but timers grow")
            + " -> TIMER LEAK: fix the sites below"
            + (threadsGrow ? "; threads grow too (see below)" : "");
      case THREAD_LEAK:
        return (heapGrows ? "heap growing" : "heap not yet visibly growing")
            + " -> not timers -> threads growing -> THREAD LEAK: fix the thread groups below";
      case SOMETHING_ELSE:
        return "heap growing -> not timers -> not threads -> something else: take class histograms"
            + " over time (jcmd <pid> GC.class_histogram) and look at the top classes";
      case NO_LEAK:
        return "heap not growing -> NO LEAK seen in this window (sample longer if in doubt)";
      default:
        throw new IllegalArgumentException("no wording for " + verdict);
    }
  }
}
