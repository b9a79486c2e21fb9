package dev.timerguard.junit.samples;

import dev.timerguard.Timeout;
import dev.timerguard.Timers;
import dev.timerguard.junit.VerifyNoLeaks;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Real safe-API timers. Run only through the testkit (RealTimersTest), which cancels the leak. */
@SampleOnly
@VerifyNoLeaks(grace = "100ms")
public class RealTimersSample {

  /** What the leaking test left behind, so the runner can clean up after asserting. */
  public static final List<Timeout> LEFT_BEHIND = new CopyOnWriteArrayList<>();

  @Test
  void leaksARealTimeout() {
    LEFT_BEHIND.add(Timers.shared().schedule(Duration.ofMinutes(5), () -> {}));
  }

  @Test
  void closesItsTimeout() {
    try (Timeout t = Timers.shared().schedule(Duration.ofMinutes(5), () -> {})) {
      t.isLive();
    }
  }

  @Test
  void scopeCancelsEverything() {
    try (var scope = Timers.shared().scope()) {
      scope.tickAtFixedRate(Duration.ofSeconds(1), () -> {});
      scope.after(Duration.ofMinutes(1));
    }
  }
}
