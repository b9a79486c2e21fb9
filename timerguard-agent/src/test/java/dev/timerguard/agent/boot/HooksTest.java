package dev.timerguard.agent.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.timerguard.live.CallSite;
import dev.timerguard.live.LiveRegistry;
import dev.timerguard.live.SiteStats;
import dev.timerguard.live.internal.SiteCounter;
import java.util.Timer;
import java.util.TimerTask;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each hook, called directly with a site id, against a private registry. */
class HooksTest {

  private LiveRegistry registry;
  private ScheduledThreadPoolExecutor pool;

  @BeforeEach
  void setUp() {
    registry = LiveRegistry.create(64, System::nanoTime);
    Hooks.useRegistryForTests(registry);
    HookGuard.resetForTests();
    pool = new ScheduledThreadPoolExecutor(1);
  }

  @AfterEach
  void tearDown() {
    pool.shutdownNow();
    Hooks.useRegistryForTests(LiveRegistry.global());
    HookGuard.resetForTests();
  }

  private int site(CallSite.Kind kind, int line) {
    return SiteTable.define(CallSite.of(kind, "t.App", "m", "App.java", line));
  }

  private SiteStats stats(int id) {
    SiteCounter c = SiteTable.counter(id);
    return registry.snapshot().site(c.site());
  }

  @Test
  void scheduleThenCancelCountsOneCancelledAndNothingLive() {
    int s = site(CallSite.Kind.TIMER, 1);
    ScheduledFuture<?> f = ScheduleHooks.schedule(pool, () -> {}, 10, TimeUnit.MINUTES, s);
    assertThat(stats(s).live()).isEqualTo(1);
    assertThat(f.cancel(false)).isTrue();
    assertThat(f.cancel(false)).isFalse();
    SiteStats st = stats(s);
    assertThat(st.created()).isEqualTo(1);
    assertThat(st.cancelled()).isEqualTo(1);
    assertThat(st.live()).isZero();
    assertThat(f.isCancelled()).isTrue();
  }

  @Test
  void oneShotThatRunsCountsFired() throws Exception {
    int s = site(CallSite.Kind.TIMER, 2);
    CountDownLatch ran = new CountDownLatch(1);
    ScheduledFuture<?> f =
        ScheduleHooks.schedule(pool, ran::countDown, 0, TimeUnit.MILLISECONDS, s);
    f.get(5, TimeUnit.SECONDS);
    assertThat(ran.getCount()).isZero();
    assertThat(stats(s).fired()).isEqualTo(1);
    assertThat(stats(s).live()).isZero();
    assertThat(f.cancel(false)).isFalse();
    assertThat(stats(s).cancelled()).isZero();
  }

  @Test
  void callableResultComesBack() throws Exception {
    int s = site(CallSite.Kind.TIMER, 3);
    ScheduledFuture<String> f =
        ScheduleHooks.scheduleCallable(pool, () -> "v", 0, TimeUnit.MILLISECONDS, s);
    assertThat(f.get(5, TimeUnit.SECONDS)).isEqualTo("v");
    assertThat(stats(s).fired()).isEqualTo(1);
  }

  @Test
  void periodicTaskStaysLiveUntilCancelledAndStopsWhenItThrows() throws Exception {
    int s = site(CallSite.Kind.TICKER, 4);
    ScheduledFuture<?> f =
        ScheduleHooks.scheduleAtFixedRate(pool, () -> {}, 0, 1, TimeUnit.MILLISECONDS, s);
    Thread.sleep(20);
    assertThat(stats(s).live()).isEqualTo(1);
    assertThat(stats(s).fired()).isZero();
    f.cancel(false);
    assertThat(stats(s).live()).isZero();

    int s2 = site(CallSite.Kind.TICKER, 5);
    ScheduledFuture<?> g =
        ScheduleHooks.scheduleWithFixedDelay(
            pool,
            () -> {
              throw new IllegalStateException("boom");
            },
            0,
            1,
            TimeUnit.MILLISECONDS,
            s2);
    assertThatThrownBy(() -> g.get(5, TimeUnit.SECONDS))
        .hasCauseInstanceOf(IllegalStateException.class);
    assertThat(stats(s2).fired()).isEqualTo(1); // it ran, then ended by throwing (TimerEnd.FAILED)
    assertThat(stats(s2).live()).isZero();
  }

