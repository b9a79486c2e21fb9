package dev.timerguard.wheel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.timerguard.internal.SiteAware;
import dev.timerguard.live.CallSite;
import dev.timerguard.live.LiveRegistry;
import dev.timerguard.live.SiteStats;
import java.time.Duration;
import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The owned callback pool: callbacks that block cost others a thread, not their timeliness; the
 * pool grows to its bound and no further, queues beyond it, retires idle threads, and slow
 * callbacks are reported once per site. Waits are bounded latches, never timed assertions.
 */
@Timeout(60)
class CallbackPoolTest {

  static final long MS = 1_000_000L;
  static final int CORE = Math.max(2, Runtime.getRuntime().availableProcessors());

  final AtomicLong clock = new AtomicLong(1_000 * MS);
  final LiveRegistry registry = LiveRegistry.create(1000, clock::get);
  final CapturingLogger log = new CapturingLogger();

  /** Submits {@code n} callbacks that each count down {@code started}, then wait for release. */
  static void block(WheelScheduler w, int n, CountDownLatch started, CountDownLatch release) {
    for (int i = 0; i < n; i++) {
      w.execute(
          () -> {
            started.countDown();
            try {
              release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
    }
  }

  static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime() - until).as("waiting for " + what).isNegative();
      Thread.sleep(5);
    }
  }

  @Test
  void aTenMillisecondTimerFiresWhileMoreCallbacksBlockThanThePoolHasCoreThreads()
      throws Exception {
    int blocked = 2 * CORE + 2;
    try (WheelScheduler w = WheelScheduler.builder().countTimers(false).log(log).build()) {
      CountDownLatch started = new CountDownLatch(blocked);
      CountDownLatch release = new CountDownLatch(1);
      block(w, blocked, started, release);
      assertThat(started.await(20, TimeUnit.SECONDS))
          .as(
              "all %d blocking callbacks run at once: the pool grew past its %d core threads",
              blocked, CORE)
          .isTrue();
      CountDownLatch fired = new CountDownLatch(1);
      w.schedule(fired::countDown, 10, TimeUnit.MILLISECONDS);
      assertThat(fired.await(20, TimeUnit.SECONDS)).isTrue();
      assertThat(w.callbackThreadCount()).isEqualTo(blocked + 1);
      release.countDown();
    }
  }

  @Test
  void thePoolGrowsOnlyToItsBoundAndQueuesTheRestWithoutDroppingAny() throws Exception {
    int bound = 3;
    try (WheelScheduler w =
        WheelScheduler.builder().countTimers(false).maxCallbackThreads(bound).log(log).build()) {
      CountDownLatch started = new CountDownLatch(2 * bound);
      CountDownLatch release = new CountDownLatch(1);
      block(w, 2 * bound, started, release);
      await(() -> !log.messages().isEmpty(), "a callback to find the pool at its bound");
      await(() -> started.getCount() == bound, "the pool to run as many as its bound");
      assertThat(w.callbackThreadCount()).isEqualTo(bound);
      assertThat(log.messages())
          .as("the bound is reported once")
          .filteredOn(m -> m.contains("all 3 callback threads of WheelScheduler"))
          .hasSize(1);
      release.countDown();
      assertThat(started.await(20, TimeUnit.SECONDS)).as("the queued callbacks ran").isTrue();
      assertThat(w.largestCallbackThreadCount()).isEqualTo(bound);
    }
  }

  @Test
  void idleThreadsRetireAfterTheKeepAlive() throws Exception {
    int n = CORE + 2;
    try (WheelScheduler retiring =
            WheelScheduler.builder()
                .countTimers(false)
                .callbackKeepAlive(Duration.ofMillis(1))
                .build();
        WheelScheduler keeping = WheelScheduler.builder().countTimers(false).build()) {
      for (WheelScheduler w : List.of(retiring, keeping)) {
        CountDownLatch started = new CountDownLatch(n);
        CountDownLatch release = new CountDownLatch(1);
        block(w, n, started, release);
        assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();
        assertThat(w.callbackThreadCount()).isEqualTo(n);
        release.countDown();
      }
      await(
          () -> retiring.callbackThreadCount() == 0,
          "idle threads to retire, " + retiring.callbackThreadCount() + " left");
      assertThat(keeping.callbackThreadCount())
          .as("with the default keep-alive of 30 s the threads stay for the next callbacks")
          .isEqualTo(n);
    }
  }

