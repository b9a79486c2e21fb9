package dev.timerguard.spring.sample;

import dev.timerguard.Timeout;
import dev.timerguard.Timers;
import java.time.Duration;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The two endpoints of the sample. Each request schedules a 30-minute timeout through {@link
 * Timers#shared()}, as a request handler guarding a slow call would; {@code /leaky} drops the
 * handle (the incident: one live timer per request, for 30 minutes, at one call site), {@code
 * /healthy} closes it before returning (live count unchanged).
 */
@RestController
class LeakController {

  static final Duration TIMEOUT = Duration.ofMinutes(30);

  @GetMapping("/leaky")
  String leaky() {
    Timers.shared().schedule(TIMEOUT, LeakController::abort); // handle dropped: the leak
    return "scheduled a 30-minute timeout and dropped its handle\n";
  }

  @GetMapping("/healthy")
  String healthy() {
    Timeout guard = Timers.shared().schedule(TIMEOUT, LeakController::abort);
    try {
      return "scheduled a 30-minute timeout and closed it after the work\n";
    } finally {
      guard.close(); // the work is done: the timer goes away now, not in 30 minutes
    }
  }

  private static void abort() {
    // the guarded work would be aborted here; the sample's work is instant
  }
}
