package dev.timerguard.cli;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What the evidence bundle asks of the JVM under examination beyond a diagnosis: its Java version,
 * a thread dump and a flight recording. {@link AttachedCapture} is the real one (over the doctor's
 * JMX connection); tests supply fakes. Files named here are written by the target itself, so they
 * must be absolute paths the target can reach (same host and user as the doctor). Any method may
 * throw when the JVM goes away or lacks the facility; the bundle records why.
 */
interface CaptureTarget {

  /** The target's Java feature version (17, 21, 25...). */
  int featureVersion() throws Exception;

  /**
   * Writes a JSON thread dump (JDK 21+, {@code Thread.dump_to_file -format=json}, which includes
   * virtual threads) to {@code file}, a file that does not exist yet.
   */
  void threadDumpJson(Path file) throws Exception;

  /** A plain text thread dump ({@code Thread.print -l}) of platform threads. */
  String threadDumpText() throws Exception;

  /**
   * Starts a flight recording of TimerGuard's events into {@code file} that stops by itself after
   * {@code limit} (so a doctor that dies leaves no endless recording) and is written at the
   * target's exit if it ends first.
   *
   * @return the recording's id for {@link #stopRecording}
   */
  long startRecording(Path file, Duration limit) throws Exception;

  /** Stops recording {@code id}, which writes its file, and releases it. */
  void stopRecording(long id) throws Exception;
}
