/**
 * TimerGuard's core: the safe timer API ({@code dev.timerguard}), the timing wheel ({@code
 * dev.timerguard.wheel}) and the read side of the live model ({@code dev.timerguard.live}).
 *
 * <p>The write side of the live model ({@code dev.timerguard.live.internal}) is exported only to
 * TimerGuard's own modules that write counts (the agent and the benchmarks), so an application on
 * the module path cannot reach it; on the class path its name and package comment say the same. The
 * core's other internals ({@code dev.timerguard.internal}: call-site attribution and the one JSON
 * reader/writer every face uses) are exported only to TimerGuard's faces that read or write JSON,
 * never to applications.
 */
@SuppressWarnings("module") // the qualified targets are built after the core, in the same reactor
module dev.timerguard.core {
  requires jdk.jfr;

  exports dev.timerguard;
  exports dev.timerguard.wheel;
  exports dev.timerguard.live;
  exports dev.timerguard.live.internal to
      dev.timerguard.agent,
      dev.timerguard.bench;
  exports dev.timerguard.internal to
      dev.timerguard.agent,
      dev.timerguard.junit,
      dev.timerguard.lint,
      dev.timerguard.cli;
}
