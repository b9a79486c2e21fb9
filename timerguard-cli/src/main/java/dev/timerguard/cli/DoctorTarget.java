package dev.timerguard.cli;

import java.lang.management.ThreadInfo;

/**
 * What a diagnosis reads from the JVM under examination; {@link AttachSession} is the real one,
 * tests supply fakes. Implementations may throw anything when the JVM goes away.
 */
interface DoctorTarget {

  /** The agent's snapshot in its wire format ({@link dev.timerguard.live.SnapshotCodec}). */
  String snapshotJson() throws Exception;

  /** Loaded {@code TimerTask} subclasses. */
  String[] timerTaskClasses() throws Exception;

  /** Platform threads with stacks. */
  ThreadInfo[] threads() throws Exception;

  /** Heap used now, in bytes. */
  long heapUsed() throws Exception;

  /** A class histogram in {@code jcmd GC.class_histogram} format (runs a full GC). */
  String classHistogram() throws Exception;
}
