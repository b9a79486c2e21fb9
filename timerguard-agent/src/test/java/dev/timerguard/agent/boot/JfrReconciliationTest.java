package dev.timerguard.agent.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.timerguard.live.CallSite;
import dev.timerguard.live.LiveRegistry;
import dev.timerguard.live.SiteStats;
import dev.timerguard.live.Snapshot;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Timer;
import java.util.TimerTask;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Counting and the JFR events happen in one call: every way an agent-tracked timer can end (fire,
 * cancel, a polled end, {@code Timer.cancel()}, rejection, shutdown, a periodic task that throws or
 * is running at shutdown, a {@code CompletableFuture} timeout either way) is driven here with a
 * recording on, and per site the events reconcile exactly with the registry: one {@code
 * TimerScheduled} per created timer, one {@code TimerFired} per fired one, one {@code
 * TimerCancelled} per cancelled one, each naming how it ended.
 */
class JfrReconciliationTest {

  @TempDir Path dir;

  private static int site(String method, CallSite.Kind kind) {
    return SiteTable.define(CallSite.of(kind, "a.Paths", method, "Paths.java", 1));
  }

  @Test
  void everyEndPathCommitsExactlyTheEventsTheCountsSay() throws Exception {
    LiveRegistry r = LiveRegistry.create(64, System::nanoTime);
    Hooks.useRegistryForTests(r);
    HookGuard.resetForTests();
    Path file = dir.resolve("rec.jfr");
    Snapshot snap;
    try (Recording rec = new Recording()) {
      rec.enable("dev.timerguard.TimerScheduled");
      rec.enable("dev.timerguard.TimerCancelled");
      rec.enable("dev.timerguard.TimerFired");
      rec.start();
      drive();
      rec.stop();
      rec.dump(file);
      snap = r.snapshot();
    } finally {
      Hooks.useRegistryForTests(LiveRegistry.global());
    }
    Map<String, int[]> bySite = new HashMap<>(); // scheduled, fired, cancelled
    Map<String, List<String>> how = new HashMap<>();
    for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
      String site = e.getString("site");
      int[] n = bySite.computeIfAbsent(site, k -> new int[3]);
      switch (e.getEventType().getName()) {
        case "dev.timerguard.TimerScheduled":
          n[0]++;
          break;
        case "dev.timerguard.TimerFired":
          n[1]++;
          how.computeIfAbsent(site, k -> new ArrayList<>()).add(e.getString("how"));
          break;
        default:
          n[2]++;
          how.computeIfAbsent(site, k -> new ArrayList<>()).add(e.getString("how"));
      }
    }
    int timerSites = 0;
    for (SiteStats s : snap.sites()) {
      CallSite.Kind k = s.site().kind();
      if (k != CallSite.Kind.TIMER && k != CallSite.Kind.TICKER) {
        continue;
      }
      timerSites++;
      int[] n = bySite.getOrDefault(s.site().location(), new int[3]);
      assertThat(n)
          .as("events of %s against %s", s.site().location(), s)
          .containsExactly((int) s.created(), (int) s.fired(), (int) s.cancelled());
    }
    assertThat(timerSites).isEqualTo(12);
    assertThat(how.get("a.Paths.oneShotFires(Paths.java:1)")).containsExactly("FIRED");
    assertThat(how.get("a.Paths.futureCancel(Paths.java:1)")).containsExactly("CANCELLED");
    assertThat(how.get("a.Paths.rejected(Paths.java:1)")).containsExactly("REJECTED");
    assertThat(how.get("a.Paths.shutdownNowDrops(Paths.java:1)")).containsExactly("SHUT_DOWN");
    assertThat(how.get("a.Paths.periodicThrows(Paths.java:1)")).containsExactly("FAILED");
    assertThat(how.get("a.Paths.periodicAtShutdown(Paths.java:1)")).containsExactly("SHUT_DOWN");
    assertThat(how.get("a.Paths.timerTaskRuns(Paths.java:1)")).containsExactly("FIRED");
    assertThat(how.get("a.Paths.timerTaskCancel(Paths.java:1)")).containsExactly("CANCELLED");
    assertThat(how.get("a.Paths.timerCancel(Paths.java:1)"))
        .containsExactly("SHUT_DOWN", "SHUT_DOWN");
    assertThat(how.get("a.Paths.timerRejected(Paths.java:1)")).containsExactly("REJECTED");
    assertThat(how.get("a.Paths.orTimeout(Paths.java:1)"))
        .containsExactlyInAnyOrder("FIRED", "CANCELLED");
    assertThat(how.get("a.Paths.delayed(Paths.java:1)")).containsExactly("FIRED");
  }

  private static void drive() throws Exception {
    ScheduledThreadPoolExecutor pool = new ScheduledThreadPoolExecutor(1);
    try {
      // fire and cancel
      ScheduleHooks.schedule(
              pool, () -> {}, 0, TimeUnit.MILLISECONDS, site("oneShotFires", CallSite.Kind.TIMER))
          .get(5, TimeUnit.SECONDS);
      ScheduleHooks.schedule(
              pool, () -> {}, 1, TimeUnit.HOURS, site("futureCancel", CallSite.Kind.TIMER))
          .cancel(false);
      // a periodic task that throws ends after its run
      ScheduledFuture<?> failing =
          ScheduleHooks.scheduleWithFixedDelay(
              pool,
              () -> {
                throw new IllegalStateException("boom");
              },
              0,
              1,
              TimeUnit.MILLISECONDS,
              site("periodicThrows", CallSite.Kind.TICKER));
      assertThatThrownBy(() -> failing.get(5, TimeUnit.SECONDS))
          .hasCauseInstanceOf(IllegalStateException.class);
    } finally {
      pool.shutdownNow();
    }
    // rejection
    assertThatThrownBy(
            () ->
                ScheduleHooks.schedule(
                    pool, () -> {}, 1, TimeUnit.SECONDS, site("rejected", CallSite.Kind.TIMER)))
        .isInstanceOf(RejectedExecutionException.class);
    // shutdownNow hands a timer back
    ScheduledThreadPoolExecutor other = new ScheduledThreadPoolExecutor(1);
    ScheduleHooks.schedule(
        other, () -> {}, 1, TimeUnit.HOURS, site("shutdownNowDrops", CallSite.Kind.TIMER));
    assertThat(ShutdownHooks.shutdownNow(other)).hasSize(1);
    // a periodic run in progress at shutdown is the last one
    ScheduledThreadPoolExecutor third = new ScheduledThreadPoolExecutor(1);
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ScheduleHooks.scheduleAtFixedRate(
        third,
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
        site("periodicAtShutdown", CallSite.Kind.TICKER));
    assertThat(running.await(5, TimeUnit.SECONDS)).isTrue();
    ShutdownHooks.shutdown(third);
    release.countDown();
    assertThat(third.awaitTermination(5, TimeUnit.SECONDS)).isTrue();

    // java.util.Timer: a task runs, a task is cancelled, the timer is cancelled, a task is refused
    Timer timer = new Timer(true);
    CountDownLatch ran = new CountDownLatch(1);
    TimerTask runs =
        new TimerTask() {
          @Override
          public void run() {
            TimerHooks.timerTaskRun(this);
            ran.countDown();
          }
        };
    TimerHooks.timerSchedule(timer, runs, 0L, site("timerTaskRuns", CallSite.Kind.TIMER));
    assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
    TimerTask cancelled = noop();
    TimerHooks.timerSchedule(
        timer, cancelled, 3_600_000L, site("timerTaskCancel", CallSite.Kind.TIMER));
    assertThat(TimerHooks.timerTaskCancel(cancelled)).isTrue();
    int refusedSite = site("timerRejected", CallSite.Kind.TIMER);
    assertThatThrownBy(() -> TimerHooks.timerSchedule(timer, runs, 1L, refusedSite))
        .isInstanceOf(IllegalStateException.class); // already scheduled once: the JDK refuses
    int pending = site("timerCancel", CallSite.Kind.TICKER);
    TimerHooks.timerSchedule(timer, noop(), 3_600_000L, 1_000L, pending);
    TimerHooks.timerScheduleAtFixedRate(timer, noop(), 3_600_000L, 1_000L, pending);
    TimerHooks.timerCancel(timer);

    // CompletableFuture: one timeout fires, one is cancelled by completion; a delayed task runs
    int cf = site("orTimeout", CallSite.Kind.TIMER);
    CompletableFuture<String> late =
        CompletableHooks.orTimeout(new CompletableFuture<>(), 1, TimeUnit.MILLISECONDS, cf);
    assertThatThrownBy(() -> late.get(5, TimeUnit.SECONDS))
        .hasCauseInstanceOf(java.util.concurrent.TimeoutException.class);
    CompletableFuture<String> early =
        CompletableHooks.orTimeout(new CompletableFuture<>(), 1, TimeUnit.HOURS, cf);
    early.complete("done");
    Executor delayed =
        CompletableHooks.delayedExecutor(
            1, TimeUnit.MILLISECONDS, site("delayed", CallSite.Kind.TIMER));
    CompletableFuture.runAsync(() -> {}, delayed).get(5, TimeUnit.SECONDS);
  }

  private static TimerTask noop() {
    return new TimerTask() {
      @Override
      public void run() {}
    };
  }
}
