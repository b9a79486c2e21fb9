package dev.timerguard.agent.internal;

/**
 * The agent's JMX face, registered as {@value #NAME}: the same figures as the HTTP endpoints.
 * Every read samples the trackers and takes one registry snapshot. Thread-safe.
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
   * Every site as a tab-separated row: a header row, one row per site (kind, class, method, file,
   * line, created, fired, cancelled, live, peak, oldestLiveAgeNanos, retained, queue), and a last
   * row {@code #nanoTime<TAB>epochMillis}. This is what {@code timerguard doctor} samples.
   */
  String[] getSnapshotRows();

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
