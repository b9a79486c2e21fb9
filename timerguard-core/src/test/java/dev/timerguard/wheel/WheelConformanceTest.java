package dev.timerguard.wheel;

import dev.timerguard.live.LiveRegistry;
import java.util.concurrent.ScheduledExecutorService;

/** The contract suite against the wheel, counting in a private registry. */
class WheelConformanceTest extends ScheduledExecutorServiceContract {
  @Override
  protected ScheduledExecutorService newExecutor() {
    return WheelScheduler.builder()
        .name("conformance")
        .registry(LiveRegistry.create(1000, System::nanoTime))
        .build();
  }
}
