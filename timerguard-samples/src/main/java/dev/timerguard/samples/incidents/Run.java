package dev.timerguard.samples.incidents;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Timer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The measuring harness around one variant run: hands the variant its schedulers, records the
 * suspect calls it marks, samples its leak signal, and releases whatever it left behind.
 *
 * <p>What a variant marks with {@link #faults()} is also taken care of: marked executors and {@link
 * Timer}s are shut down and cancelled at the end of the run (the leaky code lost them, the harness
 * did not), marked threads are counted and interrupted, marked {@link CompletableFuture}s count as
 * pending timeouts until they complete. Not thread-safe except {@link #step()}, the counters and
 * the marks, which workload threads may call concurrently.
 */
final class Run {

  /** Prefix of the harness's own scheduler threads, which are not counted as leaked threads. */
  static final String HARNESS_THREAD_PREFIX = "tg-harness-";

  private static final AtomicInteger THREAD_IDS = new AtomicInteger();
  private static final int SAMPLES = 24;

  final Variant variant;
  final int operations;
  private final FaultSites faults;
  private final long stride;
  private final AtomicLong steps = new AtomicLong();
  private final List<ThreadPoolExecutor> observed = new ArrayList<>();
  private final List<Runnable> cleanup = Collections.synchronizedList(new ArrayList<>());
  private final List<Thread> tracked = Collections.synchronizedList(new ArrayList<>());
  private final AtomicLong pendingFutures = new AtomicLong();
  private final List<ExecutorService> executors = Collections.synchronizedList(new ArrayList<>());
  private final AtomicLong utilTimers = new AtomicLong();
  private final List<LongSupplier> extraLive = new ArrayList<>();
  private final Map<String, AtomicLong> counters =
      Collections.synchronizedMap(new LinkedHashMap<>());
  private final List<long[]> samples = new ArrayList<>();
  private LongSupplier signal;
  private long[] timersMeasured;
  private long signalMeasured;
  private String skipped;

  Run(Variant variant, int operations) {
    this.variant = variant;
    this.operations = operations;
    this.stride = Math.max(1, operations / SAMPLES);
    this.faults = new FaultSites(dev.timerguard.live.CallSite.Kind.TIMER, this::marked);
  }

  /** The recorder the variant marks its suspect calls with. */
  FaultSites faults() {
    return faults;
  }

  /**
   * A scheduler as {@code Executors.newScheduledThreadPool(1)} makes it (default policies:
   * cancelled tasks stay queued), observed by the harness and shut down after the run.
   */
  ScheduledThreadPoolExecutor scheduler() {
    ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, harnessThreads());
    observed.add(s);
    cleanup.add(s::shutdownNow);
    return s;
  }

  static ThreadFactory harnessThreads() {
    return r -> {
      Thread t = new Thread(r, HARNESS_THREAD_PREFIX + THREAD_IDS.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  private dev.timerguard.Timers timers;

  /**
   * A TimerGuard {@link dev.timerguard.Timers} instance for a fixed variant, on a harness thread,
   * counting in {@link dev.timerguard.live.LiveRegistry#global()}. Its live timers count as live
   * timers of the run; it is closed after the run.
   */
  dev.timerguard.Timers timers() {
    if (timers == null) {
      ScheduledThreadPoolExecutor engine = new ScheduledThreadPoolExecutor(1, harnessThreads());
      engine.setRemoveOnCancelPolicy(true);
      dev.timerguard.Timers t =
          dev.timerguard.Timers.builder()
              .name("incident-" + variant.label())
              .engine(engine)
              .build();
      timers = t;
      liveTimers(t::liveCount);
      cleanup.add(t::closeNow);
    }
    return timers;
  }

  /** Counts {@code supplier} as additional live timers at measurement time. */
  void liveTimers(LongSupplier supplier) {
    extraLive.add(supplier);
  }

  /** Sets the leak signal that {@link #step()} samples. */
  void signal(LongSupplier supplier) {
    this.signal = supplier;
  }

  /** Registers work to do after the run, e.g. stopping a service. */
  void onCleanup(Runnable r) {
    cleanup.add(r);
  }

  /** An incident-specific counter, created at zero on first use. */
  AtomicLong counter(String name) {
    return counters.computeIfAbsent(name, k -> new AtomicLong());
  }

  /** Marks the variant as not runnable here (e.g. virtual threads on Java 17). */
  void skip(String reason) {
    this.skipped = reason;
  }

  String skipped() {
    return skipped;
  }

  /** One operation done; samples the signal every {@code operations / 24} operations. */
  void step() {
    long n = steps.incrementAndGet();
    if (n % stride == 0) {
      sample();
    }
  }

  /** Samples the signal now. */
  void sample() {
    LongSupplier s = signal;
    if (s == null) {
      return;
    }
    long v = s.getAsLong();
    long t = System.nanoTime();
    synchronized (samples) {
      samples.add(new long[] {t, v});
    }
  }

  List<long[]> samples() {
    synchronized (samples) {
      return new ArrayList<>(samples);
    }
  }

  long signalNow() {
    return signal == null ? 0 : signal.getAsLong();
  }

  Map<String, Long> counters() {
    Map<String, Long> out = new LinkedHashMap<>();
    synchronized (counters) {
      counters.forEach((k, v) -> out.put(k, v.get()));
    }
    return out;
  }

  /** Live timers and retained cancelled tasks now: {@code {live, retained}}. */
  long[] timerCounts() {
    long live = pendingFutures.get();
    long retained = 0;
    for (ThreadPoolExecutor e : observed) {
      for (Runnable r : e.getQueue().toArray(new Runnable[0])) {
        if (r instanceof Future && ((Future<?>) r).isCancelled()) {
          retained++;
        } else {
          live++;
        }
      }
    }
    for (LongSupplier s : extraLive) {
      live += s.getAsLong();
    }
    return new long[] {live, retained};
  }

  /** Freezes the timer counts now (for variants whose timers fire before the run ends). */
  void measureTimersNow() {
    timersMeasured = timerCounts();
    sample();
    signalMeasured = signalNow();
  }

  /** True once {@link #measureTimersNow()} froze the counts. */
  boolean measured() {
    return timersMeasured != null;
  }

  /** The signal as frozen by {@link #measureTimersNow()}, else its value now. */
  long measuredSignal() {
    return timersMeasured != null ? signalMeasured : signalNow();
  }

  long[] measuredTimers() {
    return timersMeasured != null ? timersMeasured : timerCounts();
  }

  /** Marked threads still alive. */
  List<Thread> trackedThreads() {
    synchronized (tracked) {
      return new ArrayList<>(tracked);
    }
  }

  private void marked(Object value) {
    if (value instanceof CompletableFuture) {
      CompletableFuture<?> f = (CompletableFuture<?>) value;
      if (!f.isDone()) {
        pendingFutures.incrementAndGet();
        f.whenComplete((v, e) -> pendingFutures.decrementAndGet());
      }
    } else if (value instanceof ExecutorService) {
      ExecutorService e = (ExecutorService) value;
      executors.add(e);
      cleanup.add(e::shutdownNow);
    } else if (value instanceof Timer) {
      Timer t = (Timer) value;
      utilTimers.incrementAndGet();
      cleanup.add(t::cancel);
    } else if (value instanceof Thread) {
      tracked.add((Thread) value);
    }
  }

  /** Marked executors not yet shut down. */
  long liveExecutors() {
    long n = 0;
    synchronized (executors) {
      for (ExecutorService e : executors) {
        if (!e.isShutdown()) {
          n++;
        }
      }
    }
    return n;
  }

  /** Marked {@link Timer}s (each owns a thread until cancelled, or collected with no task left). */
  long utilTimers() {
    return utilTimers.get();
  }

  /**
   * Marked threads parked in a wait (state {@code WAITING} or {@code TIMED_WAITING}): blocked, as
   * opposed to started and about to finish.
   */
  long blockedTracked() {
    long n = 0;
    for (Thread t : trackedThreads()) {
      Thread.State st = t.getState();
      if (st == Thread.State.WAITING || st == Thread.State.TIMED_WAITING) {
        n++;
      }
    }
    return n;
  }

  /** Marked threads still alive. */
  long liveTracked() {
    long n = 0;
    for (Thread t : trackedThreads()) {
      if (t.isAlive()) {
        n++;
      }
    }
    return n;
  }

  /**
   * Waits until the marked threads still alive stop ending (none left, or the same number for 250
   * ms; at most 3 s), and returns that number.
   */
  long awaitTrackedSettled() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
    long last = -1;
    int stable = 0;
    while (true) {
      long n = liveTracked();
      if (n == 0 || System.nanoTime() > deadline) {
        return n;
      }
      stable = n == last ? stable + 1 : 0;
      if (stable >= 10) {
        return n;
      }
      last = n;
      java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(25));
    }
  }

  /** Pending timeouts of marked {@link CompletableFuture}s. */
  long pendingFutures() {
    return pendingFutures.get();
  }

  /** Releases everything: runs cleanups, interrupts marked threads, waits briefly for them. */
  void close() {
    List<Runnable> todo;
    synchronized (cleanup) {
      todo = new ArrayList<>(cleanup);
      cleanup.clear();
    }
    for (Runnable r : todo) {
      try {
        r.run();
      } catch (RuntimeException e) {
        // cleanup is best effort; a failing cleanup must not hide the others
      }
    }
    for (Thread t : trackedThreads()) {
      t.interrupt();
    }
    for (ThreadPoolExecutor e : observed) {
      try {
        e.awaitTermination(2, TimeUnit.SECONDS);
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Takes an element or returns null when interrupted (for workload loops). */
  static <T> T take(BlockingQueue<T> q) {
    try {
      return q.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
