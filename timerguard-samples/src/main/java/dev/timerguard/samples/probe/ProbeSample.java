package dev.timerguard.samples.probe;

import dev.timerguard.live.Snapshot;
import java.util.Map;
import java.util.Objects;

/**
 * One sample of a {@link LeakProbe}. Immutable.
 *
 * @param nanoTime monotonic time of the sample ({@link System#nanoTime()})
 * @param operations workload operations completed when the sample was taken
 * @param timers the live registry's snapshot (TimerGuard timers per call site)
 * @param executors per observed executor, by the name it was registered under
 * @param liveThreads live platform threads in the JVM
 * @param heapBytes heap in use per the probe's {@link HeapMode}; {@code -1} when {@code OFF}
 */
public record ProbeSample(
    long nanoTime,
    long operations,
    Snapshot timers,
    Map<String, QueueStats> executors,
    int liveThreads,
    long heapBytes) {

  public ProbeSample {
    Objects.requireNonNull(timers, "timers");
    executors = Map.copyOf(executors);
  }

  /**
   * The queue of one observed executor at sample time.
   *
   * @param queued tasks waiting that are not cancelled (for a scheduler: live timers)
   * @param cancelled cancelled tasks still held in the queue (retained until their deadline unless
   *     the scheduler removes on cancel)
   * @param activeThreads the executor's threads running a task
   * @param poolSize the executor's threads
   */
  public record QueueStats(long queued, long cancelled, int activeThreads, int poolSize) {}
}
