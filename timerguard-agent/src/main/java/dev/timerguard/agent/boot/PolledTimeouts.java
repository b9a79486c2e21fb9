package dev.timerguard.agent.boot;

import dev.timerguard.live.internal.SiteCounter;
import dev.timerguard.live.internal.TimerEnd;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Netty {@code io.netty.util.Timeout}s created at instrumented sites. Netty is not visible to the
 * agent's classes, so timeouts are followed by polling their {@code isExpired()}/{@code
 * isCancelled()} methods (looked up once per class): {@link #poll()} ends expired ones as fired,
 * cancelled or collected ones as cancelled. Live counts therefore lag by up to one sampling period.
 *
 * <p>Held weakly, at most {@value #MAX_TRACKED} at once; beyond that a timeout is not counted and
 * {@link #dropped()} says how many were missed. Thread-safe; {@code poll} is serialized.
 */
public final class PolledTimeouts {

  /** The most timeouts tracked at once. */
  public static final int MAX_TRACKED = 200_000;

  private static volatile Class<?> handlesFor;
  private static volatile MethodHandle isExpired;
  private static volatile MethodHandle isCancelled;

  private static final WeakPoller<Object> TIMEOUTS =
      new WeakPoller<>(
          MAX_TRACKED,
          HookGuard.NETTY,
          TimerEnd.CANCELLED, // collected unfired: nothing holds it, it never fires
          PolledTimeouts::state);

  private PolledTimeouts() {}

  /** Records a timeout created at the site of {@code counter}. */
  public static void created(Object timeout, SiteCounter counter) {
    TIMEOUTS.add(timeout, counter);
  }

  /** Ends every timeout that expired, was cancelled or was collected. Never throws. */
  public static void poll() {
    TIMEOUTS.poll();
  }

  private static TimerEnd state(Object t) throws Throwable {
    bind(t.getClass());
    if ((boolean) isCancelled.invoke(t)) {
      return TimerEnd.CANCELLED;
    }
    return (boolean) isExpired.invoke(t) ? TimerEnd.EXPIRED : null;
  }

  private static synchronized void bind(Class<?> c) throws ReflectiveOperationException {
    if (handlesFor == c) {
      return;
    }
    // Through the public interface io.netty.util.Timeout, so a private implementation class works.
    Class<?> api = Class.forName("io.netty.util.Timeout", false, c.getClassLoader());
    MethodHandles.Lookup l = MethodHandles.publicLookup();
    isExpired =
        l.findVirtual(api, "isExpired", MethodType.methodType(boolean.class))
            .asType(MethodType.methodType(boolean.class, Object.class));
    isCancelled =
        l.findVirtual(api, "isCancelled", MethodType.methodType(boolean.class))
            .asType(MethodType.methodType(boolean.class, Object.class));
    handlesFor = c;
  }

  /** Timeouts not counted because the tracking cap was reached. */
  public static long dropped() {
    return TIMEOUTS.dropped();
  }
}
