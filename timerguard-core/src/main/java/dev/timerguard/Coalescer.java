package dev.timerguard;

/**
 * Batches items from any number of producers and flushes them by count or by delay, with one timer
 * whatever the number of producers.
 *
 * <p>Created by {@link TimerSource#coalescer}. An item added to an empty buffer arms the single
 * timer for the maximum delay; a buffer reaching the maximum batch size is flushed at once. On the
 * default wheel engine, delay flushes use its coalescing mode: they may come up to an eighth of the
 * delay (5 ms at most) late, so that the flushes of many coalescers share one expiry pass. Flushes
 * run on a timer thread, one at a time, in order, each with at most {@code maxBatch} items. If the
 * flush consumer throws, the error is reported and the batch counts as delivered. {@link #close()}
 * flushes what remains on the closing thread before it returns: <b>nothing added is dropped</b>.
 * Live until closed. Thread-safe.
 *
 * @param <T> item type
 */
public sealed interface Coalescer<T> extends TimerHandle permits CoalescerImpl {

  /**
   * Adds an item.
   *
   * @throws NullPointerException if {@code item} is null
   * @throws IllegalStateException if the coalescer was closed
   */
  void add(T item);

  /** Items waiting for a flush. */
  int pending();

  /**
   * Flushes everything pending now, on the calling thread, and waits for flushes in progress.
   *
   * @return the number of items flushed by this call
   */
  int flush();

  /** Closes the coalescer, flushing what remains on this thread first. */
  @Override
  boolean cancel();

  /** Flushes everything that remains (on this thread), then closes. */
  @Override
  default void close() {
    cancel();
  }

  /** Everything flushed so far, counted in items (for tests and metrics). */
  long flushedItems();

  /** Batches flushed so far. */
  long flushedBatches();
}
