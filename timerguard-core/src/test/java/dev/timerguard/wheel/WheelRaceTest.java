package dev.timerguard.wheel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.timerguard.live.LiveRegistry;
import dev.timerguard.live.SiteStats;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The races that matter, each repeated a few thousand times with two threads released together by a
 * barrier: the firing side is a thread running the expiry pass of a manually ticked scheduler
 * (callbacks run on that thread), so every round is a true race between the two threads and nothing
 * depends on sleeping. Invariants are checked after every round.
 */
@Timeout(120)
class WheelRaceTest {

  static final int ROUNDS = 3_000;
  static final long MS = 1_000_000L;
  static final long TICK = 1L << 20; // two default ticks: a settled timer fires by deadline + TICK

  final AtomicLong clock = new AtomicLong();
  final LiveRegistry registry = LiveRegistry.create(100, clock::get);

  WheelScheduler manual() {
    return WheelScheduler.builder()
        .manualTicking()
        .clock(clock::get)
        .registry(registry)
        .shards(2)
        .build();
  }

  /** Runs {@code a} and {@code b} at the same moment on two threads; rethrows their failures. */
  static void race(Runnable a, Runnable b) throws Exception {
    CyclicBarrier gate = new CyclicBarrier(2);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread other =
        new Thread(
            () -> {
              try {
                gate.await();
                b.run();
              } catch (Throwable t) {
                failure.set(t);
              }
            });
    other.start();
    gate.await();
    a.run();
    other.join();
    if (failure.get() != null) {
      throw new AssertionError("other side failed", failure.get());
    }
  }

  void assertRegistryReconciles() {
    long created = 0, ended = 0, live = 0;
    for (SiteStats s : registry.snapshot().sites()) {
      created += s.created();
      ended += s.fired() + s.cancelled();
      live += s.live();
    }
    assertThat(live).as("live timers").isEqualTo(created - ended);
  }

  @Test
  void cancelVersusFire() throws Exception {
    WheelScheduler w = manual();
    int bothOrNeither = 0;
    for (int r = 0; r < ROUNDS; r++) {
      AtomicInteger ran = new AtomicInteger();
      ScheduledFuture<?> f = w.schedule(ran::incrementAndGet, 1, TimeUnit.MILLISECONDS);
      w.tick(); // the pass that fixes its deadline (see Shard#absorbLocked)
      clock.addAndGet(MS + TICK);
      boolean[] cancelled = new boolean[1];
      race(w::tick, () -> cancelled[0] = f.cancel(false));
      if (ran.get() + (cancelled[0] ? 1 : 0) != 1) {
        bothOrNeither++;
      }
      assertThat(f.isDone()).isTrue();
      assertThat(f.isCancelled()).isEqualTo(cancelled[0]);
    }
    assertThat(bothOrNeither)
        .as("rounds where the timer both ran and was cancelled, or neither")
        .isZero();
    assertThat(w.pendingCount()).isZero();
    assertRegistryReconciles();
    assertThat(registry.snapshot().totalLiveTimers()).isZero();
  }

