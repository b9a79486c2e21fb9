package app;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** Correct idioms only: the pool is shut down on every path. */
public class Batch {
  public void runAll(Iterable<Runnable> tasks) throws InterruptedException {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (Runnable t : tasks) {
        pool.execute(t);
      }
    } finally {
      pool.shutdown();
      pool.awaitTermination(10, TimeUnit.SECONDS);
    }
  }
}
