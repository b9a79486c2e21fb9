package dev.timerguard.lint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.timerguard.lint.rules.Rules;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The real-bug corpus manifest ({@code corpus/manifest.tsv}, read by {@code corpus/run-corpus.sh})
 * is well-formed: the nine columns, unique ids, Maven coordinates, line ranges, rule ids that
 * exist, an expectation that matches the kind of case, and an upstream link. Runs without network:
 * the source jars themselves are only fetched by the script.
 */
class CorpusManifestTest {
  static final List<String> COLUMNS =
      List.of("id", "coordinates", "path", "lines", "rule", "expect", "kind", "evidence", "note");
  static final Set<String> KINDS = Set.of("buggy-release", "fixed-release", "tricky-negative");
  private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9.-]*");
  private static final Pattern GAV =
      Pattern.compile("[A-Za-z0-9_.-]+:[A-Za-z0-9_.-]+:[A-Za-z0-9_.+-]+");
  private static final Pattern PATH = Pattern.compile("([A-Za-z0-9_$-]+/)*[A-Za-z0-9_$-]+\\.java");
  private static final Pattern LINES = Pattern.compile("([1-9][0-9]*)(?:-([1-9][0-9]*))?");

  /** Counts of a checked manifest. */
  record Summary(int cases, int positives, Set<String> positiveRules, Set<String> negativeRules) {}

  /**
   * Checks the manifest text and returns one message per defect (empty when well-formed); the
   * summary of the rows is added to {@code out}.
   */
  static List<String> check(String text, List<Summary> out) {
    List<String> problems = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    Set<String> posRules = new HashSet<>();
    Set<String> negRules = new HashSet<>();
    int cases = 0;
    int positives = 0;
    boolean header = false;
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      String at = "line " + (i + 1) + ": ";
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.split("\t", -1);
      if (!header) {
        header = true;
        if (!List.of(f).equals(COLUMNS)) {
          problems.add(at + "header must be the tab-separated columns " + COLUMNS);
        }
        continue;
      }
      if (f.length != COLUMNS.size()) {
        problems.add(
            at + "expected " + COLUMNS.size() + " tab-separated columns, found " + f.length);
        continue;
      }
      cases++;
      String id = f[0];
      if (!ID.matcher(id).matches()) {
        problems.add(at + "id '" + id + "' must be lower-case letters, digits, '.' and '-'");
      } else if (!ids.add(id)) {
        problems.add(at + "duplicate id '" + id + "'");
      }
      if (!GAV.matcher(f[1]).matches()) {
        problems.add(at + "coordinates '" + f[1] + "' are not group:artifact:version");
      }
      if (!PATH.matcher(f[2]).matches()) {
        problems.add(at + "path '" + f[2] + "' is not a relative .java path inside the jar");
      }
      Matcher m = LINES.matcher(f[3]);
      if (!m.matches()) {
        problems.add(at + "lines '" + f[3] + "' is not N or N-M");
      } else if (m.group(2) != null
          && Integer.parseInt(m.group(2)) < Integer.parseInt(m.group(1))) {
        problems.add(at + "lines '" + f[3] + "' ends before it starts");
      }
      if (Rules.byId(f[4]) == null) {
        problems.add(at + "rule '" + f[4] + "' is not one of " + Rules.ids());
      }
      String expect = f[5];
      String kind = f[6];
      if (!expect.equals("flag") && !expect.equals("no-flag")) {
        problems.add(at + "expect '" + expect + "' is not flag or no-flag");
      }
      if (!KINDS.contains(kind)) {
        problems.add(at + "kind '" + kind + "' is not one of " + KINDS);
      } else if (kind.equals("buggy-release") != expect.equals("flag")) {
        problems.add(
            at
                + "kind "
                + kind
                + " needs expect "
                + (kind.equals("buggy-release") ? "flag" : "no-flag"));
      }
      if (!f[7].startsWith("https://")) {
        problems.add(
            at + "evidence '" + f[7] + "' must be an https link to the upstream issue or fix");
      }
      if (f[8].isBlank()) {
        problems.add(at + "note must say what leaks (or why the negative is correct)");
      }
      if (expect.equals("flag")) {
        positives++;
        posRules.add(f[4]);
      } else {
        negRules.add(f[4]);
      }
    }
    if (!header) {
      problems.add("the manifest has no header line");
    }
    out.add(new Summary(cases, positives, posRules, negRules));
    return problems;
  }

  @Test
  void theCommittedManifestIsWellFormed() throws Exception {
    Path manifest = Path.of("corpus", "manifest.tsv");
    assertThat(manifest).isRegularFile();
    List<Summary> out = new ArrayList<>();
    List<String> problems = check(Files.readString(manifest, StandardCharsets.UTF_8), out);
    assertThat(problems).isEmpty();
    Summary s = out.get(0);
    assertThat(s.cases()).isGreaterThan(0);
    assertThat(s.positives()).isGreaterThan(0).isLessThan(s.cases());
  }

  @Test
  void everyDefectIsNamedWithItsLine() {
    String header = String.join("\t", COLUMNS) + "\n";
    String good = "a-1\tg:a:1.0\tp/A.java\t10-20\tTG103\tflag\tbuggy-release\thttps://x/1\tleaks\n";
    List<Summary> out = new ArrayList<>();
    assertThat(check(header + good, out)).isEmpty();
    assertThat(out.get(0)).isEqualTo(new Summary(1, 1, Set.of("TG103"), Set.of()));

    assertThat(check(header + good + good, new ArrayList<>()))
        .containsExactly("line 3: duplicate id 'a-1'");
    assertThat(check(header + good.replace("TG103", "TG999"), new ArrayList<>()))
        .containsExactly("line 2: rule 'TG999' is not one of " + Rules.ids());
    assertThat(check(header + good.replace("g:a:1.0", "g-a-1.0"), new ArrayList<>()))
        .containsExactly("line 2: coordinates 'g-a-1.0' are not group:artifact:version");
    assertThat(check(header + good.replace("10-20", "20-10"), new ArrayList<>()))
        .containsExactly("line 2: lines '20-10' ends before it starts");
    assertThat(check(header + good.replace("\tflag\t", "\tno-flag\t"), new ArrayList<>()))
        .containsExactly("line 2: kind buggy-release needs expect flag");
    assertThat(check(header + good.replace("https://x/1", "CURATOR-66"), new ArrayList<>()))
        .containsExactly(
            "line 2: evidence 'CURATOR-66' must be an https link to the upstream issue or fix");
    assertThat(check(header + good.replace("\tleaks\n", "\n"), new ArrayList<>()))
        .containsExactly("line 2: expected 9 tab-separated columns, found 8");
    assertThat(check(header + good.replace("p/A.java", "../A.java"), new ArrayList<>()))
        .containsExactly("line 2: path '../A.java' is not a relative .java path inside the jar");
    assertThat(check(good, new ArrayList<>()))
        .first()
        .asString()
        .startsWith("line 1: header must be");
    assertThat(check("# only a comment\n", new ArrayList<>()))
        .containsExactly("the manifest has no header line");
  }
}
