package dev.timerguard.bench.load;

import dev.timerguard.wheel.Deadlines;
import dev.timerguard.wheel.WheelScheduler;
import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.agrona.DeadlineTimerWheel;
import org.agrona.collections.Long2ObjectHashMap;
import org.apache.kafka.server.util.timer.SystemTimer;
import org.apache.kafka.server.util.timer.SystemTimerReaper;
import org.apache.kafka.server.util.timer.TimerTask;

/**
 * One timer engine behind the operations the production-load harnesses need: schedule a task and
 * keep its handle, cancel a handle, re-arm a numbered slot (cancel what it holds, schedule anew),
 * and count what the engine holds. Configured exactly as the peers of the wheel benchmarks ({@code
 * dev.timerguard.bench.wheel.TimerPeer}): same ticks, same wheel sizes.
 *
 * <p>Thread-safe for every engine: Agrona's {@link DeadlineTimerWheel}, which is single-threaded by
 * contract, is used behind one lock (what a multi-threaded user of it must do) and polled by an
 * owned thread every 0.5 ms that runs the expired tasks after releasing the lock. Each harness JVM
 * creates one engine, so the calls stay monomorphic. Bad names: {@link #create} throws {@link
 * IllegalArgumentException} listing the accepted names; {@code fjp} throws {@link
 * UnsupportedOperationException} before JDK 25. {@link #close()} stops the engine's threads.
 */
abstract class Engine implements AutoCloseable {

  /** Every engine of issue 17, in table order. */
  static final List<String> ALL =
      List.of(
          "stpe",
          "stpeRemove",
          "fjp",
          "netty",
          "agrona",
          "kafka",
          "wheel",
          "wheelCounted",
          "wheelDeadlines");

  static final Runnable NOOP = () -> {};

  /** Schedules {@code task} after {@code delayNanos}; returns the handle to cancel. */
  abstract Object schedule(long delayNanos, Runnable task);

  /** Cancels a handle returned by {@link #schedule}. */
  abstract void cancel(Object handle);

  /** Entries the engine holds (pending plus cancelled-but-retained), or -1 if it cannot tell. */
  abstract long held();

  /** Schedules a no-op timer and cancels it at once (the per-request timeout disarmed early). */
  void scheduleCancel(long delayNanos) {
    cancel(schedule(delayNanos, NOOP));
  }

  /** Drops cancelled entries the engine retains (only the default STPE keeps any). */
  void purge() {}

  /** {@code n} numbered timer slots, each holding at most one pending no-op timer. */
  Slots slots(int n) {
    Object[] handles = new Object[n];
    return (i, delayNanos) -> {
      Object old = handles[i];
      if (old != null) {
        cancel(old);
      }
      handles[i] = schedule(delayNanos, NOOP);
    };
  }

  @Override
  public abstract void close();

  /** Numbered timer slots; each thread must use its own range of slot numbers. */
  interface Slots {
    /** Cancels the slot's timer if any and schedules a new no-op one after {@code delayNanos}. */
    void rearm(int slot, long delayNanos);
  }

  /** Names that {@link #create} accepts on this JDK (fjp only on 25+). */
  static List<String> available() {
    List<String> l = new ArrayList<>(ALL);
    if (Fjp.SCHEDULE == null) {
      l.remove("fjp");
    }
    return l;
  }

  static Engine create(String name) {
    switch (name) {
      case "stpe":
        return new Stpe(false);
      case "stpeRemove":
        return new Stpe(true);
      case "fjp":
        return new Fjp();
      case "netty":
        return new Netty();
      case "agrona":
        return new Agrona();
      case "kafka":
        return new Kafka();
      case "wheel":
        return new Wheel(WheelScheduler.builder().countTimers(false).build());
      case "wheelCounted":
        return new Wheel(WheelScheduler.create());
      case "wheelDeadlines":
        return new WheelDeadlines(WheelScheduler.create());
      default:
        throw new IllegalArgumentException(
            "unknown engine '" + name + "': accepted names are " + String.join(", ", ALL));
    }
  }

  static ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  /** ScheduledThreadPoolExecutor(1), removeOnCancel false (the JDK default) or true. */
  static final class Stpe extends Engine {
    final ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1, daemon("stpe"));

    Stpe(boolean removeOnCancel) {
      e.setRemoveOnCancelPolicy(removeOnCancel);
    }

