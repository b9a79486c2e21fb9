package dev.timerguard.wheel;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/** The contract suite against the JDK's own executor: the reference the wheel must match. */
class StpeConformanceTest extends ScheduledExecutorServiceContract {
  @Override
  protected ScheduledExecutorService newExecutor() {
    return new ScheduledThreadPoolExecutor(2);
  }
}
