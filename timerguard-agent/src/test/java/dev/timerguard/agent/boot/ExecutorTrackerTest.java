package dev.timerguard.agent.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.timerguard.live.CallSite;
import dev.timerguard.live.LiveRegistry;
import dev.timerguard.live.SiteStats;
import dev.timerguard.live.internal.SiteCounter;
import java.util.Collection;
import java.util.Iterator;
import java.util.Spliterator;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The executor sampler's cost is bounded by the number of executors, not by their queues: it never
 * walks a queue (each walk copies it under the queue's lock, stalling the application's {@code
 * schedule} calls), and the retained count follows the cancels the agent sees, ending each at the
 * task's deadline (when the pool drops it), on {@code remove} and on {@code purge}.
 */
class ExecutorTrackerTest {

  private LiveRegistry registry;
  private ScheduledThreadPoolExecutor pool;
  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  @BeforeEach
  void setUp() {
    registry = LiveRegistry.create(64, System::nanoTime);
    Hooks.useRegistryForTests(registry);
    HookGuard.resetForTests();
    ExecutorTracker.useClockForTests(now::get);
    pool = new ScheduledThreadPoolExecutor(1);
  }

  @AfterEach
  void tearDown() {
    pool.shutdownNow();
    ExecutorTracker.poll();
    ExecutorTracker.useClockForTests(System::nanoTime);
    Hooks.useRegistryForTests(LiveRegistry.global());
    HookGuard.resetForTests();
  }

  private int site(CallSite.Kind kind, int line) {
    return SiteTable.define(CallSite.of(kind, "t.Tracked", "m", "Tracked.java", line));
  }

  private SiteStats stats(int id) {
    SiteCounter c = SiteTable.counter(id);
    return registry.snapshot().site(c.site());
  }

  /** A queue that counts every walk over its elements. */
  static final class WalkCountingQueue extends LinkedBlockingQueue<Runnable> {
    final AtomicLong walks = new AtomicLong();
    final AtomicLong sizes = new AtomicLong();

    @Override
    public Iterator<Runnable> iterator() {
      walks.incrementAndGet();
      return super.iterator();
    }

    @Override
    public Object[] toArray() {
      walks.incrementAndGet();
      return super.toArray();
    }

    @Override
    public <T> T[] toArray(T[] a) {
      walks.incrementAndGet();
      return super.toArray(a);
    }

    @Override
    public Spliterator<Runnable> spliterator() {
      walks.incrementAndGet();
      return super.spliterator();
    }

    @Override
    public void forEach(Consumer<? super Runnable> action) {
      walks.incrementAndGet();
      super.forEach(action);
    }

    @Override
    public boolean contains(Object o) {
      walks.incrementAndGet();
      return super.contains(o);
    }

    @Override
    public int drainTo(Collection<? super Runnable> c) {
      walks.incrementAndGet();
      return super.drainTo(c);
    }

    @Override
    public int size() {
      sizes.incrementAndGet();
      return super.size();
    }
  }

  @Test
  void samplingAPoolWithAMillionQueuedTasksNeverWalksItsQueue() {
    WalkCountingQueue queue = new WalkCountingQueue();
    Runnable task = () -> {};
    for (int i = 0; i < 1_000_000; i++) {
      queue.add(task); // queued directly: no worker starts, nothing is consumed
    }
    ThreadPoolExecutor big = new ThreadPoolExecutor(1, 1, 1, TimeUnit.MINUTES, queue);
    int exec = site(CallSite.Kind.EXECUTOR, 1);
    CreationHooks.executorCreated(big, exec);
    try {
      queue.sizes.set(0);
      for (int i = 0; i < 3; i++) {
        ExecutorTracker.poll();
      }
      assertThat(queue.walks.get()).as("walks over the queue").isZero();
      assertThat(queue.sizes.get()).as("size() calls, one per poll").isEqualTo(3);
      assertThat(Hooks.registry().snapshot().site(SiteTable.counter(exec).site()).queued())
          .isEqualTo(1_000_000L);
    } finally {
      queue.clear();
      big.shutdownNow();
    }
  }

