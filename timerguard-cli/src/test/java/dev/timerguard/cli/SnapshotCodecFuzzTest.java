package dev.timerguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.timerguard.live.CallSite;
import dev.timerguard.live.SiteStats;
import dev.timerguard.live.Snapshot;
import dev.timerguard.live.SnapshotCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The doctor's reading of the agent's snapshot document ({@link DoctorSampler#read}, over the
 * model's {@link SnapshotCodec}) against generated, mutated, truncated, huge and future documents:
 * what it accepts is read exactly as written (no field lost, shifted or made up), and what it
 * refuses gives one {@link DoctorException} on one line saying what is wrong, never another
 * exception.
 */
class SnapshotCodecFuzzTest {

  // ------------------------------------------------------------------ inputs

  @Provide
  Arbitrary<Snapshot> snapshots() {
    Arbitrary<String> name = Arbitraries.strings().ofMinLength(1).ofMaxLength(12);
    Arbitrary<CallSite> site =
        Combinators.combine(
                Arbitraries.of(CallSite.Kind.class),
                name,
                name,
                Arbitraries.strings().ofMaxLength(10),
                Arbitraries.integers().between(-1, 100_000))
            .as(CallSite::of);
    Arbitrary<long[]> counts =
        Arbitraries.longs().between(0, 1_000_000).array(long[].class).ofSize(6);
    Arbitrary<SiteStats> stats =
        Combinators.combine(site, counts, Arbitraries.longs())
            .as(
                (s, c, retained) ->
                    new SiteStats(
                        s,
                        c[0] + c[1] + c[2],
                        c[0],
                        c[1],
                        c[2],
                        c[2] + c[3],
                        c[4],
                        retained,
                        c[5]));
    return Combinators.combine(
            stats.list().ofMaxSize(8).uniqueElements(SiteStats::site),
            Arbitraries.longs(),
            Arbitraries.longs().greaterOrEqual(0))
        .as((sites, nano, epoch) -> new Snapshot(nano, epoch, sites));
  }

  /** Valid documents with one to three mutations, drawn from a seed so that each try is cheap. */
  @Provide
  Arbitrary<String> mutatedDocuments() {
    return Combinators.combine(snapshots(), Arbitraries.longs())
        .as((s, seed) -> mutate(SnapshotCodec.encode(s), new Random(seed)));
  }

  private static final String[] JUNK = {
    "",
    "-1",
    "-9223372036854775808",
    "9223372036854775808",
    "1e3",
    "0x10",
    "+7",
    "NaN",
    "null",
    "\"TIMER\"",
    "\"timer\"",
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "\\",
    "\u0000",
    "2",
    "\"version\":2,",
    "\"extra\":{\"a\":[1,2]},",
    "\"queued\":-1,",
    "\"live\":99999999,"
  };

  private static String junk(Random rnd) {
    if (rnd.nextBoolean()) {
      return JUNK[rnd.nextInt(JUNK.length)];
    }
    StringBuilder b = new StringBuilder();
    for (int i = rnd.nextInt(12); i > 0; i--) {
      b.append((char) rnd.nextInt(rnd.nextBoolean() ? 128 : 0x3000));
    }
    return b.toString();
  }

  static String mutate(String doc, Random rnd) {
    String m = doc;
    for (int left = 1 + rnd.nextInt(3); left > 0; left--) {
      int at = rnd.nextInt(m.length() + 1);
      switch (rnd.nextInt(5)) {
        case 0: // cut short at any character
          m = m.substring(0, at);
          break;
        case 1: // junk inserted
          m = m.substring(0, at) + junk(rnd) + m.substring(at);
          break;
        case 2: // a stretch removed
          m = m.substring(0, at) + m.substring(Math.min(m.length(), at + 1 + rnd.nextInt(8)));
          break;
        case 3: // a number replaced
          m = m.replaceFirst(":\\d+", ":" + junk(rnd).replace("\\", "\\\\").replace("$", "\\$"));
          break;
        default: // an unknown member added after a brace
          m = m.replaceFirst("\\{", "{\"x" + rnd.nextInt(9) + "\":" + "[{\"y\":null}],");
          break;
      }
      if (m.isEmpty()) {
        break;
      }
    }
    return m;
  }

  // ------------------------------------------------------------------ properties

  @Property(tries = 200)
  void validDocumentsAreReadExactlyAsWritten(@ForAll("snapshots") Snapshot s) {
    Snapshot back = DoctorSampler.read(SnapshotCodec.encode(s));
    assertThat(back.nanoTime()).isEqualTo(s.nanoTime());
    assertThat(back.epochMillis()).isEqualTo(s.epochMillis());
    assertThat(back.sites()).isEqualTo(s.sites());
  }

  @Property(tries = 2000)
  void mutatedDocumentsAreReadOrRefusedOnOneLineSayingWhy(@ForAll("mutatedDocuments") String doc) {
    Snapshot s;
    try {
      s = DoctorSampler.read(doc);
    } catch (DoctorException e) {
      assertThat(e.getMessage())
          .startsWith("the agent's snapshot cannot be read: ")
          .matches(
              "(?s).*(not a TimerGuard snapshot|not a valid TimerGuard snapshot|newer than the version 1).*")
          .doesNotContain("\n", "\r", "\u0085", "\u2028", "\u2029");
      return;
    }
    // accepted: every rule of the format holds, and writing it again reads the same
    for (SiteStats x : s.sites()) {
      assertThat(x.live()).isLessThanOrEqualTo(x.created()).isLessThanOrEqualTo(x.peak());
      for (long n :
          new long[] {
            x.created(),
            x.fired(),
            x.cancelled(),
            x.live(),
            x.peak(),
            x.oldestLiveAgeNanos(),
            x.queued()
          }) {
        assertThat(n).as("%s", x).isNotNegative();
      }
    }
    assertThat(DoctorSampler.read(SnapshotCodec.encode(s)).sites()).isEqualTo(s.sites());
  }

  // ------------------------------------------------------------------ the messages

  static final String GOOD =
      "{\"format\":\"timerguard-snapshot\",\"version\":1,\"nanoTime\":1,\"epochMillis\":2,\"sites\":["
          + "{\"kind\":\"TIMER\",\"class\":\"com.acme.Rpc\",\"method\":\"read\",\"file\":\"Rpc.java\","
          + "\"line\":88,\"created\":5,\"fired\":1,\"cancelled\":1,\"live\":3,\"peak\":4,"
          + "\"oldestLiveAgeNanos\":0,\"retained\":0,\"queued\":0}]}";

  @Example
  void unknownFieldsAreIgnored() {
    String future =
        GOOD.replace("\"nanoTime\"", "\"agentVersion\":\"9.9\",\"nanoTime\"")
            .replace(
                "\"queued\":0",
                "\"queued\":0,\"lastFiredEpochMillis\":12,\"tags\":{\"a\":[\"b\"]}");
    assertThat(DoctorSampler.read(future).sites()).isEqualTo(DoctorSampler.read(GOOD).sites());
  }

  @Example
  void eachKindOfBadDocumentSaysWhatIsWrong() {
    assertRefused(
        GOOD.replace("\"version\":1", "\"version\":2"),
        "the agent's snapshot cannot be read: this TimerGuard snapshot has format version 2, newer"
            + " than the version 1 this reader understands");
    assertRefused(
        GOOD.substring(0, GOOD.length() / 2),
        "the agent's snapshot cannot be read: not a TimerGuard snapshot: malformed JSON at line 1,");
    assertRefused("kind\tclass\tmethod", "malformed JSON at line 1, column 1 (offset 0)");
    assertRefused(
        GOOD.replace("\"TIMER\"", "\"TIMERS\""),
        "site 0: \"kind\" \"TIMERS\" is not one of [TIMER, TICKER, EXECUTOR, THREAD]");
    assertRefused(
        GOOD.replace("\"created\":5", "\"created\":\"five\""),
        "site 0: \"created\" must be a whole number (a long), was \"five\"");
    assertRefused(
        GOOD.replace("\"fired\":1", "\"fired\":-1"),
        "site 0: \"fired\" must not be negative, was -1");
    assertRefused(
        GOOD.replace("\"live\":3", "\"live\":9"),
        "site 0: \"live\" (9) is above \"created\" (5) or \"peak\" (4)");
    String site = GOOD.substring(GOOD.indexOf("[{") + 1, GOOD.length() - 2);
    assertRefused(
        GOOD.replace(site, site + "," + site),
        "site 1: TIMER com.acme.Rpc.read(Rpc.java:88) is listed twice");
    assertRefused(
        GOOD.replace("\"line\":88", "\"line\":-2"),
        "\"line\" must be -1 (unknown) or a line number, was -2");
    assertRefused(
        GOOD.replace("timerguard-snapshot", "rows"),
        "\"format\" must be \"timerguard-snapshot\", was \"rows\"");
    assertThatThrownBy(() -> DoctorSampler.read(null))
        .isInstanceOf(DoctorException.class)
        .hasMessage("the agent sent no snapshot");
  }

  @Example
  void hugeAndDeepDocumentsAreRefusedUnreadAndALongMessageIsCut() {
    String deep =
        GOOD.replace(
            "\"sites\":[", "\"x\":" + "[".repeat(5000) + "]".repeat(5000) + ",\"sites\":[");
    assertRefused(deep, "nested deeper than the limit of 16");
    StringBuilder huge =
        new StringBuilder(SnapshotCodec.MAX_CHARS + 10).append(GOOD, 0, GOOD.length() - 1);
    huge.append(" ".repeat(SnapshotCodec.MAX_CHARS)).append('}');
    assertRefused(huge.toString(), "more than the limit of " + SnapshotCodec.MAX_CHARS);
    String longName = "x".repeat(5000);
    assertThatThrownBy(() -> DoctorSampler.read(GOOD.replace("\"TIMER\"", "\"" + longName + "\"")))
        .isInstanceOf(DoctorException.class)
        .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(600));
  }

  @Example
  void manySitesAreRead() {
    List<SiteStats> sites = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      sites.add(
          new SiteStats(
              CallSite.of(CallSite.Kind.TIMER, "C" + i, "m", "C.java", i), 2, 1, 0, 1, 1, 0, 0));
    }
    Snapshot s = new Snapshot(1, 2, sites);
    assertThat(DoctorSampler.read(SnapshotCodec.encode(s)).sites()).isEqualTo(sites);
  }

  private static void assertRefused(String doc, String message) {
    assertThatThrownBy(() -> DoctorSampler.read(doc))
        .isInstanceOf(DoctorException.class)
        .hasMessageContaining(message);
  }
}
