package dev.timerguard.wheel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.timerguard.live.CallSite;
import dev.timerguard.live.LiveRegistry;
import dev.timerguard.live.SiteStats;
import dev.timerguard.live.Snapshot;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Wheel-specific behaviour, driven by a manual clock wherever time matters. */
@Timeout(60)
class WheelSchedulerTest {

  static final long MS = 1_000_000L;

  final AtomicLong clock = new AtomicLong(1_000 * MS);
  final LiveRegistry registry = LiveRegistry.create(1000, clock::get);

  WheelScheduler.Builder manual() {
    return WheelScheduler.builder().manualTicking().clock(clock::get).registry(registry);
  }

  /**
   * A pass now (as the tick thread makes one every tick: it fixes the deadlines of the timers
   * scheduled since, see {@code Shard#absorbLocked}), then moves the clock and runs a pass.
   */
  void advance(WheelScheduler w, long nanos) {
    w.tick();
    clock.addAndGet(nanos);
    w.tick();
  }

  @Test
  void aTimerScheduledWithoutAClockReadTakesItsDeadlineFromTheNextPassAndNeverFiresEarly() {
    WheelScheduler w = manual().countTimers(false).build();
    AtomicInteger runs = new AtomicInteger();
    ScheduledFuture<?> f = w.schedule(runs::incrementAndGet, 10, TimeUnit.MILLISECONDS);
    clock.addAndGet(4 * MS); // the tick thread comes 4 ms late
    w.tick();
    assertThat(f.getDelay(TimeUnit.NANOSECONDS))
        .as("the deadline is the pass's clock plus the delay: never before the call plus it")
        .isEqualTo(10 * MS);
    clock.addAndGet(10 * MS - 1);
    w.tick();
    assertThat(runs).hasValue(0);
    clock.addAndGet(1 + w.tickNanos());
    w.tick();
    assertThat(runs).hasValue(1);

    // getDelay fixes the deadline itself, for every timer that waits in its shard
    ScheduledFuture<?> g = w.schedule(runs::incrementAndGet, 10, TimeUnit.MILLISECONDS);
    ScheduledFuture<?> h = w.schedule(runs::incrementAndGet, 20, TimeUnit.MILLISECONDS);
    clock.addAndGet(3 * MS);
    assertThat(g.getDelay(TimeUnit.NANOSECONDS)).isEqualTo(10 * MS);
    clock.addAndGet(MS);
    assertThat(h.getDelay(TimeUnit.NANOSECONDS)).isEqualTo(19 * MS);
    assertThat(g.compareTo(h)).isNegative();
    assertThat(h.cancel(false)).isTrue();
    assertThat(h.getDelay(TimeUnit.NANOSECONDS))
        .as("stays fixed once cancelled")
        .isEqualTo(19 * MS);
    // a cancelled timer that never got its deadline gets one when asked, and keeps it
    ScheduledFuture<?> k = w.schedule(runs::incrementAndGet, 5, TimeUnit.MILLISECONDS);
    assertThat(k.cancel(false)).isTrue();
    clock.addAndGet(MS);
    assertThat(k.getDelay(TimeUnit.NANOSECONDS)).isEqualTo(5 * MS);
    clock.addAndGet(MS);
    assertThat(k.getDelay(TimeUnit.NANOSECONDS)).isEqualTo(4 * MS);
    assertThat(w.pendingCount()).isEqualTo(1);
  }

  @Test
  void aWheelNobodySchedulesOnSleepsUntilItsNextTimerInsteadOfTickingEveryTick() throws Exception {
    WheelScheduler w = WheelScheduler.builder().name("idle").countTimers(false).build();
    try {
      w.schedule(() -> {}, 1, TimeUnit.HOURS);
      CountDownLatch fired = new CountDownLatch(1);
      w.schedule(fired::countDown, 300, TimeUnit.MILLISECONDS);
      assertThat(fired.await(30, TimeUnit.SECONDS)).isTrue();
      // ticking every tick would be ~570 passes by now; sleeping until work: a handful
      assertThat(w.passes()).as("passes in 300 ms of a %d ns tick", w.tickNanos()).isLessThan(60);
      // asleep until the next first-level turn, a new short timer still wakes it and fires
      CountDownLatch soon = new CountDownLatch(1);
      w.schedule(soon::countDown, 2, TimeUnit.MILLISECONDS);
      assertThat(soon.await(30, TimeUnit.SECONDS)).isTrue();
      assertThat(w.pendingCount()).isEqualTo(1);
    } finally {
      assertThat(w.shutdownNow()).hasSize(1); // the hour-long timer
    }
  }

