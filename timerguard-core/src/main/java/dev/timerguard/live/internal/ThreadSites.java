package dev.timerguard.live.internal;

import dev.timerguard.live.CallSite;
import dev.timerguard.live.ThreadOrigins;
import java.util.Map;
import java.util.Objects;
import java.util.WeakHashMap;

/**
 * The write side of {@link ThreadOrigins}, for TimerGuard's hooks: where each live thread was
 * created, the per-thread link from a {@link Thread} to its {@link CallSite} of kind {@link
 * CallSite.Kind#THREAD}, so that a leak report can say where a leaked thread came from.
 *
 * <p>The per-site counts in {@link SiteRegistry} say how many threads a site started; they cannot
 * say which site started a given thread. Whoever counts a thread's creation (the TimerGuard agent's
 * {@code Thread.start} hook, or a library thread factory) also calls {@link #record}; readers such
 * as the JUnit leak verifier call {@link ThreadOrigins#siteOf}. Threads are held weakly: an entry
 * disappears when its thread is garbage collected, so nothing here keeps a thread alive or grows
 * without bound.
 *
 * <p>One per JVM, like {@link SiteRegistry#global()} (static state, on the bootstrap class path
 * when the agent is loaded). Thread-safe: all methods may be called from any thread; each call
 * takes one short lock. Cost: one weak-map update per thread start, nothing per timer.
 */
public final class ThreadSites {

  private static final Map<Thread, CallSite> ORIGINS = new WeakHashMap<>();

  private ThreadSites() {}

  /**
   * Records that {@code thread} was created at {@code site}; a later call for the same thread
   * replaces the earlier site.
   *
   * @throws NullPointerException naming the argument that is null
   * @throws IllegalArgumentException if {@code site} is not of kind {@link CallSite.Kind#THREAD}
   */
  public static void record(Thread thread, CallSite site) {
    Objects.requireNonNull(thread, "thread");
    Objects.requireNonNull(site, "site");
    if (site.kind() != CallSite.Kind.THREAD) {
      throw new IllegalArgumentException("site must be of kind THREAD, was " + site.kind());
    }
    synchronized (ORIGINS) {
      ORIGINS.put(thread, site);
    }
  }

  /**
   * The site recorded for {@code thread}, or {@code null} when none was recorded (no agent, or the
   * thread was started before counting began).
   *
   * @throws NullPointerException if {@code thread} is null
   */
  public static CallSite siteOf(Thread thread) {
    Objects.requireNonNull(thread, "thread");
    synchronized (ORIGINS) {
      return ORIGINS.get(thread);
    }
  }

  /**
   * Forgets {@code thread}'s site, e.g. when it terminates; harmless if none was recorded.
   *
   * @throws NullPointerException if {@code thread} is null
   */
  public static void forget(Thread thread) {
    Objects.requireNonNull(thread, "thread");
    synchronized (ORIGINS) {
      ORIGINS.remove(thread);
    }
  }
}
