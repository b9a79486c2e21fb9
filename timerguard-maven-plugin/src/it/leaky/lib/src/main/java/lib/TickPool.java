package lib;

import java.util.concurrent.ScheduledThreadPoolExecutor;

/** A scheduler in another module: app can only know it is one through the class path. */
public class TickPool extends ScheduledThreadPoolExecutor {
  public TickPool(int threads) {
    super(threads);
  }
}