  @Test
  void cancelAndGetDelayVersusTheDeadlineFix() throws Exception {
    // a timer scheduled without a clock read gets its deadline from the first of: the tick's
    // pass, a getDelay/compareTo, or the 64th arrival; cancel can come at any point of that
    WheelScheduler w = manual();
    int cancels = 0;
    for (int r = 0; r < ROUNDS; r++) {
      AtomicInteger ran = new AtomicInteger();
      ScheduledFuture<?> f = w.schedule(ran::incrementAndGet, 1, TimeUnit.MILLISECONDS);
      ScheduledFuture<?> g = w.schedule(ran::incrementAndGet, 2, TimeUnit.MILLISECONDS);
      long[] delays = new long[2];
      boolean[] cancelled = new boolean[1];
      int round = r;
      clock.addAndGet(r % 3); // a clock that moves between the calls and the fix
      race(
          w::tick,
          () -> {
            delays[0] = g.getDelay(TimeUnit.NANOSECONDS);
            cancelled[0] = round % 2 == 0 && f.cancel(false);
            delays[1] = g.getDelay(TimeUnit.NANOSECONDS);
          });
      assertThat(cancelled[0]).as("cancel of a pending timer").isEqualTo(r % 2 == 0);
      assertThat(delays[0])
          .as("fixed once: the delay does not move while the clock stands")
          .isEqualTo(delays[1])
          .isBetween(2 * MS - 2, 2 * MS);
      clock.addAndGet(2 * MS + TICK);
      w.tick();
      assertThat(ran.get()).isEqualTo(cancelled[0] ? 1 : 2);
      assertThat(f.isCancelled()).isEqualTo(cancelled[0]);
      cancels += cancelled[0] ? 1 : 0;
    }
    assertThat(cancels).isEqualTo((ROUNDS + 1) / 2);
    assertThat(w.pendingCount()).isZero();
    assertRegistryReconciles();
    assertThat(registry.snapshot().totalLiveTimers()).isZero();
  }

  @Test
  void resetVersusFire() throws Exception {
    // a watchdog re-armed (cancel + schedule) just as its old deadline passes
    WheelScheduler w = manual();
    AtomicInteger timeouts = new AtomicInteger();
    int rearmed = 0;
    for (int r = 0; r < ROUNDS; r++) {
      ScheduledFuture<?> old = w.schedule(timeouts::incrementAndGet, 1, TimeUnit.MILLISECONDS);
      w.tick();
      clock.addAndGet(MS + TICK);
      @SuppressWarnings("unchecked")
      ScheduledFuture<?>[] fresh = new ScheduledFuture<?>[1];
      int before = timeouts.get();
      race(
          w::tick,
          () -> {
            if (old.cancel(false)) {
              fresh[0] = w.schedule(timeouts::incrementAndGet, 5, TimeUnit.MILLISECONDS);
            }
          });
      // either the old deadline fired once, or it was cancelled and exactly one new timer is armed
      if (fresh[0] == null) {
        assertThat(timeouts.get() - before).isEqualTo(1);
        assertThat(w.pendingCount()).isZero();
      } else {
        rearmed++;
        assertThat(timeouts.get() - before).isZero();
        assertThat(w.pendingCount()).isEqualTo(1);
        w.tick();
        clock.addAndGet(5 * MS + TICK);
        w.tick();
        assertThat(timeouts.get() - before).isEqualTo(1);
      }
    }
    assertThat(w.pendingCount()).isZero();
    assertRegistryReconciles();
    assertThat(registry.snapshot().totalLiveTimers()).isZero();
    assertThat(rearmed).isBetween(0, ROUNDS);
  }

  @Test
  void cancelVersusPeriodicRearm() throws Exception {
    WheelScheduler w = manual();
    for (int r = 0; r < ROUNDS / 3; r++) {
      AtomicInteger runs = new AtomicInteger();
      ScheduledFuture<?> p =
          w.scheduleAtFixedRate(runs::incrementAndGet, 1, 1, TimeUnit.MILLISECONDS);
      clock.addAndGet(MS + TICK);
      boolean[] cancelled = new boolean[1];
      race(w::tick, () -> cancelled[0] = p.cancel(false));
      assertThat(cancelled[0]).as("a periodic timer is always cancellable").isTrue();
      int seen = runs.get();
      clock.addAndGet(10 * MS + TICK);
      w.tick();
      assertThat(runs.get()).as("no run after cancel returned").isEqualTo(seen);
      assertThat(w.pendingCount()).isZero();
    }
    assertRegistryReconciles();
    assertThat(registry.snapshot().totalLiveTimers()).isZero();
  }

