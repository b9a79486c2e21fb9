package dev.timerguard.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.timerguard.live.internal.SiteCounter;
import dev.timerguard.live.internal.SiteRegistry;
import dev.timerguard.live.internal.TimerEnd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The always-on watch, driven by a test clock: the growth detector's scenarios (steady leak,
 * sawtooth, leak under a sawtooth, a step up, slow leak) played through the watch's sliding windows
 * with the production policy compressed in time.
 */
class GrowthWatchTest {

  static final CallSite LEAK = CallSite.of(CallSite.Kind.TIMER, "Leaky", "read", "Leaky.java", 10);
  static final CallSite SAW = CallSite.of(CallSite.Kind.TIMER, "Fine", "read", "Fine.java", 20);
  static final CallSite STEP = CallSite.of(CallSite.Kind.TIMER, "Burst", "warm", "Burst.java", 30);

  /** A registry on a test clock with counters the test sets to a target live count. */
  static final class World {
    final AtomicLong now = new AtomicLong(1_000_000_000L);
    final SiteRegistry registry = SiteRegistry.create(8192, now::get);
    final Map<CallSite, List<Long>> stamps = new java.util.HashMap<>();

    /** Sets a site's live count by creating or cancelling timers. */
    void live(CallSite site, long target) {
      SiteCounter c = registry.register(site);
      List<Long> s = stamps.computeIfAbsent(site, k -> new ArrayList<>());
      while (s.size() < target) {
        s.add(c.start(0));
      }
      while (s.size() > target) {
        c.end(s.remove(s.size() - 1), TimerEnd.CANCELLED);
      }
    }

    final Map<CallSite, Long> retained = new java.util.HashMap<>();

    /** Sets an executor site's retained cancelled tasks. */
    void retained(CallSite site, long target) {
      long now = retained.getOrDefault(site, 0L);
      registry.register(site).retained(target - now);
      retained.put(site, target);
    }

    void advance(Duration d) {
      now.addAndGet(d.toNanos());
    }
  }

  /** The production policy with 10 min squeezed to 10 s and 6 h to 6 min. */
  static GrowthWatch watch(World w) {
    return GrowthWatch.builder().registry(w.registry).timeCompression(60).build();
  }

  @Test
  void aSteadyLeakBecomesRapidAfterTheRapidWindowAndASawtoothStaysAtNone() {
    World w = new World();
    GrowthWatch watch = watch(w);
    assertThat(watch.interval()).isEqualTo(Duration.ofMillis(166).plusNanos(666_666));
    List<Integer> levels = new ArrayList<>();
    watch.addListener((now, previous) -> levels.add(now.level()));
    GrowthWatch.Report r = null;
    // 20 compressed minutes: the leak adds 150/s (25 per 1/6 s sample); the sawtooth jumps
    for (int i = 0; i < 120; i++) {
      w.live(LEAK, 25L * i);
      w.live(SAW, (i % 6) * 400L);
      r = watch.sampleNow();
      w.advance(watch.interval());
      if (i == 30) {
        // 5 compressed minutes: growing, but not yet for a whole rapid window
        assertThat(r.site(LEAK).severity()).isEqualTo(GrowthVerdict.Severity.WATCH);
        assertThat(r.site(LEAK).level()).isZero();
      }
    }
    assertThat(r.site(LEAK).severity()).isEqualTo(GrowthVerdict.Severity.RAPID);
    assertThat(r.site(LEAK).level()).isEqualTo(2);
    assertThat(r.site(LEAK).ratePerSecond()).isBetween(145.0, 155.0);
    assertThat(r.site(LEAK).live()).isEqualTo(25L * 119);
    assertThat(r.site(SAW).level()).isZero();
    assertThat(r.site(SAW).severity()).isEqualTo(GrowthVerdict.Severity.NONE);
    assertThat(r.worstLevel()).isEqualTo(2);
    assertThat(r.alerting()).extracting(GrowthWatch.SiteStatus::site).containsExactly(LEAK);
    assertThat(r.samples()).isEqualTo(120);
    // one change, once: none -> rapid
    assertThat(levels).containsExactly(2);
  }

