package dev.timerguard.lint;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The scanner on mutated real sources (the rule fixtures): truncated, lines deleted, garbage bytes,
 * huge literals, deep nesting, a verbatim copy declaring the same class in another file. Whatever
 * the mutations, the scan finishes, every file it found is either analysed or named in the errors,
 * and the untouched files keep exactly the findings they have when scanned alone.
 */
class ScannerFuzzTest {

  /** Fixtures that need only the JDK: scanned untouched in every try. */
  private static final List<String> UNTOUCHED =
      List.of(
          "TG103Positive.java",
          "TG104Positive.java",
          "TG106Positive.java",
          "TG108Positive.java",
          "TG109Positive.java");

  /** What the mutations start from: the untouched ones and a few more. */
  private static final List<String> SOURCES =
      Stream.concat(UNTOUCHED.stream(), Stream.of("TG105Positive.java", "TG107Positive.java"))
          .collect(Collectors.toList());

  enum Kind {
    TRUNCATE,
    DELETE_LINES,
    GARBAGE_BYTES,
    HUGE_LITERAL,
    DEEP_NESTING,
    DUPLICATE_CLASS
  }

  /** One mutated file: which source, where ({@code at} in [0, 1)), how much, and a byte seed. */
  record Mutation(Kind kind, int source, double at, int size, long seed) {}

  private static List<String> baseline;

  /** Findings of the untouched fixtures scanned on their own, as file:line:col:rule:message. */
  private static synchronized List<String> baseline() throws IOException {
    if (baseline == null) {
      Path dir = Files.createTempDirectory("tg-fuzz-baseline");
      try {
        writeUntouched(dir);
        ScanResult r = Scanner.builder().paths(List.of(dir)).build().scan();
        assertThat(r.errors()).isEmpty();
        baseline = keys(r, "untouched/");
        assertThat(baseline).hasSizeGreaterThan(UNTOUCHED.size()); // every fixture has findings
      } finally {
        delete(dir);
      }
    }
    return baseline;
  }

  @Provide
  Arbitrary<List<Mutation>> mutations() {
    return Combinators.combine(
            Arbitraries.of(Kind.class),
            Arbitraries.integers().between(0, SOURCES.size() - 1),
            Arbitraries.doubles().between(0, 0.999).ofScale(3),
            Arbitraries.integers().between(1, 5000),
            Arbitraries.longs())
        .as(Mutation::new)
        .list()
        .ofMinSize(1)
        .ofMaxSize(4);
  }

  @Property(tries = 10)
  void mutatedSourcesNeverHideFilesOrCostUntouchedFindings(
      @ForAll("mutations") List<Mutation> mutations,
      @ForAll @IntRange(min = 1, max = 8) int batchSize)
      throws IOException {
    List<String> expected = baseline();
    Path dir = Files.createTempDirectory("tg-fuzz");
    try {
      writeUntouched(dir);
      Set<String> written = new TreeSet<>();
      for (String f : UNTOUCHED) {
        written.add("untouched/" + f);
      }
      List<String> verbatimCopies = new ArrayList<>();
      for (int i = 0; i < mutations.size(); i++) {
        Mutation m = mutations.get(i);
        String name = SOURCES.get(m.source());
        String rel = "mutated/m" + i + "/" + name;
        Path file = dir.resolve(rel);
        Files.createDirectories(file.getParent());
        Files.write(file, mutate(m, fixture(name)));
        written.add(rel);
        if (m.kind() == Kind.DUPLICATE_CLASS) {
          verbatimCopies.add(rel);
        }
      }

      ScanResult r = Scanner.builder().paths(List.of(dir)).batchSize(batchSize).build().scan();

      assertThat(r.filesScanned()).isEqualTo(written.size());
      assertThat(r.errors())
          .allSatisfy(
              e -> {
                assertThat(written).as("an error names a file that was written").contains(e.file());
                assertThat(e.message()).isNotBlank();
              });
      assertThat(r.errors())
          .extracting(ScanResult.FileError::file)
          .noneMatch(f -> f.startsWith("untouched/"));
      assertThat(r.findings()).extracting(Finding::file).allMatch(written::contains);
      assertThat(keys(r, "untouched/")).as("findings of the untouched files").isEqualTo(expected);
      for (String copy : verbatimCopies) {
        String prefix = copy.substring(0, copy.lastIndexOf('/') + 1);
        String original = "untouched/" + copy.substring(prefix.length());
        List<String> want =
            expected.stream()
                .filter(k -> k.startsWith(original + ":"))
                .map(k -> prefix + k.substring("untouched/".length()))
                .collect(Collectors.toList());
        if (UNTOUCHED.contains(copy.substring(prefix.length()))) {
          assertThat(keys(r, copy)).as("a verbatim copy declaring the same class").isEqualTo(want);
        }
      }
    } finally {
      delete(dir);
    }
  }

  /** The mutated bytes of {@code source}. */
  static byte[] mutate(Mutation m, String source) {
    Random random = new Random(m.seed());
    int at = (int) (m.at() * source.length());
    switch (m.kind()) {
      case TRUNCATE:
        return source.substring(0, at).getBytes(StandardCharsets.UTF_8);
      case DELETE_LINES:
        {
          List<String> lines = new ArrayList<>(source.lines().collect(Collectors.toList()));
          int from = (int) (m.at() * lines.size());
          int n = Math.min(lines.size() - from, 1 + m.size() % 5);
          lines.subList(from, from + n).clear();
          return String.join("\n", lines).getBytes(StandardCharsets.UTF_8);
        }
      case GARBAGE_BYTES:
        {
          byte[] head = source.substring(0, at).getBytes(StandardCharsets.UTF_8);
          byte[] junk = new byte[1 + m.size() % 200];
          random.nextBytes(junk);
          byte[] tail = source.substring(at).getBytes(StandardCharsets.UTF_8);
          return concat(head, junk, tail);
        }
      case HUGE_LITERAL:
        {
          String literal =
              random.nextBoolean()
                  ? "\"" + "x".repeat(m.size() * 100) + "\""
                  : "1".repeat(m.size());
          return insertAtLine(source, m.at(), "  Object hugeLiteral = " + literal + ";");
        }
      case DEEP_NESTING:
        return insertAtLine(
            source,
            m.at(),
            "  int deep = " + "(".repeat(m.size()) + "1" + ")".repeat(m.size()) + ";");
      default: // DUPLICATE_CLASS: the same class, verbatim, in another file
        return source.getBytes(StandardCharsets.UTF_8);
    }
  }

  private static byte[] insertAtLine(String source, double at, String line) {
    List<String> lines = new ArrayList<>(source.lines().collect(Collectors.toList()));
    lines.add((int) (at * lines.size()), line);
    return String.join("\n", lines).getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int i = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, i, p.length);
      i += p.length;
    }
    return out;
  }

  private static List<String> keys(ScanResult r, String prefix) {
    return r.findings().stream()
        .filter(f -> f.file().startsWith(prefix))
        .map(
            f ->
                f.file() + ":" + f.line() + ":" + f.column() + ":" + f.ruleId() + ":" + f.message())
        .sorted()
        .collect(Collectors.toList());
  }

  private static String fixture(String name) throws IOException {
    return Files.readString(PluginHarness.fixtures().resolve(name));
  }

  private static void writeUntouched(Path dir) throws IOException {
    Files.createDirectories(dir.resolve("untouched"));
    for (String f : UNTOUCHED) {
      Files.writeString(dir.resolve("untouched").resolve(f), fixture(f));
    }
  }

  private static void delete(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
        Files.deleteIfExists(p);
      }
    }
  }
}
