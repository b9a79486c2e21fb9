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
 * <p>Exit codes: {@code 0} no finding at or above {@code --fail-on} (after the baseline), {@code 1}
 * such findings, {@code 2} bad usage (missing path, bad option, unreadable baseline). Progress goes
 * to stderr, the report to stdout or {@code --output}.
 */
@Command(
    name = "scan",
    mixinStandardHelpOptions = true,
    description = "Scan Java sources for timer and thread leaks (no build needed).")
final class ScanCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "PATH", description = "Files or directories to scan.")
  List<Path> paths = new ArrayList<>();

  @Option(
      names = {"--classpath", "-cp"},
      paramLabel = "CP",
      description = "Class path (jars/dirs, '" + "${sys:path.separator}" + "'-separated) to resolve third-party types.")
  String classpath;

  @Option(names = "--format", paramLabel = "FMT", description = "text, json or sarif (default: text).")
  String format = "text";

  @Option(names = {"--output", "-o"}, paramLabel = "FILE", description = "Write the report here instead of stdout.")
  Path output;

  @Option(
      names = "--fail-on",
      paramLabel = "SEVERITY",
      description = "Exit 1 on findings at or above: info, warning, error, or never (default: warning).")
  String failOn = "warning";

  @Option(names = "--baseline", paramLabel = "FILE", description = "Ignore findings recorded in this baseline.")
  Path baseline;

  @Option(names = "--write-baseline", paramLabel = "FILE", description = "Record all current findings as the baseline and exit 0.")
  Path writeBaseline;

  @Option(names = "--rules", paramLabel = "IDS", description = "Only these rules, e.g. TG101,TG103.")
  String rules;

  @Option(names = "--disable", paramLabel = "IDS", description = "Skip these rules.")
  String disable;

  @Option(names = "--threads", paramLabel = "N", description = "Parallel javac tasks (default: min(2, cores)).")
  Integer threads;

  @Option(
      names = "--resolve-project-types",
      description = "Resolve project types across the whole tree via an inferred -sourcepath (slower, fewer unresolved types).")
  boolean projectTypes;

  @Option(names = {"--quiet", "-q"}, description = "No progress on stderr.")
  boolean quiet;

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
      threshold = failOn.equalsIgnoreCase("never") ? null : Severity.parse(failOn);
    } catch (IllegalArgumentException e) {
      err.println("timerguard scan: " + e.getMessage());
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
          Scanner.builder().paths(paths).classpath(cp).options(options).projectSourcePath(projectTypes);
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
    if (writeBaseline != null) {
      Baseline.of(result.findings()).write(writeBaseline);
      err.println("timerguard scan: wrote " + result.findings().size() + " finding(s) to baseline " + writeBaseline);
      return 0;
    }
    int known0 = result.findings().size();
    if (known != null) {
      result = result.withFindings(known.newFindings(result.findings()));
    }
    if (output != null) {
      try (Writer w = Files.newBufferedWriter(output, StandardCharsets.UTF_8)) {
        fmt.write(result, w);
      }
    } else {
      PrintWriter out = spec.commandLine().getOut();
      fmt.write(result, out);
      out.flush();
    }
    if (known != null && !quiet) {
      err.println("timerguard scan: " + (known0 - result.findings().size())
          + " finding(s) matched the baseline, " + result.findings().size() + " new");
    }
    for (ScanResult.FileError e : result.errors()) {
      if (fmt != ReportFormat.TEXT || output != null) {
        err.println(e.file() + ": error: " + e.message());
      }
    }
    err.flush();
    return threshold != null && result.countAtOrAbove(threshold) > 0 ? 1 : 0;
  }
}
