package dev.timerguard.wheel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@link ScheduledExecutorService} contract as the JDK documents it, with {@link
 * java.util.concurrent.ScheduledThreadPoolExecutor}'s default shutdown policies (delayed one-shots
 * still run after shutdown, periodic tasks are cancelled). Run against the JDK's executor and
 * against {@link WheelScheduler}: whatever passes for one must pass for the other.
 *
 * <p>Real time is used (the JDK executor has no clock to inject), but only as a lower bound: a task
 * never runs before its delay. Upper bounds are the test timeout only.
 */
@Timeout(30)
abstract class ScheduledExecutorServiceContract {

  protected ScheduledExecutorService ses;

  /** A fresh executor under test. */
  protected abstract ScheduledExecutorService newExecutor();

  @BeforeEach
  void setUp() {
    ses = newExecutor();
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    ses.shutdownNow();
    assertThat(ses.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void runnableRunsNoEarlierThanItsDelay() throws Exception {
    long start = System.nanoTime();
    AtomicInteger runs = new AtomicInteger();
    ScheduledFuture<?> f =
        ses.schedule(
            () -> {
              runs.incrementAndGet();
            },
            20,
            TimeUnit.MILLISECONDS);
    assertThat(f.get()).isNull();
    assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(20));
    assertThat(runs).hasValue(1);
    assertThat(f.isDone()).isTrue();
    assertThat(f.isCancelled()).isFalse();
    assertThat(f.cancel(false)).as("cancel after completion").isFalse();
  }

  @Test
  void callableResultIsReturned() throws Exception {
    ScheduledFuture<String> f = ses.schedule(() -> "done", 5, TimeUnit.MILLISECONDS);
    assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo("done");
  }

  @Test
  void callableExceptionIsWrapped() {
    IllegalStateException boom = new IllegalStateException("boom");
    ScheduledFuture<Object> f =
        ses.schedule(
            (Callable<Object>)
                () -> {
                  throw boom;
                },
            1,
            TimeUnit.MILLISECONDS);
    assertThatThrownBy(f::get).isInstanceOf(ExecutionException.class).hasCause(boom);
    assertThat(f.isDone()).isTrue();
  }

  @Test
  void cancelBeforeRunPreventsTheRun() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    ScheduledFuture<?> f = ses.schedule(runs::incrementAndGet, 1, TimeUnit.HOURS);
    assertThat(f.cancel(false)).isTrue();
    assertThat(f.isCancelled()).isTrue();
    assertThat(f.isDone()).isTrue();
    assertThat(f.cancel(false)).as("second cancel").isFalse();
    assertThatThrownBy(f::get).isInstanceOf(CancellationException.class);
    assertThatThrownBy(() -> f.get(1, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class);
    // a later timer fires; the cancelled one never does
    ses.schedule(() -> {}, 1, TimeUnit.MILLISECONDS).get();
    assertThat(runs).hasValue(0);
  }

  @Test
  void timedGetTimesOut() {
    ScheduledFuture<?> f = ses.schedule(() -> {}, 1, TimeUnit.HOURS);
    assertThatThrownBy(() -> f.get(5, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
    assertThatThrownBy(() -> f.get(0, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
    assertThat(f.isDone()).isFalse();
  }

  @Test
  void getDelayCountsDownAndCompareToOrdersByDelay() {
    ScheduledFuture<?> hour = ses.schedule(() -> {}, 1, TimeUnit.HOURS);
    ScheduledFuture<?> minute = ses.schedule(() -> {}, 1, TimeUnit.MINUTES);
    assertThat(hour.getDelay(TimeUnit.SECONDS)).isBetween(3500L, 3600L);
    assertThat(minute.getDelay(TimeUnit.MILLISECONDS)).isBetween(50_000L, 60_000L);
    assertThat(minute.compareTo(hour)).isNegative();
    assertThat(hour.compareTo(minute)).isPositive();
    assertThat(hour.compareTo(hour)).isZero();
  }

  @Test
  void fixedRateRunsUntilCancelled() throws Exception {
    CountDownLatch three = new CountDownLatch(3);
    ScheduledFuture<?> f = ses.scheduleAtFixedRate(three::countDown, 0, 2, TimeUnit.MILLISECONDS);
    assertThat(three.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(f.isDone()).isFalse();
    assertThat(f.cancel(false)).isTrue();
    assertThat(f.isCancelled()).isTrue();
    assertThatThrownBy(f::get).isInstanceOf(CancellationException.class);
  }

  @Test
  void fixedDelayRunsUntilCancelled() throws Exception {
    CountDownLatch three = new CountDownLatch(3);
    ScheduledFuture<?> f =
        ses.scheduleWithFixedDelay(three::countDown, 1, 2, TimeUnit.MILLISECONDS);
    assertThat(three.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(f.cancel(false)).isTrue();
    assertThat(f.isDone()).isTrue();
  }

  @Test
  void periodicTaskThatThrowsIsNotRunAgain() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    RuntimeException boom = new RuntimeException("periodic boom");
    ScheduledFuture<?> f =
        ses.scheduleAtFixedRate(
            () -> {
              runs.incrementAndGet();
              throw boom;
            },
            0,
            1,
            TimeUnit.MILLISECONDS);
    assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCause(boom);
    ses.schedule(() -> {}, 5, TimeUnit.MILLISECONDS).get();
    assertThat(runs).hasValue(1);
  }

  @Test
  void aThrowingTaskDoesNotStopLaterTasks() throws Exception {
    ses.execute(
        () -> {
          throw new IllegalStateException("expected by the test");
        });
    ScheduledFuture<?> bad =
        ses.schedule(
            () -> {
              throw new IllegalStateException("expected by the test");
            },
            1,
            TimeUnit.MILLISECONDS);
    assertThatThrownBy(bad::get).isInstanceOf(ExecutionException.class);
    assertThat(ses.schedule(() -> 42, 2, TimeUnit.MILLISECONDS).get()).isEqualTo(42);
  }

  @Test
  void nonPositivePeriodsAreRejected() {
    assertThatThrownBy(() -> ses.scheduleAtFixedRate(() -> {}, 0, 0, TimeUnit.SECONDS))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ses.scheduleAtFixedRate(() -> {}, 0, -1, TimeUnit.SECONDS))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ses.scheduleWithFixedDelay(() -> {}, 0, 0, TimeUnit.SECONDS))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ses.scheduleWithFixedDelay(() -> {}, 0, -5, TimeUnit.SECONDS))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void nullArgumentsAreRejected() {
    assertThatThrownBy(() -> ses.schedule((Runnable) null, 1, TimeUnit.SECONDS))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> ses.schedule((Callable<?>) null, 1, TimeUnit.SECONDS))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> ses.schedule(() -> {}, 1, null))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> ses.scheduleAtFixedRate(null, 1, 1, TimeUnit.SECONDS))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> ses.scheduleWithFixedDelay(() -> {}, 1, 1, null))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> ses.execute(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> ses.submit((Runnable) null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void negativeDelayRunsAsSoonAsPossible() throws Exception {
    assertThat(ses.schedule(() -> "now", -5, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS))
        .isEqualTo("now");
  }

  @Test
  void hugeDelaysDoNotOverflowIntoThePast() {
    ScheduledFuture<?> max = ses.schedule(() -> {}, Long.MAX_VALUE, TimeUnit.NANOSECONDS);
    ScheduledFuture<?> days = ses.schedule(() -> {}, Long.MAX_VALUE, TimeUnit.DAYS);
    assertThat(max.getDelay(TimeUnit.DAYS)).isGreaterThan(50 * 365L);
    assertThat(days.getDelay(TimeUnit.DAYS)).isGreaterThan(50 * 365L);
    assertThat(max.isDone()).isFalse();
    assertThat(days.isDone()).isFalse();
  }

  @Test
  void executeAndSubmitRun() throws Exception {
    CountDownLatch ran = new CountDownLatch(1);
    ses.execute(ran::countDown);
    assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(ses.submit(() -> {}).get()).isNull();
    assertThat(ses.submit(() -> {}, "result").get()).isEqualTo("result");
    assertThat(ses.submit(() -> 7).get()).isEqualTo(7);
  }

  @Test
  void invokeAllAndInvokeAny() throws Exception {
    List<Callable<Integer>> tasks = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      int v = i;
      tasks.add(() -> v);
    }
    List<Future<Integer>> all = ses.invokeAll(tasks);
    assertThat(all).hasSize(5).allMatch(Future::isDone);
    for (int i = 0; i < 5; i++) {
      assertThat(all.get(i).get()).isEqualTo(i);
    }
    assertThat(ses.invokeAny(tasks)).isBetween(0, 4);
    List<Future<Integer>> timed = ses.invokeAll(tasks, 10, TimeUnit.SECONDS);
    assertThat(timed).allMatch(Future::isDone);
  }

  @Test
  void shutdownRejectsNewTasks() {
    ses.shutdown();
    assertThat(ses.isShutdown()).isTrue();
    assertThatThrownBy(() -> ses.schedule(() -> {}, 1, TimeUnit.SECONDS))
        .isInstanceOf(RejectedExecutionException.class);
    assertThatThrownBy(() -> ses.execute(() -> {})).isInstanceOf(RejectedExecutionException.class);
    assertThatThrownBy(() -> ses.submit(() -> 1)).isInstanceOf(RejectedExecutionException.class);
    assertThatThrownBy(() -> ses.scheduleAtFixedRate(() -> {}, 1, 1, TimeUnit.SECONDS))
        .isInstanceOf(RejectedExecutionException.class);
  }

  @Test
  void delayedTasksStillRunAfterShutdown() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    ScheduledFuture<?> f = ses.schedule(runs::incrementAndGet, 30, TimeUnit.MILLISECONDS);
    ses.shutdown();
    assertThat(ses.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    assertThat(ses.isTerminated()).isTrue();
    assertThat(runs).hasValue(1);
    assertThat(f.isDone()).isTrue();
    assertThat(f.isCancelled()).isFalse();
  }

  @Test
  void periodicTasksAreCancelledByShutdown() throws Exception {
    CountDownLatch once = new CountDownLatch(1);
    ScheduledFuture<?> f = ses.scheduleAtFixedRate(once::countDown, 0, 1, TimeUnit.MILLISECONDS);
    assertThat(once.await(10, TimeUnit.SECONDS)).isTrue();
    ScheduledFuture<?> later = ses.scheduleWithFixedDelay(() -> {}, 1, 1, TimeUnit.HOURS);
    ses.shutdown();
    assertThat(ses.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    assertThat(f.isDone()).isTrue();
    assertThat(later.isCancelled()).isTrue();
  }

  @Test
  void shutdownNowReturnsWhatNeverRan() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    for (int i = 0; i < 3; i++) {
      ses.schedule(runs::incrementAndGet, 1, TimeUnit.HOURS);
    }
    ses.scheduleAtFixedRate(runs::incrementAndGet, 1, 1, TimeUnit.HOURS);
    List<Runnable> never = ses.shutdownNow();
    assertThat(never).hasSize(4);
    assertThat(ses.isShutdown()).isTrue();
    assertThat(ses.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    assertThat(ses.isTerminated()).isTrue();
    assertThat(runs).hasValue(0);
  }

  @Test
  void awaitTerminationTimesOutWhileTasksArePending() throws Exception {
    ses.schedule(() -> {}, 1, TimeUnit.HOURS);
    ses.shutdown();
    assertThat(ses.awaitTermination(5, TimeUnit.MILLISECONDS)).isFalse();
    assertThat(ses.isTerminated()).isFalse();
  }

  @Test
  void getWaitsForCompletionAcrossThreads() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    ScheduledFuture<String> f =
        ses.schedule(
            () -> {
              release.await();
              return "late";
            },
            0,
            TimeUnit.MILLISECONDS);
    Thread opener = new Thread(release::countDown);
    opener.start();
    assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo("late");
    opener.join();
  }
}
