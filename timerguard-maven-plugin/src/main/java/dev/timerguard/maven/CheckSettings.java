package dev.timerguard.maven;

import dev.timerguard.lint.Baseline;
import dev.timerguard.lint.Finding;
import dev.timerguard.lint.LintOptions;
import dev.timerguard.lint.ScanResult;
import dev.timerguard.lint.Severity;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The check's configuration, validated: the failOn threshold, the lint options and the baseline.
 * Everything is parsed by timerguard-lint's public API ({@link Severity#parseThreshold}, {@link
 * LintOptions#parse}, {@link Baseline#read}), so the plugin accepts exactly what the scanner and
 * the javac plugin accept and rejects the rest with their messages. Immutable and thread-safe.
 */
final class CheckSettings {
  private final Optional<Severity> threshold;
  private final LintOptions lintOptions;
  private final Baseline baseline; // null: none

  private CheckSettings(Optional<Severity> threshold, LintOptions lintOptions, Baseline baseline) {
    this.threshold = threshold;
    this.lintOptions = lintOptions;
    this.baseline = baseline;
  }

  /**
   * Validates the mojo's parameters.
   *
   * @param failOn {@code info|warning|error|never}
   * @param options javac plugin syntax, or null/blank for the defaults
   * @param baseline a baseline file, or null for none
   * @throws IllegalArgumentException naming the parameter, the bad value and the accepted values,
   *     or the baseline file that is missing or malformed
   * @throws java.io.UncheckedIOException if the baseline exists but cannot be read
   */
  static CheckSettings of(String failOn, String options, Path baseline) {
    Optional<Severity> threshold;
    try {
      threshold = Severity.parseThreshold(failOn == null ? "" : failOn);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("bad failOn: " + e.getMessage(), e);
    }
    LintOptions lint;
    try {
      lint =
          options == null || options.isBlank()
              ? LintOptions.defaults()
              : LintOptions.parse(options);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("bad options: " + e.getMessage(), e);
    }
    return new CheckSettings(threshold, lint, baseline == null ? null : Baseline.read(baseline));
  }

  Optional<Severity> threshold() {
    return threshold;
  }

  LintOptions lintOptions() {
    return lintOptions;
  }

  /** {@code result} without the findings the baseline knows (unchanged without a baseline). */
  ScanResult withoutBaselined(ScanResult result) {
    return baseline == null ? result : result.withFindings(baseline.newFindings(result.findings()));
  }

  /** One log line: counts of findings, failing findings, baselined findings, unanalysed files. */
  String summary(ScanResult all, ScanResult reported) {
    StringBuilder b =
        new StringBuilder("timerguard: ")
            .append(reported.findings().size())
            .append(" finding(s) in ")
            .append(all.filesScanned())
            .append(" file(s)");
    threshold.ifPresent(
        t ->
            b.append(", ")
                .append(reported.countAtOrAbove(t))
                .append(" at or above failOn=")
                .append(t.label()));
    if (baseline != null) {
      b.append(", ")
          .append(all.findings().size() - reported.findings().size())
          .append(" matched the baseline");
    }
    if (!all.errors().isEmpty()) {
      b.append(", ").append(all.errors().size()).append(" file(s) not analysed");
    }
    return b.toString();
  }

  /** {@code result} with every finding's and error's file prefixed by {@code prefix}. */
  static ScanResult relativeTo(ScanResult result, String prefix) {
    if (prefix.isEmpty()) {
      return result;
    }
    List<Finding> findings = new ArrayList<>();
    for (Finding f : result.findings()) {
      findings.add(f.withFile(prefix + f.file()));
    }
    List<ScanResult.FileError> errors = new ArrayList<>();
    for (ScanResult.FileError e : result.errors()) {
      errors.add(new ScanResult.FileError(prefix + e.file(), e.message()));
    }
    return new ScanResult(
        findings,
        errors,
        result.filesScanned(),
        result.filesAttributed(),
        result.filesWithUnresolvedTypes(),
        result.elapsed());
  }
}
