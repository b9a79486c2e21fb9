package dev.timerguard.lint;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a {@link Scanner} run produced: findings (sorted by file, line, column), per-file errors
 * (unreadable or unparsable files, rules that failed on a file), and counts. Immutable and
 * thread-safe.
 *
 * @param findings every finding, sorted by file, line, column, rule
 * @param errors files that could not be analysed, with the reason; the scan went on without them
 * @param filesScanned number of {@code .java} files found and parsed
 * @param filesAttributed files that mention a candidate API and were type-attributed and analysed
 * @param filesWithUnresolvedTypes files in which some types did not resolve (best-effort analysis)
 * @param elapsed wall-clock time of the scan
 */
public record ScanResult(
    List<Finding> findings,
    List<FileError> errors,
    int filesScanned,
    int filesAttributed,
    int filesWithUnresolvedTypes,
    Duration elapsed) {

  /** A file that could not be (fully) analysed, and why. */
  public record FileError(String file, String message) {
    /**
     * @throws NullPointerException if an argument is null
     */
    public FileError {
      Objects.requireNonNull(file, "file");
      Objects.requireNonNull(message, "message");
    }
  }

  /** Copies the lists; rejects nulls with a {@link NullPointerException} naming the component. */
  public ScanResult {
    findings = List.copyOf(Objects.requireNonNull(findings, "findings"));
    errors = List.copyOf(Objects.requireNonNull(errors, "errors"));
    Objects.requireNonNull(elapsed, "elapsed");
  }

  /** How many findings have at least {@code severity}. */
  public long countAtOrAbove(Severity severity) {
    Objects.requireNonNull(severity, "severity");
    return findings.stream().filter(f -> f.severity().compareTo(severity) >= 0).count();
  }

  /** This result with other findings (used after baseline filtering). */
  public ScanResult withFindings(List<Finding> newFindings) {
    return new ScanResult(
        newFindings, errors, filesScanned, filesAttributed, filesWithUnresolvedTypes, elapsed);
  }
}
