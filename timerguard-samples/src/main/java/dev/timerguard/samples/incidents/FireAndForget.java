package dev.timerguard.samples.incidents;

import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * A million fire-and-forget timers: one million fire-and-forget one-shots, each due in 10 s. Not a
 * leak in the strict sense (they all fire and go), but for those 10 s the scheduler holds a million
 * timers: a million queue entries to sift, a million task objects on the heap.
 *
 * <p>Fix: coalesce. Callbacks due in the same one-second slot share one timer that runs them all at
 * the end of the slot (up to a second late, never early): at most eleven timers for 10 s delays,
 * however many callbacks. The callbacks still wait, the timers do not multiply.
 */
public final class FireAndForget extends BaseIncident {

  static final long DELAY_MILLIS = 10_000;
  static final long SLOT_MILLIS = 1_000;

  public FireAndForget() {
    super(
        7,
        "K.2 a million fire-and-forget one-shots",
        "for i := 0; i < 1_000_000; i++ { time.AfterFunc(10*time.Second, f) }",
        "a million one-shots due in 10 s are a million live timers until they fire (a cost, not a"
            + " leak: the count drains after 10 s)",
        "coalesce callbacks due in the same second behind one timer (at most 11 timers)",
        "live timers",
        1_000_000);
  }

  /** The leaky sender: a timer per event. Thread-safe. */
  public static final class LeakySender {
    private final ScheduledExecutorService scheduler;
    private final FaultSites faults;
    private final LongAdder fired = new LongAdder();

    public LeakySender(ScheduledExecutorService scheduler, FaultSites faults) {
      this.scheduler = scheduler;
      this.faults = faults;
    }

    public void send() {
      faults.mark(scheduler.schedule(fired::increment, DELAY_MILLIS, TimeUnit.MILLISECONDS));
    }
  }

  /** The fixed sender: one timer per one-second slot of due times. Thread-safe. */
  public static final class CoalescingSender {
    private final ScheduledExecutorService scheduler;
    private final LongAdder fired = new LongAdder();
    private final Map<Long, Queue<Runnable>> slots = new ConcurrentHashMap<>();

    public CoalescingSender(ScheduledExecutorService scheduler) {
      this.scheduler = scheduler;
    }

    public void send() {
      long due = TimeUnit.NANOSECONDS.toMillis(System.nanoTime()) + DELAY_MILLIS;
      long slot = due / SLOT_MILLIS + 1;
      slots
          .computeIfAbsent(
              slot,
              s -> {
                long delay = s * SLOT_MILLIS - TimeUnit.NANOSECONDS.toMillis(System.nanoTime());
                scheduler.schedule(() -> runSlot(s), delay, TimeUnit.MILLISECONDS); // one per slot
                return new ConcurrentLinkedQueue<>();
              })
          .add(fired::increment);
    }

    private void runSlot(long slot) {
      Queue<Runnable> q = slots.remove(slot);
      if (q != null) {
        q.forEach(Runnable::run);
      }
    }
  }

  @Override
  void leaky(Run run) {
    LeakySender s = new LeakySender(run.scheduler(), run.faults());
    run.signal(() -> run.timerCounts()[0]);
    for (int i = 0; i < run.operations; i++) {
      s.send();
      run.step();
    }
  }

  @Override
  void fixed(Run run) {
    CoalescingSender s = new CoalescingSender(run.scheduler());
    run.signal(() -> run.timerCounts()[0]);
    for (int i = 0; i < run.operations; i++) {
      s.send();
      run.step();
    }
  }
}
