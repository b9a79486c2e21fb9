package dev.timerguard.live;

import java.util.Arrays;
import java.util.Objects;

/**
 * A named series of (time, value) points: what the {@link GrowthDetector} judges. A call site's
 * live count is one kind of series; the heap, the live threads, a group of threads with the same
 * stack, an executor's queue or an incident's signal are others, each under its own name, so no
 * reader has to invent a {@link CallSite} for something that is not one.
 *
 * <p>Immutable and thread-safe: the arrays are copied in and never handed out. Times are seconds
 * from any origin, in order (equal times are allowed); values are whatever the series counts.
 *
 * <p><b>Bad input:</b> a null argument throws {@link NullPointerException} naming it; a blank name,
 * arrays of different lengths, or times that are not finite or go backwards throw {@link
 * IllegalArgumentException} saying which.
 */
public final class Series {

  private final String name;
  private final double[] seconds;
  private final long[] values;

  private Series(String name, double[] seconds, long[] values) {
    this.name = name;
    this.seconds = seconds;
    this.values = values;
  }

  /**
   * A series of {@code values[i]} at {@code seconds[i]}.
   *
   * @param name what the series counts, as reports print it (e.g. {@code "heap KiB"})
   * @param seconds the time of each point, in seconds, in order
   * @param values the value of each point
   */
  public static Series of(String name, double[] seconds, long[] values) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(seconds, "seconds");
    Objects.requireNonNull(values, "values");
    if (name.isBlank()) {
      throw new IllegalArgumentException("series name must not be blank");
    }
    if (seconds.length != values.length) {
      throw new IllegalArgumentException(
          "series '"
              + name
              + "': seconds and values differ in length ("
              + seconds.length
              + " and "
              + values.length
              + ")");
    }
    for (int i = 0; i < seconds.length; i++) {
      if (!Double.isFinite(seconds[i]) || (i > 0 && seconds[i] < seconds[i - 1])) {
        throw new IllegalArgumentException(
            "series '" + name + "': seconds are not finite and in time order at index " + i);
      }
    }
    return new Series(name, seconds.clone(), values.clone());
  }

  /**
   * A series of {@code values[i]} at {@code nanoTimes[i]} (readings of a monotonic nanosecond clock
   * such as {@link System#nanoTime()}, in order), measured in seconds from the first.
   */
  public static Series ofNanos(String name, long[] nanoTimes, long[] values) {
    Objects.requireNonNull(nanoTimes, "nanoTimes");
    double[] t = new double[nanoTimes.length];
    for (int i = 0; i < t.length; i++) {
      t[i] = (nanoTimes[i] - nanoTimes[0]) / 1e9;
    }
    return of(name, t, values);
  }

  /** What the series counts. */
  public String name() {
    return name;
  }

  /** The number of points. */
  public int size() {
    return values.length;
  }

  /** The time of point {@code i}, in seconds. */
  public double seconds(int i) {
    return seconds[i];
  }

  /** The value of point {@code i}. */
  public long value(int i) {
    return values[i];
  }

  /** The times, for the detector (not copied: never hand it out). */
  double[] times() {
    return seconds;
  }

  /** The values, for the detector (not copied: never hand it out). */
  long[] values() {
    return values;
  }

  @Override
  public String toString() {
    return "Series["
        + name
        + ", "
        + values.length
        + " points"
        + (values.length > 0 ? ", last " + values[values.length - 1] : "")
        + "]";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Series
        && ((Series) o).name.equals(name)
        && Arrays.equals(((Series) o).seconds, seconds)
        && Arrays.equals(((Series) o).values, values);
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(values);
  }
}
