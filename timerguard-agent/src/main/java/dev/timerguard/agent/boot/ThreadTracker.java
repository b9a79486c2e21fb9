package dev.timerguard.agent.boot;

import dev.timerguard.live.internal.SiteCounter;
import dev.timerguard.live.internal.TimerEnd;

/**
 * Threads (platform and virtual) started at instrumented sites: a thread is live from {@code start}
 * until {@link #poll()} sees it terminated (counted as {@code fired}) or collected.
 *
 * <p>Threads are held weakly, at most {@value #MAX_TRACKED} at once; beyond that a start is not
 * counted at all (so counts never stay inflated) and {@link #dropped()} says how many were missed.
 * Thread-safe; {@code poll} is serialized.
 */
public final class ThreadTracker {

  /** The most threads tracked at once. */
  public static final int MAX_TRACKED = 100_000;

  private static final WeakPoller<Thread> THREADS =
      new WeakPoller<>(
          MAX_TRACKED,
          HookGuard.THREAD,
          TimerEnd.TERMINATED, // a collected thread has ended
          t -> t.isAlive() ? null : TimerEnd.TERMINATED);

  private ThreadTracker() {}

  /** Records a thread started at the site of {@code counter}. */
  public static void started(Thread t, SiteCounter counter) {
    THREADS.add(t, counter);
  }

  /** Ends every tracked thread that has terminated. */
  public static void poll() {
    THREADS.poll();
  }

  /** Thread starts not counted because the tracking cap was reached. */
  public static long dropped() {
    return THREADS.dropped();
  }
}
