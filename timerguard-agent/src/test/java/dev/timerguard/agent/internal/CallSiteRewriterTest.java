package dev.timerguard.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.timerguard.agent.boot.HookGuard;
import dev.timerguard.agent.boot.Hooks;
import dev.timerguard.agent.boot.ThreadTracker;
import dev.timerguard.agent.boot.TrackedFuture;
import dev.timerguard.live.CallSite;
import dev.timerguard.live.LiveRegistry;
import dev.timerguard.live.SiteStats;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Timer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.stream.Collectors;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.dynamic.loading.ClassLoadingStrategy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Rewrites {@link RewriteFixture} with the agent's visitor, loads it in a fresh class loader and
 * checks that every call site is counted at its class, method and line.
 */
class CallSiteRewriterTest {

  private static LiveRegistry registry;
  private static Class<?> fixture;
  private static CallSiteRewriter rewriter;

  @BeforeAll
  static void rewrite() throws Exception {
    registry = LiveRegistry.create(256, System::nanoTime);
    Hooks.useRegistryForTests(registry);
    HookGuard.resetForTests();
    rewriter = new CallSiteRewriter();
    ByteBuddy bb = new ByteBuddy();
    ClassLoader loader =
        bb.redefine(RewriteFixture.class)
            .visit(rewriter)
            .make()
            .include(bb.redefine(RewriteFixture.Task.class).visit(rewriter).make())
            .include(bb.redefine(RewriteFixture.MyPool.class).visit(rewriter).make())
            .load(
                CallSiteRewriterTest.class.getClassLoader(),
                ClassLoadingStrategy.Default.CHILD_FIRST)
            .getLoaded()
            .getClassLoader();
    fixture = Class.forName(RewriteFixture.class.getName(), true, loader);
    assertThat(fixture).isNotSameAs(RewriteFixture.class);
  }

  @AfterAll
  static void restore() {
    Hooks.useRegistryForTests(LiveRegistry.global());
  }

  private static Object call(String method, Object... args) throws Exception {
    for (Method m : fixture.getMethods()) {
      if (m.getName().equals(method)) {
        return m.invoke(null, args);
      }
    }
    throw new NoSuchMethodException(method);
  }

  private static List<SiteStats> sites(String method) {
    return registry.snapshot().sites().stream()
        .filter(s -> s.site().methodName().equals(method))
        .collect(Collectors.toList());
  }

  private static SiteStats site(String method, CallSite.Kind kind) {
    return sites(method).stream()
        .filter(s -> s.site().kind() == kind)
        .findFirst()
        .orElseThrow(
            () ->
                new AssertionError(
                    "no " + kind + " site in " + method + ": " + registry.snapshot().sites()));
  }

  @Test
  void purgeIsRewrittenSoTheRetainedCancelledTasksItDropsLeaveTheCount() throws Exception {
    ScheduledThreadPoolExecutor p = new ScheduledThreadPoolExecutor(1);
    try {
      assertThat((int) call("purge", p)).isZero();
      SiteStats executor = site("purge [executor first used here]", CallSite.Kind.EXECUTOR);
      assertThat(executor.retained()).isZero();
      assertThat(site("purge", CallSite.Kind.TIMER).cancelled()).isEqualTo(1);
    } finally {
      p.shutdownNow();
    }
  }

  @Test
  void sitesCarryClassFileAndLineDefinedAtInstrumentationTime() throws Exception {
    ScheduledThreadPoolExecutor p = new ScheduledThreadPoolExecutor(1);
    call("leak", p);
    p.shutdownNow();
    SiteStats s = site("leak", CallSite.Kind.TIMER);
    assertThat(s.site().className()).isEqualTo(RewriteFixture.class.getName());
    assertThat(s.site().fileName()).isEqualTo("RewriteFixture.java");
    assertThat(s.site().line()).isEqualTo(28); // the line of p.schedule in RewriteFixture.leak
    assertThat(rewriter.rewritten()).isGreaterThanOrEqualTo(10);
  }

  @Test
  void scheduleIsCountedPerSiteAndCancelEndsIt() throws Exception {
    ScheduledThreadPoolExecutor p = new ScheduledThreadPoolExecutor(1);
    try {
      Object f = call("scheduleAndCancel", p);
      assertThat(f).isInstanceOf(TrackedFuture.class);
      long before = sites("leak").stream().mapToLong(SiteStats::live).sum();
      call("leak", p);
      call("leak", p);
      SiteStats cancelled = site("scheduleAndCancel", CallSite.Kind.TIMER);
      assertThat(cancelled.created()).isEqualTo(1);
      assertThat(cancelled.live()).isZero();
      assertThat(site("leak", CallSite.Kind.TIMER).live()).isEqualTo(before + 2);
      ScheduledFuture<?> t = (ScheduledFuture<?>) call("ticker", p);
      assertThat(site("ticker", CallSite.Kind.TICKER).live()).isEqualTo(1);
      t.cancel(false);
      assertThat(site("ticker", CallSite.Kind.TICKER).live()).isZero();
      assertThat((boolean) call("remove", p)).isTrue();
      assertThat(site("remove", CallSite.Kind.TIMER).created()).isEqualTo(1);
    } finally {
      p.shutdownNow();
    }
  }

