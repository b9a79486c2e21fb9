package dev.timerguard.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.timerguard.live.internal.SiteCounter;
import dev.timerguard.live.internal.SiteRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class SnapshotCodecTest {

  static final CallSite EXEC =
      CallSite.of(CallSite.Kind.EXECUTOR, "com.acme.Rpc", "read", "Rpc.java", 88);

  static String doc(String sites) {
    return "{\"format\":\"timerguard-snapshot\",\"version\":1,\"nanoTime\":5,\"epochMillis\":6,"
        + "\"sites\":["
        + sites
        + "]}";
  }

  static String site(String extra) {
    return "{\"kind\":\"EXECUTOR\",\"class\":\"com.acme.Rpc\",\"method\":\"read\",\"file\":\"Rpc.java\","
        + "\"line\":88,\"created\":5,\"fired\":0,\"cancelled\":1,\"live\":4,\"peak\":4,"
        + "\"oldestLiveAgeNanos\":2000000000,\"retained\":3,\"queued\":12"
        + extra
        + "}";
  }

  @Test
  void encodesTheDocumentedShape() {
    Snapshot s =
        new Snapshot(5, 6, List.of(new SiteStats(EXEC, 5, 0, 1, 4, 4, 2_000_000_000L, 3, 12)));
    assertThat(SnapshotCodec.encode(s)).isEqualTo(doc(site("")));
  }

  @Test
  void readsEveryField() {
    Snapshot s = SnapshotCodec.decode(doc(site("")));
    assertThat(s.nanoTime()).isEqualTo(5);
    assertThat(s.epochMillis()).isEqualTo(6);
    assertThat(s.sites())
        .containsExactly(new SiteStats(EXEC, 5, 0, 1, 4, 4, 2_000_000_000L, 3, 12));
  }

  @Test
  void unknownMembersAreIgnoredAtTheTopAndInASite() {
    String withExtras =
        doc(site(",\"future\":{\"deep\":[1,2,{\"x\":null}]},\"note\":\"n\""))
            .replace("\"nanoTime\"", "\"agent\":\"0.9\",\"extra\":[true],\"nanoTime\"");
    assertThat(SnapshotCodec.decode(withExtras).sites())
        .containsExactly(new SiteStats(EXEC, 5, 0, 1, 4, 4, 2_000_000_000L, 3, 12));
  }

  @Test
  void aNewerMajorVersionIsRefusedWithBothVersions() {
    assertThatThrownBy(
            () -> SnapshotCodec.decode(doc(site("")).replace("\"version\":1", "\"version\":2")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "this TimerGuard snapshot has format version 2, newer than the version 1 this reader"
                + " understands: use a TimerGuard of the same version as the agent");
  }

  @Test
  void theOtherSitesReadBackAsThemselves() {
    Snapshot s =
        new Snapshot(
            1, 2, List.of(new SiteStats(CallSite.other(CallSite.Kind.TIMER), 3, 1, 1, 1, 2, 0, 0)));
    Snapshot back = SnapshotCodec.decode(SnapshotCodec.encode(s));
    assertThat(back.sites().get(0).site()).isSameAs(CallSite.other(CallSite.Kind.TIMER));
    assertThat(back.sites().get(0).site().isOther()).isTrue();
  }

  @Test
  void eachBrokenRuleHasItsOwnMessage() {
    bad("[]", "the document must be a JSON object, was an array");
    bad("{\"version\":1}", "\"format\" must be \"timerguard-snapshot\", was missing");
    bad(
        doc("").replace("timerguard-snapshot", "rows"),
        "\"format\" must be \"timerguard-snapshot\", was \"rows\"");
    bad(
        doc("").replace("\"version\":1", "\"version\":\"1\""),
        "\"version\" must be a whole number (a long), was \"1\"");
    bad(
        doc("").replace("\"version\":1", "\"version\":1.0"),
        "\"version\" must be a whole number (a long), was 1.0");
    bad(doc("").replace("\"version\":1", "\"version\":0"), "\"version\" must be 1 or more, was 0");
    bad(
        doc("").replace("\"nanoTime\":5,", ""),
        "\"nanoTime\" must be a whole number (a long), was missing");
    bad(doc("").replace("[]", "{}"), "\"sites\" must be an array, was an object");
    bad(doc("7"), "site 0: must be a JSON object, was a number");
    bad(
        doc(site("").replace("EXECUTOR", "TIMERS")),
        "site 0: \"kind\" \"TIMERS\" is not one of [TIMER, TICKER, EXECUTOR, THREAD]");
    bad(
        doc(site("").replace("\"com.acme.Rpc\"", "\"\"")),
        "site 0: \"class\" and \"method\" must not be empty");
    bad(
        doc(site("").replace("\"Rpc.java\"", "null")),
        "site 0: \"file\" must be a string, was null");
    bad(
        doc(site("").replace("\"line\":88", "\"line\":-2")),
        "site 0: \"line\" must be -1 (unknown) or a line number, was -2");
    bad(
        doc(site("").replace("\"line\":88", "\"line\":2147483648")),
        "site 0: \"line\" must be -1 (unknown) or a line number");
    bad(
        doc(site("").replace("\"fired\":0", "\"fired\":-1")),
        "site 0: \"fired\" must not be negative, was -1");
    bad(
        doc(site("").replace("\"queued\":12", "\"queued\":1e3")),
        "site 0: \"queued\" must be a whole number (a long), was 1000.0");
    bad(
        doc(site("").replace(",\"queued\":12", "")),
        "site 0: \"queued\" must be a whole number (a long), was missing");
    bad(
        doc(site("").replace("\"live\":4", "\"live\":6")),
        "site 0: \"live\" (6) is above \"created\" (5) or \"peak\" (4)");
    bad(
        doc(site("") + "," + site("")),
        "site 1: EXECUTOR com.acme.Rpc.read(Rpc.java:88) is listed twice");
    bad(
        doc(site("")).substring(0, 40),
        "not a TimerGuard snapshot: malformed JSON at line 1, column 33 (offset 32): unterminated string");
    bad(
        "{\"format\":" + "[".repeat(20) + "]".repeat(20) + "}",
        "nested deeper than the limit of 16");
  }

  @Test
  void negativeRetainedIsAGaugeAndAllowed() {
    Snapshot s = SnapshotCodec.decode(doc(site("").replace("\"retained\":3", "\"retained\":-2")));
    assertThat(s.sites().get(0).retained()).isEqualTo(-2);
  }

  static void bad(String json, String message) {
    assertThatThrownBy(() -> SnapshotCodec.decode(json))
        .as(json)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  @Test
  void theQueuedGaugeTravelsFromTheCounterThroughTheSnapshotAndLimitSites() {
    AtomicLong now = new AtomicLong(1_000);
    SiteRegistry r = SiteRegistry.create(100, now::get);
    SiteCounter a = r.register(CallSite.of(CallSite.Kind.EXECUTOR, "A", "m", "A.java", 1));
    SiteCounter b = r.register(CallSite.of(CallSite.Kind.EXECUTOR, "B", "m", "B.java", 2));
    a.start(0);
    a.start(0);
    b.start(0);
    a.queued(7);
    b.queued(5);
    Snapshot s = r.snapshot();
    assertThat(s.site(a.site()).queued()).isEqualTo(7);
    assertThat(s.totalQueued()).isEqualTo(12);
    Snapshot limited = s.limitSites(1);
    assertThat(limited.site(a.site()).queued()).isEqualTo(7);
    assertThat(limited.site(CallSite.other(CallSite.Kind.EXECUTOR)).queued()).isEqualTo(5);
    assertThat(SnapshotCodec.decode(SnapshotCodec.encode(s)).site(b.site()).queued()).isEqualTo(5);
    b.queued(0);
    assertThat(r.snapshot().site(b.site()).queued()).isZero();
  }

  @Property(tries = 300)
  void everySnapshotReadsBackExactly(@ForAll("snapshots") Snapshot s) {
    Snapshot back = SnapshotCodec.decode(SnapshotCodec.encode(s));
    assertThat(back.nanoTime()).isEqualTo(s.nanoTime());
    assertThat(back.epochMillis()).isEqualTo(s.epochMillis());
    assertThat(back.sites()).isEqualTo(s.sites());
    assertThat(SnapshotCodec.encode(back)).isEqualTo(SnapshotCodec.encode(s));
  }

  @Provide
  Arbitrary<Snapshot> snapshots() {
    Arbitrary<String> names =
        Arbitraries.oneOf(
            Arbitraries.strings().ofMinLength(1).ofMaxLength(12),
            Arbitraries.strings().all().ofMinLength(1).ofMaxLength(6),
            Arbitraries.of("other", "a\tb", "x\"y\\z", "\uD83D\uDE00", "\u2028"));
    Arbitrary<CallSite> site =
        Combinators.combine(
                Arbitraries.of(CallSite.Kind.class),
                names,
                names,
                Arbitraries.oneOf(names, Arbitraries.of("?", "other")),
                Arbitraries.integers().between(-1, Integer.MAX_VALUE))
            .as(CallSite::of);
    Arbitrary<CallSite> anySite =
        Arbitraries.oneOf(site, Arbitraries.of(CallSite.Kind.class).map(CallSite::other));
    Arbitrary<Long> count = Arbitraries.longs().between(0, Long.MAX_VALUE / 4);
    Arbitrary<SiteStats> stats =
        Combinators.combine(anySite, count, count, count, count, count, Arbitraries.longs(), count)
            .as(
                (c, created, fired, cancelled, age, extraPeak, retained, queued) -> {
                  long live = created / 3;
                  return new SiteStats(
                      c,
                      created,
                      fired,
                      cancelled,
                      live,
                      live + extraPeak % 10,
                      age,
                      retained,
                      queued);
                });
    return Combinators.combine(
            stats.list().ofMaxSize(8).uniqueElements(SiteStats::site),
            Arbitraries.longs(),
            Arbitraries.longs())
        .as((sites, nano, epoch) -> new Snapshot(nano, epoch, new ArrayList<>(sites)));
  }
}