  @Test
  void aLeakUnderASawtoothIsFoundAndAStepUpIsNot() {
    World w = new World();
    GrowthWatch watch = watch(w);
    GrowthWatch.Report r = null;
    for (int i = 0; i < 120; i++) {
      // 120/s under teeth of 0..900
      w.live(LEAK, 20L * i + (i % 4) * 300L);
      w.live(STEP, i < 60 ? 0 : 50_000);
      r = watch.sampleNow();
      w.advance(watch.interval());
    }
    assertThat(r.site(LEAK).level()).isEqualTo(2);
    assertThat(r.site(STEP).level()).isZero();
  }

  @Test
  void aSlowLeakNeedsTheSlowWindow() {
    World w = new World();
    GrowthWatch watch = watch(w);
    GrowthWatch.Report r = null;
    // 8/s: above the slow rate (5/s), far below the rapid one; 6 h compressed to 6 min
    int samples = (int) (Duration.ofMinutes(7).toNanos() / watch.interval().toNanos());
    for (int i = 0; i < samples; i++) {
      w.live(LEAK, Math.round(8 * i * watch.interval().toNanos() / 1e9));
      r = watch.sampleNow();
      w.advance(watch.interval());
      if (i == samples / 2) {
        assertThat(r.site(LEAK).level()).isZero();
      }
    }
    assertThat(r.site(LEAK).severity()).isEqualTo(GrowthVerdict.Severity.SLOW);
    assertThat(r.site(LEAK).level()).isEqualTo(1);
  }

  @Test
  void aLeakThatStopsFallsBackAndSaysSo() {
    World w = new World();
    GrowthWatch watch = watch(w);
    List<String> changes = new ArrayList<>();
    watch.addListener((now, previous) -> changes.add(previous + "->" + now.level()));
    long live = 0;
    for (int i = 0; i < 200; i++) {
      if (i < 100) {
        live += 30;
      } else {
        live = Math.max(0, live - 600); // the leak is fixed and drains
      }
      w.live(LEAK, live);
      watch.sampleNow();
      w.advance(watch.interval());
    }
    assertThat(changes).containsExactly("0->2", "2->0");
    assertThat(watch.report().site(LEAK).sinceEpochMillis()).isPositive();
  }

  @Test
  void statusesForABoundedSnapshotSumRatesAndKeepTheWorstInOther() {
    World w = new World();
    CallSite big = CallSite.of(CallSite.Kind.TIMER, "Big", "m", "Big.java", 1);
    CallSite thread = CallSite.of(CallSite.Kind.THREAD, "T", "run", "T.java", 2);
    GrowthWatch watch = watch(w);
    for (int i = 0; i < 120; i++) {
      w.live(big, 100_000);
      w.live(LEAK, 30L * i); // rapid
      w.live(SAW, 10L * i); // 60/s: watch only
      w.live(thread, 3);
      watch.sampleNow();
      w.advance(watch.interval());
    }
    GrowthWatch.Report r = watch.report();
    Snapshot limited = r.snapshot().limitSites(1);
    List<GrowthWatch.SiteStatus> st = r.statusesFor(limited);
    assertThat(st)
        .extracting(GrowthWatch.SiteStatus::site)
        .containsExactly(
            big, CallSite.other(CallSite.Kind.TIMER), CallSite.other(CallSite.Kind.THREAD));
    assertThat(st.get(0).level()).isZero();
    GrowthWatch.SiteStatus otherTimers = st.get(1);
    assertThat(otherTimers.level()).isEqualTo(2);
    assertThat(otherTimers.ratePerSecond())
        .isCloseTo(
            r.site(LEAK).ratePerSecond() + r.site(SAW).ratePerSecond(),
            org.assertj.core.data.Offset.offset(1e-9));
    assertThat(otherTimers.live()).isEqualTo(30L * 119 + 10L * 119);
    assertThat(otherTimers.sinceEpochMillis()).isEqualTo(r.site(LEAK).sinceEpochMillis());
    assertThat(st.get(2).level()).isZero();
    // unbounded: every site its own status
    assertThat(r.statusesFor(r.snapshot()))
        .extracting(GrowthWatch.SiteStatus::severity)
        .containsExactlyElementsOf(
            r.sites().stream().map(GrowthWatch.SiteStatus::severity).toList());
  }

