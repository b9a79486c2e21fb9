package dev.timerguard.lint;

import java.util.Locale;
import java.util.Optional;

/**
 * How serious a {@link Finding} is. Ordered from least to most severe, so {@code compareTo} answers
 * "at or above" questions ({@code --fail-on}).
 *
 * <p>In the javac plugin, {@link #INFO} becomes a note, {@link #WARNING} a <em>mandatory</em>
 * warning (it survives {@code -nowarn}, which older maven-compiler-plugin versions pass by default)
 * and {@link #ERROR} a compile error. Immutable and thread-safe.
 */
public enum Severity {
  /** Worth knowing; never fails a build unless asked to. */
  INFO,
  /** Likely a leak or a latent incident; the default for every rule. */
  WARNING,
  /** Fails the compile (plugin) or the scan (scanner, with the default {@code --fail-on}). */
  ERROR;

  /**
   * Parses {@code info|note|warning|warn|error} case-insensitively.
   *
   * @throws NullPointerException if {@code text} is null
   * @throws IllegalArgumentException naming the accepted values if {@code text} is none of them
   */
  public static Severity parse(String text) {
    if (text == null) {
      throw new NullPointerException("text");
    }
    switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "info":
      case "note":
        return INFO;
      case "warn":
      case "warning":
        return WARNING;
      case "error":
        return ERROR;
      default:
        throw new IllegalArgumentException(
            "unknown severity '" + text + "' (expected info, warning or error)");
    }
  }

  /**
   * Parses a fail-on threshold (the scanner's {@code --fail-on}, the Maven plugin's {@code
   * failOn}): a severity as accepted by {@link #parse}, or {@code never} (empty: no finding fails
   * the run).
   *
   * @throws NullPointerException if {@code text} is null
   * @throws IllegalArgumentException naming the accepted values if {@code text} is none of them
   */
  public static Optional<Severity> parseThreshold(String text) {
    if (text == null) {
      throw new NullPointerException("text");
    }
    if (text.trim().equalsIgnoreCase("never")) {
      return Optional.empty();
    }
    try {
      return Optional.of(parse(text));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown severity threshold '" + text + "' (expected info, warning, error or never)");
    }
  }

  /** The lower-case name used in reports and options ({@code "warning"}). */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
