package dev.timerguard.bench.wheel;

import dev.timerguard.wheel.Deadlines;
import dev.timerguard.wheel.InlineTask;
import dev.timerguard.wheel.WheelScheduler;
import io.netty.util.HashedWheelTimer;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Timer;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.agrona.DeadlineTimerWheel;
import org.apache.kafka.server.util.timer.SystemTimer;
import org.apache.kafka.server.util.timer.SystemTimerReaper;
import org.apache.kafka.server.util.timer.TimerTask;

/**
 * One timer implementation behind the three operations the wheel benchmarks need. Each JMH fork
 * loads exactly one implementation, so the calls stay monomorphic.
 *
 * <p>Names: {@code wheel} (TimerGuard, counting off, as the safe API uses it), {@code wheelCounted}
 * (TimerGuard with per-site counting in the live registry), {@code deadlines} (the wheel's
 * allocation-free {@code Deadlines} on a counting {@code WheelScheduler.create()}), {@code netty}
 * (HashedWheelTimer, 1 ms tick, 512 buckets), {@code kafka} (SystemTimer + SystemTimerReaper, 1 ms
 * tick), {@code stpe} and {@code stpeRemove} (ScheduledThreadPoolExecutor(1) with removeOnCancel
 * false/true), {@code timer} (java.util.Timer), {@code agrona} (DeadlineTimerWheel, single-threaded
 * only), {@code fjp} (JDK 25+ ForkJoinPool.commonPool().schedule, reflectively).
 */
abstract class TimerPeer implements AutoCloseable {

  static final Runnable NOOP = () -> {};

  /** Schedules a timer and cancels it at once. */
  abstract void scheduleCancel(long delayNanos);

  /** Schedules a timer that stays pending (background load, footprint). Returns its handle. */
  abstract Object schedule(long delayNanos);

  /** Schedules a timer that runs {@code task} when due (lateness). */
  abstract void scheduleTask(Runnable task, long delayNanos);

  /** Single-threaded peers must be driven by their owner: called in a loop until all fired. */
  void pollIfSingleThreaded() {}

  boolean singleThreaded() {
    return false;
  }

  @Override
  public abstract void close();

  static TimerPeer create(String name) {
    switch (name) {
      case "wheel":
        return new Wheel(WheelScheduler.builder().countTimers(false).build());
      case "wheelCounted":
        return new Wheel(WheelScheduler.create());
      case "deadlines":
        return new WheelDeadlines(WheelScheduler.create());
      case "netty":
        return new Netty();
      case "kafka":
        return new Kafka();
      case "stpe":
        return new Stpe(false);
      case "stpeRemove":
        return new Stpe(true);
      case "timer":
        return new JuTimer();
      case "agrona":
        return new Agrona();
      case "fjp":
        return new Fjp();
      default:
        throw new IllegalArgumentException("unknown timer peer " + name);
    }
  }

