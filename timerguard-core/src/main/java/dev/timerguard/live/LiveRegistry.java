package dev.timerguard.live;

import dev.timerguard.live.internal.SiteRegistry;
import java.util.function.LongSupplier;

/**
 * The one registry of live timers, tickers, executors and threads per call site in a JVM, as its
 * readers see it: {@link #snapshot() snapshots}, the number of sites and the cap on them.
 *
 * <p>Only TimerGuard's engines and hooks write to it (the safe timer API, the timing wheel, the
 * agent), through a package that is not for applications; an application reads, or hands a registry
 * to an engine ({@code Timers.builder().registry(...)}, {@code
 * WheelScheduler.builder().registry(...)}) and reads what that engine counted. There is no second
 * counter anywhere: every face of TimerGuard reads this model.
 *
 * <p><b>One per JVM.</b> {@link #global()} is the process-wide instance; when the TimerGuard agent
 * is loaded it puts the model on the bootstrap class path so that JDK, library and application
 * classes all see the same instance. Separate instances ({@link #create}) exist for tests.
 *
 * <p><b>Bounded memory.</b> At most {@link #maxSites()} distinct sites are kept (default 4096,
 * system property {@code timerguard.registry.maxSites}); later sites share the {@link
 * CallSite#OVERFLOW} site of their kind, so counts stay exact in total. Nothing is kept per timer.
 *
 * <p>Thread-safe: every method may be called from any thread. Engines count only in registries made
 * by {@link #global()} or {@link #create}; another implementation of this interface is refused with
 * an {@link IllegalArgumentException} when handed to one.
 */
public interface LiveRegistry {

  /** The process-wide registry. */
  static LiveRegistry global() {
    return SiteRegistry.global();
  }

  /**
   * A separate, empty registry, for tests and embedded use: hand it to an engine's builder and read
   * what it counts.
   *
   * @param maxSites distinct sites kept before the overflow bucket is used (at least 1)
   * @param clock monotonic nanosecond clock, e.g. {@code System::nanoTime}
   * @throws IllegalArgumentException if {@code maxSites} is below 1
   * @throws NullPointerException if {@code clock} is null
   */
  static LiveRegistry create(int maxSites, LongSupplier clock) {
    return SiteRegistry.create(maxSites, clock);
  }

  /** The cap on distinct sites. */
  int maxSites();

  /** The registry's clock, in nanoseconds. */
  long nanoTime();

  /** The number of distinct sites registered (overflow buckets included). */
  int siteCount();

  /** Takes an immutable snapshot of every site. */
  Snapshot snapshot();
}
