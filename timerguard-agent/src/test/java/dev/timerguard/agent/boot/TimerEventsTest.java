package dev.timerguard.agent.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.timerguard.live.CallSite;
import dev.timerguard.live.LiveRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JFR events, recorded in-process. */
class TimerEventsTest {

  @TempDir Path dir;

  @Test
  void scheduleCancelAndFireAreRecordedWithTheSite() throws Exception {
    LiveRegistry r = LiveRegistry.create(8, System::nanoTime);
    Hooks.useRegistryForTests(r);
    HookGuard.resetForTests();
    ScheduledThreadPoolExecutor pool = new ScheduledThreadPoolExecutor(1);
    Path file = dir.resolve("rec.jfr");
    try (Recording rec = new Recording()) {
      rec.enable("dev.timerguard.TimerScheduled");
      rec.enable("dev.timerguard.TimerCancelled");
      rec.enable("dev.timerguard.TimerFired");
      rec.start();
      int site = SiteTable.define(CallSite.of(CallSite.Kind.TIMER, "a.App", "call", "App.java", 7));
      ScheduledFuture<?> f = ScheduleHooks.schedule(pool, () -> {}, 1, TimeUnit.HOURS, site);
      f.cancel(false);
      ScheduleHooks.schedule(pool, () -> {}, 0, TimeUnit.MILLISECONDS, site).get(5, TimeUnit.SECONDS);
      rec.stop();
      rec.dump(file);
    } finally {
      pool.shutdownNow();
      Hooks.useRegistryForTests(LiveRegistry.global());
    }
    List<RecordedEvent> events = RecordingFile.readAllEvents(file);
    List<String> names =
        events.stream().map(e -> e.getEventType().getName()).sorted().collect(Collectors.toList());
    assertThat(names).containsExactly(
        "dev.timerguard.TimerCancelled", "dev.timerguard.TimerFired",
        "dev.timerguard.TimerScheduled", "dev.timerguard.TimerScheduled");
    assertThat(events).allSatisfy(e -> assertThat(e.getString("site")).isEqualTo("a.App.call(App.java:7)"));
    assertThat(Files.size(file)).isPositive();
  }
}