    @Override
    Object schedule(long delayNanos, Runnable task) {
      return e.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    void cancel(Object handle) {
      ((ScheduledFuture<?>) handle).cancel(false);
    }

    @Override
    long held() {
      return e.getQueue().size();
    }

    @Override
    void purge() {
      e.purge();
    }

    @Override
    public void close() {
      e.shutdownNow();
    }
  }

  /** JDK 25+: ForkJoinPool.commonPool().schedule, called through a method handle. */
  static final class Fjp extends Engine {
    static final MethodHandle SCHEDULE;
    static final MethodHandle DELAYED_COUNT;

    static {
      MethodHandle s;
      MethodHandle c;
      try {
        s =
            MethodHandles.publicLookup()
                .findVirtual(
                    ForkJoinPool.class,
                    "schedule",
                    MethodType.methodType(
                        ScheduledFuture.class, Runnable.class, long.class, TimeUnit.class));
        c =
            MethodHandles.publicLookup()
                .findVirtual(
                    ForkJoinPool.class, "getDelayedTaskCount", MethodType.methodType(long.class));
      } catch (ReflectiveOperationException e) {
        s = null;
        c = null;
      }
      SCHEDULE = s;
      DELAYED_COUNT = c;
    }

    final ForkJoinPool pool = ForkJoinPool.commonPool();

    Fjp() {
      if (SCHEDULE == null) {
        throw new UnsupportedOperationException(
            "engine fjp (ForkJoinPool delayed tasks) needs JDK 25+, this is " + Runtime.version());
      }
    }

    @Override
    Object schedule(long delayNanos, Runnable task) {
      try {
        return (ScheduledFuture<?>)
            SCHEDULE.invokeExact(pool, task, delayNanos, TimeUnit.NANOSECONDS);
      } catch (Throwable t) {
        throw new IllegalStateException(t);
      }
    }

    @Override
    void cancel(Object handle) {
      ((ScheduledFuture<?>) handle).cancel(false);
    }

    @Override
    long held() {
      try {
        return (long) DELAYED_COUNT.invokeExact(pool);
      } catch (Throwable t) {
        return -1;
      }
    }

    @Override
    public void close() {}
  }

  /** Netty HashedWheelTimer, 1 ms tick, 512 buckets. */
  static final class Netty extends Engine {
    final HashedWheelTimer timer =
        new HashedWheelTimer(daemon("netty-wheel"), 1, TimeUnit.MILLISECONDS, 512);

