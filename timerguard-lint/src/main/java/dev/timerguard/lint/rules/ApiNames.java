package dev.timerguard.lint.rules;

/**
 * Qualified names of the JDK and third-party types the rules resolve against. Only names: whether a
 * type is on the compiler's path is decided by {@link TypeResolver}.
 */
final class ApiNames {
  static final String SES = "java.util.concurrent.ScheduledExecutorService";
  static final String STPE = "java.util.concurrent.ScheduledThreadPoolExecutor";
  static final String EXECUTOR_SERVICE = "java.util.concurrent.ExecutorService";
  static final String EXECUTORS = "java.util.concurrent.Executors";
  static final String FUTURE = "java.util.concurrent.Future";
  static final String CF = "java.util.concurrent.CompletableFuture";
  static final String TIMER = "java.util.Timer";
  static final String TIMER_TASK = "java.util.TimerTask";
  static final String THREAD = "java.lang.Thread";
  static final String TIME_UNIT = "java.util.concurrent.TimeUnit";
  static final String LOCK = "java.util.concurrent.locks.Lock";
  static final String NETTY_TIMER = "io.netty.util.Timer";
  static final String NETTY_TIMEOUT = "io.netty.util.Timeout";
  static final String INTERRUPTED = "java.lang.InterruptedException";

  /** Reactor: schedulers, their workers, the factories of owned schedulers, timed publishers. */
  static final String REACTOR_SCHEDULER = "reactor.core.scheduler.Scheduler";

  static final String REACTOR_WORKER = "reactor.core.scheduler.Scheduler.Worker";
  static final String REACTOR_SCHEDULERS = "reactor.core.scheduler.Schedulers";
  static final String REACTOR_MONO = "reactor.core.publisher.Mono";
  static final String REACTOR_FLUX = "reactor.core.publisher.Flux";

  /** RxJava 3 and RxJava 2 schedulers (their workers are nested types of these). */
  static final String RX3_SCHEDULER = "io.reactivex.rxjava3.core.Scheduler";

  static final String RX2_SCHEDULER = "io.reactivex.Scheduler";

  /** The RxJava 3 and RxJava 2 reactive types with static {@code timer}/{@code interval}. */
  static final java.util.List<String> RX_SOURCES =
      java.util.List.of(
          "io.reactivex.rxjava3.core.Flowable",
          "io.reactivex.rxjava3.core.Observable",
          "io.reactivex.rxjava3.core.Single",
          "io.reactivex.rxjava3.core.Maybe",
          "io.reactivex.rxjava3.core.Completable",
          "io.reactivex.Flowable",
          "io.reactivex.Observable",
          "io.reactivex.Single",
          "io.reactivex.Maybe",
          "io.reactivex.Completable");

  private ApiNames() {}
}
