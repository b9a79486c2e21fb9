package dev.timerguard.junit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.timerguard.junit.internal.ThreadAttribution;
import dev.timerguard.junit.internal.ThreadScan;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** The advice per kind of leak, and the attribution's own thread and records. */
class AdviceAndAttributionTest {

  private static StackTraceElement f(String cls, String method) {
    return new StackTraceElement(cls, method, null, 1);
  }

  @Test
  void adviceFollowsWhatTheStackShows() {
    assertThat(
            LeakReport.advice(
                List.of(f("java.lang.Object", "wait"), f("java.util.TimerThread", "mainLoop")),
                false))
        .startsWith("java.util.Timer never cancelled: call cancel()");
    assertThat(
            LeakReport.advice(
                List.of(
                    f("jdk.internal.misc.Unsafe", "park"),
                    f("java.util.concurrent.ThreadPoolExecutor", "getTask")),
                false))
        .startsWith("pool thread of an executor never shut down: shutdown()");
    assertThat(
            LeakReport.advice(
                List.of(f("java.lang.Thread", "sleep"), f("com.acme.Poller", "run")), false))
        .startsWith("sleeping thread that may end by itself");
    assertThat(LeakReport.advice(List.of(f("com.acme.Reader", "read")), false))
        .startsWith("thread never stopped and joined");
    assertThat(LeakReport.advice(List.of(f("com.acme.Reader", "read")), true))
        .startsWith("virtual never stopped and joined");
  }

  @Test
  void theStreamRunsOnADaemonThreadSoItNeverKeepsTheJvmAlive() {
    ThreadAttribution a = ThreadAttribution.shared();

    assertThat(a.available()).as(String.valueOf(a.unavailableReason())).isTrue();
    assertThat(Arrays.stream(ThreadScan.platformThreads()))
        .filteredOn(t -> t.getName().equals(ThreadAttribution.THREAD_NAME))
        .singleElement()
        .satisfies(t -> assertThat(t.isDaemon()).isTrue());
  }

  @Test
  void aThreadStartedByAThreadOfTheScopeBelongsToTheScope() throws Exception {
    ThreadAttribution a = ThreadAttribution.shared();
    ThreadAttribution.Scope scope = a.open("attribution-test", "test chain", null);
    CountDownLatch release = new CountDownLatch(1);
    Thread[] grandchild = new Thread[1];
    Thread child;
    try {
      child =
          new Thread(
              () -> {
                grandchild[0] = new Thread(() -> await(release), "chain-grandchild");
                grandchild[0].start();
                await(release);
              },
              "chain-child");
      child.start();
      while (grandchild[0] == null || !grandchild[0].isAlive()) {
        Thread.onSpinWait();
      }
    } finally {
      a.close(scope);
    }
    try {
      long gid = ThreadScan.id(grandchild[0]);
      a.awaitOrigins(List.of(gid), Duration.ofSeconds(10));

      ThreadAttribution.Origin o = a.origin(gid);
      assertThat(o.recorded()).isTrue();
      assertThat(o.owner()).isSameAs(scope);
      assertThat(o.parentName()).isEqualTo("chain-child");
      assertThat(o.parent().owner()).isSameAs(scope);
      assertThat(o.stack())
          .anySatisfy(
              e ->
                  assertThat(e.getClassName())
                      .startsWith(AdviceAndAttributionTest.class.getName()));
    } finally {
      release.countDown();
      child.join();
      grandchild[0].join();
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
