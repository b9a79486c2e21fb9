package dev.timerguard.agent.boot;

import dev.timerguard.live.CallSite;
import dev.timerguard.live.internal.SiteCounter;
import dev.timerguard.live.internal.TimerEnd;
import java.lang.ref.WeakReference;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Executors (and {@code java.util.Timer}s) the agent has seen, each with its creation site's {@link
 * SiteCounter}: an executor is live from creation until it is shut down (or collected). Each site's
 * {@code retained} gauge counts the cancelled tasks still held in its executors' queues (the {@code
 * removeOnCancelPolicy(false)} leak), and {@link #poll()} sets each site's {@code queued} gauge
 * ({@link SiteCounter#queued(long)}) to its executors' queue sizes.
 *
 * <p><b>Cost bounded by executors, not by queues.</b> Walking a queue copies it under the queue's
 * lock (a {@code ScheduledThreadPoolExecutor}'s iterator takes a snapshot array), which with
 * millions of queued tasks stalls every {@code schedule} call of the application. So the sampler
 * never walks a queue: the retained count follows the events the agent sees. A cancel through the
 * agent's future on a pool that keeps cancelled tasks ({@code getRemoveOnCancelPolicy() == false})
 * retains the task until its deadline, when the pool's worker takes it off the queue and drops it;
 * {@code remove} and {@code purge} (rewritten to {@link Hooks#remove} and {@link Hooks#purge}) drop
 * it earlier; shutdown ends them all. Each executor keeps the deadlines of its retained tasks in a
 * heap of {@code long}s (8 bytes per retained task, beside the task the pool itself retains), and
 * {@code poll} pops the due ones: per executor, one {@code size()} call and O(log n) per task that
 * left. The one exception is an executor created before the agent loaded: the first poll after it
 * is first used walks its queue once, to count the cancelled tasks of before the attach.
 *
 * <p>Not counted (the count degrades, it does not drift): tasks cancelled by code the agent does
 * not instrument after the agent loaded, cancelled plain {@code submit}ted futures of a {@code
 * ThreadPoolExecutor}, and tasks dropped through {@code getQueue().remove(...)}. A cancelled task
 * whose deadline passed while every worker of its pool was busy leaves the count up to a few
 * moments before it leaves the queue.
 *
 * <p>Executors are held weakly; at most {@value #MAX_TRACKED} are tracked at once (more are counted
 * as created but not sampled). Executors created before the agent loaded are registered the first
 * time an instrumented {@code schedule} call uses them, attributed to that call's site.
 * Thread-safe; {@code poll} is serialized.
 */
public final class ExecutorTracker {

  /** The most executors sampled at once. */
  public static final int MAX_TRACKED = 65_536;

  /** One tracked executor, with the deadlines of its retained cancelled tasks. */
  static final class Entry {
    final WeakReference<Object> ref;
    final SiteCounter counter;
    final long stamp;

    /** Created before the agent loaded: the next poll walks its queue once for older cancels. */
    volatile boolean scan;

    long queue; // poll only
    // guarded by this: a binary min-heap of retained tasks' deadlines (System.nanoTime based)
    private long[] deadlines = new long[0];
    private int retained;
    private boolean ended;
    private boolean finished; // end() ran

    /** While {@link #scan} is pending: the futures whose cancel was counted as it happened. */
    private Set<Object> countedBeforeScan;

    /**
     * The agent's periodic tasks on this executor that have not ended, held weakly (a task the pool
     * dropped and the application forgot must not be kept alive here, nor its executor through it).
     * The executor's end ends them: a periodic task is dropped by a shutdown wherever it is at that
     * moment (queued, running, or between a run and its re-queueing, where no queue walk can see
     * it). Created on the first periodic schedule.
     */
    private WeakHashMap<TrackedTask<?>, Boolean> periodic;

    Entry(Object executor, SiteCounter counter, long stamp) {
      this.ref = new WeakReference<>(executor);
      this.counter = counter;
      this.stamp = stamp;
    }

    /**
     * The agent's future {@code f} of {@code task} was just cancelled: if the pool keeps cancelled
     * tasks and the task is not due yet (a due one is being taken off the queue, or is running), it
     * is retained until its deadline.
     */
    void cancelled(TrackedTask<?> task, Delayed f) {
      Object ex = ref.get();
      if (!(ex instanceof ScheduledThreadPoolExecutor)
          || ((ScheduledThreadPoolExecutor) ex).getRemoveOnCancelPolicy()) {
        return;
      }
      long delay = f.getDelay(TimeUnit.NANOSECONDS);
      if (delay <= 0) {
        return;
      }
      synchronized (this) {
        if (ended) {
          return;
        }
        long deadline = clock.getAsLong() + delay;
        if (countedBeforeScan != null) {
          countedBeforeScan.add(f);
        }
        push(deadline);
        task.retainedUntil = deadline;
        task.retained = true;
      }
      counter.retained(1);
    }

    /** {@code task}'s future was removed from the pool's queue. */
    void removed(TrackedTask<?> task) {
      synchronized (this) {
        if (ended || !task.retained) {
          return;
        }
        task.retained = false;
        if (!removeValue(task.retainedUntil)) {
          return; // already dropped (due, purged)
        }
      }
      counter.retained(-1);
    }

    /** The pool was purged: no cancelled task is left in its queue. */
    void purged() {
      int n;
      synchronized (this) {
        n = retained;
        retained = 0;
      }
      counter.retained(-n);
    }

    /** Drops the retained tasks due at {@code now} (their pool has taken them off the queue). */
    void expire(long now) {
      int n = 0;
      synchronized (this) {
        while (retained > 0 && deadlines[0] - now <= 0) {
          removeAt(0);
          n++;
        }
      }
      if (n > 0) {
        counter.retained(-n);
      }
    }

    /**
     * Records a periodic task scheduled on this executor, so that the executor's end ends it too.
     * Returns false when the executor has already ended (its pool then rejects the schedule, or,
     * with a policy that keeps periodic tasks after shutdown, runs it until it is cancelled).
     */
    boolean addPeriodic(TrackedTask<?> task) {
      synchronized (this) {
        if (finished) {
          return false;
        }
        if (periodic == null) {
          periodic = new WeakHashMap<>();
        }
        periodic.put(task, Boolean.TRUE);
        return true;
      }
    }

    /** A periodic task ended on its own (cancelled, failed, rejected): forget it. */
    void periodicEnded(TrackedTask<?> task) {
      synchronized (this) {
        if (periodic != null) {
          periodic.remove(task);
        }
      }
    }

    /**
     * The executor ended: nothing is retained any more, and nothing will be; its periodic tasks end
     * with it unless its pool keeps running them after shutdown. Idempotent: a shutdown call ends
     * it at once and the next poll, seeing it shut down, ends it again.
     */
    void end() {
      int n;
      List<TrackedTask<?>> stopped = List.of();
      synchronized (this) {
        if (finished) {
          return;
        }
        finished = true;
        n = retained;
        retained = 0;
        ended = true;
        deadlines = new long[0];
        if (periodic != null) {
          if (dropsPeriodic(ref.get())) {
            stopped = new ArrayList<>(periodic.keySet());
          }
          periodic = null;
        }
      }
      counter.retained(-n);
      counter.end(stamp, TimerEnd.SHUT_DOWN);
      for (TrackedTask<?> t : stopped) {
        t.end(TimerEnd.SHUT_DOWN);
      }
    }

    synchronized int retained() {
      return retained;
    }

    private void push(long d) {
      if (retained == deadlines.length) {
        deadlines = Arrays.copyOf(deadlines, Math.max(16, retained * 2));
      }
      int i = retained++;
      deadlines[i] = d;
      siftUp(i);
    }

    private boolean removeValue(long d) {
      for (int i = 0; i < retained; i++) {
        if (deadlines[i] == d) {
          removeAt(i);
          return true;
        }
      }
      return false;
    }

    private void removeAt(int i) {
      int last = --retained;
      if (i != last) {
        deadlines[i] = deadlines[last];
        siftDown(i);
        siftUp(i);
      }
      // give back what a burst of cancels grew, once it has drained (the heap is a prefix)
      if (deadlines.length > 64 && retained < deadlines.length / 4) {
        deadlines = Arrays.copyOf(deadlines, Math.max(16, deadlines.length / 2));
      }
    }

    private void siftUp(int i) {
      long d = deadlines[i];
      while (i > 0) {
        int parent = (i - 1) >>> 1;
        if (deadlines[parent] - d <= 0) {
          break;
        }
        deadlines[i] = deadlines[parent];
        i = parent;
      }
      deadlines[i] = d;
    }

    private void siftDown(int i) {
      long d = deadlines[i];
      int half = retained >>> 1;
      while (i < half) {
        int child = 2 * i + 1;
        if (child + 1 < retained && deadlines[child + 1] - deadlines[child] < 0) {
          child++;
        }
        if (d - deadlines[child] <= 0) {
          break;
        }
        deadlines[i] = deadlines[child];
        i = child;
      }
      deadlines[i] = d;
    }
  }

  /** The last executor an instrumented schedule call used, and its entry. */
  private static final class Last {
    final WeakReference<Object> executor;
    final Entry entry;

    Last(Object executor, Entry entry) {
      this.executor = new WeakReference<>(executor);
      this.entry = entry;
    }
  }

  private static final ConcurrentLinkedQueue<Entry> ENTRIES = new ConcurrentLinkedQueue<>();
  private static final AtomicInteger SIZE = new AtomicInteger();
  private static final Map<Object, Entry> KNOWN = Collections.synchronizedMap(new WeakHashMap<>());
  private static volatile Last last = new Last(null, null);

  /** Sites whose queued gauge the last poll set; guarded by the class (poll is serialized). */
  private static Map<SiteCounter, Long> queuedBySite = new HashMap<>();

  private static volatile Field delegateField;
  private static volatile boolean delegateFieldFailed;
  private static volatile LongSupplier clock = System::nanoTime;

  private ExecutorTracker() {}

  /** Replaces the clock deadlines are compared with ({@code System::nanoTime}). For tests only. */
  public static void useClockForTests(LongSupplier c) {
    clock = Objects.requireNonNull(c, "c");
  }

  /** Records an executor created at the site of {@code counter}. */
  public static void created(Object executor, SiteCounter counter) {
    register(executor, counter, false);
  }

  private static Entry register(Object executor, SiteCounter counter, boolean scan) {
    if (executor == null) {
      return null;
    }
    executor = identity(executor);
    synchronized (KNOWN) {
      Entry known = KNOWN.get(executor);
      if (known != null) {
        return known; // e.g. a wrapper returned by an instrumented factory of an instrumented
        // factory
      }
      Entry e = new Entry(executor, counter, counter.start(0));
      KNOWN.put(executor, e);
      if (SIZE.incrementAndGet() <= MAX_TRACKED) {
        if (scan) {
          synchronized (e) {
            e.countedBeforeScan = Collections.newSetFromMap(new IdentityHashMap<>());
          }
          e.scan = true;
        }
        ENTRIES.add(e);
      } else {
        SIZE.decrementAndGet();
        synchronized (e) {
          e.ended = true; // not sampled: its retained tasks would never expire
        }
      }
      return e;
    }
  }

  /**
   * Notes that an instrumented schedule call at {@code scheduleSite} used {@code executor};
   * registers it if the agent has not seen it (created before the agent loaded, or by code the
   * agent does not instrument). One volatile read when the executor is the last one seen.
   *
   * @return the executor's entry, which the agent's future reports cancels to
   */
  static Entry seen(Object executor, SiteCounter scheduleSite) {
    Last l = last;
    if (l.executor.get() == executor && executor != null) {
      return l.entry;
    }
    Entry e;
    Object id = identity(executor);
    synchronized (KNOWN) {
      e = KNOWN.get(id);
    }
    if (e == null) {
      CallSite s = scheduleSite.site();
      CallSite site =
          CallSite.of(
              CallSite.Kind.EXECUTOR,
              s.className(),
              s.methodName() + " [executor first used here]",
              s.fileName(),
              s.line());
      e = register(executor, Hooks.registry().register(site), true);
    }
    last = new Last(executor, e);
    return e;
  }

  /** {@code pool} was purged through an instrumented call: its retained tasks are gone. */
  static void purged(Object pool) {
    Entry e;
    synchronized (KNOWN) {
      e = KNOWN.get(identity(pool));
    }
    if (e != null) {
      e.purged();
    }
  }

  /**
   * {@code executor} was shut down through an instrumented call: it ends now, not at the next poll
   * (which then drops it from sampling). Works for executors beyond {@link #MAX_TRACKED} too.
   */
  static void shutDown(Object executor) {
    Entry e;
    synchronized (KNOWN) {
      e = KNOWN.get(identity(executor));
    }
    if (e != null) {
      e.end();
    }
  }

  /**
   * Whether an executor that has ended drops its periodic tasks: always when it was collected (or
   * is not an executor the agent can ask), otherwise unless it is a {@code
   * ScheduledThreadPoolExecutor} told to continue them after shutdown and not yet terminated (its
   * periodic tasks then end when cancelled or handed back by {@code shutdownNow}).
   */
  static boolean dropsPeriodic(Object ex) {
    if (ex instanceof ScheduledThreadPoolExecutor) {
      ScheduledThreadPoolExecutor p = (ScheduledThreadPoolExecutor) ex;
      return !p.getContinueExistingPeriodicTasksAfterShutdownPolicy() || p.isTerminated();
    }
    return true;
  }

  /** Marks a {@code java.util.Timer} (or executor) ended now, e.g. on {@code Timer.cancel()}. */
  public static synchronized void ended(Object executor) {
    Entry e;
    synchronized (KNOWN) {
      e = KNOWN.remove(identity(executor));
    }
    if (e != null && ENTRIES.remove(e)) {
      SIZE.decrementAndGet();
      e.end();
    }
  }

  /**
   * Samples every tracked executor: ends those shut down or collected, drops retained tasks that
   * are due, and sets each executor site's queued gauge to the sum of its executors' queue sizes
   * (zero for a site none of whose executors is sampled any more). Cost: one {@code size()} call
   * per live executor (O(1) for the JDK's queues), plus the one-time walk of a queue of an executor
   * created before the agent.
   */
  public static synchronized void poll() {
    Map<SiteCounter, Long> queues = new HashMap<>();
    long now = clock.getAsLong();
    for (Iterator<Entry> it = ENTRIES.iterator(); it.hasNext(); ) {
      Entry e = it.next();
      Object ex = e.ref.get();
      boolean gone;
      try {
        gone = ex == null || (ex instanceof ExecutorService && ((ExecutorService) ex).isShutdown());
      } catch (RuntimeException | Error userCode) {
        // a subclass's isShutdown() threw: this executor cannot be sampled; the others can
        HookGuard.fail(HookGuard.EXECUTOR, userCode);
        gone = true;
      }
      if (gone) {
        it.remove();
        SIZE.decrementAndGet();
        if (ex != null) {
          KNOWN.remove(ex);
        }
        e.end();
        continue;
      }
      ThreadPoolExecutor pool = pool(ex);
      if (pool == null) {
        continue;
      }
      if (e.scan) {
        e.scan = false;
        scanOnce(e, pool, now);
      }
      e.expire(now);
      long size = pool.getQueue().size();
      e.queue = size;
      queues.merge(e.counter, size, Long::sum);
    }
    for (SiteCounter c : queuedBySite.keySet()) {
      if (!queues.containsKey(c)) {
        c.queued(0);
      }
    }
    for (Map.Entry<SiteCounter, Long> q : queues.entrySet()) {
      q.getKey().queued(q.getValue());
    }
    queuedBySite = queues;
  }

  /**
   * Counts the cancelled tasks already queued in a pool created before the agent loaded (the agent
   * saw none of their cancels), each retained until its deadline. The tasks whose cancel the agent
   * counted since it registered the pool are left out.
   */
  private static void scanOnce(Entry e, ThreadPoolExecutor pool, long now) {
    // walked without the entry's lock: cancels through the agent's future go on meanwhile
    List<Delayed> cancelled = new ArrayList<>();
    for (Runnable r : pool.getQueue()) {
      if (r instanceof Delayed && ((Future<?>) r).isCancelled() && !agentTask(r)) {
        cancelled.add((Delayed) r);
      }
    }
    int n = 0;
    synchronized (e) {
      Set<Object> counted = e.countedBeforeScan;
      e.countedBeforeScan = null;
      if (e.ended || counted == null) {
        return;
      }
      for (Delayed d : cancelled) {
        long delay = d.getDelay(TimeUnit.NANOSECONDS);
        if (delay > 0 && !counted.contains(d)) {
          e.push(now + delay);
          n++;
        }
      }
    }
    if (n > 0) {
      e.counter.retained(n);
    }
  }

  /**
   * Whether a queued task is one of the agent's: its cancel is counted by the agent's future (now,
   * or in a moment if that cancel is racing this scan), never by the scan. Without reflective
   * access the set of cancels counted since registration decides instead.
   */
  private static boolean agentTask(Runnable queued) {
    try {
      return ShutdownTracking.unwrap(queued) != null;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return false;
    }
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
        while (c != null
            && !c.getName().equals("java.util.concurrent.Executors$DelegatedExecutorService")) {
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