  @Test
  void anExecutorSiteGrowsWhenItsExecutorsRetainCancelledTasks() {
    World w = new World();
    CallSite pool = CallSite.of(CallSite.Kind.EXECUTOR, "Rpc", "<init>", "Rpc.java", 40);
    CallSite tidy = CallSite.of(CallSite.Kind.EXECUTOR, "Tidy", "<init>", "Tidy.java", 9);
    w.live(pool, 1);
    w.live(tidy, 1);
    GrowthWatch watch = watch(w);
    for (int i = 0; i < 120; i++) {
      // one executor each; the first keeps 25 more cancelled timeouts per sample (150/s)
      w.retained(pool, 25L * i);
      w.retained(tidy, (i % 6) * 100L);
      watch.sampleNow();
      w.advance(watch.interval());
    }
    GrowthWatch.Report r = watch.report();
    assertThat(r.site(pool).level()).isEqualTo(2);
    assertThat(r.site(pool).live()).isEqualTo(1);
    assertThat(r.site(pool).ratePerSecond()).isBetween(145.0, 155.0);
    assertThat(r.site(tidy).level()).isZero();
  }

  @Test
  void aLongIntervalStillJudgesTheWindowNotSixtyFourIntervals() {
    World w = new World();
    // the production policy sampled every 200 s (a third of the 10-minute rapid window): the
    // ring's 64 points would span 3.5 hours; the verdict must look at the last 10 minutes only
    GrowthWatch watch =
        GrowthWatch.builder().registry(w.registry).interval(Duration.ofSeconds(200)).build();
    int samples = 0;
    for (int i = 0; i < 60; i++) { // 3.3 hours flat
      w.live(LEAK, 1000);
      watch.sampleNow();
      w.advance(watch.interval());
      samples++;
    }
    long live = 1000;
    int rapidAfter = -1;
    for (int i = 0; i < 20 && rapidAfter < 0; i++) { // then 150/s
      live += 150 * 200;
      w.live(LEAK, live);
      if (watch.sampleNow().site(LEAK).level() == 2) {
        rapidAfter = i;
      }
      w.advance(watch.interval());
    }
    // a full window of growth is four points 200 s apart: rapid after at most five samples
    assertThat(rapidAfter).isBetween(2, 5);
    assertThat(samples).isEqualTo(60);
  }

  @Test
  void leasesKeepTheSharedWatchUntilTheLastOneClosesAndAPinnedOneForGood() {
    GrowthWatch.Lease a = GrowthWatch.leaseShared(GrowthWatch.builder().timeCompression(600));
    GrowthWatch.Lease b = GrowthWatch.leaseShared(GrowthWatch.builder());
    assertThat(b.watch()).isSameAs(a.watch());
    a.close();
    a.close();
    assertThat(a.watch().isRunning()).as("b still holds it").isTrue();
    b.close();
    assertThat(b.watch().isRunning()).isFalse();
    assertThat(GrowthWatch.sharedIfRunning()).isNull();

    // a lease on a watch someone started for good (the agent) never stops it
    GrowthWatch pinned = GrowthWatch.startShared(GrowthWatch.builder().timeCompression(600));
    try {
      AtomicLong polls = new AtomicLong();
      GrowthWatch.Lease c =
          GrowthWatch.leaseShared(GrowthWatch.builder().beforeSample(polls::incrementAndGet));
      assertThat(c.watch()).isSameAs(pinned);
      c.close();
      assertThat(pinned.isRunning()).isTrue();
      // the late joiner's before-sample hook runs on the running watch
      pinned.sampleNow();
      assertThat(polls.get()).isPositive();
    } finally {
      pinned.close();
    }
  }

