package dev.timerguard.samples.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.timerguard.Timers;
import dev.timerguard.live.CallSite;
import dev.timerguard.live.GrowthVerdict;
import dev.timerguard.live.internal.SiteCounter;
import dev.timerguard.live.internal.SiteRegistry;
import dev.timerguard.live.internal.TimerEnd;
import dev.timerguard.samples.incidents.DiscardedCancel;
import dev.timerguard.samples.incidents.FaultSites;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The probe flags unbounded growth, not a sawtooth, and always stops by itself. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LeakProbeTest {

  private static final CallSite SITE =
      CallSite.of(CallSite.Kind.TIMER, "com.acme.Rpc", "read", "Rpc.java", 42);

  @Test
  void growingRegistrySiteIsFlagged() {
    SiteRegistry reg = SiteRegistry.create(64, System::nanoTime);
    SiteCounter c = reg.register(SITE);
    ProbeReport r =
        LeakProbe.builder()
            .workload(() -> c.start(0)) // started, never ended
            .rate(5_000)
            .registry(reg)
            .heap(HeapMode.OFF)
            .samples(15)
            .interval(Duration.ofMillis(40))
            .build()
            .run();
    assertThat(r.samples()).hasSize(15);
    assertThat(r.growing(SITE)).as(r.summary()).isTrue();
    assertThat(r.leaking()).isTrue();
    assertThat(r.summary()).contains("Rpc.java:42");
  }

  @Test
  void sawtoothIsNotFlagged() {
    SiteRegistry reg = SiteRegistry.create(64, System::nanoTime);
    SiteCounter c = reg.register(SITE);
    AtomicLong n = new AtomicLong();
    ProbeReport r =
        LeakProbe.builder()
            .workload(
                () -> {
                  c.start(0);
                  if (n.incrementAndGet() % 200 == 0) {
                    for (int k = 0; k < 200; k++) {
                      // the batch fires: back to the baseline
                      c.end(SiteCounter.NO_STAMP, TimerEnd.FIRED);
                    }
                  }
                })
            .rate(5_000)
            .registry(reg)
            .heap(HeapMode.OFF)
            .samples(15)
            .interval(Duration.ofMillis(40))
            .build()
            .run();
    assertThat(r.operations()).isGreaterThan(200); // the teeth really happened
    assertThat(r.growing(SITE)).as(r.summary()).isFalse();
    assertThat(r.verdict().site(SITE).severity().name()).isEqualTo("NONE");
  }

  @Test
  void retainedCancelledTasksOfAnObservedSchedulerAreFlagged() {
    ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1);
    try {
      ProbeReport r =
          LeakProbe.builder()
              .workload(() -> s.schedule(() -> {}, 30, TimeUnit.SECONDS).cancel(false))
              .rate(5_000)
              .observe("rpc-timeouts", s)
              .heap(HeapMode.LAST_GC)
              .samples(15)
              .interval(Duration.ofMillis(40))
              .build()
              .run();
      GrowthVerdict.Trend retained = r.trend(LeakProbe.executorRetained("rpc-timeouts"));
      assertThat(retained.series()).isEqualTo("executor rpc-timeouts cancelled, retained");
      assertThat(retained.growing()).as(r.summary()).isTrue();
      assertThat(r.summary()).contains("executor rpc-timeouts cancelled, retained");
      // the executor is a named series, not a call site: the site verdicts hold TimerGuard's sites
      // only
      assertThat(r.verdict().sites()).noneMatch(g -> g.site().className().startsWith("executor "));
      assertThat(r.retainedVerdict().sites())
          .noneMatch(g -> g.site().className().startsWith("executor "));
      assertThat(r.trend(LeakProbe.executorQueue("not-observed"))).isNull();
      assertThat(
              r.samples().get(r.samples().size() - 1).executors().get("rpc-timeouts").cancelled())
          .isGreaterThan(100);
    } finally {
      s.shutdownNow();
    }
  }

  @Test
  void fixedSchedulerIsNotFlagged() {
    ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1);
    s.setRemoveOnCancelPolicy(true);
    try {
      ProbeReport r =
          LeakProbe.builder()
              .workload(() -> s.schedule(() -> {}, 30, TimeUnit.SECONDS).cancel(false))
              .rate(5_000)
              .observe("rpc-timeouts", s)
              .heap(HeapMode.OFF)
              .samples(15)
              .interval(Duration.ofMillis(40))
              .build()
              .run();
      assertThat(r.growing(LeakProbe.executorQueue("rpc-timeouts"))).as(r.summary()).isFalse();
      assertThat(r.growing(LeakProbe.executorRetained("rpc-timeouts"))).as(r.summary()).isFalse();
    } finally {
      s.shutdownNow();
    }
  }

  @Test
  void pointedAtAReproducerItTellsLeakyFromFixed() {
    ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1);
    Timers timers = Timers.create();
    try {
      DiscardedCancel.LeakyClient leaky =
          new DiscardedCancel.LeakyClient(s, new FaultSites(), url -> "200 OK");
      ProbeReport l =
          LeakProbe.builder()
              .workload(() -> leaky.fetch("/item"))
              .rate(3_000)
              .observe("client-timeouts", s)
              .heap(HeapMode.OFF)
              .samples(12)
              .interval(Duration.ofMillis(40))
              .build()
              .run();
      assertThat(l.growing(LeakProbe.executorQueue("client-timeouts"))).as(l.summary()).isTrue();

      DiscardedCancel.FixedClient fixed = new DiscardedCancel.FixedClient(timers, url -> "200 OK");
      ProbeReport f =
          LeakProbe.builder()
              .workload(() -> fixed.fetch("/item"))
              .rate(3_000)
              .heap(HeapMode.OFF)
              .samples(12)
              .interval(Duration.ofMillis(40))
              .build()
              .run();
      assertThat(f.operations()).isGreaterThan(100);
      assertThat(f.verdict().growing())
          .as(f.summary())
          .noneMatch(g -> g.site().fileName().equals("DiscardedCancel.java"));
      assertThat(timers.liveCount()).isZero();
    } finally {
      s.shutdownNow();
      timers.closeNow();
    }
  }

  @Test
  void threadsAndHeapAreNamedSeriesNotCallSites() {
    ProbeReport r =
        LeakProbe.builder()
            .workload(() -> {})
            .rate(100)
            .heap(HeapMode.OFF)
            .samples(4)
            .interval(Duration.ofMillis(20))
            .build()
            .run();
    assertThat(r.trend(LeakProbe.THREADS).series()).isEqualTo("live threads");
    assertThat(r.heapTrend().series()).isEqualTo("heap KiB");
    assertThat(r.trend(LeakProbe.HEAP)).isSameAs(r.heapTrend());
    assertThat(r.heapTrend().growing()).isFalse();
    assertThat(r.verdict().sites()).noneMatch(g -> g.site().className().equals("jvm"));
    assertThatThrownBy(() -> r.trend(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("series");
  }

  @Test
  void stopsByItselfEvenWhenTheWorkloadBlocks() {
    CountDownLatch never = new CountDownLatch(1);
    ProbeReport r =
        LeakProbe.builder()
            .workload(
                () -> {
                  try {
                    never.await(); // blocks until interrupted
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                })
            .heap(HeapMode.OFF)
            .samples(5)
            .interval(Duration.ofMillis(20))
            .build()
            .run();
    assertThat(r.samples()).hasSize(5);
    assertThat(r.workersStillRunning()).isZero();
    assertThat(r.stoppedEarly()).isFalse();
  }

  @Test
  void maxDurationBoundsARun() {
    ProbeReport r =
        LeakProbe.builder()
            .workload(() -> {})
            .rate(100)
            .heap(HeapMode.OFF)
            .samples(1_000)
            .interval(Duration.ofMillis(50))
            .maxDuration(Duration.ofMillis(200))
            .build()
            .run();
    assertThat(r.stoppedEarly()).isTrue();
    assertThat(r.samples().size()).isLessThan(1_000);
  }

  @Test
  void aThrowingWorkloadIsCountedNotFatal() {
    ProbeReport r =
        LeakProbe.builder()
            .workload(
                () -> {
                  throw new IllegalStateException("boom");
                })
            .rate(1_000)
            .heap(HeapMode.OFF)
            .samples(3)
            .interval(Duration.ofMillis(20))
            .build()
            .run();
    assertThat(r.failures()).isPositive().isEqualTo(r.operations());
  }

  @Test
  void badInputGetsAClearError() {
    assertThatThrownBy(() -> LeakProbe.builder().workload(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("workload");
    assertThatThrownBy(() -> LeakProbe.builder().rate(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rate must be positive");
    assertThatThrownBy(() -> LeakProbe.builder().rate(-5))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> LeakProbe.builder().rate(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> LeakProbe.builder().samples(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("samples must be at least 3")
        .hasMessageEndingWith("was 0");
    assertThatThrownBy(() -> LeakProbe.builder().interval(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("interval must be positive");
    assertThatThrownBy(() -> LeakProbe.builder().workers(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> LeakProbe.builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("workload is required");
    ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1);
    try {
      assertThatThrownBy(() -> LeakProbe.builder().observe("x", s).observe("x", s))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("already observed");
    } finally {
      s.shutdownNow();
    }
    assertThatThrownBy(() -> new LoadGenerator(null, 1, 1))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new LoadGenerator(() -> {}, 0, 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void loadGeneratorKeepsRoughlyToItsRate() {
    AtomicLong n = new AtomicLong();
    LoadGenerator g = new LoadGenerator(n::incrementAndGet, 200, 2);
    g.start();
    assertThatThrownBy(g::start).isInstanceOf(IllegalStateException.class);
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
    while (System.nanoTime() < until) {
      Thread.onSpinWait();
    }
    assertThat(g.stop(1_000)).isZero();
    // 200/s for ~0.3 s is ~60; a rate limiter must not run away (an unthrottled loop does millions)
    assertThat(n.get()).isBetween(1L, 1_000L);
  }
}
