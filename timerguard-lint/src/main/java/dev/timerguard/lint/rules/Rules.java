package dev.timerguard.lint.rules;

import dev.timerguard.lint.Rule;
import java.util.List;
import java.util.stream.Collectors;

/** The catalogue of TimerGuard rules, in id order. Immutable and thread-safe. */
public final class Rules {
  private static final List<Rule> ALL =
      List.of(
          new TG100SuppressionWithoutReason(),
          new TG101TimerInLoop(),
          new TG102DiscardedTimerHandle(),
          new TG103TimerOrExecutorNeverClosed(),
          new TG104CancelledTasksRetained(),
          new TG105RacyPeriodicStart(),
          new TG106UninterruptibleWaitLoop(),
          new TG107WaitWhileLocked(),
          new TG108ReplacedTimerNotCancelled(),
          new TG109RacyReschedule());

  private Rules() {}

  /** Every rule, ordered by id. */
  public static List<Rule> all() {
    return ALL;
  }

  /** The rule with this id (case-sensitive, e.g. {@code TG101}), or null. */
  public static Rule byId(String id) {
    for (Rule r : ALL) {
      if (r.id().equals(id)) {
        return r;
      }
    }
    return null;
  }

  /** Comma-separated list of all ids, for error messages. */
  public static String ids() {
    return ALL.stream().map(Rule::id).collect(Collectors.joining(","));
  }
}
