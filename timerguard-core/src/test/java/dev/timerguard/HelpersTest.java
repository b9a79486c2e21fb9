package dev.timerguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.timerguard.live.LiveRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Throttle, Coalescer, Backoff and TimerScope. */
class HelpersTest {

  ManualEngine engine = new ManualEngine();
  LiveRegistry registry = LiveRegistry.create(100, engine::nanoTime);
  Timers timers =
      Timers.builder().engine(engine).registry(registry).clock(engine::nanoTime).build();

  @Test
  void throttleRunsAtMostOncePerPeriodAndLosesNoTrigger() {
    AtomicInteger runs = new AtomicInteger();
    Throttle t = timers.throttle(Duration.ofMillis(100), runs::incrementAndGet);
    t.trigger();
    engine.advance(0);
    assertThat(runs).hasValue(1);
    for (int i = 0; i < 10; i++) {
      t.trigger();
      engine.advanceMillis(5);
      assertThat(engine.pending()).isLessThanOrEqualTo(1);
    }
    assertThat(runs).hasValue(1);
    engine.advanceMillis(60);
    assertThat(runs).hasValue(2); // one trailing run for the ten triggers
    engine.advanceMillis(1000);
    assertThat(runs).hasValue(2);
    t.close();
    assertThatThrownBy(t::trigger)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThat(registry.snapshot().sites().get(0).live()).isZero();
  }

  @Test
  void coalescerFlushesByCountAndByDelayWithOneTimer() {
    List<List<Integer>> batches = Collections.synchronizedList(new ArrayList<>());
    Coalescer<Integer> c = timers.coalescer(3, Duration.ofMillis(50), batches::add);
    c.add(1);
    c.add(2);
    assertThat(engine.pending()).isEqualTo(1);
    c.add(3);
    engine.advance(0);
    assertThat(batches).containsExactly(List.of(1, 2, 3));
    c.add(4);
    engine.advanceMillis(49);
    assertThat(batches).hasSize(1);
    engine.advanceMillis(1);
    assertThat(batches).containsExactly(List.of(1, 2, 3), List.of(4));
    assertThat(c.flushedItems()).isEqualTo(4);
    assertThat(c.flushedBatches()).isEqualTo(2);
  }

  @Test
  void coalescerFlushesOnCloseAndDropsNothingUnderManyProducers() throws Exception {
    try (Timers real = Timers.builder().registry(registry).build()) {
      AtomicInteger received = new AtomicInteger();
      List<Integer> order = Collections.synchronizedList(new ArrayList<>());
      Coalescer<Integer> c =
          real.coalescer(
              64,
              Duration.ofMillis(2),
              b -> {
                received.addAndGet(b.size());
                assertThat(b.size()).isLessThanOrEqualTo(64);
              });
      int producers = 4;
      int each = 20_000;
      ExecutorService pool = Executors.newFixedThreadPool(producers);
      CountDownLatch done = new CountDownLatch(producers);
      for (int p = 0; p < producers; p++) {
        pool.execute(
            () -> {
              for (int i = 0; i < each; i++) {
                c.add(i);
              }
              done.countDown();
            });
      }
      assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();
      c.close();
      pool.shutdown();
      assertThat(received).hasValue(producers * each);
      assertThat(c.pending()).isZero();
      assertThatThrownBy(() -> c.add(1)).isInstanceOf(IllegalStateException.class);
      assertThat(order).isEmpty();
    }
  }

  @Test
  void backoffGrowsCapsJittersAndOwnsAtMostOneTimer() {
    Backoff b = timers.backoff(Duration.ofMillis(100), Duration.ofSeconds(1), 2.0, 0.0);
    assertThat(b.nextDelay()).isEqualTo(Duration.ofMillis(100));
    assertThat(b.nextDelay()).isEqualTo(Duration.ofMillis(200));
    assertThat(b.nextDelay()).isEqualTo(Duration.ofMillis(400));
    assertThat(b.nextDelay()).isEqualTo(Duration.ofMillis(800));
    assertThat(b.nextDelay()).isEqualTo(Duration.ofSeconds(1));
    assertThat(b.nextDelay()).isEqualTo(Duration.ofSeconds(1));
    b.reset();
    assertThat(b.attempts()).isZero();
    AtomicInteger attempts = new AtomicInteger();
    for (int i = 0; i < 100; i++) {
      b.retry(attempts::incrementAndGet); // a flapping upstream asks again and again
    }
    assertThat(engine.pending()).isEqualTo(1);
    assertThat(registry.snapshot().totalLiveTimers()).isEqualTo(1);
    engine.advanceMillis(2000);
    assertThat(attempts).hasValue(1);
    Backoff j = timers.backoff(Duration.ofMillis(100), Duration.ofSeconds(10), 2.0, 0.5);
    for (int i = 0; i < 100; i++) {
      j.reset();
      assertThat(j.nextDelay()).isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
    }
    b.close();
    assertThatThrownBy(() -> b.retry(() -> {})).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> timers.backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> timers.backoff(Duration.ofSeconds(1), Duration.ofSeconds(2), 0.5, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> timers.backoff(Duration.ofSeconds(1), Duration.ofSeconds(2), 2, 1.5))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void scopeCancelsEverythingItCreatedAndNests() {
    AtomicInteger runs = new AtomicInteger();
    TimerScope outer = timers.scope();
    outer.schedule(Duration.ofSeconds(1), runs::incrementAndGet);
    outer.tickAtFixedRate(Duration.ofMillis(100), runs::incrementAndGet);
    TimerScope inner = outer.scope();
    inner.watchdog(Duration.ofSeconds(1), runs::incrementAndGet);
    inner.schedule(Duration.ofSeconds(1), runs::incrementAndGet);
    timers.schedule(Duration.ofMillis(10), () -> {}); // not in the scope
    assertThat(outer.size()).isEqualTo(3);
    assertThat(inner.size()).isEqualTo(2);
    outer.close();
    assertThat(inner.isClosed()).isTrue();
    assertThat(engine.pending()).isEqualTo(1);
    engine.advanceMillis(5000);
    assertThat(runs).hasValue(0);
    assertThat(registry.snapshot().totalLiveTimers()).isZero();
    assertThatThrownBy(() -> inner.schedule(Duration.ZERO, () -> {}))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("TimerScope is closed");
    assertThat(registry.snapshot().totalLiveTimers()).isZero();
  }

  @Test
  void timersThatEndLeaveTheScope() {
    try (TimerScope scope = timers.scope()) {
      for (int i = 0; i < 1000; i++) {
        scope.schedule(Duration.ofMillis(1), () -> {});
      }
      engine.advanceMillis(1);
      assertThat(scope.size()).isZero();
    }
  }

  @Test
  void scopeSleepEndsWhenTheScopeCloses() throws Exception {
    TimerScope scope = timers.scope();
    boolean[] full = {true};
    Thread sleeper =
        new Thread(
            () -> {
              try {
                full[0] = scope.sleep(Duration.ofDays(1));
              } catch (InterruptedException e) {
                throw new AssertionError(e);
              }
            });
    sleeper.start();
    scope.close();
    sleeper.join(30_000);
    assertThat(sleeper.isAlive()).isFalse();
    assertThat(full[0]).isFalse();
    assertThat(timers.scope().sleep(Duration.ofMillis(1))).isTrue();
  }
}
