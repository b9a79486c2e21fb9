package dev.timerguard.lint;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Compiles fixture sources in-process with the real javac and {@code -Xplugin:TimerGuard} against
 * the real {@code timerguard-core} (the plugin found through its META-INF/services entry on the
 * processor path), and reads the expectations written in the fixtures: {@code // BUG: TG101} on the
 * line above each expected finding.
 */
final class PluginHarness {
  private static final Pattern TG = Pattern.compile("^\\[(TG\\d{3})\\]");
  private static final Pattern BUG = Pattern.compile("//\\s*BUG:\\s*((?:TG\\d{3}[ ,]*)+)");

  /** One diagnostic as seen by a user. */
  record Diag(
      String file, long line, long column, String ruleId, Diagnostic.Kind kind, String message) {
    String key() {
      return file + ":" + line + ":" + ruleId;
    }
  }

  static Path fixtures() {
    try {
      return Paths.get(PluginHarness.class.getResource("/fixtures").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static Path pluginLocation() {
    try {
      return Paths.get(
          TimerGuardPlugin.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static List<Path> stubs() {
    try (Stream<Path> s = Files.walk(fixtures().resolve("stubs"))) {
      return s.filter(p -> p.toString().endsWith(".java")).sorted().collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Where the real safe timer API ({@code timerguard-core}) is on the test class path: fixtures
   * compile against it, never against a stand-in.
   */
  static Path coreLocation() {
    try {
      return Paths.get(
          dev.timerguard.Timers.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Third-party libraries whose real types the fixtures compile against (test-scope dependencies of
   * this module): Reactor, RxJava 3 and RxJava 2 with Reactive Streams.
   */
  static final List<String> LIBRARY_CLASSES =
      List.of(
          "reactor.core.scheduler.Schedulers",
          "io.reactivex.rxjava3.core.Scheduler",
          "io.reactivex.Scheduler",
          "org.reactivestreams.Publisher");

  /** The fixtures' class path: the real safe timer API and {@link #LIBRARY_CLASSES}' jars. */
  static String fixtureClasspath() {
    List<String> entries = new ArrayList<>();
    entries.add(coreLocation().toString());
    for (String name : LIBRARY_CLASSES) {
      try {
        entries.add(
            Paths.get(
                    Class.forName(name, false, PluginHarness.class.getClassLoader())
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .toURI())
                .toString());
      } catch (ClassNotFoundException | URISyntaxException e) {
        throw new IllegalStateException("test dependency missing for " + name, e);
      }
    }
    return String.join(java.io.File.pathSeparator, entries);
  }

  /** Compiles {@code fixture} (plus the stubs) with the plugin and returns every diagnostic. */
  static List<Diag> compile(Path out, List<Path> sources, String... pluginArgs) {
    return compileWith(out, sources, List.of(), pluginArgs);
  }

  /** As {@link #compile}, with extra javac options (e.g. {@code -nowarn}). */
  static List<Diag> compileWith(
      Path out, List<Path> sources, List<String> extra, String... pluginArgs) {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diags = new DiagnosticCollector<>();
    try (StandardJavaFileManager fm = javac.getStandardFileManager(diags, Locale.ROOT, null)) {
      List<Path> all = new ArrayList<>(sources);
      all.addAll(stubs());
      List<String> options = new ArrayList<>();
      options.add("-d");
      options.add(out.toString());
      options.add("-proc:none");
      options.add("-classpath");
      options.add(fixtureClasspath());
      options.add("-processorpath");
      options.add(pluginLocation().toString());
      options.add(("-Xplugin:TimerGuard " + String.join(" ", pluginArgs)).trim());
      options.addAll(extra);
      StringWriter w = new StringWriter();
      javac.getTask(w, fm, diags, options, null, fm.getJavaFileObjectsFromPaths(all)).call();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Diag> result = new ArrayList<>();
    for (Diagnostic<? extends JavaFileObject> d : diags.getDiagnostics()) {
      String msg = d.getMessage(Locale.ROOT);
      Matcher m = TG.matcher(msg);
      String file =
          d.getSource() == null ? "" : Paths.get(d.getSource().toUri()).getFileName().toString();
      result.add(
          new Diag(
              file,
              d.getLineNumber(),
              d.getColumnNumber(),
              m.find() ? m.group(1) : null,
              d.getKind(),
              msg));
    }
    return result;
  }

  /**
   * {@code File.java:LINE:TGxxx} for each {@code // BUG: TGxxx} comment (finding on the next line).
   */
  static TreeSet<String> expected(Path fixture) throws IOException {
    TreeSet<String> out = new TreeSet<>();
    List<String> lines = Files.readAllLines(fixture);
    for (int i = 0; i < lines.size(); i++) {
      Matcher m = BUG.matcher(lines.get(i));
      if (m.find()) {
        for (String id : m.group(1).split("[ ,]+")) {
          if (!id.isBlank()) {
            out.add(fixture.getFileName() + ":" + (i + 2) + ":" + id);
          }
        }
      }
    }
    return out;
  }

  static TreeSet<String> actual(List<Diag> diags) {
    return diags.stream()
        .filter(d -> d.ruleId() != null)
        .map(Diag::key)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  static List<Diag> errors(List<Diag> diags) {
    return diags.stream()
        .filter(d -> d.kind() == Diagnostic.Kind.ERROR && d.ruleId() == null)
        .collect(Collectors.toList());
  }
}
