package dev.timerguard.junit.internal;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * Parses the durations of configuration properties: {@code 500ms}, {@code 2s}, {@code 1m}, ISO-8601
 * {@code PT1S}, or {@code 0}.
 */
public final class Durations {

  private Durations() {}

  /**
   * Parses {@code text} as a non-negative duration.
   *
   * @param what the name of the property or attribute, for the error message
   * @throws IllegalArgumentException naming {@code what}, when the text is not a duration or is
   *     negative
   */
  public static Duration parse(String what, String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    Duration d;
    try {
      if (t.startsWith("pt") || t.startsWith("-pt")) {
        d = Duration.parse(t.toUpperCase(Locale.ROOT));
      } else if (t.endsWith("ms")) {
        d = Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2).trim()));
      } else if (t.endsWith("s")) {
        d =
            Duration.ofMillis(
                Math.round(Double.parseDouble(t.substring(0, t.length() - 1).trim()) * 1000));
      } else if (t.endsWith("m")) {
        d = Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1).trim()) * 60);
      } else if (t.equals("0")) {
        d = Duration.ZERO;
      } else {
        throw new IllegalArgumentException();
      }
    } catch (IllegalArgumentException | DateTimeParseException e) {
      throw new IllegalArgumentException(
          what + ": '" + text + "' is not a duration; write e.g. 500ms, 2s, 1m or PT1S", e);
    }
    return requireNonNegative(what, d);
  }

  /**
   * Returns {@code d} if it is not negative.
   *
   * @throws IllegalArgumentException naming {@code what} otherwise
   */
  public static Duration requireNonNegative(String what, Duration d) {
    if (d.isNegative()) {
      throw new IllegalArgumentException(what + " must not be negative, was " + text(d));
    }
    return d;
  }

  /** {@code 250 ms}, {@code 1.5 s}: short human form. */
  public static String text(Duration d) {
    long ms = d.toMillis();
    if (Math.abs(ms) < 1000) {
      return ms + " ms";
    }
    return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
  }
}
