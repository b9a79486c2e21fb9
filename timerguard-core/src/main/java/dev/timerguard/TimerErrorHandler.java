package dev.timerguard;

import dev.timerguard.live.CallSite;

/**
 * Receives what a timer's action threw. Called on the thread that ran the action; the timer thread
 * goes on and other timers are not delayed. A handler that throws does not stop the timer thread
 * either, and nothing is lost: an {@link IllegalStateException} naming the timer's creation site,
 * with the handler's error as its cause and the action's error as a suppressed exception, goes to
 * that thread's {@link Thread#getUncaughtExceptionHandler() uncaught-exception handler} (by default
 * its thread group, which prints it to standard error); the thread is not ended.
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
