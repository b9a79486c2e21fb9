package dev.timerguard.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.timerguard.agent.boot.HookGuard;
import dev.timerguard.agent.boot.Hooks;
import dev.timerguard.agent.boot.ScheduleHooks;
import dev.timerguard.agent.boot.ThreadTracker;
import dev.timerguard.live.CallSite;
import dev.timerguard.live.LiveRegistry;
import dev.timerguard.live.SiteStats;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.concurrent.CountDownLatch;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.dynamic.loading.ClassLoadingStrategy;
import net.bytebuddy.implementation.MethodCall;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Calls to APIs newer than release 17 (virtual-thread builders, JDK 21; {@code
 * ExecutorService.close}, JDK 19): the calling code is generated here with the methods found by
 * reflection, rewritten, and run; skipped on older JDKs.
 */
class VirtualThreadRewriteTest {

  @AfterEach
  void restore() {
    Hooks.useRegistryForTests(LiveRegistry.global());
  }

  @Test
  void startVirtualThreadAndBuilderStartAreThreadSites() throws Exception {
    assumeTrue(Runtime.version().feature() >= 21, "virtual threads need JDK 21+");
    LiveRegistry registry = LiveRegistry.create(16, System::nanoTime);
    Hooks.useRegistryForTests(registry);
    HookGuard.resetForTests();
    CallSiteRewriter rewriter = new CallSiteRewriter();
    Method startVirtual = Thread.class.getMethod("startVirtualThread", Runnable.class);
    Method ofVirtual = Thread.class.getMethod("ofVirtual");
    Method builderStart =
        Class.forName("java.lang.Thread$Builder").getMethod("start", Runnable.class);
    Class<?> app =
        new ByteBuddy()
            .subclass(Object.class)
            .name("vt.App")
            .defineMethod("direct", Thread.class, Modifier.PUBLIC | Modifier.STATIC)
            .withParameters(Runnable.class)
            .intercept(MethodCall.invoke(startVirtual).withArgument(0))
            .defineMethod("builder", Thread.class, Modifier.PUBLIC | Modifier.STATIC)
            .withParameters(Runnable.class)
            .intercept(
                MethodCall.invoke(builderStart)
                    .onMethodCall(MethodCall.invoke(ofVirtual))
                    .withArgument(0))
            .visit(rewriter)
            .make()
            .load(getClass().getClassLoader(), ClassLoadingStrategy.Default.WRAPPER)
            .getLoaded();
    CountDownLatch release = new CountDownLatch(1);
    Runnable wait =
        () -> {
          try {
            release.await();
          } catch (InterruptedException ignored) {
            // end
          }
        };
    Thread a = (Thread) app.getMethod("direct", Runnable.class).invoke(null, wait);
    Thread b = (Thread) app.getMethod("builder", Runnable.class).invoke(null, wait);
    assertThat(live("direct")).isEqualTo(1);
    assertThat(live("builder")).isEqualTo(1);
    release.countDown();
    a.join();
    b.join();
    ThreadTracker.poll();
    assertThat(live("direct")).isZero();
    assertThat(live("builder")).isZero();
  }

  @Test
  void closeInTryWithResourcesEndsThePeriodicTimersThePoolCancels() throws Exception {
    assumeTrue(Runtime.version().feature() >= 19, "ExecutorService.close needs JDK 19+");
    LiveRegistry registry = LiveRegistry.create(16, System::nanoTime);
    Hooks.useRegistryForTests(registry);
    HookGuard.resetForTests();
    Method close = java.util.concurrent.ExecutorService.class.getMethod("close");
    Class<?> app =
        new ByteBuddy()
            .subclass(Object.class)
            .name("vt.Closer")
            .defineMethod("close", void.class, Modifier.PUBLIC | Modifier.STATIC)
            .withParameters(java.util.concurrent.ExecutorService.class)
            .intercept(MethodCall.invoke(close).onArgument(0))
            .visit(new CallSiteRewriter())
            .make()
            .load(getClass().getClassLoader(), ClassLoadingStrategy.Default.WRAPPER)
            .getLoaded();
    java.util.concurrent.ScheduledThreadPoolExecutor pool =
        new java.util.concurrent.ScheduledThreadPoolExecutor(1);
    int site =
        dev.timerguard.agent.boot.SiteTable.define(
            CallSite.of(CallSite.Kind.TICKER, "vt.Closer", "tick", "Closer.java", 1));
    ScheduleHooks.scheduleAtFixedRate(
        pool, () -> {}, 10, 10, java.util.concurrent.TimeUnit.MINUTES, site);
    assertThat(dev.timerguard.agent.boot.SiteTable.counter(site).live()).isEqualTo(1);
    app.getMethod("close", java.util.concurrent.ExecutorService.class).invoke(null, pool);
    assertThat(pool.isTerminated()).isTrue();
    assertThat(dev.timerguard.agent.boot.SiteTable.counter(site).live()).isZero();
  }

  private static long live(String method) {
    return Hooks.registry().snapshot().sites().stream()
        .filter(
            s -> s.site().kind() == CallSite.Kind.THREAD && s.site().methodName().equals(method))
        .mapToLong(SiteStats::live)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no thread site in " + method));
  }
}