  /** Runs {@code r} on a new thread whose id has the given parity (so, with 2 shards, a shard). */
  static void onThreadOfParity(int parity, Runnable r) throws InterruptedException {
    Thread t;
    do {
      t = new Thread(r);
    } while ((t.getId() & 1) != parity);
    t.start();
    t.join();
  }

  @Test
  void aPassFixesTheDeadlinesOfEveryShardBeforeItRunsCallbacks() throws Exception {
    WheelScheduler w = manual().countTimers(false).shards(2).build();
    List<TimerEntry<?>> arrivals = new ArrayList<>();
    List<Boolean> seenFixed = new ArrayList<>();
    InlineTask check =
        () -> {
          for (TimerEntry<?> a : arrivals) {
            seenFixed.add(a.deadline >= 0);
          }
        };
    for (int parity = 0; parity < 2; parity++) {
      onThreadOfParity(parity, () -> w.schedule(check, 1, TimeUnit.MILLISECONDS));
    }
    w.tick(); // fixes the two checks' deadlines
    for (int parity = 0; parity < 2; parity++) {
      onThreadOfParity(
          parity,
          () -> arrivals.add((TimerEntry<?>) w.schedule(() -> {}, 10, TimeUnit.MILLISECONDS)));
    }
    assertThat(arrivals.get(0).shard)
        .as("one arrival per shard")
        .isNotSameAs(arrivals.get(1).shard);
    clock.addAndGet(2 * MS);
    w.tick();
    assertThat(seenFixed).as("seen by the two inline callbacks").hasSize(4).containsOnly(true);
  }

