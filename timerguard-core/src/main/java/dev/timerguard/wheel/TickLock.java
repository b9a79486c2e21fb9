package dev.timerguard.wheel;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * The lock of one part of a wheel that scheduling threads and the tick thread both write (a {@link
 * Shard}, a stripe of a {@link Deadlines} set): a test-and-test-and-set spin lock with back-off
 * (spin, then park for 1 to 64 microseconds). Its critical sections are a handful of writes, except
 * the tick thread's expiry of one pass, and an uncontended acquire-release is one CAS and one plain
 * store, half the cost of a monitor. The lock word says who holds it (1 a scheduling thread, 2 the
 * tick thread), so a caller can tell contention with another caller, which it should avoid by
 * moving elsewhere, from the tick thread's brief visit, which it should not.
 *
 * <p>Not reentrant. The subclasses say which of their fields it guards.
 */
abstract class TickLock extends TickLockPadding {

  private static final VarHandle LOCK;

  static {
    try {
      LOCK = MethodHandles.lookup().findVarHandle(TickLock.class, "lock", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @SuppressWarnings("unused") // through LOCK
  private volatile int lock;

  /** Acquires as a scheduling thread. */
  final void lock() {
    if (!LOCK.compareAndSet(this, 0, 1)) {
      lockSlow(1);
    }
  }

  /** Acquires as a scheduling thread; returns true if another scheduling thread held it. */
  final boolean lockReportingCaller() {
    int holder = (int) LOCK.compareAndExchange(this, 0, 1);
    if (holder == 0) {
      return false;
    }
    lockSlow(1);
    return holder == 1;
  }

  /** The tick thread's acquire. */
  final void lockAsTicker() {
    if (!LOCK.compareAndSet(this, 0, 2)) {
      lockSlow(2);
    }
  }

  private void lockSlow(int holder) {
    for (int spins = 0; ; spins++) {
      if ((int) LOCK.getOpaque(this) == 0 && LOCK.compareAndSet(this, 0, holder)) {
        return;
      }
      if (spins < 64) {
        Thread.onSpinWait();
      } else {
        // the holder was descheduled: sleep briefly rather than yield (a yielding thread can
        // wait a whole time slice on a loaded machine; a sleeper gets its wake-up credit)
        LockSupport.parkNanos(1_000L << Math.min(spins - 64, 6));
      }
    }
  }

  final void unlock() {
    LOCK.setRelease(this, 0);
  }
}

/**
 * Padding before the lock and the hot fields after it, which threads working on different parts
 * write all the time: a collector may copy such objects next to one another, and two of them
 * sharing a cache line run at a fraction of their speed (false sharing; the figures are in {@code
 * docs/benchmarks.md}). The fields of a superclass are laid out first, those of a subclass last.
 */
abstract class TickLockPadding {
  long p00, p01, p02, p03, p04, p05, p06, p07;
}
