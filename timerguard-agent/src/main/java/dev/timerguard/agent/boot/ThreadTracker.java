package dev.timerguard.agent.boot;

import dev.timerguard.live.internal.SiteCounter;
import java.lang.ref.WeakReference;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Threads (platform and virtual) started at instrumented sites: a thread is live from {@code
 * start} until {@link #poll()} sees it terminated (counted as {@code fired}) or collected.
 *
 * <p>Threads are held weakly, at most {@value #MAX_TRACKED} at once; beyond that a start is not
 * counted at all (so counts never stay inflated) and {@link #dropped()} says how many were missed.
 * Thread-safe; {@code poll} is serialized.
 */
public final class ThreadTracker {

  /** The most threads tracked at once. */
  public static final int MAX_TRACKED = 100_000;

  private static final class Entry {
    final WeakReference<Thread> ref;
    final SiteCounter counter;
    final long stamp;

    Entry(Thread t, SiteCounter counter, long stamp) {
      this.ref = new WeakReference<>(t);
      this.counter = counter;
      this.stamp = stamp;
    }
  }

  private static final ConcurrentLinkedQueue<Entry> ENTRIES = new ConcurrentLinkedQueue<>();
  private static final AtomicInteger SIZE = new AtomicInteger();
  private static final AtomicLong DROPPED = new AtomicLong();

  private ThreadTracker() {}

  /** Records a thread started at the site of {@code counter}. */
  public static void started(Thread t, SiteCounter counter) {
    if (t == null) {
      return;
    }
    if (SIZE.incrementAndGet() > MAX_TRACKED) {
      SIZE.decrementAndGet();
      DROPPED.incrementAndGet();
      return;
    }
    ENTRIES.add(new Entry(t, counter, counter.created()));
  }

  /** Ends every tracked thread that has terminated. */
  public static synchronized void poll() {
    for (Iterator<Entry> it = ENTRIES.iterator(); it.hasNext(); ) {
      Entry e = it.next();
      Thread t = e.ref.get();
      if (t == null || !t.isAlive()) {
        it.remove();
        SIZE.decrementAndGet();
        e.counter.fired(e.stamp);
      }
    }
  }

  /** Thread starts not counted because the tracking cap was reached. */
  public static long dropped() {
    return DROPPED.get();
  }
}
