package dev.timerguard.live.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.timerguard.live.CallSite;
import dev.timerguard.live.SiteDelta;
import dev.timerguard.live.SiteStats;
import dev.timerguard.live.Snapshot;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SiteRegistryTest {

  AtomicLong clock = new AtomicLong(10_000_000_000L);
  SiteRegistry registry = SiteRegistry.create(3, clock::get);

  static CallSite site(int line) {
    return CallSite.of(CallSite.Kind.TIMER, "com.acme.Rpc", "read", "Rpc.java", line);
  }

  @Test
  void sameSiteSameCounterAndCountsReconcile() {
    SiteCounter a = registry.register(site(1));
    assertThat(registry.register(site(1))).isSameAs(a);
    assertThat(registry.counter(a.id())).isSameAs(a);
    long s1 = a.start(0);
    long s2 = a.start(0);
    a.start(0);
    a.end(s1, TimerEnd.FIRED);
    a.end(s2, TimerEnd.CANCELLED);
    SiteStats st = registry.snapshot().site(site(1));
    assertThat(st.created()).isEqualTo(3);
    assertThat(st.fired()).isEqualTo(1);
    assertThat(st.cancelled()).isEqualTo(1);
    assertThat(st.live()).isEqualTo(1);
    assertThat(st.peak()).isEqualTo(1); // peak: the highest live count a snapshot has seen
    a.start(0);
    a.start(0);
    assertThat(registry.snapshot().site(site(1)).peak()).isEqualTo(3);
    a.end(SiteCounter.NO_STAMP, TimerEnd.CANCELLED);
    assertThat(registry.snapshot().site(site(1)).peak()).isEqualTo(3);
  }

  @Test
  void sitesBeyondTheCapShareAnOverflowCounterAndTotalsStayExact() {
    for (int i = 0; i < 10; i++) {
      registry.register(site(i)).start(0);
    }
    Snapshot s = registry.snapshot();
    assertThat(s.sites()).hasSize(4); // 3 + the overflow bucket
    assertThat(s.totalLiveTimers()).isEqualTo(10);
    assertThat(s.site(CallSite.OVERFLOW)).isNotNull();
    assertThat(s.site(CallSite.OVERFLOW).live()).isEqualTo(7);
  }

  @Test
  void oldestLiveAgeFollowsTheOldestTimer() {
    SiteCounter c = registry.register(site(1));
    long old = c.start(0);
    clock.addAndGet(60_000_000_000L); // one minute later
    long young = c.start(0);
    long age = registry.snapshot().site(site(1)).oldestLiveAgeNanos();
    assertThat(age).isBetween(55_000_000_000L, 65_000_000_000L);
    c.end(old, TimerEnd.FIRED);
    age = registry.snapshot().site(site(1)).oldestLiveAgeNanos();
    assertThat(age).isLessThan(5_000_000_000L);
    c.end(young, TimerEnd.CANCELLED);
    assertThat(registry.snapshot().site(site(1)).oldestLiveAgeNanos()).isZero();
  }

  @Test
  void unknownStampsStillDrainTheAgeSlots() {
    SiteCounter c = registry.register(site(1));
    c.start(0);
    c.end(SiteCounter.NO_STAMP, TimerEnd.CANCELLED);
    assertThat(registry.snapshot().site(site(1)).oldestLiveAgeNanos()).isZero();
    assertThat(registry.snapshot().site(site(1)).live()).isZero();
  }

  @Test
  void snapshotsAreImmutableAndDiffable() {
    SiteCounter c = registry.register(site(1));
    Snapshot before = registry.snapshot();
    long s = c.start(0);
    c.start(0);
    c.end(s, TimerEnd.FIRED);
    c.retained(5);
    registry.register(site(2)).start(0);
    Snapshot after = registry.snapshot();
    List<SiteDelta> d = after.diff(before);
    assertThat(d).hasSize(2);
    assertThat(d.get(0)).isEqualTo(new SiteDelta(site(1), 2, 1, 0, 1, 5, 1));
    assertThat(d.get(1)).isEqualTo(new SiteDelta(site(2), 1, 0, 0, 1, 0, 1));
    assertThat(before.site(site(1)).live()).isZero();
    assertThatThrownBy(() -> after.sites().clear())
        .isInstanceOf(UnsupportedOperationException.class);
    assertThat(after.totalRetained()).isEqualTo(5);
  }

  @Test
  void coarseStampsSkipTheClockButKeepCountsAndBoundAges() {
    SiteCounter c = registry.register(site(1));
    registry.useCoarseStamps();
    long t0 = clock.get();
    clock.addAndGet(5_000_000_000L); // 5 s pass without a refresh
    long stale = c.start(0);
    assertThat(stale).isEqualTo(t0); // no clock read: the coarse copy
    registry.refreshCoarseClock();
    assertThat(c.start(0)).isEqualTo(clock.get());
    SiteStats s = registry.snapshot().site(site(1));
    assertThat(s.created()).isEqualTo(2);
    assertThat(s.live()).isEqualTo(2);
    // the stale stamp makes the age an over-estimate, never an under-estimate
    assertThat(s.oldestLiveAgeNanos()).isGreaterThanOrEqualTo(5_000_000_000L);
    c.end(stale, TimerEnd.FIRED);
    assertThat(registry.snapshot().site(site(1)).live()).isEqualTo(1);
  }

  @Test
  void anIdleCoarseClockIsReadFreshByTheNextCreationWhichWakesTheRefresherOnce() {
    SiteCounter c = registry.register(site(1));
    registry.useCoarseStamps();
    java.util.concurrent.atomic.AtomicInteger wakes =
        new java.util.concurrent.atomic.AtomicInteger();
    registry.idleCoarseClock(wakes::incrementAndGet);
    assertThat(registry.coarseClockIdle()).isTrue();
    clock.addAndGet(5_000_000_000L); // 5 s pass: nobody refreshes an idle clock
    assertThat(c.start(0)).isEqualTo(clock.get()); // read fresh, not 5 s stale
    assertThat(wakes.get()).isEqualTo(1);
    assertThat(registry.coarseClockIdle()).isFalse();
    long t1 = clock.get();
    clock.addAndGet(1_000);
    assertThat(c.start(0)).isEqualTo(t1); // back to the coarse copy, which the wake refreshed
    assertThat(wakes.get()).isEqualTo(1);
    assertThatThrownBy(() -> registry.idleCoarseClock(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("wake");
  }

  @Test
  void badInput() {
    assertThatThrownBy(() -> registry.register(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("site");
    assertThatThrownBy(() -> registry.counter(99))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("99");
    assertThatThrownBy(() -> SiteRegistry.create(0, clock::get))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CallSite.of(null, "a", "b", "c", 1))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("kind");
    assertThatThrownBy(() -> registry.snapshot().diff(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("earlier");
  }

  @Test
  void callSitePrintsLikeAStackFrame() {
    assertThat(site(88).location()).isEqualTo("com.acme.Rpc.read(Rpc.java:88)");
    assertThat(site(88)).isEqualTo(site(88)).hasSameHashCodeAs(site(88)).isNotEqualTo(site(89));
    assertThat(site(88).withKind(CallSite.Kind.TICKER)).isNotEqualTo(site(88));
  }
}
