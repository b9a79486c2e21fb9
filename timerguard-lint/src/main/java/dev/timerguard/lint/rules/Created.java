package dev.timerguard.lint.rules;

/** What kind of timer, executor or engine an expression creates, if any (see {@link Creations}). */
enum Created {
  NONE,
  TIMER,
  SCHEDULER,
  EXECUTOR,
  NETTY_TIMER,
  /**
   * A TimerGuard {@code Timers} instance (marked {@code @CreatesTimer(ENGINE)}): owns an engine.
   */
  TIMERGUARD;

  boolean isTimerLike() {
    return this == TIMER || this == SCHEDULER || this == NETTY_TIMER || this == TIMERGUARD;
  }

  /** "a java.util.Timer", for messages. */
  String describe() {
    switch (this) {
      case TIMER:
        return "a java.util.Timer";
      case SCHEDULER:
        return "a ScheduledExecutorService";
      case NETTY_TIMER:
        return "a Netty timer";
      case TIMERGUARD:
        return "a TimerGuard Timers instance";
      default:
        return "an ExecutorService";
    }
  }

  /** "cancel it", for hints. */
  String imperative() {
    return this == TIMER
        ? "cancel it"
        : this == NETTY_TIMER ? "stop it" : this == TIMERGUARD ? "close it" : "shut it down";
  }

  /** "cancelled", for messages. */
  String verb() {
    return this == TIMER
        ? "cancelled"
        : this == NETTY_TIMER ? "stopped" : this == TIMERGUARD ? "closed" : "shut down";
  }
}
