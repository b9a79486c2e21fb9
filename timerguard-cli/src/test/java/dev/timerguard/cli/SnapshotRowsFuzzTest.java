package dev.timerguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.timerguard.live.CallSite;
import dev.timerguard.live.SiteStats;
import dev.timerguard.live.Snapshot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The doctor's reader of the agent's snapshot rows, against generated and mutated rows: rows it
 * accepts are read exactly as written (no field lost, shifted or made up), and rows it rejects
 * give a {@link DoctorException} naming the row and what is wrong, never another exception.
 */
class SnapshotRowsFuzzTest {

  static final String HEADER =
      "kind\tclass\tmethod\tfile\tline\tcreated\tfired\tcancelled\tlive\tpeak\toldestLiveAgeNanos\tretained\tqueue";

  // ------------------------------------------------------------------ inputs

  @Provide
  Arbitrary<List<String>> validRows() {
    Arbitrary<String> kind = Arbitraries.of(CallSite.Kind.class).map(Enum::name);
    Arbitrary<String> name = Arbitraries.strings().withCharRange('!', '~').ofMinLength(1).ofMaxLength(12);
    Arbitrary<String> file = Arbitraries.strings().alpha().ofMaxLength(10);
    Arbitrary<Integer> line = Arbitraries.integers().between(-1, 100_000);
    Arbitrary<long[]> counts =
        Arbitraries.longs().between(0, 1_000_000).array(long[].class).ofSize(6)
            .map(c -> new long[] {c[0] + c[1] + c[2], c[0], c[1], c[2], c[2] + c[3], c[4], c[5]});
    Arbitrary<String> site =
        Combinators.combine(kind, name, name, file, line, counts, Arbitraries.longs())
            .as((k, cls, m, f, l, c, retained) ->
                String.join("\t", k, cls, m, f, Integer.toString(l),
                    // created, fired, cancelled, live (= the rest), peak >= live, age, retained, queue
                    Long.toString(c[0]), Long.toString(c[1]), Long.toString(c[2]),
                    Long.toString(c[0] - c[1] - c[2]), Long.toString(c[4] + c[0]),
                    Long.toString(c[5]), Long.toString(retained), Long.toString(c[6])));
    Arbitrary<String> stamp =
        Combinators.combine(Arbitraries.longs(), Arbitraries.longs().greaterOrEqual(0))
            .as((n, e) -> "#" + n + "\t" + e);
    return Combinators.combine(site.list().ofMaxSize(8).uniqueElements(SnapshotRowsFuzzTest::siteKey), stamp)
        .as((sites, s) -> {
          List<String> rows = new ArrayList<>();
          rows.add(HEADER);
          rows.addAll(sites);
          rows.add(s);
          return rows;
        });
  }

  private static String siteKey(String row) {
    String[] f = row.split("\t", -1);
    return f[0] + "\t" + f[1] + "\t" + f[2] + "\t" + f[3] + "\t" + f[4];
  }

  /** Valid rows with one to three mutations, drawn from a seed so that each try is cheap. */
  @Provide
  Arbitrary<List<String>> mutatedRows() {
    return Combinators.combine(validRows(), Arbitraries.longs())
        .as((rows, seed) -> mutate(rows, new Random(seed)));
  }

  private static final String[] JUNK = {
    "", "-1", "-9223372036854775808", "9223372036854775808", "1e3", "0x10", "+7", " 5", "NaN",
    "TIMER", "timer", "#", "\t", "kind", "\u0000", "#1\t2", "kind\tx"
  };

  private static String junk(Random rnd) {
    if (rnd.nextBoolean()) {
      return JUNK[rnd.nextInt(JUNK.length)];
    }
    StringBuilder b = new StringBuilder();
    for (int i = rnd.nextInt(20); i > 0; i--) {
      b.append((char) rnd.nextInt(rnd.nextBoolean() ? 128 : 0x3000));
    }
    return b.toString();
  }

  static List<String> mutate(List<String> rows, Random rnd) {
    List<String> m = new ArrayList<>(rows);
    for (int left = 1 + rnd.nextInt(3); left > 0 && !m.isEmpty(); left--) {
      int r = rnd.nextInt(m.size());
      String row = m.get(r);
      String[] f = row.split("\t", -1);
      switch (rnd.nextInt(7)) {
        case 0: // a field replaced
          m.set(r, replaceField(f, rnd.nextInt(f.length), junk(rnd)));
          break;
        case 1: // the row cut short at any character
          m.set(r, row.substring(0, rnd.nextInt(row.length() + 1)));
          break;
        case 2: // a field dropped
          m.set(r, dropField(f, rnd.nextInt(f.length)));
          break;
        case 3: // a field added
          m.set(r, row + "\t" + junk(rnd));
          break;
        case 4: // the row removed
          m.remove(r);
          break;
        case 5: // the row duplicated
          m.add(r, row);
          break;
        default: // a random row added
          m.add(r, junk(rnd));
          break;
      }
    }
    return m;
  }

  private static String replaceField(String[] f, int i, String value) {
    String[] c = f.clone();
    c[i] = value;
    return String.join("\t", c);
  }

  private static String dropField(String[] f, int i) {
    List<String> c = new ArrayList<>(List.of(f));
    c.remove(i);
    return String.join("\t", c);
  }

  // ------------------------------------------------------------------ properties

  @Property(tries = 100)
  void validRowsAreReadExactlyAsWritten(@ForAll("validRows") List<String> rows) {
    Map<CallSite, Long> queues = new HashMap<>();
    Snapshot s = Diagnosis.parse(rows.toArray(new String[0]), queues);
    assertReadAsWritten(rows, s, queues);
  }

