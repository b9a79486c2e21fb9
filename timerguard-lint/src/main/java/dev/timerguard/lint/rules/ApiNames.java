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

  private ApiNames() {}
}
