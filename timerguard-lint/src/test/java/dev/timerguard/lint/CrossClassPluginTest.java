package dev.timerguard.lint;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Findings that rest on facts of another class of the same compilation, through both front ends:
 * the cross-file fixtures ({@code fixtures/cross}: a class that cancels the futures handed to it, a
 * watcher started by a constructor in another file) and the subclass fixtures ({@code
 * fixtures/subclasses}: a start method of a superclass called again per call by a subclass in
 * another package). The javac plugin sees them with every file order; the scanner with project
 * types brings a scanned class's subclasses into its compilation.
 */
class CrossClassPluginTest {
  private static List<Path> javaFiles(Path dir) throws Exception {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> p.toString().endsWith(".java")).sorted().collect(Collectors.toList());
    }
  }

  private static TreeSet<String> expected(List<Path> sources) throws Exception {
    TreeSet<String> expected = new TreeSet<>();
    for (Path p : sources) {
      expected.addAll(PluginHarness.expected(p));
    }
    return expected;
  }

  private static List<Path> allCrossClassFixtures() throws Exception {
    List<Path> all = new ArrayList<>(javaFiles(PluginHarness.fixtures().resolve("cross")));
    all.addAll(javaFiles(PluginHarness.fixtures().resolve("subclasses")));
    return all;
  }

  @Test
  void pluginFindsExactlyTheMarkedCrossClassFindings(@TempDir Path out) throws Exception {
    List<Path> sources = allCrossClassFixtures();
    assertThat(expected(sources)).as("the fixtures mark findings").hasSizeGreaterThan(2);
    List<PluginHarness.Diag> diags =
        PluginHarness.compileWith(out, sources, List.of("-XDcompilePolicy=simple"));
    assertThat(PluginHarness.errors(diags)).isEmpty();
    assertThat(PluginHarness.actual(diags)).isEqualTo(expected(sources));
  }

  /** javac compiles in the order of its command line: the facts must not depend on it. */
  @Test
  void pluginFindsThemInReverseFileOrderToo(@TempDir Path out) throws Exception {
    List<Path> sources = allCrossClassFixtures();
    java.util.Collections.reverse(sources);
    List<PluginHarness.Diag> diags =
        PluginHarness.compileWith(out, sources, List.of("-XDcompilePolicy=simple"));
    assertThat(PluginHarness.errors(diags)).isEmpty();
    assertThat(PluginHarness.actual(diags)).isEqualTo(expected(sources));
  }

  private static List<Path> superclasses() throws Exception {
    try (Stream<Path> s = Files.list(PluginHarness.fixtures().resolve("subclasses/connector"))) {
      return s.filter(p -> p.toString().endsWith(".java")).sorted().collect(Collectors.toList());
    }
  }

  private static TreeSet<String> scan(List<Path> paths, boolean projectTypes) {
    ScanResult r = Scanner.builder().paths(paths).projectSourcePath(projectTypes).build().scan();
    assertThat(r.errors()).isEmpty();
    return r.findings().stream()
        .map(f -> Path.of(f.file()).getFileName() + ":" + f.line() + ":" + f.ruleId())
        .collect(Collectors.toCollection(TreeSet::new));
  }

  @Test
  void scannerWithProjectTypesCompilesTheSubclassesOfAScannedClass() throws Exception {
    List<Path> sources = superclasses();
    assertThat(sources).hasSize(3);
    assertThat(expected(sources)).hasSize(1);
    assertThat(scan(sources, true)).isEqualTo(expected(sources));
  }

  @Test
  void scannerWithoutProjectTypesHasNoSubclassAndStaysSilent() throws Exception {
    assertThat(scan(superclasses(), false)).isEmpty();
  }
}
