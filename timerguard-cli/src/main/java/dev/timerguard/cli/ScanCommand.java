package dev.timerguard.cli;

import dev.timerguard.lint.Baseline;
import dev.timerguard.lint.LintOptions;
import dev.timerguard.lint.ScanResult;
import dev.timerguard.lint.Scanner;
import dev.timerguard.lint.Severity;
import dev.timerguard.lint.report.ReportFormat;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code timerguard scan <paths>}: audits Java sources for timer and thread leaks without building
 * them (rules TG100-TG108, see docs/lint.md).
 *
 * <p>Exit codes: {@code 0} no finding at or above {@code --fail-on} (after the baseline) and every
 * file analysed, {@code 1} such findings, {@code 2} bad usage (missing path, bad option, unreadable
 * baseline, an output path that cannot be written) or a report that could not be written, {@code 3}
 * no such findings but some files could not be analysed (each named in the report; {@code
 * --allow-unanalysed} makes this 0). Progress goes to stderr, the report to stdout or {@code
 * --output}.
 */
@Command(
    name = "scan",
    mixinStandardHelpOptions = true,
    description = {
      "Scan Java sources for timer and thread leaks (no build needed).",
      "Exit: 0 clean, 1 findings at or above --fail-on, 2 bad usage or the report could not be"
          + " written, 3 no such findings but some files could not be analysed (named in the"
          + " report; see --allow-unanalysed)."
    })
