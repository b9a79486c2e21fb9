package app;

import java.util.concurrent.ScheduledExecutorService;
import lib.TickPool;

/** Creates a scheduler per call and never shuts it down: only visible with lib on the class path. */
public class Poller {
  public void pollOnce(Runnable task) {
    ScheduledExecutorService ticks = new TickPool(1);
    ticks.execute(task);
  }
}
