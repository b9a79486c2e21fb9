package dev.timerguard.junit.samples;

import dev.timerguard.live.CallSite;
import dev.timerguard.live.internal.SiteCounter;
import dev.timerguard.live.internal.SiteRegistry;
import dev.timerguard.live.internal.ThreadSites;
import dev.timerguard.live.internal.TimerEnd;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Leaks for the sample classes, each one undone by {@link #releaseAll()} (called by the real tests
 * after every run) so that samples never leave anything behind in the build's JVM.
 *
 * <p>Timers are simulated the way the safe timer API and the agent count them: a call site
 * registered in {@link SiteRegistry#global()} and {@link SiteCounter#start(long)} without an end.
 */
public final class Leaks {

  private static final List<Thread> THREADS = new ArrayList<>();
  private static final List<Runnable> UNDO = new ArrayList<>();

  private Leaks() {}

  /** Starts a platform thread that sleeps until released. */
  public static Thread sleepingThread(String name) {
    return settled(
        start(new Thread(Leaks::sleepUntilInterrupted, name)), Thread.State.TIMED_WAITING);
  }

  /** Starts a platform thread that parks until released (top frame: Unsafe.park). */
  public static Thread parkedThread(String name) {
    return settled(
        start(
            new Thread(
                () -> {
                  while (!Thread.currentThread().isInterrupted()) {
                    LockSupport.park();
                  }
                },
                name)),
        Thread.State.WAITING);
  }

  /** Starts a platform thread whose stack contains {@link #backgroundPoller()}. */
  public static Thread pollerThread(String name) {
    return settled(start(new Thread(Leaks::backgroundPoller, name)), Thread.State.TIMED_WAITING);
  }

  /** A method that shows up in a thread's stack, for any-frame ignore rules. */
  public static void backgroundPoller() {
    sleepUntilInterrupted();
  }

  /** Starts a thread that ends by itself after {@code millis}. */
  public static Thread shortLivedThread(String name, long millis) {
    return start(
        new Thread(
            () -> {
              try {
                Thread.sleep(millis);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            name));
  }

  /** Starts a virtual thread (JDK 21+) that sleeps until released; reflective: compiled for 17. */
  public static Thread virtualThread(String name) {
    try {
      Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
      Class<?> builderType = Class.forName("java.lang.Thread$Builder");
      builder = builderType.getMethod("name", String.class).invoke(builder, name);
      Thread t =
          (Thread)
              builderType
                  .getMethod("start", Runnable.class)
                  .invoke(builder, (Runnable) Leaks::sleepUntilInterrupted);
      synchronized (THREADS) {
        THREADS.add(t);
      }
      return settled(t, Thread.State.TIMED_WAITING);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("virtual threads need JDK 21+", e);
    }
  }

  /**
   * Creates a fixed pool of {@code threads} named {@code name-N}, starts all its threads with
   * sleeping tasks that end at once, and never shuts it down (undone by {@link #releaseAll()}).
   */
  public static java.util.concurrent.ExecutorService pool(String name, int threads) {
    java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.ThreadPoolExecutor pool =
        new java.util.concurrent.ThreadPoolExecutor(
            threads,
            threads,
            1,
            java.util.concurrent.TimeUnit.HOURS,
            new java.util.concurrent.LinkedBlockingQueue<>(),
            r -> new Thread(r, name + "-" + n.incrementAndGet()));
    pool.prestartAllCoreThreads();
    synchronized (THREADS) {
      UNDO.add(pool::shutdownNow);
    }
    return pool;
  }

  /** Starts a {@link java.util.Timer} with a thread of that name and never cancels it. */
  public static java.util.Timer utilTimer(String name) {
    java.util.Timer t = new java.util.Timer(name, true);
    t.schedule(
        new java.util.TimerTask() {
          @Override
          public void run() {}
        },
        3_600_000L);
    synchronized (THREADS) {
      UNDO.add(t::cancel);
    }
    return t;
  }

  /** Creates a TimerGuard timer at the caller's site and never ends it. */
  public static void timer() {
    live(CallSite.Kind.TIMER, StackWalker.getInstance().walk(s -> s.skip(1).findFirst()).get());
  }

  /** Counts an executor at the caller's site that is never shut down, as the agent would. */
  public static void executor() {
    live(CallSite.Kind.EXECUTOR, StackWalker.getInstance().walk(s -> s.skip(1).findFirst()).get());
  }

  /** Starts a platform thread and records its creation site as the agent would. */
  public static Thread threadWithOrigin(String name) {
    StackWalker.StackFrame caller =
        StackWalker.getInstance().walk(s -> s.skip(1).findFirst()).get();
    Thread t = new Thread(Leaks::sleepUntilInterrupted, name);
    CallSite site = CallSite.of(CallSite.Kind.THREAD, caller);
    ThreadSites.record(t, site);
    SiteCounter c = SiteRegistry.global().register(site);
    long stamp = c.start(0);
    synchronized (THREADS) {
      UNDO.add(() -> c.end(stamp, TimerEnd.TERMINATED));
    }
    return settled(start(t), Thread.State.TIMED_WAITING);
  }

  /** Creates and, after {@code millis}, fires a timer at the caller's site. */
  public static void timerFiringAfter(long millis) {
    StackWalker.StackFrame caller =
        StackWalker.getInstance().walk(s -> s.skip(1).findFirst()).get();
    SiteCounter c = SiteRegistry.global().register(CallSite.of(CallSite.Kind.TIMER, caller));
    long stamp = c.start(0);
    Thread t =
        new Thread(
            () -> {
              try {
                Thread.sleep(millis);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              c.end(stamp, TimerEnd.FIRED);
            },
            "timer-wheel-sim");
    t.setDaemon(true);
    t.start();
  }

  private static void live(CallSite.Kind kind, StackWalker.StackFrame caller) {
    SiteCounter c = SiteRegistry.global().register(CallSite.of(kind, caller));
    long stamp = c.start(0);
    TimerEnd undo = kind == CallSite.Kind.EXECUTOR ? TimerEnd.SHUT_DOWN : TimerEnd.CANCELLED;
    synchronized (THREADS) {
      UNDO.add(() -> c.end(stamp, undo));
    }
  }

  /**
   * Waits (up to 10 s) until {@code t} has reached the blocking call it will stay in, so that state
   * and stack in a report do not depend on scheduling.
   */
  private static Thread settled(Thread t, Thread.State state) {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (t.getState() != state && System.nanoTime() - deadline < 0) {
      Thread.onSpinWait();
      Thread.yield();
    }
    return t;
  }

  private static Thread start(Thread t) {
    synchronized (THREADS) {
      THREADS.add(t);
    }
    t.start();
    return t;
  }

  private static void sleepUntilInterrupted() {
    try {
      Thread.sleep(Long.MAX_VALUE);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Ends every leak made so far: interrupts and joins the threads, ends the timers. */
  public static void releaseAll() throws InterruptedException {
    List<Thread> ts;
    List<Runnable> undo;
    synchronized (THREADS) {
      ts = new ArrayList<>(THREADS);
      undo = new ArrayList<>(UNDO);
      THREADS.clear();
      UNDO.clear();
    }
    for (Thread t : ts) {
      t.interrupt();
      LockSupport.unpark(t);
    }
    for (Thread t : ts) {
      t.join(5_000);
    }
    undo.forEach(Runnable::run);
  }
}
