package dev.timerguard.samples.incidents;

import dev.timerguard.Ticker;
import dev.timerguard.Timers;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The resetting ticker: a periodic job whose period can be changed at run time. The change
 * schedules a new periodic task and overwrites the field that held the old one, which keeps running
 * forever: every period change leaks a ticker.
 *
 * <p>Fix: change the period of the one ticker in place ({@code Ticker.setPeriod} of TimerGuard;
 * with plain JDK, cancel the old ticker before starting the new one on a remove-on-cancel
 * scheduler).
 */
public final class ResettingTicker extends BaseIncident {

  public ResettingTicker() {
    super(
        8,
        "K.3 period change leaks the old ticker",
        "p.ticker = time.NewTicker(d) // old ticker never stopped",
        "changing the period starts a new periodic task and drops the old one without cancelling"
            + " it; every change leaks a ticker",
        "ticker.setPeriod(d): one ticker for life, period changed in place",
        "live tickers",
        2_000);
  }

  /** The leaky periodic job. Thread-safe. */
  public static final class LeakyPeriodic {
    private final ScheduledExecutorService scheduler;
    private final FaultSites faults;
    private final LongAdder ticks = new LongAdder();
    private volatile ScheduledFuture<?> ticker;

    public LeakyPeriodic(ScheduledExecutorService scheduler, FaultSites faults) {
      this.scheduler = scheduler;
      this.faults = faults;
    }

    public void updatePeriod(Duration period) {
      long p = period.toNanos();
      ticker = // the old ticker is dropped, not stopped
          faults.mark(scheduler.scheduleAtFixedRate(ticks::increment, p, p, TimeUnit.NANOSECONDS));
    }
  }

  /**
   * The fixed periodic job: one TimerGuard {@link Ticker} for life, whose period is changed in
   * place. Thread-safe.
   */
  public static final class FixedPeriodic implements AutoCloseable {
    private final Timers timers;
    private final LongAdder ticks = new LongAdder();
    private Ticker ticker;

    public FixedPeriodic(Timers timers) {
      this.timers = timers;
    }

    public synchronized void updatePeriod(Duration period) {
      if (ticker == null) {
        ticker = timers.tickAtFixedRate(period, ticks::increment);
      } else {
        ticker.setPeriod(period); // the fix: the same ticker, a new period
      }
    }

    @Override
    public synchronized void close() {
      if (ticker != null) {
        ticker.close();
      }
    }
  }

  /** Periods of a second and up, so the tickers barely fire while the reproducer runs. */
  private static Duration period(int i) {
    return Duration.ofMillis(1_000 + i);
  }

  @Override
  void leaky(Run run) {
    LeakyPeriodic p = new LeakyPeriodic(run.scheduler(), run.faults());
    run.signal(() -> run.timerCounts()[0]);
    for (int i = 0; i < run.operations; i++) {
      p.updatePeriod(period(i));
      run.step();
    }
  }

  @Override
  void fixed(Run run) {
    run.scheduler();
    run.signal(() -> run.timerCounts()[0]);
    try (FixedPeriodic p = new FixedPeriodic(run.timers())) {
      for (int i = 0; i < run.operations; i++) {
        p.updatePeriod(period(i));
        run.step();
      }
      run.measureTimersNow();
    }
  }
}
