package dev.timerguard.agent.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.timerguard.live.CallSite;
import dev.timerguard.live.LiveRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The agent's safety rules: a failing hook never reaches the application; memory stays bounded. */
class SafetyTest {

  private final PrintStream realErr = System.err;
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private ScheduledThreadPoolExecutor pool;

  @BeforeEach
  void setUp() {
    HookGuard.resetForTests();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    pool = new ScheduledThreadPoolExecutor(1);
  }

  @AfterEach
  void tearDown() {
    System.setErr(realErr);
    pool.shutdownNow();
    Hooks.useRegistryForTests(LiveRegistry.global());
    HookGuard.resetForTests();
  }

  @Test
  void aHookThatThrowsSkipsThatCallOnlyReportsOnceAndTheCallStillHappens() throws Exception {
    LiveRegistry r = LiveRegistry.create(8, System::nanoTime);
    Hooks.useRegistryForTests(r);
    int bogusSite = SiteTable.MAX + 1; // never defined: the lookup throws inside the hook
    ScheduledFuture<?> f = ScheduleHooks.schedule(pool, () -> {}, 10, TimeUnit.MINUTES, bogusSite);
    ScheduledFuture<?> g = ScheduleHooks.schedule(pool, () -> {}, 10, TimeUnit.MINUTES, bogusSite);
    assertThat((Object) f).isNotInstanceOf(TrackedFuture.class);
    assertThat(pool.getQueue()).hasSize(2);
    assertThat(f.cancel(false)).isTrue();
    assertThat(g.isCancelled()).isFalse();
    // one bad call costs that call's bookkeeping, not the hook: the next good call is counted
    assertThat(HookGuard.on(HookGuard.SCHEDULE)).isTrue();
    assertThat(HookGuard.failures(HookGuard.SCHEDULE)).isEqualTo(2);
    int good = SiteTable.define(CallSite.of(CallSite.Kind.TIMER, "a.Good", "m", "Good.java", 1));
    ScheduledFuture<?> h = ScheduleHooks.schedule(pool, () -> {}, 10, TimeUnit.MINUTES, good);
    assertThat((Object) h).isInstanceOf(TrackedFuture.class);
    assertThat(SiteTable.counter(good).live()).isEqualTo(1);
    String printed = err.toString(StandardCharsets.UTF_8);
    assertThat(printed.lines().filter(l -> l.contains("[timerguard]")).count()).isEqualTo(1);
    assertThat(printed)
        .contains("hook 'schedule'")
        .contains("hook stays on")
        .contains("application unaffected");
  }

  @Test
  void aLinkageErrorDisablesTheHookForGoodAndSaysSoOnce() {
    HookGuard.fail(HookGuard.TIMER, new NoClassDefFoundError("dev/timerguard/Missing"));
    HookGuard.fail(HookGuard.TIMER, new NoClassDefFoundError("dev/timerguard/Missing"));
    assertThat(HookGuard.on(HookGuard.TIMER)).isFalse();
    assertThat(HookGuard.on(HookGuard.SCHEDULE)).isTrue();
    assertThat(HookGuard.disabled()).singleElement().asString().startsWith("timer:");
    String printed = err.toString(StandardCharsets.UTF_8);
    assertThat(printed.lines().filter(l -> l.contains("hook disabled")).count()).isEqualTo(1);
  }

  @Test
  void aHookFailingOnEveryCallIsDisabledAfterTheBound() {
    for (int i = 0; i < HookGuard.MAX_FAILURES - 1; i++) {
      HookGuard.fail(HookGuard.NETTY, new IllegalStateException("bug"));
    }
    assertThat(HookGuard.on(HookGuard.NETTY)).isTrue();
    HookGuard.fail(HookGuard.NETTY, new IllegalStateException("bug"));
    assertThat(HookGuard.on(HookGuard.NETTY)).isFalse();
  }

  @Test
  void otherHooksKeepWorkingWhenOneIsDisabled() {
    LiveRegistry r = LiveRegistry.create(8, System::nanoTime);
    Hooks.useRegistryForTests(r);
    HookGuard.fail(HookGuard.SCHEDULE, new NoClassDefFoundError("test"));
    int exec = SiteTable.define(CallSite.of(CallSite.Kind.EXECUTOR, "a.B", "m", "B.java", 1));
    CreationHooks.executorCreated(pool, exec);
    assertThat(SiteTable.counter(exec).live()).isEqualTo(1);
    pool.shutdown();
    ExecutorTracker.poll();
    assertThat(SiteTable.counter(exec).live()).isZero();
  }

  @Test
  void sitesAreRegisteredOnlyWhenTheyFirstRun() {
    LiveRegistry r = LiveRegistry.create(8, System::nanoTime);
    Hooks.useRegistryForTests(r);
    int id = SiteTable.define(CallSite.of(CallSite.Kind.TIMER, "a.Lazy", "m", "Lazy.java", 3));
    assertThat(SiteTable.define(CallSite.of(CallSite.Kind.TIMER, "a.Lazy", "m", "Lazy.java", 3)))
        .isEqualTo(id);
    assertThat(r.siteCount()).isZero();
    ScheduleHooks.schedule(pool, () -> {}, 10, TimeUnit.MINUTES, id);
    assertThat(r.snapshot().sites())
        .filteredOn(x -> x.site().kind() == CallSite.Kind.TIMER)
        .singleElement()
        .satisfies(x -> assertThat(x.site().className()).isEqualTo("a.Lazy"));
  }

  @Test
  void aFloodOfSitesBeyondTheCapSharesTheOverflowCounterAndCountsStayExact() {
    LiveRegistry r = LiveRegistry.create(4, System::nanoTime);
    Hooks.useRegistryForTests(r);
    for (int line = 0; line < 1000; line++) {
      int id =
          SiteTable.define(CallSite.of(CallSite.Kind.TIMER, "a.Flood", "m", "Flood.java", line));
      ScheduledFuture<?> f = ScheduleHooks.schedule(pool, () -> {}, 10, TimeUnit.MINUTES, id);
      if (line % 2 == 0) {
        f.cancel(false);
      }
    }
    assertThat(r.siteCount()).isLessThanOrEqualTo(5);
    assertThat(r.snapshot().totalLiveTimers()).isEqualTo(500);
    assertThat(r.snapshot().site(CallSite.OVERFLOW)).isNotNull();
  }
}
