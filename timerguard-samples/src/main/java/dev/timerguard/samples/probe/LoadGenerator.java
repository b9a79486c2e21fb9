package dev.timerguard.samples.probe;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Drives an operation at a target rate from a few worker threads: a synthetic workload for leak
 * tests, which must not itself create a timer per operation.
 *
 * <p>Each worker runs the operation, then waits for its next slot: {@code workers / rate} seconds
 * plus up to 10% jitter, measured from the previous slot so a slow operation does not lower the
 * rate. Like the original, the generator must not leak what it measures: it allocates no timer per
 * operation (a worker parks until a deadline it keeps in a local variable). With an unlimited rate
 * the workers run the operation back to back.
 *
 * <p>An operation that throws is counted in {@link #failures()} and the worker carries on. Workers
 * are daemon threads named {@code tg-load-N}; {@link #stop} interrupts them and waits a bounded
 * time for them to end. Thread-safe. A generator runs once: start, stop, done.
 */
public final class LoadGenerator implements AutoCloseable {

  private static final AtomicInteger IDS = new AtomicInteger();

  private final Runnable operation;
  private final double rate;
  private final int workers;
  private final AtomicLong operations = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean running;
  private boolean started;

  /**
   * A generator of {@code rate} operations per second over {@code workers} threads.
   *
   * @param operation one operation; called concurrently from all workers
   * @param rate operations per second over all workers; {@link Double#POSITIVE_INFINITY} for no
   *     limit
   * @param workers worker threads, at least 1
   * @throws NullPointerException if {@code operation} is null
   * @throws IllegalArgumentException if {@code rate} is not positive or {@code workers} is below 1
   */
  public LoadGenerator(Runnable operation, double rate, int workers) {
    this.operation = Objects.requireNonNull(operation, "operation");
    if (!(rate > 0)) {
      throw new IllegalArgumentException(
          "rate must be positive (operations per second), was " + rate);
    }
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be at least 1, was " + workers);
    }
    this.rate = rate;
    this.workers = workers;
  }

  /**
   * Starts the workers.
   *
   * @throws IllegalStateException if the generator was already started
   */
  public synchronized void start() {
    if (started) {
      throw new IllegalStateException("load generator already started; a generator runs once");
    }
    started = true;
    running = true;
    long periodNanos = Double.isInfinite(rate) ? 0 : Math.max(1, (long) (1e9 * workers / rate));
    for (int i = 0; i < workers; i++) {
      Thread t = new Thread(() -> work(periodNanos), "tg-load-" + IDS.incrementAndGet());
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
  }

  private void work(long periodNanos) {
    long next = System.nanoTime();
    while (running && !Thread.currentThread().isInterrupted()) {
      try {
        operation.run();
      } catch (RuntimeException | Error e) {
        if (e instanceof VirtualMachineError) {
          throw e;
        }
        failures.incrementAndGet();
      }
      operations.incrementAndGet();
      if (periodNanos > 0) {
        long jitter = ThreadLocalRandom.current().nextLong(periodNanos / 10 + 1);
        next += periodNanos + jitter;
        long wait;
        while (running && (wait = next - System.nanoTime()) > 0) {
          LockSupport.parkNanos(wait);
          if (Thread.currentThread().isInterrupted()) {
            return;
          }
        }
      }
    }
  }

  /**
   * Stops the workers: no new operation starts; running ones are interrupted. Waits up to {@code
   * timeoutMillis} in total for the workers to end and returns how many are still alive (an
   * operation that ignores interrupts may keep its worker).
   */
  public int stop(long timeoutMillis) {
    List<Thread> workersNow;
    synchronized (this) { // copy under the lock, wait without it (timerguard lint TG107)
      running = false;
      workersNow = new ArrayList<>(threads);
    }
    for (Thread t : workersNow) {
      t.interrupt();
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, timeoutMillis));
    int alive = 0;
    for (Thread t : workersNow) {
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      try {
        if (left > 0) {
          t.join(left);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (t.isAlive()) {
        alive++;
      }
    }
    return alive;
  }

  /** Stops with a one-second bound. */
  @Override
  public void close() {
    stop(1_000);
  }

  /** Operations completed (or failed) so far. */
  public long operations() {
    return operations.get();
  }

  /** Operations that threw. */
  public long failures() {
    return failures.get();
  }

  /** The target rate, operations per second. */
  public double rate() {
    return rate;
  }

  /** The number of worker threads. */
  public int workers() {
    return workers;
  }
}