  @Test
  void aShutDownWheelWaitingForItsLastTimerSleepsAndThenTerminates() throws Exception {
    WheelScheduler w = WheelScheduler.builder().name("down").countTimers(false).build();
    CountDownLatch fired = new CountDownLatch(1);
    w.schedule(fired::countDown, 300, TimeUnit.MILLISECONDS);
    w.shutdown();
    long before = w.passes();
    assertThat(fired.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(w.passes() - before).as("passes while waiting 300 ms after shutdown").isLessThan(60);
    assertThat(w.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void aThreadThatFindsItsShardTakenByAnotherCallerMovesToAnotherShard() throws Exception {
    WheelScheduler w = manual().countTimers(false).shards(4).build();
    BlockingQueue<TimerEntry<?>> timers = new LinkedBlockingQueue<>();
    Semaphore go = new Semaphore(0);
    Thread caller =
        new Thread(
            () -> {
              for (int i = 0; i < 4; i++) {
                go.acquireUninterruptibly();
                timers.add((TimerEntry<?>) w.schedule(() -> {}, 1, TimeUnit.HOURS));
              }
            });
    caller.start();
    go.release();
    Shard home = timers.take().shard;
    go.release();
    assertThat(timers.take().shard).as("uncontended: a thread keeps its shard").isSameAs(home);
    home.lockAsCaller(); // as if another scheduling thread held it
    go.release();
    Thread.sleep(20);
    assertThat(timers).as("waits for the lock").isEmpty();
    home.unlockAsCaller();
    assertThat(timers.take().shard)
        .as("the timer that waited is filed where it waited")
        .isSameAs(home);
    go.release();
    assertThat(timers.take().shard).as("later timers go to another shard").isNotSameAs(home);
    caller.join();
    assertThat(w.pendingCount()).isEqualTo(4);
    assertThat(w.shutdownNow()).hasSize(4);
  }

  @Test
  void aBusySchedulingThreadFixesDeadlinesItselfEverySixtyFourTimers() {
    WheelScheduler w = manual().countTimers(false).shards(1).build();
    List<ScheduledFuture<?>> early = new ArrayList<>();
    for (int i = 0; i < Shard.ABSORB_BATCH - 1; i++) {
      early.add(w.schedule(() -> {}, 10, TimeUnit.MILLISECONDS));
    }
    clock.addAndGet(MS);
    // the 64th arrival makes the scheduling thread read the clock once for all 64
    ScheduledFuture<?> last = w.schedule(() -> {}, 10, TimeUnit.MILLISECONDS);
    clock.addAndGet(MS);
    ScheduledFuture<?> next = w.schedule(() -> {}, 10, TimeUnit.MILLISECONDS);
    clock.addAndGet(MS);
    w.tick();
    assertThat(early)
        .allSatisfy(f -> assertThat(f.getDelay(TimeUnit.NANOSECONDS)).isEqualTo(8 * MS));
    assertThat(last.getDelay(TimeUnit.NANOSECONDS)).isEqualTo(8 * MS);
    assertThat(next.getDelay(TimeUnit.NANOSECONDS)).as("fixed by the pass").isEqualTo(10 * MS);
    assertThat(w.pendingCount()).isEqualTo(Shard.ABSORB_BATCH + 1);
  }

  @Test
  void aTimerFiresAtTheFirstTickAtOrAfterItsDeadlineAndNeverBefore() {
    WheelScheduler w = manual().build();
    AtomicInteger runs = new AtomicInteger();
    ScheduledFuture<?> f = w.schedule(runs::incrementAndGet, 10, TimeUnit.MILLISECONDS);
    advance(w, 9 * MS);
    assertThat(runs).hasValue(0);
    assertThat(f.getDelay(TimeUnit.MILLISECONDS)).isEqualTo(1);
    advance(w, MS - 1);
    assertThat(runs).as("one nanosecond before the deadline").hasValue(0);
    advance(w, w.tickNanos());
    assertThat(runs).hasValue(1);
    assertThat(f.isDone()).isTrue();
    advance(w, 1000 * MS);
    assertThat(runs).as("fires once").hasValue(1);
    assertThat(w.pendingCount()).isZero();
  }

  @Test
  void aPassFiresEveryTimerWhoseDeadlineHasPassedEvenBeforeItsTickEnds() {
    WheelScheduler w = manual().countTimers(false).build();
    long tick = w.tickNanos();
    AtomicInteger runs = new AtomicInteger();
    long delay = 3 * tick + tick / 2; // due in the middle of tick 3
    w.schedule(runs::incrementAndGet, delay, TimeUnit.NANOSECONDS);
    w.tick(); // fixes the deadline: the clock now plus the delay
    clock.addAndGet(delay - 1);
    w.tick();
    assertThat(runs).as("one nanosecond before the deadline").hasValue(0);
    clock.addAndGet(1);
    w.tick();
    assertThat(runs)
        .as("at the deadline, half a tick before the tick it falls in is over")
        .hasValue(1);
    clock.addAndGet(10 * tick);
    w.tick();
    assertThat(runs).as("fires once").hasValue(1);
    assertThat(w.pendingCount()).isZero();
  }

  @Test
  void aOneShotWhoseCallbackStartedCannotBeCancelledButAPeriodicCan() {
    WheelScheduler w = manual().build();
    AtomicReference<ScheduledFuture<?>> self = new AtomicReference<>();
    boolean[] seen = new boolean[3];
    self.set(
        w.schedule(
            () -> {
              seen[0] = self.get().cancel(false);
              seen[1] = self.get().isDone();
            },
            1,
            TimeUnit.MILLISECONDS));
    AtomicReference<ScheduledFuture<?>> ticker = new AtomicReference<>();
    AtomicInteger runs = new AtomicInteger();
    ticker.set(
        w.scheduleAtFixedRate(
            () -> {
              runs.incrementAndGet();
              seen[2] = ticker.get().cancel(false);
            },
            1,
            1,
            TimeUnit.MILLISECONDS));
    advance(w, 2 * MS);
    assertThat(seen[0]).as("cancel from inside its own running callback").isFalse();
    assertThat(seen[1]).as("not done while running").isFalse();
    assertThat(self.get().isDone()).isTrue();
    assertThat(self.get().isCancelled()).isFalse();
    assertThat(seen[2]).as("a periodic timer stops from inside its run").isTrue();
    advance(w, 10 * MS);
    assertThat(runs).hasValue(1);
    assertThat(ticker.get().isCancelled()).isTrue();
    assertThat(w.pendingCount()).isZero();
    assertThat(registry.snapshot().totalLiveTimers()).isZero();
  }

  @Test
  void cancelRemovesTheTimerAtOnce() {
    WheelScheduler w = manual().build();
    ScheduledFuture<?> f = w.schedule(() -> {}, 1, TimeUnit.HOURS);
    assertThat(w.pendingCount()).isEqualTo(1);
    assertThat(f.cancel(false)).isTrue();
    assertThat(w.pendingCount()).isZero();
  }

  @Test
  void aMillionScheduleCancelPairsLeaveNothingBehind() {
    WheelScheduler w = manual().countTimers(false).build();
    ScheduledFuture<?> background = w.schedule(() -> {}, 1, TimeUnit.HOURS);
    List<WeakReference<ScheduledFuture<?>>> sample = new ArrayList<>();
    Runnable task = () -> {};
    for (int i = 0; i < 1_000_000; i++) {
      ScheduledFuture<?> f = w.schedule(task, 1 + (i % 5000), TimeUnit.MILLISECONDS);
      f.cancel(false);
      if (i % 100_000 == 0) {
        sample.add(new WeakReference<>(f));
      }
      if (i % 50_000 == 0) {
        advance(w, MS);
      }
    }
    assertThat(w.pendingCount()).isEqualTo(1);
    assertThat(background.cancel(false)).isTrue();
    assertThat(w.pendingCount()).isZero();
    // the wheel holds no reference to any cancelled timer: every sampled handle is collectable
    awaitCollected(sample);
  }

  @Test
  void aCancelledTimerReleasesItsTask() {
    WheelScheduler w = manual().build();
    Object[] big = {new byte[1 << 20]};
    Runnable task =
        new Runnable() {
          final Object payload = big[0];

          @Override
          public void run() {
            assertThat(payload).isNotNull();
          }
        };
    WeakReference<Runnable> ref = new WeakReference<>(task);
    ScheduledFuture<?> f = w.schedule(task, 1, TimeUnit.HOURS);
    task = null;
    big[0] = null;
    assertThat(f.cancel(false)).isTrue();
    awaitCollected(List.of(ref));
    assertThat(f.isCancelled()).isTrue(); // the handle itself stays usable
  }

  static void awaitCollected(List<? extends WeakReference<?>> refs) {
    for (int i = 0; i < 50 && refs.stream().anyMatch(r -> r.get() != null); i++) {
      System.gc();
      byte[][] pressure = new byte[8][];
      for (int j = 0; j < pressure.length; j++) {
        pressure[j] = new byte[1 << 20];
      }
      Thread.onSpinWait();
    }
    assertThat(refs).allMatch(r -> r.get() == null, "collected");
  }

  @Test
  void longDelaysCascadeInsteadOfLappingAndFireOnTime() {
    WheelScheduler w = manual().countTimers(false).build();
    AtomicInteger runs = new AtomicInteger();
    long year = TimeUnit.DAYS.toNanos(365);
    ScheduledFuture<?> f = w.schedule(runs::incrementAndGet, year, TimeUnit.NANOSECONDS);
    // jump most of the way in big steps: a wheel that lapped per tick would need 3e10 ticks
    for (int i = 0; i < 364; i++) {
      advance(w, TimeUnit.DAYS.toNanos(1));
    }
    assertThat(runs).hasValue(0);
    advance(w, TimeUnit.DAYS.toNanos(1) - 2 * MS);
    assertThat(runs).hasValue(0);
    assertThat(f.getDelay(TimeUnit.MILLISECONDS)).isEqualTo(2);
    advance(w, 2 * MS + w.tickNanos());
    assertThat(runs).hasValue(1);
  }

  @Test
  void maximalDelaysSaturateAndNeverFire() {
    WheelScheduler w = manual().build();
    AtomicInteger runs = new AtomicInteger();
    ScheduledFuture<?> f = w.schedule(runs::incrementAndGet, Long.MAX_VALUE, TimeUnit.DAYS);
    ScheduledFuture<?> g = w.schedule(runs::incrementAndGet, Long.MAX_VALUE, TimeUnit.NANOSECONDS);
    for (int i = 0; i < 100; i++) {
      advance(w, TimeUnit.DAYS.toNanos(365));
    }
    assertThat(runs).as("not in 100 years").hasValue(0);
    assertThat(f.getDelay(TimeUnit.DAYS)).isGreaterThan(50 * 365L);
    assertThat(g.getDelay(TimeUnit.DAYS)).isGreaterThan(50 * 365L);
    assertThat(w.pendingCount()).isEqualTo(2);
  }

  @Test
  void periodicTimersFollowTheClock() {
    WheelScheduler w = manual().build();
    AtomicInteger rate = new AtomicInteger();
    AtomicInteger delay = new AtomicInteger();
    ScheduledFuture<?> r =
        w.scheduleAtFixedRate(rate::incrementAndGet, 0, 10, TimeUnit.MILLISECONDS);
    ScheduledFuture<?> d =
        w.scheduleWithFixedDelay(delay::incrementAndGet, 5, 10, TimeUnit.MILLISECONDS);
    for (int i = 0; i < 100; i++) {
      advance(w, MS);
    }
    // fixed rate at 0,10,...,90 ms and maybe 100 (tick rounding); fixed delay at 5,15,...,95
    assertThat(rate.get()).isBetween(9, 11);
    assertThat(delay.get()).isBetween(9, 10);
    assertThat(r.cancel(false)).isTrue();
    assertThat(d.cancel(false)).isTrue();
    int before = rate.get() + delay.get();
    advance(w, 100 * MS);
    assertThat(rate.get() + delay.get()).isEqualTo(before);
    assertThat(w.pendingCount()).isZero();
  }

  @Test
  void aThrowingTaskIsReportedAndLaterTimersStillFire() throws Exception {
    List<Throwable> reported = new ArrayList<>();
    WheelScheduler w = manual().exceptionHandler((t, x) -> reported.add(x)).build();
    RuntimeException boom = new RuntimeException("boom");
    ScheduledFuture<?> bad =
        w.schedule(
            () -> {
              throw boom;
            },
            1,
            TimeUnit.MILLISECONDS);
    ScheduledFuture<?> badInline =
        w.schedule(
            (InlineTask)
                () -> {
                  throw boom;
                },
            1,
            TimeUnit.MILLISECONDS);
    AtomicInteger later = new AtomicInteger();
    w.schedule(later::incrementAndGet, 2, TimeUnit.MILLISECONDS);
    advance(w, 3 * MS);
    assertThat(reported).containsExactly(boom, boom);
    assertThatThrownBy(bad::get).isInstanceOf(ExecutionException.class).hasCause(boom);
    assertThatThrownBy(badInline::get).isInstanceOf(ExecutionException.class).hasCause(boom);
    assertThat(later).hasValue(1);
  }

  @Test
  void inlineTasksRunOnTheTickThreadOthersOnTheCallbackExecutor() throws Exception {
    try (WheelScheduler w = WheelScheduler.builder().name("where").countTimers(false).build()) {
      AtomicReference<String> inline = new AtomicReference<>();
      AtomicReference<String> pooled = new AtomicReference<>();
      CountDownLatch both = new CountDownLatch(2);
      w.schedule(
          (InlineTask)
              () -> {
                inline.set(Thread.currentThread().getName());
                both.countDown();
              },
          1,
          TimeUnit.MILLISECONDS);
      w.schedule(
          () -> {
            pooled.set(Thread.currentThread().getName());
            both.countDown();
          },
          1,
          TimeUnit.MILLISECONDS);
      assertThat(both.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(inline.get()).isEqualTo("where-tick");
      assertThat(pooled.get()).startsWith("where-callback-");
    }
  }

  @Test
  void aBlockedCallbackExecutorDoesNotStopTheTick() throws Exception {
    ExecutorService one = Executors.newSingleThreadExecutor();
    try (WheelScheduler w =
        WheelScheduler.builder().callbackExecutor(one).countTimers(false).build()) {
      CountDownLatch release = new CountDownLatch(1);
      CountDownLatch blocked = new CountDownLatch(1);
      w.execute(
          () -> {
            blocked.countDown();
            try {
              release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
      assertThat(blocked.await(10, TimeUnit.SECONDS)).isTrue();
      // the only callback thread is blocked; inline timers keep firing on time regardless
      CountDownLatch fired = new CountDownLatch(20);
      for (int i = 1; i <= 20; i++) {
        w.schedule((InlineTask) fired::countDown, i, TimeUnit.MILLISECONDS);
      }
      assertThat(fired.await(10, TimeUnit.SECONDS)).isTrue();
      // and a pooled timer that fell due meanwhile runs once the executor is free
      ScheduledFuture<String> queued = w.schedule(() -> "queued", 1, TimeUnit.MILLISECONDS);
      release.countDown();
      assertThat(queued.get(10, TimeUnit.SECONDS)).isEqualTo("queued");
    } finally {
      one.shutdownNow();
    }
  }

  @Test
  void aBlockingCallbackOnTheOwnedPoolDoesNotDelayOtherCallbacks() throws Exception {
    try (WheelScheduler w = WheelScheduler.builder().countTimers(false).build()) {
      CountDownLatch release = new CountDownLatch(1);
      w.execute(
          () -> {
            try {
              release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
      CountDownLatch fired = new CountDownLatch(10);
      for (int i = 1; i <= 10; i++) {
        w.schedule(fired::countDown, i, TimeUnit.MILLISECONDS);
      }
      assertThat(fired.await(10, TimeUnit.SECONDS)).isTrue();
      release.countDown();
    }
  }

  @Test
  void coalescingRoundsDeadlinesAndHandsOneBatchPerPass() {
    AtomicInteger handOffs = new AtomicInteger();
    WheelScheduler w =
        manual()
            .coalesce(Duration.ofMillis(10))
            .callbackExecutor(
                r -> {
                  handOffs.incrementAndGet();
                  r.run();
                })
            .build();
    AtomicInteger runs = new AtomicInteger();
    clock.set(1_000 * MS); // the origin: deadlines are multiples of 10 ms from here
    for (int i = 1; i <= 9; i++) {
      w.schedule(runs::incrementAndGet, i, TimeUnit.MILLISECONDS);
    }
    advance(w, 9 * MS);
    assertThat(runs).as("rounded up to the 10 ms boundary").hasValue(0);
    advance(w, MS + w.tickNanos());
    assertThat(runs).hasValue(9);
    assertThat(handOffs).as("one hand-off for the whole batch").hasValue(1);
  }

  @Test
  void scheduleCoalescedSharesOnePassPerWindow() {
    WheelScheduler w = manual().build();
    AtomicInteger runs = new AtomicInteger();
    for (int i = 1; i <= 20; i++) {
      w.scheduleCoalesced(runs::incrementAndGet, i, TimeUnit.MILLISECONDS, Duration.ofMillis(16));
    }
    advance(w, 15 * MS);
    assertThat(runs).as("all wait for the 16 ms boundary").hasValue(0);
    advance(w, MS + w.tickNanos());
    assertThat(runs).hasValue(16);
    advance(w, 16 * MS + w.tickNanos());
    assertThat(runs).hasValue(20);
    assertThatThrownBy(
            () -> w.scheduleCoalesced(() -> {}, 1, TimeUnit.SECONDS, Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> w.scheduleCoalesced(() -> {}, 1, TimeUnit.SECONDS, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("window");
  }

  @Test
  void registryCountsEveryTimerExactlyOnceAtTheCallersSite() {
    WheelScheduler w = manual().build();
    ScheduledFuture<?> a = w.schedule(() -> {}, 1, TimeUnit.MILLISECONDS);
    ScheduledFuture<?> b = w.schedule(() -> {}, 1, TimeUnit.HOURS);
    w.schedule(() -> {}, 2, TimeUnit.HOURS);
    ScheduledFuture<?> p = w.scheduleAtFixedRate(() -> {}, 1, 1, TimeUnit.MILLISECONDS);
    ScheduledFuture<?> q = w.scheduleAtFixedRate(() -> {}, 1, 1, TimeUnit.HOURS);
    assertThat(registry.snapshot().totalLive(CallSite.Kind.TIMER)).isEqualTo(3);
    assertThat(registry.snapshot().totalLive(CallSite.Kind.TICKER)).isEqualTo(2);
    advance(w, 5 * MS);
    assertThat(a.isDone()).isTrue();
    assertThat(b.cancel(false)).isTrue();
    assertThat(p.cancel(false)).isTrue();
    assertThat(registry.snapshot().totalLive(CallSite.Kind.TIMER)).isEqualTo(1);
    assertThat(registry.snapshot().totalLive(CallSite.Kind.TICKER)).isEqualTo(1);
    List<Runnable> never = w.shutdownNow();
    assertThat(never).hasSize(2).allMatch(r -> ((ScheduledFuture<?>) r).isCancelled());
    assertThat(q.isCancelled()).isTrue();
    Snapshot s = registry.snapshot();
    assertThat(s.totalLiveTimers()).isZero();
    long created = 0, fired = 0, cancelled = 0;
    for (SiteStats st : s.sites()) {
      created += st.created();
      fired += st.fired();
      cancelled += st.cancelled();
      assertThat(st.site().className()).isEqualTo(WheelSchedulerTest.class.getName());
    }
    assertThat(created).isEqualTo(5);
    assertThat(fired).as("the one-shot that ran").isEqualTo(1);
    assertThat(cancelled).isEqualTo(4);
    assertThat(w.isTerminated()).isTrue();
  }

  @Test
  void inTheGlobalRegistryTheWheelStampsCreationsWithItsOwnClockReadings() throws Exception {
    // System.nanoTime on both sides: a creation is stamped with the tick thread's last reading
    WheelScheduler w = WheelScheduler.builder().name("stamps").build();
    List<ScheduledFuture<?>> timers = new ArrayList<>();
    try {
      long before = System.nanoTime();
      for (int i = 0; i < 2; i++) {
        if (i == 1) {
          Thread.sleep(1_200); // the tick thread sleeps meanwhile; the next timer wakes it
        }
        timers.add(w.schedule(() -> {}, 1, TimeUnit.HOURS)); // one line, one site
      }
      SiteStats site = globalSiteOf("inTheGlobalRegistryTheWheelStamps");
      long elapsed = System.nanoTime() - before;
      assertThat(site.created()).isEqualTo(2);
      assertThat(site.live()).isEqualTo(2);
      assertThat(site.oldestLiveAgeNanos())
          .as("the first timer's age: an upper bound, by at most a one-second epoch")
          .isBetween(elapsed - 10 * MS, elapsed + 2_200 * MS);
      for (ScheduledFuture<?> f : timers) {
        assertThat(f.cancel(false)).isTrue();
      }
      site = globalSiteOf("inTheGlobalRegistryTheWheelStamps");
      assertThat(site.live()).isZero();
      assertThat(site.cancelled()).isEqualTo(2);
    } finally {
      w.shutdownNow();
    }
  }

  private static SiteStats globalSiteOf(String method) {
    SiteStats found = null;
    for (SiteStats st : LiveRegistry.global().snapshot().sites()) {
      if (st.site().location().contains(method)) {
        assertThat(found).as("one site for %s", method).isNull();
        found = st;
      }
    }
    assertThat(found).as("a site for %s", method).isNotNull();
    return found;
  }

  @Test
  void countingCanBeTurnedOff() {
    WheelScheduler w = manual().countTimers(false).build();
    w.schedule(() -> {}, 1, TimeUnit.HOURS);
    w.scheduleAtFixedRate(() -> {}, 1, 1, TimeUnit.HOURS);
    assertThat(registry.siteCount()).isZero();
    assertThat(registry.snapshot().totalLiveTimers()).isZero();
  }

  @Test
  void schedulingAfterShutdownIsRejectedWithTheSchedulersName() {
    WheelScheduler w = manual().name("orders-timeouts").build();
    w.shutdown();
    assertThatThrownBy(() -> w.schedule(() -> {}, 1, TimeUnit.SECONDS))
        .isInstanceOf(RejectedExecutionException.class)
        .hasMessageContaining("orders-timeouts")
        .hasMessageContaining("shut down");
    assertThat(registry.snapshot().totalLiveTimers()).isZero();
    assertThat(registry.siteCount()).as("a rejected task is never counted").isZero();
  }

  @Test
  void delayedTimersRunAfterShutdownAndThenTheSchedulerTerminates() {
    WheelScheduler w = manual().build();
    AtomicInteger runs = new AtomicInteger();
    w.schedule(runs::incrementAndGet, 5, TimeUnit.MILLISECONDS);
    ScheduledFuture<?> p = w.scheduleAtFixedRate(runs::incrementAndGet, 1, 1, TimeUnit.HOURS);
    w.shutdown();
    assertThat(p.isCancelled()).isTrue();
    assertThat(w.isTerminated()).isFalse();
    advance(w, 10 * MS);
    assertThat(runs).hasValue(1);
    assertThat(w.isTerminated()).isTrue();
  }

  @Test
  void closeWaitsForDelayedTimers() {
    WheelScheduler w = WheelScheduler.builder().countTimers(false).build();
    AtomicInteger runs = new AtomicInteger();
    w.schedule(runs::incrementAndGet, 20, TimeUnit.MILLISECONDS);
    w.close();
    assertThat(runs).hasValue(1);
    assertThat(w.isTerminated()).isTrue();
    w.close(); // idempotent
  }

  @Test
  void builderRejectsBadConfiguration() {
    WheelScheduler.Builder b = WheelScheduler.builder();
    assertThatThrownBy(() -> b.tick(Duration.ofNanos(10)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.tick(Duration.ofHours(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.wheelSize(3)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.shards(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.coalesce(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.clock(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("nanoClock");
    assertThatThrownBy(() -> b.registry(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> b.callbackExecutor(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void tickIsRoundedUpToAPowerOfTwo() {
    assertThat(manual().build().tickNanos()).isEqualTo(1L << 19);
    assertThat(manual().tick(Duration.ofMillis(10)).build().tickNanos()).isEqualTo(1L << 24);
    assertThat(manual().tick(Duration.ofNanos(1 << 16)).build().tickNanos()).isEqualTo(1L << 16);
  }

  @Test
  void badInputGetsClearErrors() {
    WheelScheduler w = manual().build();
    assertThatThrownBy(() -> w.schedule((Runnable) null, 1, TimeUnit.SECONDS))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("command");
    assertThatThrownBy(() -> w.schedule(() -> {}, 1, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("unit");
    assertThatThrownBy(() -> w.scheduleAtFixedRate(() -> {}, 1, 0, TimeUnit.SECONDS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("period");
    assertThatThrownBy(() -> w.scheduleWithFixedDelay(() -> {}, 1, -1, TimeUnit.SECONDS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("delay");
    AtomicInteger runs = new AtomicInteger();
    w.schedule(runs::incrementAndGet, -1, TimeUnit.DAYS);
    w.schedule(runs::incrementAndGet, Long.MIN_VALUE, TimeUnit.NANOSECONDS);
    advance(w, w.tickNanos());
    assertThat(runs).as("negative delays run at the next tick").hasValue(2);
    assertThat(registry.snapshot().totalLiveTimers()).isZero();
  }
}
