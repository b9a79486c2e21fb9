package dev.timerguard.agent.internal;

import java.util.Timer;
import java.util.TimerTask;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** Plain application code that the rewriter test instruments: one kind of call per method. */
public final class RewriteFixture {

  private RewriteFixture() {}

  public static ScheduledFuture<?> scheduleAndCancel(ScheduledExecutorService p) {
    ScheduledFuture<?> f = p.schedule(() -> {}, 10, TimeUnit.MINUTES);
    f.cancel(false);
    return f;
  }

  public static ScheduledFuture<?> leak(ScheduledThreadPoolExecutor p) {
    return p.schedule(() -> {}, 10, TimeUnit.MINUTES);
  }

  public static ScheduledFuture<?> ticker(ScheduledExecutorService p) {
    return p.scheduleAtFixedRate(() -> {}, 10, 10, TimeUnit.MINUTES);
  }

  public static ScheduledExecutorService newPool() {
    return new ScheduledThreadPoolExecutor(1);
  }

  public static ExecutorService factory() {
    return Executors.newFixedThreadPool(1);
  }

  public static ThreadPoolExecutor subclass() {
    return new MyPool();
  }

  public static Thread startThread() throws InterruptedException {
    CountDownLatch go = new CountDownLatch(1);
    Thread t = new Thread(() -> {
      try {
        go.await();
      } catch (InterruptedException ignored) {
        // end
      }
    });
    t.start();
    return t;
  }

  public static boolean timerTask(Timer timer) {
    Task t = new Task();
    timer.schedule(t, 600_000L);
    return t.cancel();
  }

  public static CompletableFuture<String> orTimeout() {
    CompletableFuture<String> f = new CompletableFuture<>();
    f.orTimeout(10, TimeUnit.MINUTES);
    return f;
  }

  public static int shutdownNow(ScheduledExecutorService p) {
    p.scheduleWithFixedDelay(() -> {}, 10, 10, TimeUnit.MINUTES);
    return p.shutdownNow().size();
  }

  public static boolean remove(ScheduledThreadPoolExecutor p) {
    ScheduledFuture<?> f = p.schedule(() -> {}, 10, TimeUnit.MINUTES);
    return p.remove((Runnable) f);
  }

  public static int purge(ScheduledThreadPoolExecutor p) {
    p.schedule(() -> {}, 10, TimeUnit.MINUTES).cancel(false);
    p.purge();
    return p.getQueue().size();
  }

  public static io.netty.util.Timeout netty(io.netty.util.HashedWheelTimer timer) {
    return timer.newTimeout(t -> {}, 10, TimeUnit.MINUTES);
  }

  public static boolean cancelByReference(Timer timer) {
    Task t = new Task();
    timer.schedule(t, 600_000L);
    java.util.function.BooleanSupplier cancel = t::cancel;
    return cancel.getAsBoolean();
  }

  public static ExecutorService shutdownByReference() {
    ExecutorService e = java.util.concurrent.Executors.newSingleThreadExecutor();
    java.util.function.Consumer<ExecutorService> stop = ExecutorService::shutdown;
    stop.accept(e);
    return e;
  }

  /** A TimerTask subclass: its run() gets a hook at the top. */
  public static final class Task extends TimerTask {
    @Override
    public void run() {}
  }

  /** An executor subclass: its super(...) call must be left alone. */
  public static final class MyPool extends ThreadPoolExecutor {
    MyPool() {
      super(1, 1, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
    }
  }
}
