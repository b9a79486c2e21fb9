package dev.timerguard.agent.boot;

import dev.timerguard.live.CallSite;
import dev.timerguard.live.SiteCounter;
import java.lang.ref.WeakReference;
import java.lang.reflect.Field;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Executors (and {@code java.util.Timer}s) the agent has seen, each with its creation site's
 * {@link SiteCounter}: an executor is live from creation until it is shut down (or collected), and
 * {@link #poll()} keeps each site's {@code retained} gauge equal to the cancelled tasks still held
 * in its executors' queues (the {@code removeOnCancelPolicy(false)} leak) and records queue sizes.
 *
 * <p>Executors are held weakly; at most {@value #MAX_TRACKED} are tracked at once (more are
 * counted as created but not sampled). Executors created before the agent loaded are registered
 * the first time an instrumented {@code schedule} call uses them, attributed to that call's site.
 * Thread-safe; {@code poll} is serialized.
 */
public final class ExecutorTracker {

  /** The most executors sampled at once. */
  public static final int MAX_TRACKED = 65_536;

  static final class Entry {
    final WeakReference<Object> ref;
    final SiteCounter counter;
    final long stamp;
    long retained;
    long queue;

    Entry(Object executor, SiteCounter counter, long stamp) {
      this.ref = new WeakReference<>(executor);
      this.counter = counter;
      this.stamp = stamp;
    }
  }

  private static final ConcurrentLinkedQueue<Entry> ENTRIES = new ConcurrentLinkedQueue<>();
  private static final AtomicInteger SIZE = new AtomicInteger();
  private static final Map<Object, Entry> KNOWN = Collections.synchronizedMap(new WeakHashMap<>());
  private static volatile WeakReference<Object> lastSeen = new WeakReference<>(null);
  private static volatile Map<Integer, Long> queueBySite = Map.of();
  private static volatile Field delegateField;
  private static volatile boolean delegateFieldFailed;

  private ExecutorTracker() {}

  /** Records an executor created at the site of {@code counter}. */
  public static void created(Object executor, SiteCounter counter) {
    if (executor == null) {
      return;
    }
    executor = identity(executor);
    synchronized (KNOWN) {
      if (KNOWN.containsKey(executor)) {
        return; // e.g. a wrapper returned by an instrumented factory of an instrumented factory
      }
      Entry e = new Entry(executor, counter, counter.created());
      KNOWN.put(executor, e);
      if (SIZE.incrementAndGet() <= MAX_TRACKED) {
        ENTRIES.add(e);
      } else {
        SIZE.decrementAndGet();
      }
    }
  }

  /**
   * Notes that an instrumented schedule call at {@code scheduleSite} used {@code executor};
   * registers it if the agent has not seen it (created before the agent loaded, or by code the
   * agent does not instrument). One volatile read when the executor is the last one seen.
   */
  public static void seen(Object executor, SiteCounter scheduleSite) {
    if (lastSeen.get() == executor) {
      return;
    }
    boolean known;
    Object id = identity(executor);
    synchronized (KNOWN) {
      known = KNOWN.containsKey(id);
    }
    if (!known) {
      CallSite s = scheduleSite.site();
      CallSite site =
          CallSite.of(
              CallSite.Kind.EXECUTOR,
              s.className(),
              s.methodName() + " [executor first used here]",
              s.fileName(),
              s.line());
      created(executor, Hooks.registry().register(site));
    }
    lastSeen = new WeakReference<>(executor);
  }

  /** Marks a {@code java.util.Timer} (or executor) ended now, e.g. on {@code Timer.cancel()}. */
  public static synchronized void ended(Object executor) {
    Entry e;
    synchronized (KNOWN) {
      e = KNOWN.remove(identity(executor));
    }
    if (e != null && ENTRIES.remove(e)) {
      SIZE.decrementAndGet();
      end(e);
    }
  }

  private static void end(Entry e) {
    e.counter.retained(-e.retained);
    e.retained = 0;
    e.counter.cancelled(e.stamp);
  }

  /**
   * Samples every tracked executor: ends those shut down or collected, and updates retained
   * cancelled tasks and queue sizes. Cost: one pass over each live executor's queue.
   */
  public static synchronized void poll() {
    Map<Integer, Long> queues = new HashMap<>();
    for (Iterator<Entry> it = ENTRIES.iterator(); it.hasNext(); ) {
      Entry e = it.next();
      Object ex = e.ref.get();
      boolean gone = ex == null || (ex instanceof ExecutorService && ((ExecutorService) ex).isShutdown());
      if (gone) {
        it.remove();
        SIZE.decrementAndGet();
        if (ex != null) {
          KNOWN.remove(ex);
        }
        end(e);
        continue;
      }
      ThreadPoolExecutor pool = pool(ex);
      if (pool == null) {
        continue;
      }
      long retained = 0;
      long size = 0;
      for (Runnable r : pool.getQueue()) {
        size++;
        if (r instanceof Future && ((Future<?>) r).isCancelled()) {
          retained++;
        }
      }
      if (retained != e.retained) {
        e.counter.retained(retained - e.retained);
        e.retained = retained;
      }
      e.queue = size;
      queues.merge(e.counter.id(), size, Long::sum);
    }
    queueBySite = Collections.unmodifiableMap(queues);
  }

  /** Queue length summed over the sampled executors of each executor site id, as of the last poll. */
  public static Map<Integer, Long> queueSizes() {
    return queueBySite;
  }

  /** How many executors are being sampled. */
  public static int tracked() {
    return SIZE.get();
  }

  /**
   * What an executor is tracked by: the pool itself, not a wrapper from {@code Executors} (a
   * wrapper may be collected while its pool and thread live on, which is exactly the leak of an
   * unshut executor per call).
   */
  static Object identity(Object ex) {
    ThreadPoolExecutor p = pool(ex);
    return p != null ? p : ex;
  }

  /** Whether {@code ex} is one of {@code Executors}' delegating wrappers. */
  static boolean delegating(Object ex) {
    for (Class<?> c = ex.getClass(); c != null; c = c.getSuperclass()) {
      if (c.getName().equals("java.util.concurrent.Executors$DelegatedExecutorService")) {
        return true;
      }
    }
    return false;
  }

  /** The pool behind {@code ex}, looking through {@code Executors}' delegating wrappers. */
  static ThreadPoolExecutor pool(Object ex) {
    if (ex instanceof ThreadPoolExecutor) {
      return (ThreadPoolExecutor) ex;
    }
    if (delegateFieldFailed || ex == null) {
      return null;
    }
    try {
      Field f = delegateField;
      if (f == null) {
        // Executors$DelegatedExecutorService.e: needs java.util.concurrent opened to this module,
        // which the agent does at install time; without it, queue figures are simply unknown.
        Class<?> c = ex.getClass();
        while (c != null && !c.getName().equals("java.util.concurrent.Executors$DelegatedExecutorService")) {
          c = c.getSuperclass();
        }
        if (c == null) {
          return null;
        }
        f = c.getDeclaredField("e");
        f.setAccessible(true);
        delegateField = f;
      }
      if (!f.getDeclaringClass().isInstance(ex)) {
        return null;
      }
      Object inner = f.get(ex);
      return inner instanceof ThreadPoolExecutor ? (ThreadPoolExecutor) inner : null;
    } catch (Throwable t) {
      delegateFieldFailed = true;
      return null;
    }
  }
}