  @Test
  void executorsFromConstructorsAndFactoriesAreSitesButSuperCallsAreLeftAlone() throws Exception {
    ScheduledExecutorService a = (ScheduledExecutorService) call("newPool");
    ExecutorService b = (ExecutorService) call("factory");
    ExecutorService c = (ExecutorService) call("subclass");
    try {
      assertThat(site("newPool", CallSite.Kind.EXECUTOR).live()).isEqualTo(1);
      assertThat(site("factory", CallSite.Kind.EXECUTOR).live()).isEqualTo(1);
      assertThat(sites("<init>")).isEmpty();
      assertThat(sites("subclass")).isEmpty(); // new MyPool(): not a JDK executor constructor
    } finally {
      a.shutdownNow();
      b.shutdownNow();
      c.shutdownNow();
    }
  }

  @Test
  void methodReferencesToEndCallsGoThroughTheHooksToo() throws Exception {
    Timer timer = new Timer(true);
    try {
      assertThat((boolean) call("cancelByReference", timer)).isTrue();
      SiteStats t = site("cancelByReference", CallSite.Kind.TIMER);
      assertThat(t.created()).isEqualTo(1);
      assertThat(t.cancelled()).isEqualTo(1);
      assertThat(t.live()).isZero();
    } finally {
      timer.cancel();
    }
    ExecutorService e = (ExecutorService) call("shutdownByReference");
    assertThat(e.isShutdown()).isTrue();
    SiteStats ex = site("shutdownByReference", CallSite.Kind.EXECUTOR);
    assertThat(ex.created()).isEqualTo(1);
    assertThat(ex.live()).isZero(); // ended by the shutdown call itself, no sampler pass needed
  }

  @Test
  void shutdownNowEndsTheTimersItHandsBack() throws Exception {
    assertThat((int) call("shutdownNow", new ScheduledThreadPoolExecutor(1))).isEqualTo(1);
    SiteStats s = site("shutdownNow", CallSite.Kind.TICKER);
    assertThat(s.created()).isEqualTo(1);
    assertThat(s.live()).isZero();
  }

  @Test
  void threadStartIsASite() throws Exception {
    Thread t = (Thread) call("startThread");
    assertThat(site("startThread", CallSite.Kind.THREAD).live()).isEqualTo(1);
    t.interrupt();
    t.join();
    ThreadTracker.poll();
    assertThat(site("startThread", CallSite.Kind.THREAD).live()).isZero();
  }

  @Test
  void timerTaskScheduleAndCancelAreCounted() throws Exception {
    Timer timer = new Timer(true);
    try {
      assertThat((boolean) call("timerTask", timer)).isTrue();
      SiteStats s = site("timerTask", CallSite.Kind.TIMER);
      assertThat(s.created()).isEqualTo(1);
      assertThat(s.cancelled()).isEqualTo(1);
    } finally {
      timer.cancel();
    }
  }

  @Test
  void nettyTimeoutsAreFollowedByPolling() throws Exception {
    io.netty.util.HashedWheelTimer timer = new io.netty.util.HashedWheelTimer();
    try {
      io.netty.util.Timeout t = (io.netty.util.Timeout) call("netty", timer);
      dev.timerguard.agent.boot.PolledTimeouts.poll();
      assertThat(site("netty", CallSite.Kind.TIMER).live()).isEqualTo(1);
      t.cancel();
      dev.timerguard.agent.boot.PolledTimeouts.poll();
      assertThat(site("netty", CallSite.Kind.TIMER).live()).isZero();
      assertThat(site("netty", CallSite.Kind.TIMER).cancelled()).isEqualTo(1);
    } finally {
      timer.stop();
    }
  }

  @Test
  void orTimeoutIsLiveUntilTheFutureCompletes() throws Exception {
    @SuppressWarnings("unchecked")
    CompletableFuture<String> f = (CompletableFuture<String>) call("orTimeout");
    assertThat(site("orTimeout", CallSite.Kind.TIMER).live()).isEqualTo(1);
    f.complete("done");
    assertThat(site("orTimeout", CallSite.Kind.TIMER).live()).isZero();
  }
}
