package dev.timerguard.cli;

import dev.timerguard.live.Snapshot;
import dev.timerguard.live.SnapshotCodec;
import java.lang.management.ThreadInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The doctor's sampling: reads a {@link DoctorTarget} at a fixed interval (the agent's snapshot in
 * its wire format, {@link SnapshotCodec}, and the platform threads grouped by their top frames),
 * with a class histogram and the heap before and after. What it reads it hands to the {@link
 * Diagnosis.Observer} as it goes. Not thread-safe; one per run.
 */
final class DoctorSampler {

  /** Frames of a stack that make a thread group's key (and that a finding shows). */
  static final int STACK_KEY_FRAMES = 12;

  /**
   * What one run read: the snapshots and the seconds since the first, per thread group (keyed by
   * its top frames) the number of threads in each sample and one example thread, the class
   * histograms, the heap and the loaded {@code TimerTask} classes.
   */
  record Samples(
      List<Snapshot> snapshots,
      double[] seconds,
      Map<String, long[]> groupCounts,
      Map<String, ThreadInfo> groupExample,
      String histoBefore,
      String histoAfter,
      long heapBefore,
      long heapAfter,
      String[] timerTasks) {}

  private final DoctorTarget target;
  private final long pid;
  private final Duration duration;
  private final Duration interval;
  private final Diagnosis.Sleeper sleeper;
  private final Diagnosis.Observer observer;

  DoctorSampler(
      DoctorTarget target,
      long pid,
      Duration duration,
      Duration interval,
      Diagnosis.Sleeper sleeper,
      Diagnosis.Observer observer) {
    this.target = target;
    this.pid = pid;
    this.duration = duration;
    this.interval = interval;
    this.sleeper = sleeper;
    this.observer = observer;
  }

  /**
   * Samples for the duration, at least three times.
   *
   * @throws DoctorException when the target goes away, is interrupted or sends a snapshot this
   *     doctor cannot read
   */
  Samples run() {
    int n = (int) Math.max(3, duration.toMillis() / Math.max(1, interval.toMillis()));
    List<Snapshot> snaps = new ArrayList<>();
    Map<String, long[]> groupCounts = new LinkedHashMap<>();
    Map<String, ThreadInfo> groupExample = new HashMap<>();
    double[] seconds = new double[n];
    int done = 0;
    try {
      String histoBefore = target.classHistogram();
      observer.histogram(true, histoBefore);
      long heapBefore = target.heapUsed();
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        if (i > 0) {
          sleeper.sleep(interval);
        }
        seconds[i] = (System.nanoTime() - t0) / 1e9;
        snaps.add(read(target.snapshotJson()));
        observer.sample(i, seconds[i], snaps.get(i));
        for (ThreadInfo t : target.threads()) {
          if (t == null) {
            continue;
          }
          String key = stackKey(t);
          groupCounts.computeIfAbsent(key, k -> new long[n])[i]++;
          groupExample.putIfAbsent(key, t);
        }
        done++;
      }
      String[] timerTasks = target.timerTaskClasses();
      String histoAfter = target.classHistogram();
      observer.histogram(false, histoAfter);
      long heapAfter = target.heapUsed();
      return new Samples(
          snaps,
          seconds,
          groupCounts,
          groupExample,
          histoBefore,
          histoAfter,
          heapBefore,
          heapAfter,
          timerTasks);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DoctorException("interrupted while sampling JVM " + pid);
    } catch (DoctorException e) {
      throw e;
    } catch (Exception e) {
      if (exited(pid, e)) {
        throw new DoctorException(
            "JVM " + pid + " exited during sampling (after " + done + " of " + n + " samples)");
      }
      throw new DoctorException(
          "lost JVM " + pid + " during sampling: " + AttachSession.oneLine(e));
    }
  }

  /**
   * Whether the target exited, given that a read from it failed with {@code e}. A JVM on its way
   * out closes its connections before its process ends, so a failure that is a lost connection (an
   * {@link java.io.IOException} anywhere in the cause chain, often wrapped in an {@link
   * java.lang.reflect.UndeclaredThrowableException} by a JMX proxy) waits up to two seconds for the
   * process to end before it is called something else.
   */
  static boolean exited(long pid, Throwable e) {
    java.util.Optional<ProcessHandle> h = ProcessHandle.of(pid);
    if (h.isEmpty() || !h.get().isAlive()) {
      return true;
    }
    boolean lostConnection = false;
    for (Throwable c = e; c != null && !lostConnection; c = c.getCause()) {
      lostConnection = c instanceof java.io.IOException;
    }
    if (!lostConnection) {
      return false;
    }
    try {
      h.get().onExit().get(2, java.util.concurrent.TimeUnit.SECONDS);
      return true;
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      return false;
    } catch (java.util.concurrent.ExecutionException
        | java.util.concurrent.TimeoutException
        | IllegalStateException te) {
      // (IllegalStateException: this very process, which cannot wait for its own exit)
      return !h.get().isAlive();
    }
  }

  /**
   * The agent's snapshot document, read by the model's codec.
   *
   * @throws DoctorException saying what is wrong with it (malformed, a newer format version, a
   *     field out of range), for a document this doctor cannot read
   */
  static Snapshot read(String json) {
    if (json == null) {
      throw new DoctorException("the agent sent no snapshot");
    }
    try {
      return SnapshotCodec.decode(json);
    } catch (IllegalArgumentException e) {
      throw new DoctorException(
          "the agent's snapshot cannot be read: " + oneLine(e.getMessage(), 400));
    }
  }

  /** One line for the person on call: tabs as spaces, control and line characters as '?'. */
  static String oneLine(String text, int max) {
    StringBuilder b = new StringBuilder();
    for (int k = 0; k < Math.min(text.length(), max); k++) {
      char c = text.charAt(k);
      b.append(
          c == '\t' ? ' ' : Character.isISOControl(c) || c == '\u2028' || c == '\u2029' ? '?' : c);
    }
    return text.length() > max ? b + "..." : b.toString();
  }

  private static String stackKey(ThreadInfo t) {
    StringBuilder b = new StringBuilder();
    StackTraceElement[] st = t.getStackTrace();
    for (int i = 0; i < Math.min(STACK_KEY_FRAMES, st.length); i++) {
      b.append(st[i]).append('\n');
    }
    return b.toString();
  }
}
