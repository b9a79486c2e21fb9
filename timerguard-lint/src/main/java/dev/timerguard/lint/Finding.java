package dev.timerguard.lint;

import java.util.Objects;

/**
 * One reported problem: which rule, where (file, 1-based line and column), what and how to fix it.
 *
 * <p>{@code fingerprint} identifies the finding independently of its line number (rule, enclosing
 * declaration, the normalised text of the flagged line and an occurrence index), so a baseline
 * keeps matching after unrelated edits shift lines. Immutable and thread-safe.
 *
 * @param ruleId stable id such as {@code TG101}
 * @param ruleName short kebab-case name such as {@code timer-in-loop}
 * @param severity effective severity after configuration
 * @param file path as given to the analyzer (the scanner reports paths relative to the scan root)
 * @param line 1-based line
 * @param column 1-based column
 * @param message what is wrong, in one sentence
 * @param hint how to fix it, in one sentence
 * @param fingerprint line-shift-robust identity used by baselines
 */
public record Finding(
    String ruleId,
    String ruleName,
    Severity severity,
    String file,
    long line,
    long column,
    String message,
    String hint,
    String fingerprint) {

  /** Rejects null components with a {@link NullPointerException} naming the component. */
  public Finding {
    Objects.requireNonNull(ruleId, "ruleId");
    Objects.requireNonNull(ruleName, "ruleName");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(hint, "hint");
    Objects.requireNonNull(fingerprint, "fingerprint");
  }

  /** This finding with another file name (used to relativise paths); everything else unchanged. */
  public Finding withFile(String newFile) {
    return new Finding(
        ruleId, ruleName, severity, newFile, line, column, message, hint, fingerprint);
  }

  /** {@code file:line:column: severity: [TG101] message (fix: hint)}. */
  @Override
  public String toString() {
    return file
        + ":"
        + line
        + ":"
        + column
        + ": "
        + severity.label()
        + ": ["
        + ruleId
        + "] "
        + message
        + " (fix: "
        + hint
        + ")";
  }
}
