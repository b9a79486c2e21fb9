package dev.timerguard.agent.boot;

import dev.timerguard.live.LiveRegistry;
import dev.timerguard.live.internal.SiteCounter;
import dev.timerguard.live.internal.SiteRegistry;
import java.util.Objects;

/**
 * Where the agent's hooks write: the {@link LiveRegistry} and the {@link SiteTable} of site ids
 * that rewritten call sites carry; and the sampler's entry point {@link #poll()}. The hooks
 * themselves sit in one class per family of JDK calls: {@link ScheduleHooks}, {@link
 * ShutdownHooks}, {@link TimerHooks}, {@link CompletableHooks} and {@link CreationHooks}; {@code
 * CallSiteRewriter}'s plan names which call goes to which hook.
 *
 * <p>Thread-safe. Public because the agent's exporters call it; not an API.
 */
public final class Hooks {

  private static volatile SiteRegistry registry = SiteRegistry.global();

  private Hooks() {}

  /** The registry hooks write to: {@link LiveRegistry#global()} unless a test replaced it. */
  public static SiteRegistry registry() {
    return registry;
  }

  /** Replaces the registry. For tests only. */
  public static void useRegistryForTests(LiveRegistry r) {
    registry = SiteRegistry.of(Objects.requireNonNull(r, "r"));
    SiteTable.registryChanged();
  }

  static SiteCounter counter(int site) {
    return SiteTable.counter(site);
  }

  /**
   * Samples executors, threads and polled timeouts (see the trackers). Called by the agent's
   * sampler thread and before each export. Never throws.
   */
  public static void poll() {
    if (HookGuard.on(HookGuard.EXECUTOR)) {
      try {
        ExecutorTracker.poll();
      } catch (Throwable e) {
        HookGuard.fail(HookGuard.EXECUTOR, e);
      }
    }
    if (HookGuard.on(HookGuard.THREAD)) {
      try {
        ThreadTracker.poll();
      } catch (Throwable e) {
        HookGuard.fail(HookGuard.THREAD, e);
      }
    }
    if (HookGuard.on(HookGuard.NETTY)) {
      try {
        PolledTimeouts.poll();
      } catch (Throwable e) {
        HookGuard.fail(HookGuard.NETTY, e);
      }
    }
  }
}
