package dev.timerguard.agent.boot;

import dev.timerguard.live.internal.TimerEnd;
import java.util.List;

/**
 * Hooks for {@code shutdown()}, {@code shutdownNow()} and {@code close()} on an executor: the
 * executor ends at the call (not at the sampler's next pass), and every timer the call drops ends
 * with it. Same contract as {@link ScheduleHooks}: the JDK call happens exactly as written, its
 * result and exceptions unchanged. Thread-safe. Public because application classes call it; not an
 * API.
 */
public final class ShutdownHooks {

  private ShutdownHooks() {}

  /**
   * Replaces {@code shutdown()} on an executor: the executor ends now, and timers the pool cancels
   * while shutting down (its periodic tasks, and delayed ones unless its policy keeps them) end as
   * cancelled.
   */
  public static void shutdown(java.util.concurrent.ExecutorService executor) {
    List<ShutdownTracking.Pair> pairs = pairs(executor);
    executor.shutdown();
    ended(executor, pairs, List.of());
  }

  /**
   * Replaces {@code ExecutorService.close()} (JDK 19+, e.g. try-with-resources): like {@link
   * #shutdown}, after waiting as {@code close} does.
   */
  public static void close(java.util.concurrent.ExecutorService executor) {
    List<ShutdownTracking.Pair> pairs = pairs(executor);
    closeQuietlyTyped(executor);
    ended(executor, pairs, List.of());
  }

  /**
   * {@code executor.close()}: compiled for release 17, where ExecutorService is not AutoCloseable.
   */
  private static void closeQuietlyTyped(java.util.concurrent.ExecutorService executor) {
    try {
      ((AutoCloseable) executor).close();
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e); // ExecutorService.close() declares no checked exception
    }
  }

  /**
   * Replaces {@code shutdownNow()}: the executor ends now, and every timer handed back (never to
   * run) ends as cancelled.
   */
  public static List<Runnable> shutdownNow(java.util.concurrent.ExecutorService executor) {
    List<ShutdownTracking.Pair> pairs = pairs(executor);
    List<Runnable> dropped = executor.shutdownNow();
    ended(executor, pairs, dropped);
    return dropped;
  }

  /**
   * After a shutdown call returned: ends the executor if it really is shut down (a subclass may
   * override {@code shutdown} to do something else), and the tracked timers it dropped.
   */
  private static void ended(
      java.util.concurrent.ExecutorService executor,
      List<ShutdownTracking.Pair> pairs,
      List<Runnable> handedBackList) {
    if (!pairs.isEmpty()) {
      try {
        java.util.Set<Object> handedBack =
            java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        handedBack.addAll(handedBackList);
        for (ShutdownTracking.Pair p : pairs) {
          if (p.future.isCancelled() || handedBack.contains(p.future)) {
            p.task.end(TimerEnd.SHUT_DOWN);
          }
        }
      } catch (Throwable e) {
        HookGuard.fail(HookGuard.SCHEDULE, e);
      }
    }
    if (HookGuard.on(HookGuard.EXECUTOR)) {
      try {
        if (executor.isShutdown()) {
          ExecutorTracker.shutDown(executor);
        }
      } catch (Throwable e) {
        HookGuard.fail(HookGuard.EXECUTOR, e);
      }
    }
  }

  private static List<ShutdownTracking.Pair> pairs(java.util.concurrent.ExecutorService executor) {
    if (executor == null || !HookGuard.on(HookGuard.SCHEDULE)) {
      return List.of();
    }
    try {
      return ShutdownTracking.tracked(executor);
    } catch (Throwable e) {
      HookGuard.fail(HookGuard.SCHEDULE, e);
      return List.of();
    }
  }
}