  @Test
  void aCancelledTaskIsRetainedAtOnceAndUntilItsDeadlineWhenThePoolDropsIt() {
    int exec = site(CallSite.Kind.EXECUTOR, 2);
    int t = site(CallSite.Kind.TIMER, 3);
    CreationHooks.executorCreated(pool, exec);
    for (int minutes = 1; minutes <= 3; minutes++) {
      ScheduleHooks.schedule(pool, () -> {}, minutes, TimeUnit.MINUTES, t).cancel(false);
    }
    assertThat(stats(exec).retained()).as("counted at the cancel, before any poll").isEqualTo(3);
    now.addAndGet(TimeUnit.SECONDS.toNanos(90));
    ExecutorTracker.poll();
    assertThat(stats(exec).retained()).isEqualTo(2);
    now.addAndGet(TimeUnit.MINUTES.toNanos(10));
    ExecutorTracker.poll();
    assertThat(stats(exec).retained()).isZero();
  }

  @Test
  void aPoolThatRemovesOnCancelRetainsNothing() {
    int exec = site(CallSite.Kind.EXECUTOR, 4);
    int t = site(CallSite.Kind.TIMER, 5);
    pool.setRemoveOnCancelPolicy(true);
    CreationHooks.executorCreated(pool, exec);
    ScheduleHooks.schedule(pool, () -> {}, 1, TimeUnit.MINUTES, t).cancel(false);
    ExecutorTracker.poll();
    assertThat(stats(exec).retained()).isZero();
    assertThat(pool.getQueue()).isEmpty();
  }

  @Test
  void removeAndPurgeThroughTheHooksUncountTheTasksTheyDrop() {
    int exec = site(CallSite.Kind.EXECUTOR, 6);
    int t = site(CallSite.Kind.TIMER, 7);
    CreationHooks.executorCreated(pool, exec);
    ScheduledFuture<?> first = ScheduleHooks.schedule(pool, () -> {}, 1, TimeUnit.MINUTES, t);
    first.cancel(false);
    for (int i = 0; i < 4; i++) {
      ScheduleHooks.schedule(pool, () -> {}, 1, TimeUnit.MINUTES, t).cancel(false);
    }
    assertThat(stats(exec).retained()).isEqualTo(5);
    assertThat(ScheduleHooks.remove(pool, (Runnable) first)).isTrue();
    assertThat(ScheduleHooks.remove(pool, (Runnable) first)).isFalse();
    assertThat(stats(exec).retained()).isEqualTo(4);
    ScheduleHooks.purge(pool);
    assertThat(pool.getQueue()).isEmpty();
    assertThat(stats(exec).retained()).isZero();
  }

  @Test
  void aPoolFromBeforeTheAgentIsScannedOnceForItsOldCancelledTasksAndNeverCountsOneTwice() {
    int t = site(CallSite.Kind.TIMER, 8);
    pool.schedule(() -> {}, 1, TimeUnit.MINUTES).cancel(false); // before the agent: no event
    pool.schedule(() -> {}, 2, TimeUnit.MINUTES).cancel(false);
    pool.schedule(() -> {}, 2, TimeUnit.MINUTES); // not cancelled
    ScheduleHooks.schedule(pool, () -> {}, 3, TimeUnit.MINUTES, t)
        .cancel(false); // registers the pool
    ExecutorTracker.poll();
    ExecutorTracker.poll();
    SiteStats exec =
        registry.snapshot().sites().stream()
            .filter(x -> x.site().kind() == CallSite.Kind.EXECUTOR && x.site().line() == 8)
            .findFirst()
            .orElseThrow();
    assertThat(exec.retained()).isEqualTo(3);
    now.addAndGet(TimeUnit.SECONDS.toNanos(90));
    ExecutorTracker.poll();
    assertThat(registry.snapshot().site(exec.site()).retained()).isEqualTo(2);
  }
}
