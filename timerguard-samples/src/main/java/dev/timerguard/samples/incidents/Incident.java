package dev.timerguard.samples.incidents;

/**
 * One real timer or thread leak incident, reproduced on the JVM with a leaky and a fixed variant.
 *
 * <p>The leaky variant is written with plain JDK APIs the way a service would write it; the fixed
 * variant is the same service after the fix. {@link #run} drives one variant with a bounded
 * workload, measures what the service still holds (live timers, retained cancelled tasks, live
 * threads, heap after GC, the incident's own counters), asks the shared {@link
 * dev.timerguard.live.GrowthDetector} for a verdict on the sampled signal, and releases every
 * resource the variant created before returning.
 *
 * <p>Implementations are stateless and thread-safe, but runs measure process-wide state (threads,
 * heap): run one variant at a time for meaningful numbers. Bounded: a run ends after {@code
 * operations} operations plus a few seconds at most of settling.
 */
public interface Incident {

  /** Stable number used by {@code timerguard demo --incident N}, starting at 1. */
  int id();

  /** A short title, e.g. "RPC read loop". */
  String title();

  /** The Go code of the original incident, in one line. */
  String goOriginal();

  /** One line: what leaks on the JVM and why. */
  String explanation();

  /** One line: what the fix does. */
  String fix();

  /** The honest signal of the leak (e.g. "retained cancelled tasks"). */
  String signalName();

  /** The workload size {@link #run(Variant)} uses. */
  int defaultOperations();

  /**
   * Runs one variant for {@code operations} operations and measures it.
   *
   * @throws NullPointerException if {@code variant} is null
   * @throws IllegalArgumentException if {@code operations} is not positive
   */
  Outcome run(Variant variant, int operations);

  /** Runs one variant with {@link #defaultOperations()}. */
  default Outcome run(Variant variant) {
    return run(variant, defaultOperations());
  }

  /** Runs the leaky variant with the default workload. */
  default Outcome leaky() {
    return run(Variant.LEAKY);
  }

  /** Runs the fixed variant with the default workload. */
  default Outcome fixed() {
    return run(Variant.FIXED);
  }
}
