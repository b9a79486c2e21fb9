package dev.timerguard.samples.probe;

/** How a {@link LeakProbe} reads the heap at each sample. */
public enum HeapMode {
  /** Not sampled; the heap trend is reported as flat. */
  OFF,
  /**
   * Heap in use after the collector's most recent collection ({@code MemoryPoolMXBean} collection
   * usage, summed over heap pools). Free, but only as fresh as the last GC.
   */
  LAST_GC,
  /**
   * {@code System.gc()} then heap in use ({@code MemoryMXBean}): exact, and one full GC per sample
   * (bounded by the sample count).
   */
  FORCED_GC
}
