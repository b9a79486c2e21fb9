package dev.timerguard.lint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Known findings of a legacy code base, so that a scan fails only on new ones. Each entry is keyed
 * by rule id, file (relative to the scan root) and the finding's line-shift-robust fingerprint;
 * line numbers are not part of the key.
 *
 * <p>File format (UTF-8 text, sorted, diff-friendly): a header line {@code # timerguard baseline
 * v1} then one {@code RULE<TAB>FILE<TAB>FINGERPRINT} line per finding. Immutable and thread-safe.
 */
public final class Baseline {
  /** First line of every baseline file. */
  public static final String HEADER = "# timerguard baseline v1";

  private final Set<String> keys;

  private Baseline(Set<String> keys) {
    this.keys = Set.copyOf(keys);
  }

  /** The baseline that accepts exactly these findings. */
  public static Baseline of(Collection<Finding> findings) {
    Set<String> k = new TreeSet<>();
    for (Finding f : Objects.requireNonNull(findings, "findings")) {
      k.add(key(f));
    }
    return new Baseline(k);
  }

  private static String key(Finding f) {
    return f.ruleId() + "\t" + f.file() + "\t" + f.fingerprint();
  }

  /**
   * Reads a baseline file.
   *
   * @throws NullPointerException if {@code file} is null
   * @throws IllegalArgumentException if the file does not exist or is not a TimerGuard baseline
   *     (the message names the file and the offending line)
   * @throws UncheckedIOException if it cannot be read
   */
  public static Baseline read(Path file) {
    Objects.requireNonNull(file, "file");
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("baseline file does not exist: " + file, e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read baseline " + file, e);
    }
    if (lines.isEmpty() || !lines.get(0).trim().equals(HEADER)) {
      throw new IllegalArgumentException(
          "not a timerguard baseline (first line must be '" + HEADER + "'): " + file);
    }
    Set<String> k = new TreeSet<>();
    for (int i = 1; i < lines.size(); i++) {
      String l = lines.get(i);
      if (l.isBlank() || l.startsWith("#")) {
        continue;
      }
      if (l.split("\t", -1).length != 3) {
        throw new IllegalArgumentException(
            "bad baseline line "
                + (i + 1)
                + " in "
                + file
                + " (expected RULE<TAB>FILE<TAB>FINGERPRINT)");
      }
      k.add(l);
    }
    return new Baseline(k);
  }

  /** Writes this baseline to {@code file}, replacing it. @throws UncheckedIOException on failure */
  public void write(Path file) {
    Objects.requireNonNull(file, "file");
    List<String> lines = new ArrayList<>();
    lines.add(HEADER);
    lines.addAll(new TreeSet<>(keys));
    try {
      Files.write(file, lines, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write baseline " + file, e);
    }
  }

  /** Whether {@code f} is a known finding. */
  public boolean contains(Finding f) {
    return keys.contains(key(Objects.requireNonNull(f, "finding")));
  }

  /** The findings not in this baseline, in their original order. */
  public List<Finding> newFindings(List<Finding> findings) {
    List<Finding> out = new ArrayList<>();
    for (Finding f : Objects.requireNonNull(findings, "findings")) {
      if (!contains(f)) {
        out.add(f);
      }
    }
    return out;
  }

  /** Number of entries. */
  public int size() {
    return keys.size();
  }
}
