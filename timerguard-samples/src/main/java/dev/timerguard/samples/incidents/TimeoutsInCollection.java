package dev.timerguard.samples.incidents;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Timeouts held by a long-lived collection: every subscriber gets a one-hour expiry timer, and
 * subscribers are kept in a long-lived list. Unsubscribing only flags the subscriber: the list
 * keeps it, its timer stays scheduled for the hour, and the garbage collector can free neither.
 *
 * <p>Fix: unsubscribing removes the subscriber from the collection and cancels its timer.
 */
public final class TimeoutsInCollection extends BaseIncident {

  /** Counter: subscribers the service still holds. */
  public static final String HELD = "subscribers held";

  public TimeoutsInCollection() {
    super(
        9,
        "K.6 timeouts held in a long-lived list",
        "subs = append(subs, subscriber{ch: time.After(time.Hour)})",
        "each subscriber's one-hour timer is kept in a long-lived list; unsubscribe neither removes"
            + " it nor cancels the timer",
        "unsubscribe removes the subscriber and cancels its timer",
        "live timers",
        20_000);
  }

  /** A subscriber with its expiry timer. */
  public static final class Subscriber {
    final String topic;
    volatile ScheduledFuture<?> expiry;
    volatile boolean closed;

    Subscriber(String topic) {
      this.topic = topic;
    }

    void expire() {
      closed = true;
    }
  }

  /** The leaky registry of subscribers. Thread-safe. */
  public static final class LeakySubscriptions {
    private final ScheduledExecutorService scheduler;
    private final FaultSites faults;
    private final List<Subscriber> subs = new ArrayList<>(); // long-lived

    public LeakySubscriptions(ScheduledExecutorService scheduler, FaultSites faults) {
      this.scheduler = scheduler;
      this.faults = faults;
    }

    public synchronized Subscriber subscribe(String topic) {
      Subscriber s = new Subscriber(topic);
      s.expiry = faults.mark(scheduler.schedule(s::expire, 1, TimeUnit.HOURS)); // held by subs
      subs.add(s);
      return s;
    }

    public void unsubscribe(Subscriber s) {
      s.closed = true; // flagged only: still in subs, timer still scheduled
    }

    public synchronized int size() {
      return subs.size();
    }
  }

  /** The fixed registry. Thread-safe. */
  public static final class FixedSubscriptions {
    private final ScheduledThreadPoolExecutor scheduler;
    private final Map<Subscriber, Boolean> subs = new ConcurrentHashMap<>();

    public FixedSubscriptions(ScheduledThreadPoolExecutor scheduler) {
      this.scheduler = scheduler;
      scheduler.setRemoveOnCancelPolicy(true);
    }

    public Subscriber subscribe(String topic) {
      Subscriber s = new Subscriber(topic);
      s.expiry = scheduler.schedule(() -> unsubscribe(s), 1, TimeUnit.HOURS);
      subs.put(s, Boolean.TRUE);
      return s;
    }

    public void unsubscribe(Subscriber s) {
      s.closed = true;
      subs.remove(s); // the fix: let go of it...
      s.expiry.cancel(false); // ...and of its timer
    }

    public int size() {
      return subs.size();
    }
  }

  @Override
  void leaky(Run run) {
    LeakySubscriptions subs = new LeakySubscriptions(run.scheduler(), run.faults());
    run.signal(() -> run.timerCounts()[0]);
    for (int i = 0; i < run.operations; i++) {
      Subscriber s = subs.subscribe("topic-" + (i & 63));
      subs.unsubscribe(s); // a short-lived subscription, as most are
      run.step();
    }
    run.counter(HELD).set(subs.size());
  }

  @Override
  void fixed(Run run) {
    FixedSubscriptions subs = new FixedSubscriptions(run.scheduler());
    run.signal(() -> run.timerCounts()[0]);
    for (int i = 0; i < run.operations; i++) {
      Subscriber s = subs.subscribe("topic-" + (i & 63));
      subs.unsubscribe(s);
      run.step();
    }
    run.counter(HELD).set(subs.size());
  }
}