  @Property(tries = 2000)
  void mutatedRowsAreReadAsWrittenOrRejectedWithTheRowAndTheReason(
      @ForAll("mutatedRows") List<String> rows) {
    Map<CallSite, Long> queues = new HashMap<>();
    Snapshot s;
    try {
      s = Diagnosis.parse(rows.toArray(new String[0]), queues);
    } catch (DoctorException e) {
      assertThat(e.getMessage())
          .matches("the agent's snapshot row \\d+ cannot be read: .+; the row: '.*'"
              + "|the agent's snapshot rows have no '#nanoTime<TAB>epochMillis' row; .+")
          .doesNotContain("\n", "\r", "\u0085", "\u2028", "\u2029");
      assertThat(queues).as("nothing recorded from rows that were rejected").isEmpty();
      return;
    }
    assertReadAsWritten(rows, s, queues);
  }

  /** Every site row is one SiteStats with exactly its fields; the stamp row is the stamp. */
  private static void assertReadAsWritten(List<String> rows, Snapshot s, Map<CallSite, Long> queues) {
    Set<String> siteRows = new LinkedHashSet<>();
    String stamp = null;
    for (String r : rows) {
      if (r.startsWith("#")) {
        stamp = r;
      } else if (!r.startsWith("kind\t")) {
        siteRows.add(r);
      }
    }
    assertThat(stamp).isNotNull();
    String[] st = stamp.substring(1).split("\t", -1);
    assertThat(s.nanoTime()).isEqualTo(Long.parseLong(st[0]));
    assertThat(s.epochMillis()).isEqualTo(Long.parseLong(st[1]));
    assertThat(s.sites()).hasSize(siteRows.size());
    assertThat(queues).hasSize(siteRows.size());
    int i = 0;
    for (String r : siteRows) {
      String[] f = r.split("\t", -1);
      SiteStats x = s.sites().get(i++);
      assertThat(x.site().kind().name()).isEqualTo(f[0]);
      assertThat(x.site().className()).isEqualTo(f[1]);
      assertThat(x.site().methodName()).isEqualTo(f[2]);
      assertThat(x.site().line()).isEqualTo(Integer.parseInt(f[4]));
      long[] want = new long[8];
      for (int k = 0; k < 8; k++) {
        want[k] = Long.parseLong(f[5 + k]);
      }
      assertThat(new long[] {x.created(), x.fired(), x.cancelled(), x.live(), x.peak(),
              x.oldestLiveAgeNanos(), x.retained(), queues.get(x.site())})
          .as("row %s", r)
          .containsExactly(want);
      assertThat(want[3]).as("live within created and peak").isLessThanOrEqualTo(want[0]);
      assertThat(want[3]).isLessThanOrEqualTo(want[4]);
    }
  }

  // ------------------------------------------------------------------ the messages

  @Example
  void eachKindOfBadRowNamesTheRowAndWhatIsWrong() {
    String good = "TIMER\tcom.acme.Rpc\tread\tRpc.java\t88\t5\t1\t1\t3\t4\t0\t0\t0";
    assertRejected(List.of(HEADER, "TIMER\tcom.acme.Rpc", "#1\t2"),
        "row 2 cannot be read: expected 13 tab-separated fields (kind, class, method, file, line,"
            + " created, fired, cancelled, live, peak, oldestLiveAgeNanos, retained, queue), got 2");
    assertRejected(List.of(HEADER, good.replace("TIMER", "TIMERS"), "#1\t2"),
        "row 2 cannot be read: kind 'TIMERS' is not one of [");
    assertRejected(List.of(good.replace("\t5\t", "\tfive\t"), "#1\t2"),
        "row 1 cannot be read: created 'five' is not a whole number");
    assertRejected(List.of(good.replace("\t5\t1\t", "\t5\t-1\t"), "#1\t2"),
        "row 1 cannot be read: fired must not be negative, was -1");
    assertRejected(List.of(good.replace("\t3\t4\t", "\t9\t9\t"), "#1\t2"),
        "row 1 cannot be read: live (9) is above created (5) or peak (9)");
    assertRejected(List.of(good, good, "#1\t2"),
        "row 2 cannot be read: site com.acme.Rpc.read(Rpc.java:88) (TIMER) is listed twice");
    assertRejected(List.of(good, "#1\t2", "#3\t4"), "row 3 cannot be read: a second timestamp row");
    assertRejected(List.of(good, "#x\t2"), "row 2 cannot be read: nanoTime 'x' is not a whole number");
    assertRejected(List.of(good, "#1"), "row 2 cannot be read: a timestamp row is '#nanoTime<TAB>epochMillis'");
    assertRejected(List.of(good.replace("\t88\t", "\t-2\t"), "#1\t2"),
        "row 1 cannot be read: line must be -1 (unknown) or a line number, was -2");
    assertRejected(List.of(HEADER, good),
        "the agent's snapshot rows have no '#nanoTime<TAB>epochMillis' row");
    assertThatThrownBy(() -> Diagnosis.parse(null, new HashMap<>()))
        .isInstanceOf(DoctorException.class)
        .hasMessage("the agent sent no snapshot rows");
  }

  private static void assertRejected(List<String> rows, String message) {
    assertThatThrownBy(() -> Diagnosis.parse(rows.toArray(new String[0]), new HashMap<>()))
        .isInstanceOf(DoctorException.class)
        .hasMessageContaining(message);
  }
}