    @Override
    Object schedule(long delayNanos, Runnable task) {
      return timer.newTimeout(t -> task.run(), delayNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    void cancel(Object handle) {
      ((Timeout) handle).cancel();
    }

    @Override
    long held() {
      return timer.pendingTimeouts();
    }

    @Override
    public void close() {
      timer.stop();
    }
  }

  /** Kafka's SystemTimer + SystemTimerReaper, 1 ms tick, a TimerTask subclass per timer. */
  static final class Kafka extends Engine {
    final SystemTimerReaper timer =
        new SystemTimerReaper("kafka-reaper", new SystemTimer("kafka-timer"));

    static final class Task extends TimerTask {
      final Runnable r;

      Task(long delayMs, Runnable r) {
        super(delayMs);
        this.r = r;
      }

      @Override
      public void run() {
        r.run();
      }
    }

    @Override
    Object schedule(long delayNanos, Runnable task) {
      Task t = new Task((delayNanos + 999_999) / 1_000_000, task);
      timer.add(t);
      return t;
    }

    @Override
    void cancel(Object handle) {
      ((Task) handle).cancel();
    }

    @Override
    long held() {
      return timer.size();
    }

    @Override
    public void close() {
      try {
        timer.close();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** TimerGuard's wheel through its ScheduledExecutorService methods. */
  static final class Wheel extends Engine {
    final WheelScheduler w;

    Wheel(WheelScheduler w) {
      this.w = w;
    }

    @Override
    Object schedule(long delayNanos, Runnable task) {
      return w.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    void cancel(Object handle) {
      ((ScheduledFuture<?>) handle).cancel(false);
    }

    @Override
    long held() {
      return w.pendingCount();
    }

    @Override
    public void close() {
      w.shutdownNow();
    }
  }

  /**
   * TimerGuard's allocation-free {@link Deadlines} on a counting {@code WheelScheduler.create()}: a
   * {@code long} handle per timer and a {@code long} payload; the handler runs on the tick thread.
   * Slots, schedule+cancel and re-arm allocate nothing; a task other than the no-op is kept in a
   * map under a numbered payload (as the Agrona engine keeps its tasks), which only the lateness
   * probes use.
   */
  static final class WheelDeadlines extends Engine {
    final WheelScheduler w;
    final Deadlines d;
    final ConcurrentHashMap<Long, Runnable> tasks = new ConcurrentHashMap<>();
    final AtomicLong ids = new AtomicLong();

    WheelDeadlines(WheelScheduler w) {
      this.w = w;
      this.d =
          w.deadlines(
              id -> {
                if (id >= 0) {
                  Runnable r = tasks.remove(id);
                  if (r != null) {
                    r.run();
                  }
                }
              });
    }

    @Override
    Object schedule(long delayNanos, Runnable task) {
      long id = -1;
      if (task != NOOP) {
        id = ids.getAndIncrement();
        tasks.put(id, task);
      }
      return new long[] {d.schedule(id, delayNanos, TimeUnit.NANOSECONDS), id};
    }

    @Override
    void cancel(Object handle) {
      long[] h = (long[]) handle;
      if (d.cancel(h[0]) && h[1] >= 0) {
        tasks.remove(h[1]);
      }
    }

    @Override
    void scheduleCancel(long delayNanos) {
      d.cancel(d.schedule(-1, delayNanos, TimeUnit.NANOSECONDS));
    }

    @Override
    Slots slots(int n) {
      long[] handles = new long[n];
      return (i, delayNanos) -> {
        long old = handles[i];
        if (old != Deadlines.NONE) {
          d.cancel(old);
        }
        handles[i] = d.schedule(-1, delayNanos, TimeUnit.NANOSECONDS);
      };
    }

    @Override
    long held() {
      return d.pendingCount();
    }

    @Override
    public void close() {
      w.shutdownNow();
    }
  }

  /**
   * Agrona DeadlineTimerWheel (2^20 ns tick, 1024 spokes) behind one lock, polled every 0.5 ms by
   * an owned thread. A timer is a {@code long} id: no object per timer unless it carries a task.
   */
  static final class Agrona extends Engine {
    final DeadlineTimerWheel wheel =
        new DeadlineTimerWheel(TimeUnit.NANOSECONDS, System.nanoTime(), 1L << 20, 1024);
    final Long2ObjectHashMap<Runnable> tasks = new Long2ObjectHashMap<>();
    final ArrayList<Runnable> due = new ArrayList<>();
    final DeadlineTimerWheel.TimerHandler handler =
        (unit, now, id) -> {
          Runnable r = tasks.remove(id);
          if (r != null) {
            due.add(r);
          }
          return true;
        };
    final Thread poller;
    volatile boolean closed;

    Agrona() {
      poller =
          daemon("agrona-poller")
              .newThread(
                  () -> {
                    ArrayList<Runnable> run = new ArrayList<>();
                    while (!closed) {
                      synchronized (this) {
                        wheel.poll(System.nanoTime(), handler, Integer.MAX_VALUE);
                        run.addAll(due);
                        due.clear();
                      }
                      for (Runnable r : run) {
                        r.run();
                      }
                      run.clear();
                      LockSupport.parkNanos(500_000);
                    }
                  });
      poller.start();
    }

    @Override
    synchronized Object schedule(long delayNanos, Runnable task) {
      long id = wheel.scheduleTimer(System.nanoTime() + delayNanos);
      if (task != NOOP) {
        tasks.put(id, task);
      }
      return id;
    }

    @Override
    synchronized void cancel(Object handle) {
      long id = (Long) handle;
      wheel.cancelTimer(id);
      tasks.remove(id);
    }

    @Override
    synchronized void scheduleCancel(long delayNanos) {
      wheel.cancelTimer(wheel.scheduleTimer(System.nanoTime() + delayNanos));
    }

    @Override
    Slots slots(int n) {
      long[] ids = new long[n];
      java.util.Arrays.fill(ids, DeadlineTimerWheel.NULL_DEADLINE);
      return (i, delayNanos) -> {
        synchronized (this) {
          if (ids[i] != DeadlineTimerWheel.NULL_DEADLINE) {
            wheel.cancelTimer(ids[i]);
          }
          ids[i] = wheel.scheduleTimer(System.nanoTime() + delayNanos);
        }
      };
    }

    @Override
    synchronized long held() {
      return wheel.timerCount();
    }

    @Override
    public void close() {
      closed = true;
      LockSupport.unpark(poller);
    }
  }
}
