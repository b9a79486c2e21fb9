package dev.timerguard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.timerguard.live.CallSite;
import dev.timerguard.live.LiveRegistry;
import dev.timerguard.live.SiteStats;
import dev.timerguard.live.Snapshot;
import dev.timerguard.wheel.WheelScheduler;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The safe API and the wheel end their timers in the call that commits the JFR event, so a
 * recording's start and end events reconcile exactly with the registry's counts, per site and per
 * way of ending, with the event names and fields the agent's documentation promises.
 */
class TimerJfrEventsTest {

  private static final String SCHEDULED = "dev.timerguard.TimerScheduled";
  private static final String FIRED = "dev.timerguard.TimerFired";
  private static final String CANCELLED = "dev.timerguard.TimerCancelled";

  @TempDir Path dir;

  @Test
  void safeApiAndWheelEventsReconcileWithTheRegistry() throws Exception {
    LiveRegistry registry = LiveRegistry.create(64, System::nanoTime);
    Path file = dir.resolve("timers.jfr");
    try (Recording rec = new Recording()) {
      rec.enable(SCHEDULED);
      rec.enable(FIRED);
      rec.enable(CANCELLED);
      rec.start();
      try (Timers timers = Timers.builder().name("jfr-test").registry(registry).build()) {
        CountDownLatch ran = new CountDownLatch(1);
        timers.schedule(Duration.ZERO, ran::countDown); // fired
        assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
        timers.schedule(Duration.ofHours(1), () -> {}).cancel(); // cancelled
        timers.tickAtFixedRate(Duration.ofHours(1), () -> {}).cancel(); // stopped
        timers.schedule(Duration.ofHours(1), () -> {}); // shut down by close()
      }
      WheelScheduler wheel = WheelScheduler.builder().name("jfr-wheel").registry(registry).build();
      try {
        wheel.schedule(() -> {}, 0, TimeUnit.NANOSECONDS).get(10, TimeUnit.SECONDS); // fired
        ScheduledFuture<?> f = wheel.schedule(() -> {}, 1, TimeUnit.HOURS);
        f.cancel(false); // cancelled
        wheel.schedule(() -> {}, 2, TimeUnit.HOURS); // shut down by shutdownNow()
      } finally {
        wheel.shutdownNow();
      }
      rec.stop();
      rec.dump(file);
    }
    List<RecordedEvent> events = RecordingFile.readAllEvents(file);
    Snapshot snap = registry.snapshot();

    // every site's counts are exactly its events
    assertThat(snap.sites()).isNotEmpty();
    for (SiteStats s : snap.sites()) {
      String at = s.site().location();
      assertThat(count(events, SCHEDULED, at)).as("starts at %s", at).isEqualTo(s.created());
      assertThat(count(events, FIRED, at)).as("fired at %s", at).isEqualTo(s.fired());
      assertThat(count(events, CANCELLED, at)).as("cancelled at %s", at).isEqualTo(s.cancelled());
      assertThat(s.live()).isZero();
    }
    long created = snap.sites().stream().mapToLong(SiteStats::created).sum();
    assertThat(created).isEqualTo(7);
    assertThat(events).hasSize(14); // 7 starts, 7 ends

    // how each ended, in the event
    Map<String, Long> how =
        events.stream()
            .filter(e -> !e.getEventType().getName().equals(SCHEDULED))
            .collect(Collectors.groupingBy(e -> e.getString("how"), Collectors.counting()));
    assertThat(how)
        .containsOnly(
            Map.entry("FIRED", 2L),
            Map.entry("CANCELLED", 2L),
            Map.entry("STOPPED", 1L),
            Map.entry("SHUT_DOWN", 2L));
    assertThat(events)
        .allSatisfy(e -> assertThat(e.getString("kind")).isIn("TIMER", "TICKER"))
        .allSatisfy(e -> assertThat(e.getString("site")).contains("TimerJfrEventsTest.java:"));
    assertThat(
            events.stream()
                .filter(e -> e.getEventType().getName().equals(SCHEDULED))
                .map(e -> e.getDuration("delay"))
                .collect(Collectors.toList()))
        .contains(Duration.ofHours(1), Duration.ofHours(2), Duration.ZERO);
  }

  @Test
  void executorAndThreadSitesAreCountedWithoutTimerEvents() throws Exception {
    dev.timerguard.live.internal.SiteRegistry registry =
        dev.timerguard.live.internal.SiteRegistry.create(8, System::nanoTime);
    Path file = dir.resolve("threads.jfr");
    try (Recording rec = new Recording()) {
      rec.enable(SCHEDULED);
      rec.enable(FIRED);
      rec.enable(CANCELLED);
      rec.start();
      var c =
          registry.register(CallSite.of(CallSite.Kind.THREAD, "a.Pool", "spawn", "Pool.java", 3));
      c.end(c.start(0), dev.timerguard.live.internal.TimerEnd.TERMINATED);
      rec.stop();
      rec.dump(file);
    }
    assertThat(RecordingFile.readAllEvents(file)).isEmpty();
    assertThat(registry.snapshot().sites().get(0).fired()).isEqualTo(1);
  }

  private static long count(List<RecordedEvent> events, String name, String site) {
    return events.stream()
        .filter(e -> e.getEventType().getName().equals(name) && e.getString("site").equals(site))
        .count();
  }
}
