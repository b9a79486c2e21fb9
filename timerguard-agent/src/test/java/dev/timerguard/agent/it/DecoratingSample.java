package dev.timerguard.agent.it;

import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RunnableScheduledFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A child-JVM fixture: an application whose {@code ScheduledThreadPoolExecutor} subclass overrides
 * {@code decorateTask} and casts what {@code schedule*} returns to its own future type, as the
 * executor's contract allows. Calls go through the JDK types, so the agent rewrites them. Prints
 * {@code cast ok <method>} per call that kept the executor's own type (or the exception), then
 * {@code plain <live>} after one uncancelled timer on a plain pool (the agent is counting), then
 * {@code done}.
 */
public final class DecoratingSample {

  /** Lines the test asserts on; keep in sync with the code below. */
  public static final int PLAIN_LINE = 99;

  /** The application's own future type, wrapping the executor's. */
  static final class MyFuture<V> implements RunnableScheduledFuture<V> {
    final RunnableScheduledFuture<V> inner;

    MyFuture(RunnableScheduledFuture<V> inner) {
      this.inner = inner;
    }

    @Override public boolean isPeriodic() { return inner.isPeriodic(); }
    @Override public long getDelay(TimeUnit unit) { return inner.getDelay(unit); }
    @Override public int compareTo(Delayed o) { return inner.compareTo(o instanceof MyFuture ? ((MyFuture<?>) o).inner : o); }
    @Override public void run() { inner.run(); }
    @Override public boolean cancel(boolean b) { return inner.cancel(b); }
    @Override public boolean isCancelled() { return inner.isCancelled(); }
    @Override public boolean isDone() { return inner.isDone(); }
    @Override public V get() throws InterruptedException, ExecutionException { return inner.get(); }
    @Override public V get(long t, TimeUnit u) throws InterruptedException, ExecutionException, TimeoutException {
      return inner.get(t, u);
    }
  }

  /** Decorates every task with {@link MyFuture}. */
  static final class MyPool extends ScheduledThreadPoolExecutor {
    MyPool() {
      super(1);
    }

    @Override
    protected <V> RunnableScheduledFuture<V> decorateTask(Runnable r, RunnableScheduledFuture<V> task) {
      return new MyFuture<>(task);
    }

    @Override
    protected <V> RunnableScheduledFuture<V> decorateTask(Callable<V> c, RunnableScheduledFuture<V> task) {
      return new MyFuture<>(task);
    }
  }

  private DecoratingSample() {}

  private static void report(String method, Object future) {
    System.out.println(future instanceof MyFuture ? "cast ok " + method : "wrong type " + method + " " + future.getClass().getName());
  }

  public static void main(String[] args) throws Exception {
    ScheduledThreadPoolExecutor pool = new MyPool();
    ScheduledExecutorService ses = pool;
    try {
      MyFuture<?> a = (MyFuture<?>) pool.schedule(() -> {}, 10, TimeUnit.MINUTES);
      report("schedule", a);
      a.cancel(false);
      MyFuture<?> b = (MyFuture<?>) ses.schedule(() -> "x", 10, TimeUnit.MINUTES);
      report("scheduleCallable", b);
      b.cancel(false);
      MyFuture<?> c = (MyFuture<?>) pool.scheduleAtFixedRate(() -> {}, 10, 10, TimeUnit.MINUTES);
      report("scheduleAtFixedRate", c);
      c.cancel(false);
      MyFuture<?> d = (MyFuture<?>) ses.scheduleWithFixedDelay(() -> {}, 10, 10, TimeUnit.MINUTES);
      report("scheduleWithFixedDelay", d);
      d.cancel(false);
      System.out.println("queue " + pool.getQueue().size());
    } catch (RuntimeException e) {
      System.out.println("failed " + e);
    }
    pool.shutdownNow();
    overriding();
    plain();
    System.out.println("done");
    System.out.flush();
    Thread.sleep(Long.parseLong(System.getProperty("sample.linger", "0")));
  }

  private static void plain() {
    ScheduledThreadPoolExecutor p = new ScheduledThreadPoolExecutor(1);
    p.schedule(() -> {}, 10, TimeUnit.MINUTES); // PLAIN_LINE: counted, never cancelled
    System.out.println("plain");
  }

  /** Overrides {@code schedule} itself with a covariant return type of its own. */
  static final class OverridingPool extends ScheduledThreadPoolExecutor {
    OverridingPool() {
      super(1);
    }

    @Override
    @SuppressWarnings("unchecked")
    public MyFuture<Object> schedule(Runnable r, long delay, TimeUnit unit) {
      return new MyFuture<>((RunnableScheduledFuture<Object>) super.schedule(r, delay, unit));
    }
  }

  private static void overriding() {
    ScheduledExecutorService ses = new OverridingPool();
    try {
      // called through the interface, so the agent rewrites the call
      report("overriddenSchedule", (MyFuture<?>) ses.schedule(() -> {}, 10, TimeUnit.MINUTES));
    } catch (RuntimeException e) {
      System.out.println("failed " + e);
    }
    ses.shutdownNow();
  }
}
