package dev.timerguard.live;

import dev.timerguard.live.internal.ThreadSites;

/**
 * Where each live thread was created: the {@link CallSite} of kind {@link CallSite.Kind#THREAD}
 * that started a given {@link Thread}, so that a leak report can say where a leaked thread came
 * from.
 *
 * <p>The per-site counts in {@link LiveRegistry} say how many threads a site started; they cannot
 * say which site started a given thread. Whoever counts a thread's creation (the TimerGuard agent's
 * {@code Thread.start} hook) also records the thread's site; readers such as the JUnit leak
 * verifier ask {@link #siteOf}. Threads are held weakly: nothing here keeps a thread alive or grows
 * without bound.
 *
 * <p>One per JVM (on the bootstrap class path when the agent is loaded). Thread-safe; each call
 * takes one short lock.
 */
public final class ThreadOrigins {

  private ThreadOrigins() {}

  /**
   * The site recorded for {@code thread}, or {@code null} when none was recorded (no agent, or the
   * thread was started before counting began).
   *
   * @throws NullPointerException if {@code thread} is null
   */
  public static CallSite siteOf(Thread thread) {
    return ThreadSites.siteOf(thread);
  }
}