  static ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  static final class Wheel extends TimerPeer {
    final WheelScheduler w;

    Wheel(WheelScheduler w) {
      this.w = w;
    }

    @Override
    void scheduleCancel(long delayNanos) {
      w.schedule(NOOP, delayNanos, TimeUnit.NANOSECONDS).cancel(false);
    }

    @Override
    Object schedule(long delayNanos) {
      return w.schedule(NOOP, delayNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    void scheduleTask(Runnable task, long delayNanos) {
      // cheap callbacks run on the tick thread, as Netty's and java.util.Timer's do
      w.schedule((InlineTask) task::run, delayNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void close() {
      w.shutdownNow();
    }
  }

  /**
   * The wheel's allocation-free API: a {@code long} handle per deadline, a {@code long} payload,
   * one handler run on the tick thread (as Netty's and Agrona's handlers run on their timer
   * thread). Counted at the set's site, as {@code WheelScheduler.create()} counts its timers.
   */
  static final class WheelDeadlines extends TimerPeer {
    final WheelScheduler w;
    final Deadlines d;
    final java.util.concurrent.ConcurrentHashMap<Long, Runnable> tasks =
        new java.util.concurrent.ConcurrentHashMap<>();
    final java.util.concurrent.atomic.AtomicLong ids = new java.util.concurrent.atomic.AtomicLong();

    WheelDeadlines(WheelScheduler w) {
      this.w = w;
      this.d =
          w.deadlines(
              id -> {
                Runnable r = tasks.remove(id);
                if (r != null) {
                  r.run();
                }
              });
    }

    @Override
    void scheduleCancel(long delayNanos) {
      d.cancel(d.schedule(-1, delayNanos, TimeUnit.NANOSECONDS));
    }

    @Override
    Object schedule(long delayNanos) {
      return d.schedule(-1, delayNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    void scheduleTask(Runnable task, long delayNanos) {
      long id = ids.getAndIncrement();
      tasks.put(id, task);
      d.schedule(id, delayNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void close() {
      w.shutdownNow();
    }
  }

  static final class Netty extends TimerPeer {
    static final io.netty.util.TimerTask NOOP_TASK = t -> {};
    final HashedWheelTimer timer =
        new HashedWheelTimer(daemon("netty-wheel"), 1, TimeUnit.MILLISECONDS, 512);

    @Override
    void scheduleCancel(long delayNanos) {
      timer.newTimeout(NOOP_TASK, delayNanos, TimeUnit.NANOSECONDS).cancel();
    }

    @Override
    Object schedule(long delayNanos) {
      return timer.newTimeout(NOOP_TASK, delayNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    void scheduleTask(Runnable task, long delayNanos) {
      timer.newTimeout(t -> task.run(), delayNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void close() {
      timer.stop();
    }
  }

  static final class Kafka extends TimerPeer {
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

    static long ms(long nanos) {
      return (nanos + 999_999) / 1_000_000;
    }

    @Override
    void scheduleCancel(long delayNanos) {
      Task t = new Task(ms(delayNanos), NOOP);
      timer.add(t);
      t.cancel();
    }

    @Override
    Object schedule(long delayNanos) {
      Task t = new Task(ms(delayNanos), NOOP);
      timer.add(t);
      return t;
    }

    @Override
    void scheduleTask(Runnable task, long delayNanos) {
      timer.add(new Task(ms(delayNanos), task));
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

  static final class Stpe extends TimerPeer {
    final ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1, daemon("stpe"));

    Stpe(boolean removeOnCancel) {
      e.setRemoveOnCancelPolicy(removeOnCancel);
    }

    @Override
    void scheduleCancel(long delayNanos) {
      e.schedule(NOOP, delayNanos, TimeUnit.NANOSECONDS).cancel(false);
    }

    @Override
    Object schedule(long delayNanos) {
      return e.schedule(NOOP, delayNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    void scheduleTask(Runnable task, long delayNanos) {
      e.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void close() {
      e.shutdownNow();
    }
  }

  static final class JuTimer extends TimerPeer {
    final Timer timer = new Timer("ju-timer", true);

    static final class Task extends java.util.TimerTask {
      final Runnable r;

      Task(Runnable r) {
        this.r = r;
      }

      @Override
      public void run() {
        r.run();
      }
    }

    static long ms(long nanos) {
      return (nanos + 999_999) / 1_000_000;
    }

    @Override
    void scheduleCancel(long delayNanos) {
      Task t = new Task(NOOP);
      timer.schedule(t, ms(delayNanos));
      t.cancel();
    }

    @Override
    Object schedule(long delayNanos) {
      Task t = new Task(NOOP);
      timer.schedule(t, ms(delayNanos));
      return t;
    }

    @Override
    void scheduleTask(Runnable task, long delayNanos) {
      timer.schedule(new Task(task), ms(delayNanos));
    }

    @Override
    public void close() {
      timer.cancel();
    }
  }

  /** Agrona's wheel is single-threaded: the owner schedules, cancels and polls. */
  static final class Agrona extends TimerPeer {
    final DeadlineTimerWheel wheel =
        new DeadlineTimerWheel(TimeUnit.NANOSECONDS, System.nanoTime(), 1L << 20, 1024);
    final java.util.HashMap<Long, Runnable> tasks = new java.util.HashMap<>();
    final DeadlineTimerWheel.TimerHandler handler =
        (unit, now, id) -> {
          Runnable r = tasks.remove(id);
          if (r != null) {
            r.run();
          }
          return true;
        };

    @Override
    boolean singleThreaded() {
      return true;
    }

    @Override
    void scheduleCancel(long delayNanos) {
      wheel.cancelTimer(wheel.scheduleTimer(System.nanoTime() + delayNanos));
    }

    @Override
    Object schedule(long delayNanos) {
      return wheel.scheduleTimer(System.nanoTime() + delayNanos);
    }

    @Override
    void scheduleTask(Runnable task, long delayNanos) {
      tasks.put(wheel.scheduleTimer(System.nanoTime() + delayNanos), task);
    }

    @Override
    void pollIfSingleThreaded() {
      wheel.poll(System.nanoTime(), handler, Integer.MAX_VALUE);
    }

    @Override
    public void close() {
      wheel.clear();
    }
  }

  /** JDK 25+: ForkJoinPool.commonPool().schedule(Runnable, long, TimeUnit), called reflectively. */
  static final class Fjp extends TimerPeer {
    static final MethodHandle SCHEDULE;

    static {
      MethodHandle h;
      try {
        h =
            MethodHandles.publicLookup()
                .findVirtual(
                    ForkJoinPool.class,
                    "schedule",
                    MethodType.methodType(
                        ScheduledFuture.class, Runnable.class, long.class, TimeUnit.class));
      } catch (ReflectiveOperationException e) {
        h = null;
      }
      SCHEDULE = h;
    }

    final ForkJoinPool pool = ForkJoinPool.commonPool();

    Fjp() {
      if (SCHEDULE == null) {
        throw new UnsupportedOperationException(
            "ForkJoinPool.schedule needs JDK 25+, this is " + Runtime.version());
      }
    }

    ScheduledFuture<?> call(Runnable r, long delayNanos) {
      try {
        return (ScheduledFuture<?>) SCHEDULE.invokeExact(pool, r, delayNanos, TimeUnit.NANOSECONDS);
      } catch (Throwable t) {
        throw new IllegalStateException(t);
      }
    }

    @Override
    void scheduleCancel(long delayNanos) {
      call(NOOP, delayNanos).cancel(false);
    }

    @Override
    Object schedule(long delayNanos) {
      return call(NOOP, delayNanos);
    }

    @Override
    void scheduleTask(Runnable task, long delayNanos) {
      call(task, delayNanos);
    }

    @Override
    public void close() {}
  }
}
