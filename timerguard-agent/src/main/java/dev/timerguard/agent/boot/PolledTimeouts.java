package dev.timerguard.agent.boot;

import dev.timerguard.live.internal.SiteCounter;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.ref.WeakReference;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

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

  private static final class Entry {
    final WeakReference<Object> ref;
    final SiteCounter counter;
    final long stamp;

    Entry(Object t, SiteCounter counter, long stamp) {
      this.ref = new WeakReference<>(t);
      this.counter = counter;
      this.stamp = stamp;
    }
  }

  private static final ConcurrentLinkedQueue<Entry> ENTRIES = new ConcurrentLinkedQueue<>();
  private static final AtomicInteger SIZE = new AtomicInteger();
  private static final AtomicLong DROPPED = new AtomicLong();
  private static volatile Class<?> handlesFor;
  private static volatile MethodHandle isExpired;
  private static volatile MethodHandle isCancelled;

  private PolledTimeouts() {}

  /** Records a timeout created at the site of {@code counter}. */
  public static void created(Object timeout, SiteCounter counter) {
    if (timeout == null) {
      return;
    }
    if (SIZE.incrementAndGet() > MAX_TRACKED) {
      SIZE.decrementAndGet();
      DROPPED.incrementAndGet();
      return;
    }
    ENTRIES.add(new Entry(timeout, counter, counter.created()));
  }

  /**
   * Ends every timeout that expired, was cancelled or was collected.
   *
   * @throws IllegalStateException if a timeout's methods cannot be called (the caller disables the
   *     Netty hook)
   */
  public static synchronized void poll() {
    try {
      pollEntries();
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException("cannot poll Netty timeouts", t);
    }
  }

  private static void pollEntries() throws Throwable {
    for (Iterator<Entry> it = ENTRIES.iterator(); it.hasNext(); ) {
      Entry e = it.next();
      Object t = e.ref.get();
      if (t == null) {
        it.remove();
        SIZE.decrementAndGet();
        e.counter.cancelled(e.stamp);
        continue;
      }
      bind(t.getClass());
      if ((boolean) isCancelled.invoke(t)) {
        it.remove();
        SIZE.decrementAndGet();
        e.counter.cancelled(e.stamp);
      } else if ((boolean) isExpired.invoke(t)) {
        it.remove();
        SIZE.decrementAndGet();
        e.counter.fired(e.stamp);
      }
    }
  }

  private static void bind(Class<?> c) throws ReflectiveOperationException {
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
    return DROPPED.get();
  }
}
