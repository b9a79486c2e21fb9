package dev.timerguard.maven;

import dev.timerguard.lint.Baseline;
import dev.timerguard.lint.Finding;
import dev.timerguard.lint.ScanResult;
import dev.timerguard.lint.Scanner;
import dev.timerguard.lint.Severity;
import dev.timerguard.lint.report.ReportFormat;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.plugins.annotations.ResolutionScope;

/**
 * {@code timerguard:check}, bound to {@code verify}: runs the TimerGuard analyzer ({@link Scanner},
 * the engine of {@code timerguard scan}) on the module's compile source roots with the module's
 * compile class path, so project and dependency types resolve as they do for javac.
 *
 * <p>Writes {@code timerguard.sarif} (SARIF 2.1.0, for code scanning) and {@code timerguard.txt}
 * (the scanner's text report) into {@link #outputDirectory}, logs every finding, and fails the
 * build when a finding not in the {@link #baseline} is at or above {@link #failOn} (default {@code
 * error}; rules report {@code warning} unless {@link #options} raises them). A file that cannot be
 * analysed (unparsable, unreadable, javac failed on it) is logged as a warning and named in both
 * reports; it never fails the build. Bad configuration (an unknown {@code failOn}, rule id or
 * option, a missing or malformed baseline) stops the build with one error naming the value and what
 * is accepted.
 *
 * <p>Source roots under the build directory ({@code target/generated-sources/...}) are skipped
 * unless {@link #includeGeneratedSources} is set: findings there point at code nobody edits. Report
 * paths are relative to the module directory (baselines match wherever Maven was started); SARIF
 * paths are relative to {@link #sarifRoot} (the directory Maven was started in), which is the
 * repository root that code scanning resolves them against.
 *
 * <p>Thread-safe for parallel builds ({@code -T}): each execution has its own scanner and files.
 */
@Mojo(
    name = "check",
    defaultPhase = LifecyclePhase.VERIFY,
    requiresDependencyResolution = ResolutionScope.COMPILE,
    threadSafe = true)
public class CheckMojo extends AbstractMojo {
  /** Skips the check ({@code -Dtimerguard.skip}). */
  @Parameter(property = "timerguard.skip", defaultValue = "false")
  boolean skip;

  /**
   * Fail the build on findings at or above this severity that are not in the baseline: {@code
   * info}, {@code warning}, {@code error} or {@code never}.
   */
  @Parameter(property = "timerguard.failOn", defaultValue = "error")
  String failOn;

  /**
   * Known findings to ignore: a file written by {@code timerguard scan --write-baseline} run in the
   * module directory, or by {@link #writeBaseline}. Must exist when set.
   */
  @Parameter(property = "timerguard.baseline")
  File baseline;

  /**
   * Record every current finding in this baseline file and do not fail on findings (adopting the
   * check on legacy code); the reports are still written.
   */
  @Parameter(property = "timerguard.writeBaseline")
  File writeBaseline;

  /**
   * Rule selection and severities in the javac plugin's syntax, e.g. {@code disable=TG107
   * TG103=error severity=warning}.
   */
  @Parameter(property = "timerguard.options")
  String options;

  /** Where {@code timerguard.sarif} and {@code timerguard.txt} are written. */
  @Parameter(property = "timerguard.outputDirectory", defaultValue = "${project.build.directory}")
  File outputDirectory;

  /** SARIF locations are relative to this directory (code scanning's repository root). */
  @Parameter(property = "timerguard.sarifRoot", defaultValue = "${session.executionRootDirectory}")
  File sarifRoot;

  /** Also analyse source roots under the build directory (generated sources). */
  @Parameter(property = "timerguard.includeGeneratedSources", defaultValue = "false")
  boolean includeGeneratedSources;

  @Parameter(defaultValue = "${project.compileSourceRoots}", readonly = true, required = true)
  List<String> compileSourceRoots;

  @Parameter(defaultValue = "${project.compileClasspathElements}", readonly = true, required = true)
  List<String> classpathElements;

  @Parameter(defaultValue = "${project.basedir}", readonly = true, required = true)
  File basedir;

  @Parameter(defaultValue = "${project.build.directory}", readonly = true, required = true)
  File buildDirectory;

