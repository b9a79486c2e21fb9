package dev.timerguard.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.timerguard.junit.samples.Leaks;
import dev.timerguard.live.CallSite;
import dev.timerguard.live.internal.SiteCounter;
import dev.timerguard.live.internal.SiteRegistry;
import dev.timerguard.live.internal.TimerEnd;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The API without JUnit: goleak's Find and VerifyNone. */
class LeakVerifierTest {

  private static final Duration SHORT = Duration.ofMillis(50);

  @AfterEach
  void release() throws InterruptedException {
    Leaks.releaseAll();
  }

  @Test
  void nothingLeakedGivesAnEmptyReportAfterOneCheck() {
    LeakVerifier v = LeakVerifier.builder().grace(SHORT).build();
    LeakVerifier.Baseline b = v.baseline();

    LeakReport r = v.find(b);

    assertThat(r.isEmpty()).isTrue();
    assertThat(r.checks()).isEqualTo(1);
  }

  @Test
  void retriesWithBackoffUntilTheGraceIsOver() {
    LeakVerifier v = LeakVerifier.builder().grace(Duration.ofMillis(200)).build();
    LeakVerifier.Baseline b = v.baseline();
    Leaks.sleepingThread("stuck");

    LeakReport r = v.find(b);

    assertThat(r.threads()).extracting(LeakReport.LeakedThread::name).containsExactly("stuck");
    assertThat(r.checks()).isBetween(4, 30);
    assertThat(r.waited()).isGreaterThanOrEqualTo(Duration.ofMillis(150));
  }

  @Test
  void verifyNoneThrowsWithTheReport() {
    LeakVerifier v = LeakVerifier.builder().grace(SHORT).build();
    LeakVerifier.Baseline b = v.baseline();
    Leaks.sleepingThread("stuck");

    assertThatThrownBy(() -> v.verifyNone(b, "my code"))
        .isInstanceOfSatisfying(
            LeakDetectedError.class, e -> assertThat(e.report().threads()).hasSize(1))
        .hasMessageStartingWith("TimerGuard found leaks after my code: 1 thread");
  }

  @Test
  void defaultIgnoresCoverJdkThreadNamesAndCanBeTurnedOff() {
    LeakVerifier withDefaults = LeakVerifier.builder().grace(SHORT).build();
    LeakVerifier without = LeakVerifier.builder().grace(SHORT).defaultIgnores(false).build();
    LeakVerifier.Baseline b1 = withDefaults.baseline();
    LeakVerifier.Baseline b2 = without.baseline();
    Leaks.sleepingThread("ForkJoinPool.commonPool-worker-99");
    Leaks.sleepingThread("process reaper");

    assertThat(withDefaults.find(b1).isEmpty()).isTrue();
    assertThat(without.find(b2).threads()).hasSize(2);
    assertThat(LeakVerifier.DEFAULT_IGNORED_THREAD_NAMES)
        .contains(
            "Reference Handler",
            "Finalizer",
            "Signal Dispatcher",
            "Common-Cleaner",
            "Attach Listener");
  }

  @Test
  void acceptingABaselineHidesLeaksAlreadyReported() {
    LeakVerifier v = LeakVerifier.builder().grace(Duration.ZERO).build();
    LeakVerifier.Baseline b = v.baseline();
    Leaks.sleepingThread("reported-once");
    LeakReport first = v.find(b);

    assertThat(first.isEmpty()).isFalse();
    assertThat(v.find(b.accepting(first)).isEmpty()).isTrue();
  }

