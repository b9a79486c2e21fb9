package dev.timerguard.agent.boot;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The agent's safety switch: every hook checks {@link #on(int)} before doing its own work, and
 * reports its own failures to {@link #fail(int, Throwable)}, which disables that hook for the life
 * of the JVM and prints one line to standard error, once. An error inside the agent therefore never
 * reaches application code: the hook falls back to the plain JDK call it replaced.
 *
 * <p>Thread-safe. {@code on} is one volatile array read.
 */
public final class HookGuard {

  /** Scheduling on a {@code ScheduledExecutorService} and the tracked task/future wrappers. */
  public static final int SCHEDULE = 0;
  /** Executor, thread pool and {@code java.util.Timer} creation and executor sampling. */
  public static final int EXECUTOR = 1;
  /** {@code Thread.start}, virtual-thread builders and thread sampling. */
  public static final int THREAD = 2;
  /** {@code java.util.Timer} schedule/cancel and {@code TimerTask} run/cancel. */
  public static final int TIMER = 3;
  /** {@code CompletableFuture.orTimeout/completeOnTimeout/delayedExecutor}. */
  public static final int COMPLETABLE = 4;
  /** Netty {@code HashedWheelTimer.newTimeout}. */
  public static final int NETTY = 5;
  /** JFR events. */
  public static final int JFR = 6;

  private static final String[] NAMES = {
    "schedule", "executor", "thread", "timer", "completable", "netty", "jfr"
  };

  private static final AtomicIntegerArray DISABLED = new AtomicIntegerArray(NAMES.length);
  private static final AtomicReferenceArray<Throwable> CAUSES =
      new AtomicReferenceArray<>(NAMES.length);

  private HookGuard() {}

  /** True while the hook has not failed. */
  public static boolean on(int hook) {
    return DISABLED.get(hook) == 0;
  }

  /**
   * Disables {@code hook} after an internal failure; the first failure of each hook is printed
   * to standard error as one line, later ones are ignored. Never throws.
   */
  public static void fail(int hook, Throwable cause) {
    try {
      if (DISABLED.compareAndSet(hook, 0, 1)) {
        CAUSES.set(hook, cause);
        System.err.println(
            "[timerguard] internal error in hook '"
                + NAMES[hook]
                + "', hook disabled, application unaffected: "
                + cause);
      }
    } catch (Throwable ignored) {
      // reporting must not fail either
    }
  }

  /** The hooks disabled so far, each as {@code name: cause}. */
  public static List<String> disabled() {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < NAMES.length; i++) {
      if (DISABLED.get(i) != 0) {
        out.add(NAMES[i] + ": " + CAUSES.get(i));
      }
    }
    return out;
  }

  /** Re-enables every hook. For tests only. */
  public static void resetForTests() {
    for (int i = 0; i < NAMES.length; i++) {
      DISABLED.set(i, 0);
      CAUSES.set(i, null);
    }
  }
}
