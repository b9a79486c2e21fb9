package dev.timerguard.agent.internal;

/**
 * The agent's JMX face, registered as {@value #NAME}: the same figures as the HTTP endpoints. Every
 * read samples the trackers and takes one registry snapshot. Thread-safe.
 */
public interface TimerGuardAgentMXBean {

  /** The object name the agent registers. */
  String NAME = "dev.timerguard:type=Agent";

  /** Live timers and tickers over all sites. */
  long getLiveTimers();

  /** Cancelled tasks still held in executor queues, over all executor sites. */
  long getRetainedCancelledTasks();

  /** Live threads started at instrumented sites. */
  long getLiveThreads();

  /** Distinct call sites registered. */
  int getSiteCount();

  /** Hooks disabled after an internal error, as {@code name: cause}. */
  String[] getDisabledHooks();

  /**
   * The current snapshot in its one wire format ({@link dev.timerguard.live.SnapshotCodec},
   * described in {@code docs/snapshot-format.md}), the same document as HTTP {@code /snapshot}.
   * This is what {@code timerguard doctor} samples.
   */
  String getSnapshotJson();

  /** The {@code /metrics} text. */
  String getPrometheusText();

  /** The {@code /timers} JSON. */
  String getTimersJson();

  /** The {@code /threads} JSON. */
  String getThreadsJson();

  /** Names of the loaded classes that extend {@code java.util.TimerTask}. */
  String[] getTimerTaskClassNames();

  /** The loopback HTTP port, or -1 when the endpoint is off. */
  int getHttpPort();
}
