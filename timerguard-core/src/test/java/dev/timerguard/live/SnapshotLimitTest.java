package dev.timerguard.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Bounded label cardinality: the top sites by name, the rest summed per kind as "other". */
class SnapshotLimitTest {

  static CallSite timer(int i) {
    return CallSite.of(CallSite.Kind.TIMER, "T" + i, "m", "T.java", i);
  }

  static SiteStats stats(CallSite s, long created, long live, long retained, long age) {
    return new SiteStats(s, created, created - live, 0, live, live + 1, age, retained);
  }

  @Test
  void keepsTheLargestSitesAndSumsTheRestPerKind() {
    CallSite exec = CallSite.of(CallSite.Kind.EXECUTOR, "E", "m", "E.java", 1);
    CallSite thread = CallSite.of(CallSite.Kind.THREAD, "Th", "m", "Th.java", 1);
    List<SiteStats> all = new ArrayList<>();
    all.add(stats(timer(1), 10, 1, 0, 5));
    all.add(stats(timer(2), 500, 400, 0, 9));
    all.add(stats(exec, 3, 2, 70, 7));
    all.add(stats(timer(3), 30, 30, 0, 11));
    all.add(stats(thread, 4, 4, 0, 3));
    Snapshot s = new Snapshot(42, 43, all);
    Snapshot top = s.limitSites(2);
    assertThat(top.nanoTime()).isEqualTo(42);
    assertThat(top.epochMillis()).isEqualTo(43);
    // kept in registration order, then the other sites in kind order
    assertThat(top.sites())
        .extracting(SiteStats::site)
        .containsExactly(
            timer(2),
            timer(3),
            CallSite.other(CallSite.Kind.TIMER),
            CallSite.other(CallSite.Kind.EXECUTOR),
            CallSite.other(CallSite.Kind.THREAD));
    SiteStats otherTimers = top.site(CallSite.other(CallSite.Kind.TIMER));
    assertThat(otherTimers.created()).isEqualTo(10);
    assertThat(otherTimers.live()).isEqualTo(1);
    SiteStats otherExec = top.site(CallSite.other(CallSite.Kind.EXECUTOR));
    assertThat(otherExec.retained()).isEqualTo(70);
    assertThat(otherExec.oldestLiveAgeNanos()).isEqualTo(7);
    // totals are unchanged by the grouping
    assertThat(top.totalLiveTimers()).isEqualTo(s.totalLiveTimers());
    assertThat(top.totalRetained()).isEqualTo(s.totalRetained());
    assertThat(top.totalLive(CallSite.Kind.THREAD)).isEqualTo(4);
    assertThat(CallSite.other(CallSite.Kind.TIMER).location()).isEqualTo("other");
    assertThat(CallSite.other(CallSite.Kind.TIMER).isOther()).isTrue();
    assertThat(timer(1).isOther()).isFalse();
    assertThat(CallSite.other(CallSite.Kind.TIMER).withKind(CallSite.Kind.THREAD))
        .isSameAs(CallSite.other(CallSite.Kind.THREAD));
  }

  @Test
  void tiesGoToMostCreatedThenRegistrationOrderAndSmallSnapshotsAreKept() {
    Snapshot s =
        new Snapshot(
            1,
            1,
            List.of(
                stats(timer(1), 5, 0, 0, 0),
                stats(timer(2), 9, 0, 0, 0),
                stats(timer(3), 9, 0, 0, 0)));
    assertThat(s.limitSites(1).sites())
        .extracting(SiteStats::site)
        .containsExactly(timer(2), CallSite.other(CallSite.Kind.TIMER));
    assertThat(s.limitSites(3)).isSameAs(s);
    assertThat(s.limitSites(100)).isSameAs(s);
    assertThatThrownBy(() -> s.limitSites(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxSites must be at least 1, was 0");
  }

  @Test
  void anOtherSiteIsAlwaysSummedNeverKeptByName() {
    Snapshot s =
        new Snapshot(
            1,
            1,
            List.of(
                stats(CallSite.other(CallSite.Kind.TIMER), 100, 100, 0, 0),
                stats(timer(1), 5, 1, 0, 0)));
    Snapshot top = s.limitSites(5);
    assertThat(top.sites())
        .extracting(SiteStats::site)
        .containsExactly(timer(1), CallSite.other(CallSite.Kind.TIMER));
    assertThat(top.site(CallSite.other(CallSite.Kind.TIMER)).live()).isEqualTo(100);
  }
}
