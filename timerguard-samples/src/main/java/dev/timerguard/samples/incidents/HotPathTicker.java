package dev.timerguard.samples.incidents;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Incident 4, "The Ticker Inside a Hot Path": a metrics recorder starts its periodic flusher lazily
 * on first use, with an unsynchronized {@code if (flusher == null)} check. Requests that arrive
 * together all pass the check and each starts a flusher: a thread and a periodic timer apiece, of
 * which {@code close()} stops only the last one assigned.
 *
 * <p>Fix: start exactly once (double-checked locking on a volatile field, the JVM's {@code
 * sync.Once}) and stop it on close.
 */
public final class HotPathTicker extends BaseIncident {

  /** Request threads that hit a fresh recorder at the same moment. */
  static final int BURST = 4;

  public HotPathTicker() {
    super(
        4,
        "Ticker in a hot path: racy lazy flusher",
        "if m.lastFlush.IsZero() { m.startFlusher() } // time.NewTicker + goroutine,"
            + " unsynchronized",
        "concurrent first calls all see flusher == null and each starts a flusher thread + periodic"
            + " timer; close() stops only one",
        "start the flusher exactly once (volatile + double-checked lock) and stop it on close",
        "live flusher threads",
        120);
  }

  /** The leaky recorder. Meant to be thread-safe; it is not. */
  public static final class LeakyMetrics implements AutoCloseable {
    private final FaultSites faults;
    private final Queue<Double> buffer = new ConcurrentLinkedQueue<>();
    private ScheduledExecutorService flusher; // racy: plain field, check-then-act

    public LeakyMetrics(FaultSites faults) {
      this.faults = faults;
    }

    public void record(String name, double value) {
      if (flusher == null) {
        startFlusher(); // many threads get here at once
      }
      buffer.add(value);
    }

    private void startFlusher() {
      ScheduledExecutorService f = faults.mark(Executors.newSingleThreadScheduledExecutor());
      f.scheduleAtFixedRate(this::flush, 1, 1, TimeUnit.SECONDS);
      flusher = f;
    }

    private void flush() {
      buffer.clear();
    }

    @Override
    public void close() {
      ScheduledExecutorService f = flusher;
      if (f != null) {
        f.shutdownNow(); // stops the last flusher assigned; the others run on
      }
    }
  }

  /** The fixed recorder: one flusher per recorder, stopped on close. Thread-safe. */
  public static final class FixedMetrics implements AutoCloseable {
    private final FaultSites faults;
    private final Queue<Double> buffer = new ConcurrentLinkedQueue<>();
    private final Object lock = new Object();
    private volatile ScheduledExecutorService flusher;

    public FixedMetrics(FaultSites faults) {
      this.faults = faults;
    }

    public void record(String name, double value) {
      if (flusher == null) {
        synchronized (lock) {
          if (flusher == null) { // the fix: exactly once
            ScheduledExecutorService f = faults.mark(Executors.newSingleThreadScheduledExecutor());
            f.scheduleAtFixedRate(this::flush, 1, 1, TimeUnit.SECONDS);
            flusher = f;
          }
        }
      }
      buffer.add(value);
    }

    private void flush() {
      buffer.clear();
    }

    @Override
    public void close() {
      synchronized (lock) {
        if (flusher != null) {
          flusher.shutdownNow();
        }
      }
    }
  }

  /** Hits each fresh recorder with {@link #BURST} simultaneous first requests, then closes it. */
  private static void drive(
      Run run,
      java.util.function.Supplier<AutoCloseable> recorders,
      java.util.function.BiConsumer<AutoCloseable, Integer> record)
      throws Exception {
    ExecutorService requests = Executors.newFixedThreadPool(BURST, Run.harnessThreads());
    run.onCleanup(requests::shutdownNow);
    run.signal(run::liveExecutors);
    run.liveTimers(run::liveExecutors); // each flusher still running holds one periodic timer
    for (int i = 0; i < run.operations; i++) {
      AutoCloseable m = recorders.get();
      CountDownLatch ready = new CountDownLatch(BURST);
      CountDownLatch go = new CountDownLatch(1);
      CountDownLatch done = new CountDownLatch(BURST);
      for (int k = 0; k < BURST; k++) {
        int value = k;
        requests.execute(
            () -> {
              ready.countDown();
              try {
                go.await();
                record.accept(m, value);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } finally {
                done.countDown();
              }
            });
      }
      ready.await();
      go.countDown();
      done.await();
      m.close();
      run.step();
    }
    run.counter("flushers started").set(run.faults().marks());
  }

  @Override
  void leaky(Run run) throws Exception {
    drive(
        run,
        () -> new LeakyMetrics(run.faults()),
        (m, v) -> ((LeakyMetrics) m).record("latency", v));
  }

  @Override
  void fixed(Run run) throws Exception {
    drive(
        run,
        () -> new FixedMetrics(run.faults()),
        (m, v) -> ((FixedMetrics) m).record("latency", v));
  }
}
