package dev.timerguard.agent.boot;

import dev.timerguard.live.internal.SiteCounter;
import dev.timerguard.live.internal.ThreadSites;

/**
 * Hooks called right after an instrumented site created an executor, a {@code java.util.Timer}, a
 * thread or a Netty timeout: they register it at the site. They never change what the application
 * sees (they receive a copy of the result). Thread-safe. Public because application classes call
 * it; not an API.
 */
public final class CreationHooks {

  private CreationHooks() {}

  /** Called with the executor (or {@code java.util.Timer}) an instrumented site just created. */
  public static void executorCreated(Object executor, int site) {
    if (executor == null || !HookGuard.on(HookGuard.EXECUTOR)) {
      return;
    }
    try {
      ExecutorTracker.created(executor, Hooks.counter(site));
    } catch (Throwable e) {
      HookGuard.fail(HookGuard.EXECUTOR, e);
    }
  }

  /** Called with a thread an instrumented site just started. */
  public static void threadStarted(Thread thread, int site) {
    if (thread == null || !HookGuard.on(HookGuard.THREAD)) {
      return;
    }
    try {
      SiteCounter c = Hooks.counter(site);
      ThreadTracker.started(thread, c);
      ThreadSites.record(thread, c.site()); // lets the JUnit verifier name the creation line
    } catch (Throwable e) {
      HookGuard.fail(HookGuard.THREAD, e);
    }
  }

  /** Called with a Netty {@code Timeout} an instrumented {@code newTimeout} call just returned. */
  public static void nettyTimeout(Object timeout, int site) {
    if (timeout == null || !HookGuard.on(HookGuard.NETTY)) {
      return;
    }
    try {
      SiteCounter c = Hooks.counter(site);
      PolledTimeouts.created(timeout, c);
    } catch (Throwable e) {
      HookGuard.fail(HookGuard.NETTY, e);
    }
  }
}
