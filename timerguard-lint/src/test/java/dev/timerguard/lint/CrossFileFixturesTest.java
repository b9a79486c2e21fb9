package dev.timerguard.lint;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Fixtures whose finding depends on another source file of the same compilation ({@code
 * fixtures/cross}): exactly the lines marked {@code // BUG: TGxxx} get findings through the scanner
 * with project types, which attributes the whole batch (and the project classes it resolves from
 * its {@code -sourcepath}) before any rule runs. The javac plugin analyses each class while javac
 * is still compiling the others and drops a class's tree once it is generated, so there a summary
 * of another file may be empty and the cross-file findings may be missing (never added).
 */
class CrossFileFixturesTest {
  private static List<Path> sources() throws Exception {
    try (Stream<Path> s = Files.list(PluginHarness.fixtures().resolve("cross"))) {
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

  @Test
  void scannerFindsExactlyTheMarkedFindings() throws Exception {
    List<Path> sources = sources();
    ScanResult r = Scanner.builder().paths(sources).projectSourcePath(true).build().scan();
    assertThat(r.errors()).isEmpty();
    assertThat(expected(sources)).as("the fixtures mark at least one finding").isNotEmpty();
    TreeSet<String> actual =
        r.findings().stream()
            .map(f -> Path.of(f.file()).getFileName() + ":" + f.line() + ":" + f.ruleId())
            .collect(Collectors.toCollection(TreeSet::new));
    assertThat(actual).isEqualTo(expected(sources));
  }
}