  @Test
  void rejectedAndNullInputBehaveLikeTheJdkAndLeaveNothingLive() {
    int s = site(CallSite.Kind.TIMER, 6);
    assertThatThrownBy(() -> ScheduleHooks.schedule(pool, null, 1, TimeUnit.SECONDS, s))
        .isInstanceOf(NullPointerException.class);
    pool.shutdown();
    assertThatThrownBy(() -> ScheduleHooks.schedule(pool, () -> {}, 1, TimeUnit.SECONDS, s))
        .isInstanceOf(RejectedExecutionException.class);
    assertThat(stats(s).live()).isZero();
  }

  @Test
  void timersDroppedByShutdownOrShutdownNowEndAsCancelled() {
    int tick = site(CallSite.Kind.TICKER, 60);
    int once = site(CallSite.Kind.TIMER, 61);
    ScheduleHooks.scheduleAtFixedRate(pool, () -> {}, 10, 10, TimeUnit.MINUTES, tick);
    ScheduleHooks.schedule(pool, () -> {}, 10, TimeUnit.MINUTES, once);
    ShutdownHooks.shutdown(
        pool); // cancels periodic tasks; delayed one-shots still run by default policy
    assertThat(stats(tick).live()).isZero();
    assertThat(stats(tick).cancelled()).isEqualTo(1);
    assertThat(stats(once).live()).isEqualTo(1);

    ScheduledThreadPoolExecutor other = new ScheduledThreadPoolExecutor(1);
    ScheduleHooks.schedule(other, () -> {}, 10, TimeUnit.MINUTES, once);
    ScheduleHooks.scheduleCallable(other, () -> "x", 10, TimeUnit.MINUTES, once);
    assertThat(ShutdownHooks.shutdownNow(other)).hasSize(2);
    assertThat(stats(once).live()).isEqualTo(1); // only the first pool's one-shot is left
  }

