package dev.timerguard.agent.boot;

import dev.timerguard.live.internal.SiteCounter;
import dev.timerguard.live.internal.TimerEnd;
import java.lang.ref.WeakReference;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Things the agent can only follow by looking at them now and then (threads, Netty timeouts): each
 * is held weakly with its site's counter and creation stamp, live until a {@link #poll} finds it
 * ended, and then ended in the counter exactly once. One piece for every such tracker, so the cap,
 * the count of what the cap dropped, and the isolation of one bad entry from the rest are the same
 * everywhere.
 *
 * <p>At most {@code max} things are followed at once; beyond that a new one is not counted at all
 * (so counts never stay inflated) and {@link #dropped()} says how many were missed. A thing that is
 * collected before a poll saw it end ends as the tracker's {@code collected} outcome. If looking at
 * one thing throws (application code behind it), that thing is dropped as {@code collected} and the
 * failure reported to {@link HookGuard}; the others are still polled. Thread-safe; {@code poll} is
 * serialized.
 *
 * @param <T> what is followed
 */
final class WeakPoller<T> {

  /** Looks at one followed thing: how it ended, or {@code null} while it is live. May throw. */
  interface Probe<T> {
    TimerEnd state(T thing) throws Throwable;
  }

  private static final class Entry<T> {
    final WeakReference<T> ref;
    final SiteCounter counter;
    final long stamp;

    Entry(T thing, SiteCounter counter, long stamp) {
      this.ref = new WeakReference<>(thing);
      this.counter = counter;
      this.stamp = stamp;
    }
  }

  private final ConcurrentLinkedQueue<Entry<T>> entries = new ConcurrentLinkedQueue<>();
  private final AtomicInteger size = new AtomicInteger();
  private final AtomicLong dropped = new AtomicLong();
  private final int max;
  private final int hook;
  private final TimerEnd collected;
  private final Probe<T> probe;

  /**
   * @param max the most things followed at once
   * @param hook the {@link HookGuard} hook failures are reported to
   * @param collected how a thing collected before it was seen to end ends
   * @param probe looks at one thing
   */
  WeakPoller(int max, int hook, TimerEnd collected, Probe<T> probe) {
    this.max = max;
    this.hook = hook;
    this.collected = collected;
    this.probe = probe;
  }

  /** Follows {@code thing}, created now at the site of {@code counter}. */
  void add(T thing, SiteCounter counter) {
    if (thing == null) {
      return;
    }
    if (size.incrementAndGet() > max) {
      size.decrementAndGet();
      dropped.incrementAndGet();
      return;
    }
    entries.add(new Entry<>(thing, counter, counter.start(0)));
  }

  /** Ends every followed thing that has ended. Never throws. */
  synchronized void poll() {
    for (Iterator<Entry<T>> it = entries.iterator(); it.hasNext(); ) {
      Entry<T> e = it.next();
      T t = e.ref.get();
      TimerEnd s;
      if (t == null) {
        s = collected;
      } else {
        try {
          s = probe.state(t);
        } catch (Throwable failure) {
          HookGuard.fail(hook, failure);
          s = collected;
        }
      }
      if (s == null) {
        continue;
      }
      it.remove();
      size.decrementAndGet();
      e.counter.end(e.stamp, s);
    }
  }

  /** How many things are followed now. */
  int size() {
    return size.get();
  }

  /** Things not counted because the cap was reached. */
  long dropped() {
    return dropped.get();
  }
}
