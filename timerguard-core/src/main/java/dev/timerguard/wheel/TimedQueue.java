package dev.timerguard.wheel;

import java.util.ArrayList;
import java.util.List;

/**
 * The FIFO of callbacks waiting in a {@link CallbackPool}, each with the clock reading of when it
 * was queued, so that the pool can see how long the oldest has waited. A ring of two parallel
 * arrays that doubles when full: queuing a callback allocates nothing once the ring is large enough
 * (an {@code ArrayDeque<Long>} beside the callbacks would box every reading).
 *
 * <p>Not thread-safe: the pool guards it with its lock.
 */
final class TimedQueue {

  private Runnable[] items = new Runnable[16];
  private long[] since = new long[16];
  private int head;
  private int size;

  boolean isEmpty() {
    return size == 0;
  }

  int size() {
    return size;
  }

  /** Queues {@code r} last, queued at {@code now}. */
  void addLast(Runnable r, long now) {
    if (size == items.length) {
      grow();
    }
    int i = (head + size) & (items.length - 1);
    items[i] = r;
    since[i] = now;
    size++;
  }

  /** Puts {@code r} back first, queued at {@code queuedAt}. */
  void addFirst(Runnable r, long queuedAt) {
    if (size == items.length) {
      grow();
    }
    head = (head - 1) & (items.length - 1);
    items[head] = r;
    since[head] = queuedAt;
    size++;
  }

  /** The first callback, taken off the queue; null if empty. */
  Runnable pollFirst() {
    if (size == 0) {
      return null;
    }
    Runnable r = items[head];
    items[head] = null; // the queue must not keep a callback (and its timer) alive once taken
    head = (head + 1) & (items.length - 1);
    size--;
    return r;
  }

  /** When the first callback was queued; only while not empty. */
  long firstQueuedAt() {
    return since[head];
  }

  /** Takes every callback off, in order. */
  List<Runnable> drain() {
    List<Runnable> all = new ArrayList<>(size);
    for (Runnable r; (r = pollFirst()) != null; ) {
      all.add(r);
    }
    return all;
  }

  private void grow() {
    int n = items.length;
    Runnable[] newItems = new Runnable[n * 2];
    long[] newSince = new long[n * 2];
    for (int k = 0; k < size; k++) {
      int i = (head + k) & (n - 1);
      newItems[k] = items[i];
      newSince[k] = since[i];
    }
    items = newItems;
    since = newSince;
    head = 0;
  }
}