  @Override
  public void execute() throws MojoExecutionException, MojoFailureException {
    if (skip) {
      getLog().info("timerguard: check skipped (timerguard.skip)");
      return;
    }
    CheckSettings settings;
    try {
      settings = CheckSettings.of(failOn, options, baseline == null ? null : baseline.toPath());
    } catch (IllegalArgumentException | UncheckedIOException e) {
      throw new MojoExecutionException("timerguard: " + e.getMessage(), e);
    }
    Path moduleDir = basedir.toPath().toAbsolutePath().normalize();
    List<Path> roots = sourceRoots(moduleDir);
    if (roots.isEmpty()) {
      getLog().info("timerguard: no Java source roots to check");
      return;
    }
    List<Path> classpath = new ArrayList<>();
    for (String e : classpathElements) {
      Path p = Path.of(e);
      if (Files.exists(p)) { // target/classes is absent when the goal runs before compile
        classpath.add(p);
      }
    }
    getLog().debug("timerguard: source roots " + roots + ", class path " + classpath);
    ScanResult all;
    try {
      all =
          Scanner.builder()
              .paths(roots)
              .classpath(classpath)
              .options(settings.lintOptions())
              .pathBase(moduleDir)
              .build()
              .scan();
    } catch (IllegalStateException | UncheckedIOException e) {
      throw new MojoExecutionException("timerguard: " + e.getMessage(), e);
    }
    if (writeBaseline != null) {
      try {
        Baseline.of(all.findings()).write(writeBaseline.toPath());
      } catch (UncheckedIOException e) {
        throw new MojoExecutionException(
            "timerguard: cannot write the baseline " + writeBaseline + ": " + e.getCause(), e);
      }
      getLog()
          .info(
              "timerguard: wrote "
                  + all.findings().size()
                  + " finding(s) to baseline "
                  + writeBaseline);
    }
    ScanResult result = settings.withoutBaselined(all);
    Path sarif = outputDirectory.toPath().resolve("timerguard.sarif");
    Path text = outputDirectory.toPath().resolve("timerguard.txt");
    write(sarif, ReportFormat.SARIF, CheckSettings.relativeTo(result, sarifPrefix(moduleDir)));
    write(text, ReportFormat.TEXT, result);

    Optional<Severity> threshold = settings.threshold();
    for (Finding f : result.findings()) {
      boolean fails =
          writeBaseline == null
              && threshold.isPresent()
              && f.severity().compareTo(threshold.get()) >= 0;
      if (fails) {
        getLog().error(f.toString());
      } else {
        getLog().warn(f.toString());
      }
    }
    for (ScanResult.FileError e : result.errors()) {
      getLog().warn("timerguard: " + e.file() + ": not analysed: " + e.message());
    }
    getLog().info(settings.summary(all, result) + "; reports: " + sarif + ", " + text);
    long failing = threshold.map(result::countAtOrAbove).orElse(0L);
    if (writeBaseline == null && failing > 0) {
      throw new MojoFailureException(
          "timerguard: "
              + failing
              + " finding(s) at or above failOn="
              + threshold.get().label()
              + " (listed above and in "
              + text
              + "); fix them, suppress one with"
              + " '// timerguard:allow <rule> <reason>', or record them with -Dtimerguard.writeBaseline=FILE");
    }
  }

  /** Compile source roots that exist, without generated ones unless asked for. */
  private List<Path> sourceRoots(Path moduleDir) {
    Path build = buildDirectory.toPath().toAbsolutePath().normalize();
    List<Path> roots = new ArrayList<>();
    for (String r : compileSourceRoots) {
      Path p = moduleDir.resolve(r).toAbsolutePath().normalize();
      if (!Files.isDirectory(p)) {
        continue;
      }
      if (!includeGeneratedSources && p.startsWith(build)) {
        getLog().debug("timerguard: skipping generated source root " + p);
        continue;
      }
      roots.add(p);
    }
    return roots;
  }

  /** The module directory relative to {@link #sarifRoot}, or "" when it is not below it. */
  private String sarifPrefix(Path moduleDir) {
    if (sarifRoot == null) {
      return "";
    }
    Path root = sarifRoot.toPath().toAbsolutePath().normalize();
    if (!moduleDir.startsWith(root) || moduleDir.equals(root)) {
      return "";
    }
    return root.relativize(moduleDir).toString().replace(File.separatorChar, '/') + "/";
  }

  private static void write(Path file, ReportFormat format, ScanResult result)
      throws MojoExecutionException {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
        format.write(result, w);
      }
    } catch (IOException | UncheckedIOException e) {
      throw new MojoExecutionException("timerguard: cannot write the report " + file + ": " + e, e);
    }
  }
}
