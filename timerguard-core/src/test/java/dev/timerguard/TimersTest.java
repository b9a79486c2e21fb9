package dev.timerguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.timerguard.live.CallSite;
import dev.timerguard.live.LiveRegistry;
import dev.timerguard.live.SiteStats;
import dev.timerguard.live.Snapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TimersTest {

  ManualEngine engine;
  LiveRegistry registry;
  Timers timers;
  List<Throwable> errors;

  @BeforeEach
  void setUp() {
    engine = new ManualEngine();
    registry = LiveRegistry.create(100, engine::nanoTime);
    errors = new ArrayList<>();
    timers =
        Timers.builder()
            .name("test")
            .engine(engine)
            .registry(registry)
            .clock(engine::nanoTime)
            .onError((site, e) -> errors.add(e))
            .build();
  }

  @AfterEach
  void tearDown() {
    timers.close();
  }

  private SiteStats only() {
    Snapshot s = registry.snapshot();
    assertThat(s.sites()).hasSize(1);
    return s.sites().get(0);
  }

  @Test
  void onTheDefaultWheelATenMillisecondTimerFiresWhileOtherCallbacksBlock() throws Exception {
    int cores = Math.max(2, Runtime.getRuntime().availableProcessors());
    int blocking = 2 * cores + 2; // more than the callback pool's core threads
    LiveRegistry own = LiveRegistry.create(100, System::nanoTime);
    try (Timers wheel = Timers.builder().name("blocking").registry(own).build()) {
      CountDownLatch started = new CountDownLatch(blocking);
      CountDownLatch release = new CountDownLatch(1);
      try {
        for (int i = 0; i < blocking; i++) {
          wheel.schedule(
              Duration.ofMillis(1),
              () -> {
                started.countDown();
                try {
                  release.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              });
        }
        assertThat(started.await(20, TimeUnit.SECONDS)).as("all block at once").isTrue();
        CountDownLatch fired = new CountDownLatch(1);
        Timeout t = wheel.schedule(Duration.ofMillis(10), fired::countDown);
        assertThat(fired.await(20, TimeUnit.SECONDS)).isTrue();
        assertThat(t.isFired()).isTrue();
      } finally {
        release.countDown();
      }
    }
  }

  @Test
  void oneShotFiresOnceAndIsCountedUntilThen() {
    AtomicInteger runs = new AtomicInteger();
    Timeout t = timers.schedule(Duration.ofMillis(100), runs::incrementAndGet);
    assertThat(only().live()).isEqualTo(1);
    assertThat(only().site().className()).isEqualTo(TimersTest.class.getName());
    assertThat(only().site().kind()).isEqualTo(CallSite.Kind.TIMER);
    engine.advanceMillis(99);
    assertThat(runs).hasValue(0);
    engine.advanceMillis(1);
    assertThat(runs).hasValue(1);
    assertThat(t.isFired()).isTrue();
    assertThat(t.cancel()).isFalse();
    SiteStats s = only();
    assertThat(s.created()).isEqualTo(1);
    assertThat(s.fired()).isEqualTo(1);
    assertThat(s.cancelled()).isZero();
    assertThat(s.live()).isZero();
    assertThat(s.peak()).isEqualTo(1);
  }

  @Test
  void onTheDefaultWheelAndGlobalRegistryTimersAreCountedWithFreshStamps() throws Exception {
    // the default engine and registry both use System.nanoTime: stamps come from the wheel
    try (Timers own = Timers.builder().name("stamped").build()) {
      long before = System.nanoTime();
      List<Timeout> made = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        if (i == 1) {
          Thread.sleep(1_200); // the wheel's tick thread sleeps meanwhile
        }
        made.add(own.schedule(Duration.ofHours(1), () -> {})); // one line: one site
      }
      SiteStats site = null;
      for (SiteStats st : LiveRegistry.global().snapshot().sites()) {
        if (st.site().location().contains("onTheDefaultWheelAndGlobalRegistry")) {
          assertThat(site).isNull();
          site = st;
        }
      }
      long elapsed = System.nanoTime() - before;
      assertThat(site).isNotNull();
      assertThat(site.live()).isEqualTo(2);
      assertThat(site.oldestLiveAgeNanos())
          .as("the first timer's age, to the one-second epoch")
          .isBetween(elapsed - 10_000_000L, elapsed + 2_200_000_000L);
      for (Timeout t : made) {
        assertThat(t.cancel()).isTrue();
      }
    }
  }

  @Test
  void cancelRemovesTheTimerFromTheEngineAtOnce() {
    AtomicInteger runs = new AtomicInteger();
    try (Timeout t = timers.schedule(Duration.ofHours(1), runs::incrementAndGet)) {
      assertThat(engine.pending()).isEqualTo(1);
      assertThat(t.isLive()).isTrue();
    }
    assertThat(engine.pending()).isZero();
    assertThat(only().cancelled()).isEqualTo(1);
    assertThat(only().live()).isZero();
    assertThat(timers.liveCount()).isZero();
    engine.advance(TimeUnit.HOURS.toNanos(2));
    assertThat(runs).hasValue(0);
  }

  @Test
  void sitesAreTheCreatingLines() {
    for (int i = 0; i < 3; i++) {
      timers.schedule(Duration.ofSeconds(1), () -> {}); // site A
    }
    timers.schedule(Duration.ofSeconds(1), () -> {}); // site B
    Snapshot s = registry.snapshot();
    assertThat(s.sites()).hasSize(2);
    assertThat(s.sites().get(0).live()).isEqualTo(3);
    assertThat(s.sites().get(1).live()).isEqualTo(1);
    assertThat(s.sites().get(0).site().line()).isLessThan(s.sites().get(1).site().line());
    assertThat(s.sites().get(0).site().methodName()).isEqualTo("sitesAreTheCreatingLines");
  }

  @Test
  void afterCompletesAndCancellingItRemovesTheTimer() throws Exception {
    CompletableFuture<Void> f = timers.after(Duration.ofMillis(10));
    engine.advanceMillis(10);
    assertThat(f).isCompleted();
    CompletableFuture<Void> g = timers.after(Duration.ofSeconds(10));
    assertThat(engine.pending()).isEqualTo(1);
    g.cancel(false);
    assertThat(engine.pending()).isZero();
    assertThat(registry.snapshot().totalLiveTimers()).isZero();
  }

  @Test
  void withTimeoutRemovesItsTimerWhenTheFutureCompletes() throws Exception {
    CompletableFuture<String> f = new CompletableFuture<>();
    assertThat(timers.withTimeout(f, Duration.ofSeconds(5))).isSameAs(f);
    assertThat(engine.pending()).isEqualTo(1);
    f.complete("ok");
    assertThat(engine.pending()).isZero();
    assertThat(registry.snapshot().totalLiveTimers()).isZero();
    assertThat(only().cancelled()).isEqualTo(1);
  }

  @Test
  void withTimeoutFailsTheFutureWithTimeoutException() {
    CompletableFuture<String> f =
        timers.withTimeout(new CompletableFuture<>(), Duration.ofMillis(5));
    engine.advanceMillis(5);
    assertThat(f).isCompletedExceptionally();
    assertThatThrownBy(f::get)
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(TimeoutException.class);
    assertThat(only().fired()).isEqualTo(1);
  }

  @Test
  void withTimeoutOnADoneFutureMakesNoTimer() {
    timers.withTimeout(CompletableFuture.completedFuture(1), Duration.ofSeconds(1));
    assertThat(engine.pending()).isZero();
    assertThat(registry.snapshot().sites()).isEmpty();
  }

  @Test
  void tickerTicksUntilClosedAndSetPeriodReusesIt() {
    AtomicInteger ticks = new AtomicInteger();
    Ticker t = timers.tickAtFixedRate(Duration.ofMillis(10), ticks::incrementAndGet);
    engine.advanceMillis(35);
    assertThat(ticks).hasValue(3);
    t.setPeriod(Duration.ofMillis(100));
    assertThat(engine.pending()).isEqualTo(1);
    assertThat(only().created()).isEqualTo(1);
    assertThat(only().live()).isEqualTo(1);
    engine.advanceMillis(100);
    assertThat(ticks).hasValue(4);
    assertThat(t.period()).isEqualTo(Duration.ofMillis(100));
    t.close();
    engine.advanceMillis(1000);
    assertThat(ticks).hasValue(4);
    assertThat(engine.pending()).isZero();
    assertThat(only().live()).isZero();
    assertThat(only().site().kind()).isEqualTo(CallSite.Kind.TICKER);
    assertThatThrownBy(() -> t.setPeriod(Duration.ofMillis(5)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("stopped");
  }

  @Test
  void tickerWithFixedDelayKeepsTickingWhenARunThrows() {
    AtomicInteger ticks = new AtomicInteger();
    timers.tickWithFixedDelay(
        Duration.ofMillis(10),
        () -> {
          ticks.incrementAndGet();
          throw new IllegalStateException("boom");
        });
    engine.advanceMillis(50);
    assertThat(ticks).hasValue(5);
    assertThat(errors).hasSize(5).allMatch(e -> e.getMessage().equals("boom"));
  }

  @Test
  void aThrowingActionIsReportedAndDelaysNoOtherTimer() {
    AtomicInteger later = new AtomicInteger();
    timers.schedule(
        Duration.ofMillis(1),
        () -> {
          throw new RuntimeException("first");
        });
    timers.schedule(Duration.ofMillis(1), later::incrementAndGet);
    engine.advanceMillis(1);
    assertThat(errors).extracting(Throwable::getMessage).containsExactly("first");
    assertThat(later).hasValue(1);
  }

  @Test
  void aThrowingErrorHandlerIsContained() {
    Timers t =
        Timers.builder()
            .engine(engine)
            .registry(registry)
            .onError(
                (s, e) -> {
                  throw new Error("handler");
                })
            .build();
    AtomicInteger later = new AtomicInteger();
    t.schedule(
        Duration.ZERO,
        () -> {
          throw new RuntimeException();
        });
    t.schedule(Duration.ZERO, later::incrementAndGet);
    engine.advance(0);
    assertThat(later).hasValue(1);
  }

  @Test
  void aThrowingErrorHandlersFailureGoesToTheThreadsUncaughtHandlerWithTheActionsError() {
    Error handlerFailure = new Error("handler");
    RuntimeException actionFailure = new RuntimeException("action");
    Timers t =
        Timers.builder()
            .engine(engine)
            .registry(registry)
            .onError(
                (s, e) -> {
                  throw handlerFailure;
                })
            .build();
    List<Throwable> uncaught = new java.util.concurrent.CopyOnWriteArrayList<>();
    Thread me = Thread.currentThread();
    Thread.UncaughtExceptionHandler old = me.getUncaughtExceptionHandler();
    me.setUncaughtExceptionHandler((th, e) -> uncaught.add(e));
    try {
      t.schedule(
          Duration.ZERO,
          () -> {
            throw actionFailure;
          });
      AtomicInteger later = new AtomicInteger();
      t.schedule(Duration.ZERO, later::incrementAndGet);
      engine.advance(0);
      assertThat(later).hasValue(1); // the timer thread went on
    } finally {
      me.setUncaughtExceptionHandler(old == me.getThreadGroup() ? null : old);
    }
    assertThat(uncaught)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e)
                  .hasCause(handlerFailure)
                  .hasMessageContaining("TimerErrorHandler")
                  .hasMessageContaining(TimersTest.class.getName());
              assertThat(e.getSuppressed()).containsExactly(actionFailure);
            });
    assertThat(handlerFailure.getSuppressed()).isEmpty(); // the handler's own error is not mutated
  }

  @Test
  void zeroAndNegativeDelaysFirePromptly() {
    AtomicInteger runs = new AtomicInteger();
    timers.schedule(Duration.ZERO, runs::incrementAndGet);
    timers.schedule(Duration.ofSeconds(-5), runs::incrementAndGet);
    engine.advance(0);
    assertThat(runs).hasValue(2);
  }

  @Test
  void hugeDelaysSaturateAndNeverWrapIntoThePast() {
    AtomicInteger runs = new AtomicInteger();
    timers.schedule(Duration.ofSeconds(Long.MAX_VALUE), runs::incrementAndGet);
    timers.schedule(Duration.ofDays(365L * 1000), runs::incrementAndGet);
    engine.advance(TimeUnit.DAYS.toNanos(365L * 50));
    assertThat(runs).hasValue(0);
    assertThat(engine.snapshot()).allMatch(t -> t.getDelay(TimeUnit.NANOSECONDS) > 0);
  }

  @Test
  void nullArgumentsAreNamed() {
    assertThatThrownBy(() -> timers.schedule(null, () -> {}))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("delay");
    assertThatThrownBy(() -> timers.schedule(Duration.ZERO, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("action");
    assertThatThrownBy(() -> timers.tickAtFixedRate(null, () -> {}))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("period");
    assertThatThrownBy(() -> timers.withTimeout(null, Duration.ZERO))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("future");
    assertThatThrownBy(() -> timers.withTimeout(new CompletableFuture<>(), null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("timeout");
    assertThatThrownBy(() -> timers.watchdog(Duration.ofSeconds(1), null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("onExpire");
    assertThatThrownBy(() -> timers.at(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("site");
    assertThatThrownBy(() -> Timers.sleep(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("duration");
    assertThat(registry.snapshot().sites()).isEmpty();
  }

  @Test
  void nonPositivePeriodsAreRejected() {
    assertThatThrownBy(() -> timers.tickAtFixedRate(Duration.ZERO, () -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("period must be positive");
    assertThatThrownBy(() -> timers.tickWithFixedDelay(Duration.ofMillis(-1), () -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("delay must be positive");
    assertThatThrownBy(() -> timers.coalescer(0, Duration.ofMillis(1), b -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxBatch");
  }

  @Test
  void closeNowHandsBackWhatNeverRanAndCountsItCancelled() {
    Runnable a = () -> {};
    Runnable b = () -> {};
    timers.schedule(Duration.ofSeconds(1), a);
    timers.schedule(Duration.ofSeconds(2), b);
    timers.schedule(Duration.ZERO, () -> {});
    engine.advance(0);
    Ticker t = timers.tickAtFixedRate(Duration.ofSeconds(1), () -> {});
    List<Runnable> neverRan = timers.closeNow();
    assertThat(neverRan).containsExactlyInAnyOrder(a, b);
    assertThat(t.isLive()).isFalse();
    assertThat(engine.isShutdown()).isTrue();
    Snapshot s = registry.snapshot();
    assertThat(s.totalLiveTimers()).isZero();
    long cancelled = s.sites().stream().mapToLong(SiteStats::cancelled).sum();
    assertThat(cancelled).isEqualTo(3);
    assertThat(timers.closeNow()).isEmpty();
  }

  @Test
  void useAfterCloseNamesWhatWasClosed() {
    timers.close();
    assertThatThrownBy(() -> timers.schedule(Duration.ZERO, () -> {}))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("Timers 'test' is closed");
    assertThatThrownBy(() -> timers.scope())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThat(registry.snapshot().totalLiveTimers()).isZero();
  }

  @Test
  void theSharedInstanceCannotBeClosed() {
    assertThatThrownBy(() -> Timers.shared().close())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("shared");
  }

  @Test
  void explicitSitesAreUsedAsGiven() {
    TimerSite site = TimerSite.named("rpc.read-timeout");
    timers.at(site).after(Duration.ofSeconds(1));
    timers.at(site).after(Duration.ofSeconds(1));
    assertThat(only().site().className()).isEqualTo("rpc.read-timeout");
    assertThat(only().live()).isEqualTo(2);
    assertThatThrownBy(() -> TimerSite.named(" ")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void callbacksRunOnTheCallbackExecutorNeverOnTheCaller() throws Exception {
    try (Timers real = Timers.builder().name("real").registry(registry).build()) {
      CountDownLatch ran = new CountDownLatch(1);
      Thread[] runner = new Thread[1];
      real.schedule(
          Duration.ZERO,
          () -> {
            runner[0] = Thread.currentThread();
            ran.countDown();
          });
      assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(runner[0]).isNotSameAs(Thread.currentThread());
      assertThat(runner[0].getName()).startsWith("timerguard-real");
      assertThat(runner[0].isDaemon()).isTrue();
    }
  }

  @Test
  void sleepHonoursInterruptionAndNeverSwallowsIt() {
    Thread.currentThread().interrupt();
    assertThatThrownBy(() -> Timers.sleep(Duration.ofSeconds(10)))
        .isInstanceOf(InterruptedException.class);
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
  }

  @Test
  void sleepIsCutShortByAnInterruptFromAnotherThread() throws Exception {
    Thread main = Thread.currentThread();
    Thread interrupter =
        new Thread(
            () -> {
              try {
                Thread.sleep(20);
              } catch (InterruptedException ignored) {
                return;
              }
              main.interrupt();
            });
    interrupter.start();
    assertThatThrownBy(() -> Timers.sleep(Duration.ofDays(1)))
        .isInstanceOf(InterruptedException.class);
    interrupter.join();
  }

  @Test
  void zeroSleepReturns() throws Exception {
    Timers.sleep(Duration.ZERO);
    Timers.sleep(Duration.ofNanos(-1));
  }
}
