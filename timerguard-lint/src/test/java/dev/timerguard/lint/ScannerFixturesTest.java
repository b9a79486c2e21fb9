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

/**
 * The scanner front end over the same fixtures as the javac plugin: exactly the lines marked {@code
 * // BUG: TGxxx} get findings, so both front ends agree.
 */
class ScannerFixturesTest {
  @Test
  void scannerFindsExactlyTheMarkedFindingsInAllFixtures() throws Exception {
    Path root = PluginHarness.fixtures();
    List<Path> fixtures;
    try (Stream<Path> s = Files.list(root)) {
      fixtures =
          s.filter(p -> p.toString().endsWith(".java")).sorted().collect(Collectors.toList());
    }
    List<Path> paths = new ArrayList<>(fixtures);
    paths.add(root.resolve("stubs"));
    if (Runtime.version().feature() >= 19) {
      paths.add(root.resolve("jdk19"));
    }
    ScanResult r = Scanner.builder().paths(paths).build().scan();
    assertThat(r.errors()).isEmpty();
    TreeSet<String> expected = new TreeSet<>();
    for (Path p : paths) {
      if (p.toString().endsWith(".java")) {
        expected.addAll(PluginHarness.expected(p));
      } else if (p.endsWith("jdk19")) {
        expected.addAll(PluginHarness.expected(p.resolve("TG103TryWithResources.java")));
      }
    }
    TreeSet<String> actual =
        r.findings().stream()
            .map(f -> Path.of(f.file()).getFileName() + ":" + f.line() + ":" + f.ruleId())
            .collect(Collectors.toCollection(TreeSet::new));
    assertThat(actual).isEqualTo(expected);
  }

  /**
   * The Reactor and RxJava fixtures through the scanner with the libraries on its class path: the
   * same findings as the plugin.
   */
  @Test
  void scannerWithLibrariesOnTheClassPathFindsTheMarkedFindings() throws Exception {
    Path dir = PluginHarness.fixtures().resolve("libraries");
    List<Path> classpath = new ArrayList<>();
    for (String entry : PluginHarness.fixtureClasspath().split(java.io.File.pathSeparator)) {
      classpath.add(Path.of(entry));
    }
    ScanResult r = Scanner.builder().paths(List.of(dir)).classpath(classpath).build().scan();
    assertThat(r.errors()).isEmpty();
    TreeSet<String> expected = new TreeSet<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.collect(Collectors.toList())) {
        expected.addAll(PluginHarness.expected(p));
      }
    }
    assertThat(expected).isNotEmpty();
    TreeSet<String> actual =
        r.findings().stream()
            .map(f -> Path.of(f.file()).getFileName() + ":" + f.line() + ":" + f.ruleId())
            .collect(Collectors.toCollection(TreeSet::new));
    assertThat(actual).isEqualTo(expected);
  }
}
