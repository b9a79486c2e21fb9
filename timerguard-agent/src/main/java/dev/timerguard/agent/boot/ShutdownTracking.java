package dev.timerguard.agent.boot;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadPoolExecutor;

/**
 * Ends the agent's timers that an executor drops when it shuts down: {@code shutdown()} cancels
 * periodic tasks (and, by policy, delayed ones), {@code shutdownNow()} hands back tasks that will
 * never run. Neither goes through the agent's future, so the instrumented {@code shutdown*} calls
 * come here: before the call, the pool's queued tasks are paired with the agent's {@link
 * TrackedTask}s (reading {@code FutureTask.callable}, which needs {@code java.util.concurrent}
 * opened to this module, as the agent does at install); after it, each dropped one ends as
 * cancelled. Without that access it does nothing. Cost: one pass over the queue per shutdown.
 * Thread-safe.
 */
final class ShutdownTracking {

  private static volatile Field callable;
  private static volatile Field adapted;
  private static volatile boolean unavailable;

  private ShutdownTracking() {}

  /** One queued task of the pool and the agent's task inside it. */
  static final class Pair {
    final Future<?> future;
    final TrackedTask<?> task;

    Pair(Future<?> future, TrackedTask<?> task) {
      this.future = future;
      this.task = task;
    }
  }

  /** The agent's tasks queued in {@code executor}'s pool, paired with the pool's futures. */
  static List<Pair> tracked(ExecutorService executor) {
    ThreadPoolExecutor pool = ExecutorTracker.pool(executor);
    if (pool == null || unavailable) {
      return List.of();
    }
    List<Pair> out = new ArrayList<>();
    try {
      for (Runnable r : pool.getQueue()) {
        TrackedTask<?> t = unwrap(r);
        if (t != null) {
          out.add(new Pair((Future<?>) r, t));
        }
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      unavailable = true;
      return List.of();
    }
    return out;
  }

  /** The agent's task inside a queued {@code FutureTask}, or null. */
  static TrackedTask<?> unwrap(Object queued) throws ReflectiveOperationException {
    if (!(queued instanceof java.util.concurrent.FutureTask)) {
      return null;
    }
    Field c = callable;
    if (c == null) {
      c = java.util.concurrent.FutureTask.class.getDeclaredField("callable");
      c.setAccessible(true);
      callable = c;
    }
    Object inner = c.get(queued);
    if (inner instanceof TrackedTask) {
      return (TrackedTask<?>) inner;
    }
    if (inner == null
        || !inner.getClass().getName().equals("java.util.concurrent.Executors$RunnableAdapter")) {
      return null;
    }
    Field a = adapted;
    if (a == null) {
      a = inner.getClass().getDeclaredField("task");
      a.setAccessible(true);
      adapted = a;
    }
    Object task = a.get(inner);
    return task instanceof TrackedTask ? (TrackedTask<?>) task : null;
  }
}