  @Test
  void absurdSettingsAreRejectedBeforeAnythingRuns() {
    assertThatThrownBy(() -> GrowthWatch.builder().interval(Duration.ofMillis(5)))
        .hasMessage("timerguard.watch.interval must be at least 10ms, was PT0.005S");
    assertThatThrownBy(() -> GrowthWatch.builder().timeCompression(1e12))
        .hasMessageStartingWith("timerguard.watch.timeCompression must be at most 3600");
    assertThatThrownBy(
            () -> GrowthWatch.builder().properties(Map.of("timerguard.watch.slowWindow", "400d")))
        .hasMessage("timerguard.watch.slowWindow must be at most 365 days, was PT9600H");
    assertThatThrownBy(
            () ->
                GrowthWatch.builder().properties(Map.of("timerguard.watch.slowWindow", "P106752D")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("timerguard.watch.slowWindow must be");
    assertThatThrownBy(
            () ->
                GrowthWatch.builder()
                    .policy(
                        GrowthPolicy.of(
                            100, Duration.ofDays(400), 5, Duration.ofHours(6), 0.5, 10)))
        .hasMessageContaining("rapidWindow must be at most 365 days");
  }

  @Test
  void memoryIsBoundedBySitesNotBySamples() {
    World w = new World();
    GrowthWatch watch = watch(w);
    for (int i = 0; i < 1000; i++) {
      w.live(LEAK, i);
      watch.sampleNow();
      w.advance(watch.interval());
    }
    // every ring stays at its fixed size whatever the number of samples
    assertThat(watch.report().sites()).hasSize(1);
    assertThat(watch.report().samples()).isEqualTo(1000);
    assertThat(GrowthWatch.POINTS).isEqualTo(64);
  }

  @Test
  void aSampleWhoseClockDidNotMoveIsIgnored() {
    World w = new World();
    GrowthWatch watch = watch(w);
    w.live(LEAK, 5);
    GrowthWatch.Report first = watch.sampleNow();
    w.live(LEAK, 10);
    assertThat(watch.sampleNow()).isSameAs(first);
    w.advance(Duration.ofMillis(1));
    assertThat(watch.sampleNow().site(LEAK).live()).isEqualTo(10);
  }

  @Test
  void aThrowingListenerIsKeptAndHarmsNothing() {
    World w = new World();
    GrowthWatch watch = watch(w);
    List<Integer> seen = new ArrayList<>();
    watch.addListener(
        (now, previous) -> {
          throw new IllegalStateException("boom");
        });
    watch.addListener((now, previous) -> seen.add(now.level()));
    for (int i = 0; i < 120; i++) {
      w.live(LEAK, 30L * i);
      watch.sampleNow();
      w.advance(watch.interval());
    }
    assertThat(seen).containsExactly(2);
  }

  @Test
  void aLevelChangeIsAJfrEvent(@TempDir Path dir) throws Exception {
    World w = new World();
    GrowthWatch watch = watch(w);
    Path file = dir.resolve("watch.jfr");
    try (Recording rec = new Recording()) {
      rec.enable("dev.timerguard.GrowthSeverityChanged");
      rec.start();
      for (int i = 0; i < 120; i++) {
        w.live(LEAK, 30L * i);
        watch.sampleNow();
        w.advance(watch.interval());
      }
      rec.stop();
      rec.dump(file);
    }
    // the world counts its timers with start/end, which record TimerScheduled/TimerCancelled too
    List<RecordedEvent> events =
        RecordingFile.readAllEvents(file).stream()
            .filter(e -> e.getEventType().getName().equals("dev.timerguard.GrowthSeverityChanged"))
            .toList();
    assertThat(events).hasSize(1);
    RecordedEvent e = events.get(0);
    assertThat(e.getString("site")).isEqualTo("Leaky.read(Leaky.java:10)");
    assertThat(e.getString("kind")).isEqualTo("TIMER");
    assertThat(e.getString("from")).isEqualTo("NONE");
    assertThat(e.getString("to")).isEqualTo("RAPID");
    assertThat(e.getDouble("ratePerSecond")).isGreaterThan(100);
    assertThat(Files.size(file)).isPositive();
  }

  @Test
  void theThreadSamplesUntilClosedAndLeavesNothingBehind() throws Exception {
    SiteRegistry r = SiteRegistry.create(16, System::nanoTime);
    r.register(LEAK).start(0);
    GrowthWatch watch =
        GrowthWatch.builder()
            .registry(r)
            .interval(Duration.ofMillis(10))
            .timeCompression(600)
            .build();
    assertThat(watch.isRunning()).isFalse();
    watch.start();
    assertThat(watch.start()).isSameAs(watch);
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (watch.report().samples() < 3 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(watch.report().samples()).isGreaterThanOrEqualTo(3);
    assertThat(watch.report().site(LEAK).live()).isEqualTo(1);
    Thread t = findThread("timerguard-watch");
    assertThat(t).isNotNull();
    assertThat(t.isDaemon()).isTrue();
    watch.close();
    watch.close();
    assertThat(watch.isRunning()).isFalse();
    t.join(10_000);
    assertThat(t.isAlive()).isFalse();
    assertThatThrownBy(watch::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    // the last report stays readable
    assertThat(watch.report().site(LEAK)).isNotNull();
  }

  private static Thread findThread(String name) {
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().equals(name)) {
        return t;
      }
    }
    return null;
  }

  @Test
  void theSharedWatchIsStartedOnceAndFirstStartWins() {
    GrowthWatch a = GrowthWatch.startShared(GrowthWatch.builder().timeCompression(600));
    try {
      GrowthWatch b = GrowthWatch.startShared(GrowthWatch.builder());
      assertThat(b).isSameAs(a);
      assertThat(GrowthWatch.shared()).isSameAs(a);
      assertThat(GrowthWatch.sharedIfRunning()).isSameAs(a);
      assertThat(a.timeCompression()).isEqualTo(600);
      assertThat(findThread("timerguard-shared-watch")).isNotNull();
      assertThatThrownBy(
              () ->
                  GrowthWatch.startShared(
                      GrowthWatch.builder().registry(LiveRegistry.create(4, System::nanoTime))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("LiveRegistry.global()");
    } finally {
      a.close();
    }
    assertThat(GrowthWatch.sharedIfRunning()).isNull();
  }

  @Test
  void badSettingsAreRejectedNamingTheSetting() {
    GrowthWatch.Builder b = GrowthWatch.builder();
    assertThatThrownBy(() -> b.interval(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timerguard.watch.interval must be positive, was PT-1S");
    assertThatThrownBy(() -> b.interval(Duration.ZERO))
        .hasMessageContaining("timerguard.watch.interval must be positive");
    assertThatThrownBy(() -> b.interval(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("interval");
    assertThatThrownBy(() -> b.timeCompression(0.5))
        .hasMessageContaining("timerguard.watch.timeCompression must be a finite number >= 1");
    assertThatThrownBy(() -> b.timeCompression(Double.NaN)).hasMessageContaining("timeCompression");
    assertThatThrownBy(() -> b.timeCompression(Double.POSITIVE_INFINITY))
        .hasMessageContaining("timeCompression");
    assertThatThrownBy(
            () -> b.policy(GrowthPolicy.of(100, Duration.ZERO, 5, Duration.ofHours(6), 0.5, 10)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("positive windows");
    assertThatThrownBy(() -> b.registry(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> GrowthWatch.builder().interval(Duration.ofMinutes(5)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("too long for the rapid window PT10M");
    // nothing was half-applied: the builder still builds with its defaults
    GrowthWatch ok = b.build();
    assertThat(ok.interval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(ok.policy()).isEqualTo(GrowthPolicy.defaults());
  }

  @Test
  void propertiesAreReadAndBadOnesNamed() {
    GrowthWatch w =
        GrowthWatch.builder()
            .properties(
                Map.of(
                    "timerguard.watch.interval", "2s",
                    "timerguard.watch.rapidWindow", "PT1M",
                    "timerguard.watch.rapidRatePerSecond", "50",
                    "timerguard.watch.slowWindow", "2h",
                    "timerguard.watch.slowRatePerSecond", "0.5",
                    "other.key", "ignored"))
            .build();
    assertThat(w.interval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(w.policy().rapidWindow()).isEqualTo(Duration.ofMinutes(1));
    assertThat(w.policy().rapidRatePerSecond()).isEqualTo(50);
    assertThat(w.policy().slowWindow()).isEqualTo(Duration.ofHours(2));
    assertThat(w.policy().slowRatePerSecond()).isEqualTo(0.5);

    assertThat(
            GrowthWatch.builder()
                .properties(Map.of("timerguard.watch.timeCompression", "600"))
                .build()
                .policy()
                .rapidWindow())
        .isEqualTo(Duration.ofSeconds(1));

    assertThatThrownBy(
            () -> GrowthWatch.builder().properties(Map.of("timerguard.watch.intervall", "1s")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("unknown property timerguard.watch.intervall (accepted: interval,");
    for (String bad :
        List.of("abc", "10", "-5s", "0s", "10 parsecs", "PTXS", "99999999999999d", "")) {
      assertThatThrownBy(
              () -> GrowthWatch.builder().properties(Map.of("timerguard.watch.interval", bad)))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "timerguard.watch.interval must be a positive duration such as 500ms, 10s, 5m, 6h,"
                  + " 1d or PT10S, was '"
                  + bad
                  + "'");
    }
    assertThatThrownBy(
            () ->
                GrowthWatch.builder()
                    .properties(Map.of("timerguard.watch.rapidRatePerSecond", "-3")))
        .hasMessage("timerguard.watch.rapidRatePerSecond must be a positive number, was '-3'");
    assertThatThrownBy(
            () ->
                GrowthWatch.builder()
                    .properties(Map.of("timerguard.watch.timeCompression", "fast")))
        .hasMessage("timerguard.watch.timeCompression must be a finite number >= 1, was 'fast'");
    assertThat(GrowthWatch.Builder.duration("x", "250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(GrowthWatch.Builder.duration("x", "1.5h")).isEqualTo(Duration.ofMinutes(90));
    assertThat(GrowthWatch.Builder.duration("x", "1d")).isEqualTo(Duration.ofDays(1));
  }

  @Test
  void manySitesStayExactUnderConcurrentWriters() throws Exception {
    SiteRegistry r = SiteRegistry.create(4096, System::nanoTime);
    GrowthWatch watch =
        GrowthWatch.builder()
            .registry(r)
            .interval(Duration.ofMillis(10))
            .timeCompression(600)
            .build();
    int threads = 4;
    int perThread = 20_000;
    List<Thread> ts = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      Thread th =
          new Thread(
              () -> {
                for (int i = 0; i < perThread; i++) {
                  SiteCounter c =
                      r.register(
                          CallSite.of(CallSite.Kind.TIMER, "S" + (i % 500), "m", "S.java", id));
                  long s = c.start(0);
                  if (i % 3 != 0) {
                    c.end(s, TimerEnd.FIRED);
                  }
                }
              });
      ts.add(th);
      th.start();
    }
    // sample while the writers run: the watch must never throw or lose a site
    while (ts.stream().anyMatch(Thread::isAlive)) {
      watch.sampleNow();
      Thread.sleep(1);
    }
    Thread.sleep(2);
    GrowthWatch.Report rep = watch.sampleNow();
    assertThat(rep.sites()).hasSize(threads * 500);
    long live = rep.sites().stream().mapToLong(GrowthWatch.SiteStatus::live).sum();
    long expected = 0;
    for (int i = 0; i < perThread; i++) {
      expected += i % 3 == 0 ? 1 : 0;
    }
    assertThat(live).isEqualTo(expected * threads);
  }
}