  @Test
  void aCallbackHandedToAThreadThatIsRetiringRunsAtOnceNotBehindBlockedOnes() throws Exception {
    // threads retire as soon as they are idle (1 ns keep-alive), so almost every callback is
    // handed over while the thread that just finished the previous one retires; two callbacks
    // block meanwhile: a callback left to "the next thread that comes free" would wait for them
    try (WheelScheduler w =
        WheelScheduler.builder()
            .countTimers(false)
            .callbackKeepAlive(Duration.ofNanos(1))
            .log(log)
            .build()) {
      CountDownLatch started = new CountDownLatch(2);
      CountDownLatch release = new CountDownLatch(1);
      try {
        block(w, 2, started, release);
        assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < 2_000; i++) {
          CountDownLatch ran = new CountDownLatch(1);
          w.execute(ran::countDown);
          assertThat(ran.await(20, TimeUnit.SECONDS))
              .as("callback %d ran while two others still block", i)
              .isTrue();
        }
      } finally {
        release.countDown();
      }
    }
  }

  // each method below is one call site
  ScheduledFuture<?> slowFromA(WheelScheduler w) {
    return w.schedule(() -> clock.addAndGet(150 * MS), 1, TimeUnit.MILLISECONDS);
  }

  ScheduledFuture<?> slowFromB(WheelScheduler w) {
    return w.schedule(() -> clock.addAndGet(100 * MS), 1, TimeUnit.MILLISECONDS);
  }

  ScheduledFuture<?> fastFromC(WheelScheduler w) {
    return w.schedule(() -> clock.addAndGet(99 * MS), 1, TimeUnit.MILLISECONDS);
  }

  CallSite site(String method) {
    return registry.snapshot().sites().stream()
        .map(SiteStats::site)
        .filter(s -> s.methodName().equals(method))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void aSlowCallbackIsReportedOncePerSiteWithTheSitesLocation() {
    // callbacks run on the ticking thread; each moves the injected clock by its "running time"
    WheelScheduler w =
        WheelScheduler.builder()
            .manualTicking()
            .clock(clock::get)
            .registry(registry)
            .log(log)
            .build();
    for (int i = 0; i < 3; i++) {
      slowFromA(w);
      slowFromB(w);
      fastFromC(w);
    }
    w.tick();
    clock.addAndGet(2 * MS);
    w.tick();
    assertThat(registry.snapshot().sites()).allMatch(s -> s.fired() == 3);
    List<String> slow =
        log.messages().stream()
            .filter(m -> m.startsWith("slow timer callback"))
            .collect(Collectors.toList());
    assertThat(slow).hasSize(2);
    assertThat(slow)
        .anySatisfy(
            m ->
                assertThat(m)
                    .contains("created at " + site("slowFromA").location())
                    .contains("ran for 150 ms")
                    .contains("threshold 100 ms"))
        .anySatisfy(m -> assertThat(m).contains("created at " + site("slowFromB").location()))
        .noneSatisfy(m -> assertThat(m).contains("fastFromC"));
    assertThat(site("slowFromA").location()).contains("CallbackPoolTest.java:");
    w.shutdownNow();
  }

  ScheduledFuture<?> inlineFromE(WheelScheduler w, long runsFor) {
    return w.schedule((InlineTask) () -> clock.addAndGet(runsFor), 1, TimeUnit.MILLISECONDS);
  }

  ScheduledFuture<?> inlineFromF(WheelScheduler w, long runsFor) {
    return w.schedule((InlineTask) () -> clock.addAndGet(runsFor), 1, TimeUnit.MILLISECONDS);
  }

  @Test
  void inlineCallbacksRunInARowAreEachTimedOnTheirOwn() {
    // one pass runs E (150 ms), then F (99 ms) three times: E alone is slow, and only once
    WheelScheduler w =
        WheelScheduler.builder()
            .manualTicking()
            .clock(clock::get)
            .registry(registry)
            .log(log)
            .build();
    inlineFromE(w, 150 * MS);
    for (int i = 0; i < 3; i++) {
      inlineFromF(w, 99 * MS);
    }
    w.tick();
    clock.addAndGet(2 * MS);
    w.tick();
    assertThat(registry.snapshot().totalLiveTimers()).isZero();
    assertThat(log.messages())
        .singleElement()
        .asString()
        .startsWith(
            "slow timer callback: the callback of the timer created at "
                + site("inlineFromE").location())
        .contains("ran for 150 ms")
        .contains("it is an InlineTask: it runs on the tick thread");
    w.shutdownNow();
  }

  @Test
  void anUncountedTaskIsReportedUnderTheSiteItCarries() {
    WheelScheduler w =
        WheelScheduler.builder()
            .manualTicking()
            .clock(clock::get)
            .countTimers(false)
            .log(log)
            .build();
    CallSite carried = CallSite.of(CallSite.Kind.TIMER, "com.acme.Rpc", "read", "Rpc.java", 88);
    class Handle implements Runnable, SiteAware {
      @Override
      public void run() {
        clock.addAndGet(500 * MS);
      }

      @Override
      public CallSite site() {
        return carried;
      }
    }
    w.schedule(new Handle(), 0, TimeUnit.MILLISECONDS);
    w.schedule(new Handle(), 0, TimeUnit.MILLISECONDS);
    w.tick();
    assertThat(log.messages())
        .singleElement()
        .asString()
        .contains("created at com.acme.Rpc.read(Rpc.java:88)")
        .contains("ran for 500 ms");
    w.shutdownNow();
  }

  @Test
  void aCallbackThatBlocksIsNamedWhileItBlocksOnceThePoolIsSaturated() throws Exception {
    // the system clock and a 1 ns threshold: a callback that blocks is slow by the time we look
    try (WheelScheduler w =
        WheelScheduler.builder()
            .registry(registry)
            .maxCallbackThreads(1)
            .slowCallbackThreshold(Duration.ofNanos(1))
            .log(log)
            .build()) {
      CountDownLatch started = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      ScheduledFuture<?> next;
      List<String> whileBlocked;
      try {
        blockFromD(w, started, release);
        assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();
        next = w.submit(() -> {}); // finds the only thread busy: the pool is saturated
        await(() -> log.messages().size() >= 2, "the bound and the slow callback reported");
        whileBlocked = List.copyOf(log.messages());
      } finally {
        release.countDown();
      }
      String location = site("blockFromD").location();
      assertThat(whileBlocked.get(0)).startsWith("all 1 callback threads of WheelScheduler");
      assertThat(whileBlocked)
          .filteredOn(m -> m.contains(location))
          .singleElement()
          .asString()
          .startsWith("slow timer callback: the callback of the timer created at " + location)
          .contains("has been running for");
      next.get(20, TimeUnit.SECONDS);
      assertThat(log.messages())
          .as("its end is not reported again")
          .filteredOn(m -> m.contains(location))
          .hasSize(1);
    }
  }

  void blockFromD(WheelScheduler w, CountDownLatch started, CountDownLatch release) {
    w.execute(
        () -> {
          started.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
  }

  @Test
  void theThresholdCanBeTurnedOff() {
    WheelScheduler w =
        WheelScheduler.builder()
            .manualTicking()
            .clock(clock::get)
            .registry(registry)
            .log(log)
            .slowCallbackThreshold(Duration.ZERO)
            .build();
    slowFromA(w);
    w.tick();
    clock.addAndGet(2 * MS);
    w.tick();
    assertThat(site("slowFromA")).isNotNull();
    assertThat(log.messages()).isEmpty();
    w.shutdownNow();
  }

  @Test
  void shutdownNowHandsBackTheCallbacksQueuedAtTheBound() throws Exception {
    WheelScheduler w =
        WheelScheduler.builder().countTimers(false).maxCallbackThreads(1).log(log).build();
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    block(w, 1, started, release);
    assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();
    List<ScheduledFuture<?>> queued = new CopyOnWriteArrayList<>();
    for (int i = 0; i < 3; i++) {
      queued.add(w.submit(() -> {}));
    }
    await(() -> w.pendingCount() == 0, "the three callbacks to be queued in the pool");
    ScheduledFuture<?> delayed = w.schedule(() -> {}, 1, TimeUnit.HOURS);
    List<Object> neverRan = List.copyOf(w.shutdownNow());
    assertThat(neverRan).hasSize(4).containsAll(queued).contains(delayed);
    assertThat(queued).allMatch(ScheduledFuture::isCancelled);
    assertThat(w.awaitTermination(20, TimeUnit.SECONDS))
        .as("the blocked callback was interrupted")
        .isTrue();
  }

  @Test
  void builderRejectsBadBoundsAndThresholds() {
    WheelScheduler.Builder b = WheelScheduler.builder();
    assertThatThrownBy(() -> b.maxCallbackThreads(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxCallbackThreads must be 1..4096, was 0");
    assertThatThrownBy(() -> b.maxCallbackThreads(4097))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxCallbackThreads must be 1..4096, was 4097");
    assertThatThrownBy(() -> b.slowCallbackThreshold(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("slowCallbackThreshold must be zero (off) or positive, was PT-0.001S");
    assertThatThrownBy(() -> b.slowCallbackThreshold(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("threshold");
  }

  /** Records what the scheduler logs. */
  static final class CapturingLogger implements System.Logger {
    private final List<String> messages = new CopyOnWriteArrayList<>();

    List<String> messages() {
      return messages;
    }

    @Override
    public String getName() {
      return "test";
    }

    @Override
    public boolean isLoggable(Level level) {
      return true;
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
      messages.add(msg);
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String format, Object... params) {
      messages.add(format);
    }
  }
}
