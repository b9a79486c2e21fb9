package dev.timerguard.agent.boot;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The agent's safety switch: every hook checks {@link #on(int)} before doing its own work, and
 * reports its own failures to {@link #fail(int, Throwable)}. An error inside the agent therefore
 * never reaches application code: the hook's bookkeeping for that one call is skipped and the plain
 * JDK call it replaced still happens.
 *
 * <p>What a failure switches off depends on what failed. A {@link RuntimeException} or an {@link
 * Error} that is not a {@link LinkageError} is taken as a failure of that one call: often it is
 * application code the hook had to call (a mock of a scheduler interface whose {@code isShutdown()}
 * throws, a {@code toString()} that throws), so only that call loses its bookkeeping and the hook
 * stays on. A {@link LinkageError} (a class missing or failing to initialize on the boot class
 * path) cannot heal, so it disables the hook for the life of the JVM; so do {@value #MAX_FAILURES}
 * failures of one hook, which bounds what a systematic bug costs. The first failure of each hook,
 * and its disabling, are printed to standard error as one line each.
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

  /** Failures of one hook after which it is disabled even if each looked like a one-off. */
  public static final int MAX_FAILURES = 10_000;

  private static final String[] NAMES = {
    "schedule", "executor", "thread", "timer", "completable", "netty"
  };

  private static final AtomicIntegerArray DISABLED = new AtomicIntegerArray(NAMES.length);
  private static final AtomicIntegerArray FAILURES = new AtomicIntegerArray(NAMES.length);
  private static final AtomicReferenceArray<Throwable> CAUSES =
      new AtomicReferenceArray<>(NAMES.length);

  private HookGuard() {}

  /** True while the hook has not been disabled. */
  public static boolean on(int hook) {
    return DISABLED.get(hook) == 0;
  }

  /**
   * Records a failure of {@code hook}'s bookkeeping in one call (the caller has already skipped
   * it). Disables the hook on a {@link LinkageError} or on its {@value #MAX_FAILURES}th failure.
   * Never throws.
   */
  public static void fail(int hook, Throwable cause) {
    try {
      int n = FAILURES.incrementAndGet(hook);
      if (n == 1) {
        CAUSES.set(hook, cause);
      }
      boolean disable = cause instanceof LinkageError || n >= MAX_FAILURES;
      if (disable && DISABLED.compareAndSet(hook, 0, 1)) {
        CAUSES.set(hook, cause);
        System.err.println(
            "[timerguard] internal error in hook '"
                + NAMES[hook]
                + "', hook disabled, application unaffected: "
                + cause);
      } else if (n == 1) {
        System.err.println(
            "[timerguard] error in hook '"
                + NAMES[hook]
                + "', that one call is not counted, hook stays on, application unaffected: "
                + cause);
      }
    } catch (Throwable ignored) {
      // reporting must not fail either
    }
  }

  /** How many times {@code hook} has failed since the JVM started (or the last test reset). */
  public static int failures(int hook) {
    return FAILURES.get(hook);
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
      FAILURES.set(i, 0);
      CAUSES.set(i, null);
    }
  }
}
