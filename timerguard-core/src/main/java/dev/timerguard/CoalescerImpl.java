package dev.timerguard;

import dev.timerguard.live.internal.SiteCounter;
import dev.timerguard.live.internal.TimerEnd;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Future;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A coalescer on one reusable timer. Full batches queue up in {@code ready}; the partial batch
 * waits in {@code current} for the delay. A single flush lock keeps batches in order and one at a
 * time.
 */
final class CoalescerImpl<T> extends Handle implements Coalescer<T>, Runnable {

  private final int maxBatch;
  private final long maxDelayNanos;
  private final Consumer<? super List<T>> consumer;
  private final ReentrantLock flushLock = new ReentrantLock();
  private final ArrayDeque<List<T>> ready = new ArrayDeque<>(); // guarded by this
  private List<T> current; // guarded by this
  private long currentDeadline; // guarded by this
  private Future<?> armed; // guarded by this
  private long armedFor; // guarded by this
  private boolean closing; // guarded by this
  private long flushedItems; // guarded by flushLock
  private long flushedBatches; // guarded by flushLock

  CoalescerImpl(
      Timers timers,
      TimerScope scope,
      SiteCounter counter,
      int maxBatch,
      long maxDelayNanos,
      Consumer<? super List<T>> consumer) {
    super(timers, scope, counter, maxDelayNanos);
    this.maxBatch = maxBatch;
    this.maxDelayNanos = maxDelayNanos;
    this.consumer = consumer;
    this.current = new ArrayList<>(Math.min(maxBatch, 64));
  }

  @Override
  public void add(T item) {
    Objects.requireNonNull(item, "item");
    long now = timers.nanoTime();
    synchronized (this) {
      if (closing || !isLive()) {
        throw new IllegalStateException("coalescer created at " + site().location() + " is closed");
      }
      if (current.isEmpty()) {
        currentDeadline = now + maxDelayNanos;
      }
      current.add(item);
      if (current.size() >= maxBatch) {
        ready.add(current);
        current = new ArrayList<>(Math.min(maxBatch, 64));
        arm(0);
      } else if (current.size() == 1) {
        arm(maxDelayNanos);
      }
    }
  }

  /** Arms the one timer for {@code delay} unless it is already armed to fire sooner. */
  private void arm(long delayNanos) {
    long at = timers.nanoTime() + delayNanos;
    if (armed != null) {
      if (armedFor - at <= 0) {
        return;
      }
      armed.cancel(false);
    }
    armedFor = at;
    // delay flushes of many coalescers share expiry passes: up to 1/8 of the delay (5 ms at most)
    // late
    armed =
        timers.engineScheduleCoalesced(this, delayNanos, Math.min(maxDelayNanos >> 3, 5_000_000L));
  }

  @Override
  public void run() {
    flushLock.lock(); // taken before the batches, so batches are delivered in order
    try {
      runLocked();
    } finally {
      flushLock.unlock();
    }
  }

  private void runLocked() {
    List<List<T>> batches = new ArrayList<>();
    synchronized (this) {
      armed = null;
      if (!isLive()) {
        return;
      }
      batches.addAll(ready);
      ready.clear();
      if (!current.isEmpty()) {
        long remaining = currentDeadline - timers.nanoTime();
        if (remaining <= 0) {
          batches.add(current);
          current = new ArrayList<>(Math.min(maxBatch, 64));
        } else {
          try {
            arm(remaining);
          } catch (RuntimeException closed) {
            batches.add(current); // engine closed: deliver now rather than drop
            current = new ArrayList<>();
          }
        }
      }
    }
    deliver(batches);
  }

  /** Delivers batches in order; the caller holds the flush lock. */
  private int deliver(List<List<T>> batches) {
    int n = 0;
    for (List<T> b : batches) {
      n += b.size();
      flushedItems += b.size();
      flushedBatches++;
      timers.invoke(counter.site(), () -> consumer.accept(b));
    }
    return n;
  }

  @Override
  public int flush() {
    flushLock.lock();
    try {
      List<List<T>> batches;
      synchronized (this) {
        batches = takeAll();
      }
      return deliver(batches);
    } finally {
      flushLock.unlock();
    }
  }

  private List<List<T>> takeAll() {
    List<List<T>> batches = new ArrayList<>(ready);
    ready.clear();
    if (!current.isEmpty()) {
      batches.add(current);
      current = new ArrayList<>();
    }
    return batches;
  }

  @Override
  public synchronized int pending() {
    int n = current.size();
    for (List<T> b : ready) {
      n += b.size();
    }
    return n;
  }

  @Override
  public boolean cancel() {
    flushLock.lock();
    try {
      List<List<T>> batches;
      Future<?> f;
      synchronized (this) {
        if (closing || !isLive()) {
          return false;
        }
        closing = true;
        batches = takeAll();
        f = armed;
        armed = null;
      }
      if (f != null) {
        f.cancel(false);
      }
      deliver(batches); // on the closing thread: nothing is dropped
      return markCancelled(TimerEnd.STOPPED);
    } finally {
      flushLock.unlock();
    }
  }

  @Override
  public long flushedItems() {
    flushLock.lock();
    try {
      return flushedItems;
    } finally {
      flushLock.unlock();
    }
  }

  @Override
  public long flushedBatches() {
    flushLock.lock();
    try {
      return flushedBatches;
    } finally {
      flushLock.unlock();
    }
  }
}
