package app;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** Leaks a pool per call: its threads outlive the method. */
public class Reports {
  public void render(Runnable task) {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    pool.execute(task);
  }
}