  @Test
  void shutdownVersusSchedule() throws Exception {
    for (int r = 0; r < ROUNDS / 3; r++) {
      WheelScheduler w = manual();
      AtomicInteger ran = new AtomicInteger();
      @SuppressWarnings("unchecked")
      ScheduledFuture<?>[] accepted = new ScheduledFuture<?>[2];
      race(
          w::shutdown,
          () -> {
            try {
              accepted[0] = w.schedule(ran::incrementAndGet, 1, TimeUnit.MILLISECONDS);
              accepted[1] =
                  w.scheduleAtFixedRate(ran::incrementAndGet, 1, 1, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException expected) {
              // shut down first: nothing (more) accepted
            }
          });
      if (accepted[1] != null) {
        assertThat(accepted[1].isCancelled())
            .as("periodic timers do not survive shutdown")
            .isTrue();
      }
      w.tick(); // fixes the deadline of an accepted one-shot, even after shutdown
      clock.addAndGet(MS + TICK);
      w.tick();
      // an accepted one-shot runs exactly once even though shutdown raced with it
      assertThat(ran.get()).isEqualTo(accepted[0] != null ? 1 : 0);
      assertThat(w.isTerminated()).isTrue();
      assertThat(w.pendingCount()).isZero();
    }
    assertRegistryReconciles();
    assertThat(registry.snapshot().totalLiveTimers()).isZero();
  }

  @Test
  void shutdownNowVersusFire() throws Exception {
    for (int r = 0; r < ROUNDS / 3; r++) {
      WheelScheduler w = manual();
      AtomicInteger ran = new AtomicInteger();
      for (int i = 0; i < 10; i++) {
        w.schedule(ran::incrementAndGet, 1, TimeUnit.MILLISECONDS);
      }
      w.tick();
      clock.addAndGet(MS + TICK);
      int[] never = new int[1];
      race(w::tick, () -> never[0] = w.shutdownNow().size());
      assertThat(ran.get() + never[0]).isEqualTo(10);
      assertThat(w.isTerminated()).isTrue();
    }
    assertRegistryReconciles();
    assertThat(registry.snapshot().totalLiveTimers()).isZero();
  }

  @Test
  void cancelVersusCancelAndAWaiter() throws Exception {
    WheelScheduler w = manual();
    for (int r = 0; r < ROUNDS / 3; r++) {
      ScheduledFuture<?> f = w.schedule(() -> {}, 1, TimeUnit.HOURS);
      AtomicInteger wins = new AtomicInteger();
      CountDownLatch woke = new CountDownLatch(1);
      Thread waiter =
          new Thread(
              () -> {
                try {
                  f.get();
                } catch (java.util.concurrent.CancellationException expected) {
                  woke.countDown();
                } catch (Exception e) {
                  throw new AssertionError(e);
                }
              });
      waiter.start();
      race(
          () -> {
            if (f.cancel(false)) {
              wins.incrementAndGet();
            }
          },
          () -> {
            if (f.cancel(true)) {
              wins.incrementAndGet();
            }
          });
      assertThat(wins).as("exactly one cancel wins").hasValue(1);
      assertThat(woke.await(30, TimeUnit.SECONDS)).as("the waiter is woken").isTrue();
      waiter.join();
    }
    assertThat(w.pendingCount()).isZero();
    assertRegistryReconciles();
    assertThat(registry.snapshot().totalLiveTimers()).isZero();
  }

  @Test
  void getWakesUpWhenTheTimerCompletesOnAnotherThread() throws Exception {
    WheelScheduler w = manual();
    for (int r = 0; r < ROUNDS / 3; r++) {
      ScheduledFuture<Integer> f = w.schedule(() -> 7, 1, TimeUnit.MILLISECONDS);
      w.tick();
      clock.addAndGet(MS + TICK);
      CountDownLatch got = new CountDownLatch(1);
      race(
          w::tick,
          () -> {
            try {
              assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo(7);
              got.countDown();
            } catch (Exception e) {
              throw new AssertionError(e);
            }
          });
      assertThat(got.getCount()).isZero();
    }
  }
}
