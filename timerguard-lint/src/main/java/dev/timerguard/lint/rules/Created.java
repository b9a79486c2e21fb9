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
  TIMERGUARD,
  /**
   * A Reactor scheduler of its own ({@code Schedulers.newParallel/newSingle/newBoundedElastic/
   * newElastic}): its threads (or its evictor's) live until it is disposed.
   */
  REACTIVE_SCHEDULER,
  /**
   * A Reactor or RxJava {@code Scheduler.Worker} ({@code scheduler.createWorker()}): it holds a
   * thread of its scheduler (RxJava's io and newThread, Reactor's boundedElastic) and every task
   * scheduled on it until it is disposed.
   */
  WORKER,
  /**
   * An object of a project class that owns a thread of its own: its constructor starts it, and a
   * release method stops it (see {@link ThreadOwners}); only TG103 classifies it.
   */
  THREAD_OWNER;

  boolean isTimerLike() {
    return this == TIMER
        || this == SCHEDULER
        || this == NETTY_TIMER
        || this == TIMERGUARD
        || this == REACTIVE_SCHEDULER;
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
      case REACTIVE_SCHEDULER:
        return "a Reactor Scheduler";
      case WORKER:
        return "a Scheduler.Worker";
      case THREAD_OWNER:
        return "an object that starts a thread or pool of its own when constructed";
      default:
        return "an ExecutorService";
    }
  }

  /** "cancel it", for hints. */
  String imperative() {
    if (this == REACTIVE_SCHEDULER || this == WORKER) {
      return "dispose it";
    }
    if (this == THREAD_OWNER) {
      return "call its release method (cancel/stop/close/shutdown)";
    }
    return this == TIMER
        ? "cancel it"
        : this == NETTY_TIMER ? "stop it" : this == TIMERGUARD ? "close it" : "shut it down";
  }

  /** "cancelled", for messages. */
  String verb() {
    if (this == REACTIVE_SCHEDULER || this == WORKER) {
      return "disposed";
    }
    if (this == THREAD_OWNER) {
      return "released";
    }
    return this == TIMER
        ? "cancelled"
        : this == NETTY_TIMER ? "stopped" : this == TIMERGUARD ? "closed" : "shut down";
  }
}
