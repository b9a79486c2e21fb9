package dev.timerguard;

import dev.timerguard.live.CallSite;

/**
 * Receives what a timer's action threw. Called on the thread that ran the action; the timer
 * thread goes on and other timers are not delayed. A handler that throws is ignored (its error
 * goes to the thread's uncaught-exception handler of last resort, never to the timer thread).
 */
@FunctionalInterface
public interface TimerErrorHandler {

  /**
   * Reports one failure.
   *
   * @param site where the failing timer was created
   * @param error what its action threw
   */
  void onError(CallSite site, Throwable error);

  /** The default: logs at WARNING through {@link System.Logger} {@code dev.timerguard}. */
  static TimerErrorHandler logging() {
    return (site, error) ->
        System.getLogger("dev.timerguard")
            .log(
                System.Logger.Level.WARNING,
                "timer action created at " + site.location() + " threw",
                error);
  }
}
