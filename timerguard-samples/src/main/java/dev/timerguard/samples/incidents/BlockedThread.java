package dev.timerguard.samples.incidents;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The classic goroutine leak (a goroutine waiting on a channel no path sends on), on threads: a
 * request handler starts a thread that waits for the request's result on a queue, then returns
 * early on a cache hit without ever feeding that queue. The thread waits forever. Reproduced with
 * platform threads, and with virtual threads on Java 21+ (created reflectively so this code
 * compiles for release 17; on 17 the virtual half is skipped with a note).
 *
 * <p>Fix: every path out of the handler feeds the queue (the JVM's "close the channel"), so the
 * waiting thread always wakes and ends.
 */
public final class BlockedThread extends BaseIncident {

  /** Virtual threads per platform thread in the workload: they are cheap, so leak more of them. */
  static final int VIRTUAL_PER_PLATFORM = 10;

  static final String NO_RESULT = "";

  /** Counter: virtual threads still blocked. */
  public static final String VIRTUAL = "virtual threads blocked";

  /** Counter: platform threads still blocked. */
  public static final String PLATFORM = "platform threads blocked";

  public BlockedThread() {
    super(
        10,
        "Thread blocked on a queue nobody feeds",
        "go func() { val := <-ch }() // nobody ever sends on ch",
        "a per-request thread waits for a result on a queue; the early-return path never feeds it,"
            + " so the thread (platform or virtual) blocks forever",
        "feed the queue on every path out of the handler (finally), so the waiter always ends",
        "blocked threads",
        300);
  }

  /**
   * Creates unstarted virtual threads via {@code Thread.ofVirtual().unstarted(r)}, or returns
   * {@code null} on a JVM without virtual threads (Java 17).
   */
  static Function<Runnable, Thread> virtualThreads() {
    try {
      Method ofVirtual = Thread.class.getMethod("ofVirtual");
      Object builder = ofVirtual.invoke(null);
      Method unstarted =
          Class.forName("java.lang.Thread$Builder").getMethod("unstarted", Runnable.class);
      return r -> {
        try {
          return (Thread) unstarted.invoke(builder, r);
        } catch (IllegalAccessException | InvocationTargetException e) {
          throw new IllegalStateException("cannot create a virtual thread", e);
        }
      };
    } catch (NoSuchMethodException | ClassNotFoundException e) {
      return null;
    } catch (IllegalAccessException | InvocationTargetException e) {
      throw new IllegalStateException("cannot create a virtual thread builder", e);
    }
  }

  static Function<Runnable, Thread> platformThreads() {
    return r -> {
      Thread t = new Thread(r, "result-auditor");
      t.setDaemon(true);
      return t;
    };
  }

  /** The leaky handler. Thread-safe. */
  public static final class LeakyHandler {
    private final Function<Runnable, Thread> threads;
    private final FaultSites faults;
    private final AtomicLong audited = new AtomicLong();

    public LeakyHandler(Function<Runnable, Thread> threads, FaultSites faults) {
      this.threads = threads;
      this.faults = faults;
    }

    public String handle(String request) {
      BlockingQueue<String> result = new ArrayBlockingQueue<>(1);
      Thread auditor = faults.mark(threads.apply(() -> audit(result))); // waits for the result
      auditor.start();
      if (request.startsWith("cached:")) {
        return "hit"; // early return: nobody will ever feed `result`
      }
      String r = "computed " + request;
      result.offer(r);
      return r;
    }

    private void audit(BlockingQueue<String> result) {
      if (Run.take(result) != null) {
        audited.incrementAndGet();
      }
    }
  }

  /** The fixed handler: the auditor is fed on every path. Thread-safe. */
  public static final class FixedHandler {
    private final Function<Runnable, Thread> threads;
    private final FaultSites faults;
    private final AtomicLong audited = new AtomicLong();

    public FixedHandler(Function<Runnable, Thread> threads, FaultSites faults) {
      this.threads = threads;
      this.faults = faults;
    }

    public String handle(String request) {
      BlockingQueue<String> result = new ArrayBlockingQueue<>(1);
      Thread auditor = faults.mark(threads.apply(() -> audit(result)));
      auditor.start();
      String r = NO_RESULT;
      try {
        if (request.startsWith("cached:")) {
          return "hit";
        }
        r = "computed " + request;
        return r;
      } finally {
        result.offer(r); // the fix: every path wakes the auditor
      }
    }

    private void audit(BlockingQueue<String> result) {
      String r = Run.take(result);
      if (r != null && !r.equals(NO_RESULT)) {
        audited.incrementAndGet();
      }
    }
  }

  private static String request(int i) {
    return (i % 10 == 0 ? "GET /item/" : "cached:/item/") + i; // nine in ten are cache hits
  }

  private void drive(
      Run run, Function<Function<Runnable, Thread>, Function<String, String>> handler) {
    run.signal(run::blockedTracked); // blocked, not merely started: a backlog is not a leak
    Function<String, String> platform = handler.apply(platformThreads());
    Function<Runnable, Thread> vt = virtualThreads();
    Function<String, String> virtual = vt == null ? null : handler.apply(vt);
    if (virtual == null) {
      run.skip(
          "virtual threads need Java 21+ (running on Java "
              + Runtime.version().feature()
              + "): platform threads only");
    }
    int platformCount = 0;
    for (int i = 0; i < run.operations; i++) {
      platform.apply(request(i));
      platformCount++;
      if (virtual != null) {
        for (int k = 0; k < VIRTUAL_PER_PLATFORM; k++) {
          virtual.apply(request(i * VIRTUAL_PER_PLATFORM + k));
        }
      }
      run.step();
    }
    run.awaitTrackedSettled();
    long vAlive = 0;
    long pAlive = 0;
    for (Thread t : run.trackedThreads()) {
      if (t.isAlive()) {
        if (isVirtual(t)) {
          vAlive++;
        } else {
          pAlive++;
        }
      }
    }
    run.counter(PLATFORM).set(pAlive);
    if (virtual != null) {
      run.counter(VIRTUAL).set(vAlive);
    }
  }

  static boolean isVirtual(Thread t) {
    try {
      return (Boolean) Thread.class.getMethod("isVirtual").invoke(t);
    } catch (ReflectiveOperationException e) {
      return false;
    }
  }

  @Override
  void leaky(Run run) {
    drive(run, threads -> new LeakyHandler(threads, run.faults())::handle);
  }

  @Override
  void fixed(Run run) {
    drive(run, threads -> new FixedHandler(threads, run.faults())::handle);
  }
}
