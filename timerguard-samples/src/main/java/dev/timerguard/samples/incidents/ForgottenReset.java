package dev.timerguard.samples.incidents;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Incident 2, "The Forgotten Reset": an operation's watchdog is re-armed on every progress signal
 * (cancel, then schedule again) and aborts the operation when it expires. When the old watchdog
 * expires while the loop is still handling a progress signal that arrived in time, {@code cancel}
 * comes too late: the expiry is already queued as an event, and the loop later reads that stale
 * expiry and aborts a healthy operation. A correctness leak: nothing piles up but spurious
 * timeouts.
 *
 * <p>Fix (the JVM's "stop, drain, reset"): every expiry carries the generation of the watchdog that
 * fired it, and the loop ignores expiries of a watchdog it has since replaced.
 *
 * <p>The workload makes the race frequent instead of rare: the watchdog is 1 ms and every other
 * progress step takes 3 ms to handle, so the old watchdog usually fires during handling. The
 * progress signal itself is always there in time.
 */
public final class ForgottenReset extends BaseIncident {

  static final long WATCHDOG_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
  static final long SLOW_STEP_NANOS = TimeUnit.MILLISECONDS.toNanos(3);

  /** Counter name: aborts by an expiry of a watchdog that had been re-armed. */
  public static final String SPURIOUS = "spurious timeouts";

  public ForgottenReset() {
    super(
        2,
        "Forgotten reset: watchdog race",
        "case <-progress: watchdog.Reset(5 * time.Second) // no Stop+drain",
        "the watchdog is re-armed on progress but an expiry already queued is not drained, so"
            + " healthy operations abort (a correctness leak)",
        "tag each expiry with its watchdog generation and ignore stale ones (stop, drain, reset)",
        SPURIOUS,
        400);
  }

  /** Progress from upstream. */
  static final Object PROGRESS = new Object();

  /** An expiry of the watchdog armed as generation {@code generation}. */
  static final class Expired {
    final long generation;

    Expired(long generation) {
      this.generation = generation;
    }
  }

  /**
   * An operation loop with a watchdog, leaky or fixed. Confined to the thread that calls {@link
   * #process}; the watchdog posts to the loop's event queue from the scheduler's thread.
   */
  public static final class Operation {
    private final ScheduledExecutorService scheduler;
    private final FaultSites faults;
    private final boolean drainStaleExpiries;
    private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    private final AtomicLong aborts = new AtomicLong();
    private final AtomicLong spurious = new AtomicLong();
    private ScheduledFuture<?> watchdog;
    private long generation;

    /**
     * @param drainStaleExpiries false for the leaky loop, true for the fixed one
     */
    public Operation(
        ScheduledExecutorService scheduler, FaultSites faults, boolean drainStaleExpiries) {
      this.scheduler = scheduler;
      this.faults = faults;
      this.drainStaleExpiries = drainStaleExpiries;
    }

    /** Re-arms the watchdog: cancel the old one, schedule a new one. */
    private void reset() {
      if (watchdog != null) {
        watchdog.cancel(false); // returns false if it already fired: its expiry is queued
      }
      long g = ++generation;
      watchdog =
          faults.mark(
              scheduler.schedule(
                  () -> events.add(new Expired(g)), WATCHDOG_NANOS, TimeUnit.NANOSECONDS));
    }

    /** Processes {@code steps} progress signals; every other one is slow to handle. */
    public void process(int steps, Runnable afterEach) {
      reset();
      events.add(PROGRESS);
      int done = 0;
      while (done < steps) {
        Object e = Run.take(events);
        if (e == null) {
          break;
        }
        if (e == PROGRESS) {
          handle(done);
          done++;
          afterEach.run();
          reset();
          events.add(PROGRESS); // upstream answers at once: progress is never late
        } else {
          Expired x = (Expired) e;
          boolean stale = x.generation != generation;
          if (stale && drainStaleExpiries) {
            continue; // the fix: an expiry of a replaced watchdog is drained, not obeyed
          }
          aborts.incrementAndGet();
          if (stale) {
            spurious.incrementAndGet(); // aborted although progress arrived in time
          }
          reset(); // the operation is retried with a fresh watchdog
        }
      }
      watchdog.cancel(false);
    }

    private static void handle(int step) {
      if ((step & 1) == 1) {
        long until = System.nanoTime() + SLOW_STEP_NANOS;
        while (System.nanoTime() < until) {
          Thread.onSpinWait();
        }
      }
    }

    public long aborts() {
      return aborts.get();
    }

    public long spurious() {
      return spurious.get();
    }
  }

  private void drive(Run run, boolean fixed) {
    Operation op = new Operation(run.scheduler(), run.faults(), fixed);
    run.signal(op::spurious);
    op.process(run.operations, run::step);
    run.counter(SPURIOUS).set(op.spurious());
  }

  @Override
  void leaky(Run run) {
    drive(run, false);
  }

  @Override
  void fixed(Run run) {
    drive(run, true);
  }
}
