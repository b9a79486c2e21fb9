package dev.timerguard.internal;

import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link ScheduledThreadPoolExecutor} set up the leak-free way: cancelled tasks are removed from
 * the queue at once ({@code setRemoveOnCancelPolicy(true)}), delayed and periodic tasks are dropped
 * on shutdown, and threads are daemons. Not public API.
 */
public final class JdkEngine extends ScheduledThreadPoolExecutor {

  /**
   * Creates an engine.
   *
   * @param threads timer threads (at least 1)
   * @param namePrefix thread name prefix
   */
  public JdkEngine(int threads, String namePrefix) {
    super(threads, daemonFactory(namePrefix));
    setRemoveOnCancelPolicy(true);
    setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
  }

  /** A factory of daemon threads named {@code prefix-1}, {@code prefix-2}, ... */
  public static ThreadFactory daemonFactory(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