  @Test
  void schedulersThatAreNotTheJdksPassThroughUntouched() {
    int s = site(CallSite.Kind.TIMER, 70);
    ScheduledFuture<?> theirs = pool.schedule(() -> {}, 1, TimeUnit.HOURS);
    java.util.concurrent.ScheduledExecutorService foreign =
        (java.util.concurrent.ScheduledExecutorService)
            java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {java.util.concurrent.ScheduledExecutorService.class},
                (proxy, method, args) -> method.getName().equals("schedule") ? theirs : null);
    assertThat((Object) ScheduleHooks.schedule(foreign, () -> {}, 1, TimeUnit.SECONDS, s))
        .isSameAs(theirs);
    assertThat(registry.snapshot().sites()).noneMatch(x -> x.site().line() == 70);
  }

  @Test
  void aMockOfTheSchedulerInterfaceIsNotTakenForTheJdksEvenWithNoClassLoader() {
    int s = site(CallSite.Kind.TIMER, 71);
    java.util.concurrent.atomic.AtomicInteger calls =
        new java.util.concurrent.atomic.AtomicInteger();
    // what a mocking library does: a proxy of a JDK interface, defined with no class loader,
    // whose unexpected calls throw AssertionError
    java.util.concurrent.ScheduledExecutorService mock =
        (java.util.concurrent.ScheduledExecutorService)
            java.lang.reflect.Proxy.newProxyInstance(
                null,
                new Class<?>[] {java.util.concurrent.ScheduledExecutorService.class},
                (proxy, method, args) -> {
                  calls.incrementAndGet();
                  if (method.getName().equals("schedule")) {
                    return null;
                  }
                  throw new AssertionError("unexpected call " + method.getName());
                });
    assertThat(mock.getClass().getClassLoader()).isNull();
    assertThat(ScheduleHooks.wrappable(mock)).isFalse();
    assertThat((Object) ScheduleHooks.schedule(mock, () -> {}, 1, TimeUnit.SECONDS, s)).isNull();
    assertThat(calls).hasValue(1); // only the call the application made
    ExecutorTracker.poll();
    assertThat(calls).hasValue(1); // the sampler never calls the mock
    assertThat(HookGuard.failures(HookGuard.EXECUTOR)).isZero();
    assertThat(registry.snapshot().sites()).noneMatch(x -> x.site().line() == 71);
  }

  @Test
  void aShutdownCallEndsItsExecutorAtOnceWithNoSamplerPass() {
    int exec = site(CallSite.Kind.EXECUTOR, 72);
    ScheduledThreadPoolExecutor p = new ScheduledThreadPoolExecutor(1);
    CreationHooks.executorCreated(p, exec);
    assertThat(stats(exec).live()).isEqualTo(1);
    ShutdownHooks.shutdown(p);
    assertThat(stats(exec).live()).isZero();
    assertThat(stats(exec).cancelled()).isEqualTo(1);
    ExecutorTracker.poll(); // the sampler seeing it shut down does not end it twice
    assertThat(stats(exec).cancelled()).isEqualTo(1);
    assertThat(stats(exec).created()).isEqualTo(1);

    java.util.concurrent.ExecutorService q = java.util.concurrent.Executors.newFixedThreadPool(1);
    CreationHooks.executorCreated(q, exec);
    assertThat(ShutdownHooks.shutdownNow(q)).isEmpty();
    assertThat(stats(exec).live()).isZero();
  }

  @Test
  void aPeriodicRunInProgressWhenItsExecutorShutsDownEnds() throws Exception {
    int tick = site(CallSite.Kind.TICKER, 73);
    ScheduledThreadPoolExecutor p = new ScheduledThreadPoolExecutor(1);
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ScheduleHooks.scheduleAtFixedRate(
        p,
        () -> {
          running.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        },
        0,
        1,
        TimeUnit.MILLISECONDS,
        tick);
    assertThat(running.await(5, TimeUnit.SECONDS)).isTrue();
    // the task is running, not queued: no queue walk sees it, but it will never run again
    ShutdownHooks.shutdown(p);
    assertThat(stats(tick).live()).isZero();
    assertThat(stats(tick).cancelled()).isEqualTo(1);
    release.countDown();
    assertThat(p.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    assertThat(stats(tick).live()).isZero();
    assertThat(stats(tick).cancelled()).isEqualTo(1); // the end of the last run counts nothing
  }

  @Test
  void aPeriodicTaskBetweenARunAndItsRequeueingEndsWhenItsExecutorShutsDown() {
    int tick = site(CallSite.Kind.TICKER, 74);
    ScheduledThreadPoolExecutor p = new ScheduledThreadPoolExecutor(1);
    ScheduleHooks.scheduleWithFixedDelay(p, () -> {}, 1, 1, TimeUnit.HOURS, tick);
    // where a worker holds a periodic task after its run and before it queues it again: in no
    // queue. (Taken off the queue by hand here, to make that moment last.)
    p.getQueue().clear();
    ShutdownHooks.shutdown(p);
    assertThat(stats(tick).live()).isZero();
    assertThat(stats(tick).cancelled()).isEqualTo(1);
  }

  @Test
  void aPeriodicTaskEndsWhenTheSamplerFindsItsExecutorShutDownByUninstrumentedCode() {
    int tick = site(CallSite.Kind.TICKER, 75);
    ScheduledThreadPoolExecutor p = new ScheduledThreadPoolExecutor(1);
    ScheduleHooks.scheduleAtFixedRate(p, () -> {}, 1, 1, TimeUnit.HOURS, tick);
    p.shutdown(); // not through the hook: a class the agent does not rewrite
    assertThat(stats(tick).live()).isEqualTo(1);
    ExecutorTracker.poll();
    assertThat(stats(tick).live()).isZero();
    assertThat(stats(tick).cancelled()).isEqualTo(1);
  }

  @Test
  void periodicTasksAPoolKeepsAfterShutdownStayLiveUntilHandedBack() {
    int tick = site(CallSite.Kind.TICKER, 76);
    ScheduledThreadPoolExecutor p = new ScheduledThreadPoolExecutor(1);
    p.setContinueExistingPeriodicTasksAfterShutdownPolicy(true);
    ScheduleHooks.scheduleAtFixedRate(p, () -> {}, 1, 1, TimeUnit.HOURS, tick);
    ShutdownHooks.shutdown(p);
    ExecutorTracker.poll();
    assertThat(stats(tick).live()).isEqualTo(1); // it still runs every hour
    assertThat(ShutdownHooks.shutdownNow(p)).hasSize(1);
    assertThat(stats(tick).live()).isZero();
  }

  @Test
  void periodicTasksCancelledOneByOneAreNotEndedAgainByTheirExecutorsShutdown() {
    int tick = site(CallSite.Kind.TICKER, 77);
    ScheduledThreadPoolExecutor p = new ScheduledThreadPoolExecutor(1);
    for (int i = 0; i < 3; i++) {
      ScheduleHooks.scheduleAtFixedRate(p, () -> {}, 1, 1, TimeUnit.HOURS, tick).cancel(false);
    }
    ScheduleHooks.scheduleAtFixedRate(p, () -> {}, 1, 1, TimeUnit.HOURS, tick);
    ShutdownHooks.shutdown(p);
    assertThat(stats(tick).created()).isEqualTo(4);
    assertThat(stats(tick).cancelled()).isEqualTo(4);
    assertThat(stats(tick).live()).isZero();
  }

  @Test
  void fastPeriodicTasksShutDownInTheMiddleOfTheirRunsAllEnd() throws Exception {
    // a 1 ms periodic task shut down at random points of its cycle (queued, running, between a
    // run and its re-queueing), many times: none may stay live
    int tick = site(CallSite.Kind.TICKER, 78);
    int rounds = 300;
    for (int i = 0; i < rounds; i++) {
      ScheduledThreadPoolExecutor p = new ScheduledThreadPoolExecutor(1);
      java.util.concurrent.atomic.AtomicInteger runs =
          new java.util.concurrent.atomic.AtomicInteger();
      ScheduleHooks.scheduleAtFixedRate(
          p, runs::incrementAndGet, 0, 1, TimeUnit.MILLISECONDS, tick);
      while (runs.get() < 1 + (i % 3)) {
        Thread.onSpinWait();
      }
      ShutdownHooks.shutdown(p);
      assertThat(p.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(stats(tick).created()).isEqualTo(rounds);
    assertThat(stats(tick).live()).isZero();
    assertThat(stats(tick).cancelled()).isEqualTo(rounds);
  }

  @Test
  void trackedFutureCanStillBeRemovedFromThePool() {
    int s = site(CallSite.Kind.TIMER, 7);
    ScheduledFuture<?> f = ScheduleHooks.schedule(pool, () -> {}, 10, TimeUnit.MINUTES, s);
    assertThat((Object) f).isInstanceOf(Runnable.class);
    assertThat(ScheduleHooks.remove(pool, (Runnable) f)).isTrue();
    assertThat(pool.getQueue()).isEmpty();
  }

  @Test
  void retainedCountsCancelledTasksStillQueuedPerExecutorSite() {
    int exec = site(CallSite.Kind.EXECUTOR, 10);
    int t = site(CallSite.Kind.TIMER, 11);
    CreationHooks.executorCreated(pool, exec);
    ScheduledThreadPoolExecutor clean = new ScheduledThreadPoolExecutor(1);
    clean.setRemoveOnCancelPolicy(true);
    int cleanSite = site(CallSite.Kind.EXECUTOR, 12);
    CreationHooks.executorCreated(clean, cleanSite);
    try {
      for (int i = 0; i < 10; i++) {
        ScheduledFuture<?> f = ScheduleHooks.schedule(pool, () -> {}, 10, TimeUnit.MINUTES, t);
        ScheduledFuture<?> g = ScheduleHooks.schedule(clean, () -> {}, 10, TimeUnit.MINUTES, t);
        if (i < 7) {
          f.cancel(false);
          g.cancel(false);
        }
      }
      ExecutorTracker.poll();
      assertThat(stats(exec).retained()).isEqualTo(7);
      assertThat(Hooks.registry().snapshot().site(SiteTable.counter(exec).site()).queued())
          .isEqualTo(10L);
      assertThat(stats(cleanSite).retained()).isZero();
      ScheduleHooks.purge(pool); // what an instrumented pool.purge() calls (CallSiteRewriterTest)
      ExecutorTracker.poll();
      assertThat(stats(exec).retained()).isZero();
      assertThat(stats(exec).live()).isEqualTo(1);
      clean.shutdownNow();
      ExecutorTracker.poll();
      assertThat(stats(cleanSite).live()).isZero();
      assertThat(stats(cleanSite).cancelled()).isEqualTo(1);
    } finally {
      clean.shutdownNow();
    }
  }

  @Test
  void anExecutorPerCallStaysLiveWhileItsPoolLivesEvenWhenTheWrapperIsCollected() {
    int exec = site(CallSite.Kind.EXECUTOR, 15);
    java.util.concurrent.ScheduledExecutorService wrapper =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    java.util.concurrent.ThreadPoolExecutor inner = ExecutorTracker.pool(wrapper);
    assertThat(inner).as("Executors' wrapper is seen through").isNotNull();
    CreationHooks.executorCreated(wrapper, exec);
    wrapper.schedule(() -> {}, 1, TimeUnit.MILLISECONDS);
    wrapper = null;
    System.gc();
    ExecutorTracker.poll();
    assertThat(stats(exec).live()).isEqualTo(1);
    inner.shutdownNow();
    ExecutorTracker.poll();
    assertThat(stats(exec).live()).isZero();
  }

  @Test
  void executorCreatedBeforeTheAgentIsRegisteredOnFirstUseAtTheScheduleSite() {
    int t = site(CallSite.Kind.TIMER, 20);
    ScheduledFuture<?> f = ScheduleHooks.schedule(pool, () -> {}, 10, TimeUnit.MINUTES, t);
    f.cancel(false);
    ExecutorTracker.poll();
    SiteStats exec =
        registry.snapshot().sites().stream()
            .filter(x -> x.site().kind() == CallSite.Kind.EXECUTOR && x.site().line() == 20)
            .findFirst()
            .orElseThrow();
    assertThat(exec.site().methodName()).contains("first used here");
    assertThat(exec.retained()).isEqualTo(1);
  }

  @Test
  void threadsAreLiveUntilTheyEnd() throws Exception {
    int s = site(CallSite.Kind.THREAD, 30);
    CountDownLatch release = new CountDownLatch(1);
    Thread th =
        new Thread(
            () -> {
              try {
                release.await();
              } catch (InterruptedException ignored) {
                // ends
              }
            });
    th.start();
    CreationHooks.threadStarted(th, s);
    ThreadTracker.poll();
    assertThat(stats(s).live()).isEqualTo(1);
    release.countDown();
    th.join();
    ThreadTracker.poll();
    assertThat(stats(s).live()).isZero();
    assertThat(stats(s).fired()).isEqualTo(1);
  }

  @Test
  void timerTasksFireOrCancelOnce() throws Exception {
    Timer timer = new Timer(true);
    try {
      int s = site(CallSite.Kind.TIMER, 40);
      CountDownLatch ran = new CountDownLatch(1);
      TimerTask fires =
          new TimerTask() {
            @Override
            public void run() {
              TimerHooks.timerTaskRun(this); // what the agent inserts at the top of run()
              ran.countDown();
            }
          };
      TimerHooks.timerSchedule(timer, fires, 1L, s);
      assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
      TimerTask cancelled =
          new TimerTask() {
            @Override
            public void run() {}
          };
      TimerHooks.timerSchedule(timer, cancelled, 600_000L, s);
      assertThat(stats(s).live()).isEqualTo(1);
      assertThat(TimerHooks.timerTaskCancel(cancelled)).isTrue();
      assertThat(TimerHooks.timerTaskCancel(cancelled)).isFalse();
      SiteStats st = stats(s);
      assertThat(st.fired()).isEqualTo(1);
      assertThat(st.cancelled()).isEqualTo(1);
      assertThat(st.live()).isZero();

      int p = site(CallSite.Kind.TICKER, 41);
      TimerHooks.timerScheduleAtFixedRate(
          timer,
          new TimerTask() {
            @Override
            public void run() {}
          },
          600_000L,
          1000L,
          p);
      assertThat(stats(p).live()).isEqualTo(1);
      TimerHooks.timerCancel(timer);
      assertThat(stats(p).live()).isZero();
    } finally {
      timer.cancel();
    }
  }

  @Test
  void completableFutureTimeoutsEndWhenTheFutureCompletes() throws Exception {
    int s = site(CallSite.Kind.TIMER, 50);
    CompletableFuture<String> ok = new CompletableFuture<>();
    CompletableHooks.orTimeout(ok, 10, TimeUnit.MINUTES, s);
    assertThat(stats(s).live()).isEqualTo(1);
    ok.complete("x");
    assertThat(stats(s).cancelled()).isEqualTo(1);

    CompletableFuture<String> late = new CompletableFuture<>();
    CompletableHooks.completeOnTimeout(late, "dflt", 1, TimeUnit.MILLISECONDS, s);
    assertThat(late.get(5, TimeUnit.SECONDS)).isEqualTo("dflt");
    // dependents run just after get() can return: wait for the count, bounded
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (stats(s).fired() == 0 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(stats(s).fired()).isEqualTo(1);
    assertThat(stats(s).live()).isZero();

    CompletableFuture<String> done = CompletableFuture.completedFuture("y");
    CompletableHooks.orTimeout(done, 1, TimeUnit.MINUTES, s);
    assertThat(stats(s).created()).isEqualTo(2); // no timer for a completed future

    int d = site(CallSite.Kind.TIMER, 51);
    Executor ex = CompletableHooks.delayedExecutor(1, TimeUnit.MILLISECONDS, d);
    CountDownLatch ran = new CountDownLatch(1);
    ex.execute(ran::countDown);
    assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(stats(d).fired()).isEqualTo(1);
  }
}
