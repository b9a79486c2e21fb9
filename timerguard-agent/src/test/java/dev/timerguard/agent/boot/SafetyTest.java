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
  void aHookThatThrowsIsDisabledReportedOnceAndTheCallStillHappens() throws Exception {
    Hooks.useRegistryForTests(LiveRegistry.create(8, System::nanoTime));
    int bogusSite = SiteTable.MAX + 1; // never defined: the lookup throws inside the hook
    ScheduledFuture<?> f = Hooks.schedule(pool, () -> {}, 10, TimeUnit.MINUTES, bogusSite);
    ScheduledFuture<?> g = Hooks.schedule(pool, () -> {}, 10, TimeUnit.MINUTES, bogusSite);
    assertThat((Object) f).isNotInstanceOf(TrackedFuture.class);
    assertThat(pool.getQueue()).hasSize(2);
    assertThat(f.cancel(false)).isTrue();
    assertThat(HookGuard.on(HookGuard.SCHEDULE)).isFalse();
    assertThat(HookGuard.disabled()).singleElement().asString().startsWith("schedule:");
    String printed = err.toString(StandardCharsets.UTF_8);
    assertThat(printed.lines().filter(l -> l.contains("[timerguard]")).count()).isEqualTo(1);
    assertThat(printed).contains("hook 'schedule'").contains("application unaffected");
    assertThat(g.isCancelled()).isFalse();
  }

  @Test
  void otherHooksKeepWorkingWhenOneIsDisabled() {
    LiveRegistry r = LiveRegistry.create(8, System::nanoTime);
    Hooks.useRegistryForTests(r);
    HookGuard.fail(HookGuard.SCHEDULE, new IllegalStateException("test"));
    int exec = SiteTable.define(CallSite.of(CallSite.Kind.EXECUTOR, "a.B", "m", "B.java", 1));
    Hooks.executorCreated(pool, exec);
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
    assertThat(SiteTable.define(CallSite.of(CallSite.Kind.TIMER, "a.Lazy", "m", "Lazy.java", 3))).isEqualTo(id);
    assertThat(r.siteCount()).isZero();
    Hooks.schedule(pool, () -> {}, 10, TimeUnit.MINUTES, id);
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
      int id = SiteTable.define(CallSite.of(CallSite.Kind.TIMER, "a.Flood", "m", "Flood.java", line));
      ScheduledFuture<?> f = Hooks.schedule(pool, () -> {}, 10, TimeUnit.MINUTES, id);
      if (line % 2 == 0) {
        f.cancel(false);
      }
    }
    assertThat(r.siteCount()).isLessThanOrEqualTo(5);
    assertThat(r.snapshot().totalLiveTimers()).isEqualTo(500);
    assertThat(r.snapshot().site(CallSite.OVERFLOW)).isNotNull();
  }
}