final class ScanCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "PATH", description = "Files or directories to scan.")
  List<Path> paths = new ArrayList<>();

  @Option(
      names = {"--classpath", "-cp"},
      paramLabel = "CP",
      description =
          "Class path (jars/dirs, '"
              + "${sys:path.separator}"
              + "'-separated) to resolve third-party types.")
  String classpath;

  @Option(
      names = "--format",
      paramLabel = "FMT",
      description = "text, json or sarif (default: text).")
  String format = "text";

  @Option(
      names = {"--output", "-o"},
      paramLabel = "FILE",
      description = "Write the report here instead of stdout.")
  Path output;

  @Option(
      names = "--fail-on",
      paramLabel = "SEVERITY",
      description =
          "Exit 1 on findings at or above: info, warning, error, or never (default: warning).")
  String failOn = "warning";

  @Option(
      names = "--baseline",
      paramLabel = "FILE",
      description = "Ignore findings recorded in this baseline.")
  Path baseline;

  @Option(
      names = "--write-baseline",
      paramLabel = "FILE",
      description =
          "Record all current findings as the baseline and exit 0 (3 if some files could not be analysed).")
  Path writeBaseline;

  @Option(
      names = "--rules",
      paramLabel = "IDS",
      description = "Only these rules, e.g. TG101,TG103.")
  String rules;

  @Option(names = "--disable", paramLabel = "IDS", description = "Skip these rules.")
  String disable;

  @Option(
      names = "--threads",
      paramLabel = "N",
      description = "Parallel javac tasks (default: min(2, cores)).")
  Integer threads;

  @Option(
      names = "--resolve-project-types",
      description =
          "Resolve project types across the whole tree via an inferred -sourcepath (slower, fewer unresolved types).")
  boolean projectTypes;

  @Option(
      names = {"--quiet", "-q"},
      description = "No progress on stderr.")
  boolean quiet;

  @Option(
      names = "--allow-unanalysed",
      description =
          "Exit 0 (not 3) when some files could not be analysed (unreadable, unparsable,"
              + " too large, javac failed); they are still named in the report.")
  boolean allowUnanalysed;

  @Option(
      names = "--max-file-size",
      paramLabel = "SIZE",
      description =
          "Files larger than this are not analysed (named in the report): 1 to 4g bytes,"
              + " e.g. 512k, 16m (default: 16m).")
  String maxFileSize;

  /** Exit code when some files could not be analysed and nothing else failed the scan. */
  static final int EXIT_UNANALYSED = 3;

  private static final long MAX_FILE_SIZE_LIMIT = 4L << 30;

  @Override
  public Integer call() throws IOException {
    PrintWriter err = spec.commandLine().getErr();
    LintOptions options;
    ReportFormat fmt;
    Severity threshold;
    try {
      options = LintOptions.defaults();
      if (rules != null) {
        options = options.withOnly(Arrays.asList(rules.split(",")));
      }
      if (disable != null) {
        options = options.withDisabled(Arrays.asList(disable.split(",")));
      }
      fmt = ReportFormat.parse(format);
      threshold = Severity.parseThreshold(failOn).orElse(null);
    } catch (IllegalArgumentException e) {
      err.println("timerguard scan: " + e.getMessage());
      return 2;
    }
    long maxBytes = Scanner.DEFAULT_MAX_FILE_BYTES;
    if (maxFileSize != null) {
      maxBytes = parseSize(maxFileSize);
      if (maxBytes < 1 || maxBytes > MAX_FILE_SIZE_LIMIT) {
        err.println(
            "timerguard scan: --max-file-size must be from 1 to 4g bytes, written like 512k,"
                + " 16m or 1g; was '"
                + maxFileSize
                + "'");
        return 2;
      }
    }
    // refuse an output that cannot be written now, not after the whole scan
    String unwritable = unwritable(output);
    if (unwritable != null) {
      err.println("timerguard scan: cannot write the report to " + output + ": " + unwritable);
      return 2;
    }
    unwritable = unwritable(writeBaseline);
    if (unwritable != null) {
      err.println(
          "timerguard scan: cannot write the baseline to " + writeBaseline + ": " + unwritable);
      return 2;
    }
    Baseline known = null;
    Scanner scanner;
    try {
      if (baseline != null) {
        known = Baseline.read(baseline);
      }
      List<Path> cp = new ArrayList<>();
      if (classpath != null && !classpath.isBlank()) {
        for (String e : classpath.split(File.pathSeparator)) {
          if (!e.isBlank()) {
            cp.add(Paths.get(e));
          }
        }
      }
      Scanner.Builder b =
          Scanner.builder()
              .paths(paths)
              .classpath(cp)
              .options(options)
              .projectSourcePath(projectTypes)
              .maxFileBytes(maxBytes);
      if (threads != null) {
        b.threads(threads);
      }
      if (!quiet) {
        b.progress(System.err);
      }
      scanner = b.build();
    } catch (IllegalArgumentException e) {
      err.println("timerguard scan: " + e.getMessage());
      return 2;
    }
    ScanResult result = scanner.scan();
    int unanalysed = result.errors().size();
    if (writeBaseline != null) {
      try {
        Baseline.of(result.findings()).write(writeBaseline);
      } catch (java.io.UncheckedIOException e) {
        err.println(
            "timerguard scan: cannot write the baseline to " + writeBaseline + ": " + reason(e));
        return 2;
      }
      err.println(
          "timerguard scan: wrote "
              + result.findings().size()
              + " finding(s) to baseline "
              + writeBaseline);
      return unanalysedExit(result, err);
    }
    int known0 = result.findings().size();
    if (known != null) {
      result = result.withFindings(known.newFindings(result.findings()));
    }
    StringBuilder report = new StringBuilder();
    fmt.write(result, report);
    if (output != null) {
      try (Writer w = Files.newBufferedWriter(output, StandardCharsets.UTF_8)) {
        w.append(report);
      } catch (IOException e) {
        err.println("timerguard scan: cannot write the report to " + output + ": " + reason(e));
        return 2;
      }
    } else {
      PrintWriter out = spec.commandLine().getOut();
      out.print(report);
      out.flush();
      // picocli's writer wraps System.out, a PrintStream that keeps write errors to itself
      if (out.checkError() || System.out.checkError()) {
        err.println("timerguard scan: cannot write the report to standard output");
        err.flush();
        return 2;
      }
    }
    if (known != null && !quiet) {
      err.println(
          "timerguard scan: "
              + (known0 - result.findings().size())
              + " finding(s) matched the baseline, "
              + result.findings().size()
              + " new");
    }
    for (ScanResult.FileError e : result.errors()) {
      if (fmt != ReportFormat.TEXT || output != null) {
        err.println(e.file() + ": error: " + e.message());
      }
    }
    err.flush();
    if (threshold != null && result.countAtOrAbove(threshold) > 0) {
      return 1;
    }
    return unanalysed == 0 ? 0 : unanalysedExit(result, err);
  }

  /** 3, or 0 with {@code --allow-unanalysed}; says which on stderr. */
  private int unanalysedExit(ScanResult result, PrintWriter err) {
    int n = result.errors().size();
    if (n == 0) {
      return 0;
    }
    err.println(
        "timerguard scan: "
            + n
            + " of "
            + result.filesScanned()
            + " file(s) could not be"
            + " analysed (named in the report)"
            + (allowUnanalysed
                ? "; allowed by --allow-unanalysed"
                : "; exit " + EXIT_UNANALYSED + " (--allow-unanalysed to pass anyway)"));
    err.flush();
    return allowUnanalysed ? 0 : EXIT_UNANALYSED;
  }

  /** Why {@code file} cannot be written, or null if it looks writable (or is null). */
  static String unwritable(Path file) {
    if (file == null) {
      return null;
    }
    if (Files.isDirectory(file)) {
      return "it is a folder";
    }
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      return "folder " + parent + " does not exist";
    }
    if (parent != null && !Files.isWritable(parent) && !Files.exists(file)) {
      return "folder " + parent + " is not writable";
    }
    if (Files.exists(file) && !Files.isWritable(file)) {
      return "the file is not writable";
    }
    return null;
  }

  private static String reason(Exception e) {
    Throwable c = e instanceof java.io.UncheckedIOException ? e.getCause() : e;
    String m = c.getMessage();
    return c.getClass().getSimpleName() + (m == null ? "" : " " + m);
  }

  /** {@code 512}, {@code 512k}, {@code 16m}, {@code 1g} (powers of 1024); -1 if malformed. */
  static long parseSize(String v) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("(\\d{1,12})([kmg]?)")
            .matcher(v.trim().toLowerCase(java.util.Locale.ROOT));
    if (!m.matches()) {
      return -1;
    }
    long n = Long.parseLong(m.group(1));
    int shift =
        m.group(2).isEmpty() ? 0 : m.group(2).equals("k") ? 10 : m.group(2).equals("m") ? 20 : 30;
    return n > (Long.MAX_VALUE >> shift) ? -1 : n << shift;
  }
}