  @Test
  void readsTimersFromTheGivenRegistry() {
    SiteRegistry registry = SiteRegistry.create(16, System::nanoTime);
    LeakVerifier v = LeakVerifier.builder().grace(Duration.ZERO).registry(registry).build();
    CallSite site =
        CallSite.of(CallSite.Kind.TICKER, "com.acme.Heartbeat", "start", "Heartbeat.java", 7);
    SiteCounter c = registry.register(site);
    long old = c.start(0); // before the baseline: not a leak
    LeakVerifier.Baseline b = v.baseline();
    c.start(0);
    c.start(0);
    c.end(old, TimerEnd.STOPPED);

    LeakReport r = v.find(b);

    assertThat(r.sites())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.site()).isEqualTo(site);
              assertThat(s.leaked()).isEqualTo(1); // +2 created, -1 ended since the baseline
              assertThat(s.liveNow()).isEqualTo(2);
            });
    assertThat(r.format("x"))
        .contains(
            "TICKER com.acme.Heartbeat.start(Heartbeat.java:7): 1 ticker still live (2 live at this"
                + " site in all");
  }

  @Test
  void reportsCancelledTasksAnExecutorStillHolds() {
    SiteRegistry registry = SiteRegistry.create(16, System::nanoTime);
    LeakVerifier v = LeakVerifier.builder().grace(Duration.ZERO).registry(registry).build();
    SiteCounter pool =
        registry.register(
            CallSite.of(CallSite.Kind.EXECUTOR, "com.acme.Rpc", "<init>", "Rpc.java", 31));
    long stamp = pool.start(0);
    LeakVerifier.Baseline b = v.baseline();
    pool.retained(3); // three timeouts cancelled, still queued until their deadlines

    LeakReport r = v.find(b);

    assertThat(r.sites())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.leaked()).isZero();
              assertThat(s.retained()).isEqualTo(3);
            });
    assertThat(r.format("x"))
        .contains("x: 3 retained cancelled tasks")
        .contains(
            "EXECUTOR com.acme.Rpc.<init>(Rpc.java:31): 3 cancelled tasks still held in its queue");
    pool.retained(-3);
    assertThat(v.find(b).isEmpty()).isTrue();
    pool.end(stamp, TimerEnd.SHUT_DOWN);
  }

  @Test
  void timerCheckCanBeTurnedOff() {
    SiteRegistry registry = SiteRegistry.create(16, System::nanoTime);
    LeakVerifier v =
        LeakVerifier.builder().grace(Duration.ZERO).registry(registry).checkTimers(false).build();
    LeakVerifier.Baseline b = v.baseline();
    registry.register(CallSite.of(CallSite.Kind.TIMER, "A", "b", "A.java", 1)).start(0);

    assertThat(v.find(b).isEmpty()).isTrue();
  }

  @Test
  void badInputGetsAClearError() {
    LeakVerifier.Builder b = LeakVerifier.builder();

    assertThatThrownBy(() -> b.grace(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("grace must not be negative, was -1 ms");
    assertThatThrownBy(() -> b.grace(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("grace");
    assertThatThrownBy(() -> b.ignoreThreadNames("a{"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("ignoreThreadNames: 'a{' is not a valid regular expression");
    assertThatThrownBy(() -> b.ignoreTopFrames("run"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not of the form package.Class.method");
    assertThatThrownBy(() -> b.ignoreFrames("com.acme.Poller.run(Poller.java:12)"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("contains parentheses");
    assertThatThrownBy(() -> LeakVerifier.defaults().find(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("baseline");
  }

  @Test
  void badPropertiesNameTheProperty() {
    assertThatThrownBy(() -> configure(Map.of(LeakVerifier.GRACE, "-2s")))
        .hasMessage("timerguard.leaks.grace must not be negative, was -2.0 s");
    assertThatThrownBy(() -> configure(Map.of(LeakVerifier.GRACE, "2 hours")))
        .hasMessageStartingWith("timerguard.leaks.grace: '2 hours' is not a duration");
    assertThatThrownBy(() -> configure(Map.of(LeakVerifier.IGNORE_TOP_FRAMES, "a.B.c, *")))
        .hasMessageStartingWith("timerguard.leaks.ignore.topFrames: frame pattern '*' is empty");
    assertThatThrownBy(() -> configure(Map.of(LeakVerifier.CHECK_TIMERS, "yes")))
        .hasMessage("timerguard.leaks.timers: 'yes' is not true or false");
  }

  @Test
  void propertiesConfigureGraceAndRules() {
    LeakVerifier v =
        configure(
            Map.of(
                LeakVerifier.GRACE, "PT0.25S",
                LeakVerifier.IGNORE_THREAD_NAMES, "known-.*|other",
                LeakVerifier.IGNORE_TOP_FRAMES, "jdk.internal.misc.Unsafe.park"));
    assertThat(v.grace()).isEqualTo(Duration.ofMillis(250));
    LeakVerifier fast =
        configure(
            Map.of(
                LeakVerifier.GRACE, "100ms", // lets "parked" reach its park() call
                LeakVerifier.IGNORE_THREAD_NAMES, "known-.*|other",
                LeakVerifier.IGNORE_TOP_FRAMES, "jdk.internal.misc.Unsafe.park"));
    LeakVerifier.Baseline b = fast.baseline();
    Leaks.sleepingThread("known-1");
    Leaks.parkedThread("parked");
    Leaks.sleepingThread("unknown");

    assertThat(fast.find(b).threads())
        .extracting(LeakReport.LeakedThread::name)
        .containsExactly("unknown");
  }

  private static LeakVerifier configure(Map<String, String> props) {
    return LeakVerifier.builder().configure(k -> Optional.ofNullable(props.get(k))).build();
  }
}
