package dev.timerguard.wheel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.timerguard.live.LiveRegistry;
import dev.timerguard.live.SiteStats;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Counting in the global registry, as {@code WheelScheduler.create()} does: the per-thread site
 * memo attributes every timer to its own site, and the compact creation stamps of counted one-shots
 * hand back exactly what the counter returned.
 */
@Timeout(60)
class WheelCountingTest {

  @Test
  void aCompactStampIsRecoveredFromAnyLaterReadingWithin2To31Units() {
    long[] created = {0, 1, 12_345, (1L << 32) - 2, (1L << 32), 5L << 32, (7L << 32) + 99};
    long[] ages = {0, 1, 1_000, (1L << 31) - 1};
    for (long c : created) {
      for (long age : ages) {
        assertThat(WheelScheduler.unitsNear(c + age, (int) c))
            .as("created at %d units, read %d units later", c, age)
            .isEqualTo(c);
      }
      // a reading that lags the creation's (two threads racing on the last pass's reading)
      if (c >= 3) {
        assertThat(WheelScheduler.unitsNear(c - 3, (int) c)).isEqualTo(c);
      }
    }
  }

  // each method below is one call site; the lambdas are written once each
  ScheduledFuture<?> fromSiteA(WheelScheduler w, Runnable r) {
    return w.schedule(r, 1, TimeUnit.HOURS);
  }

  ScheduledFuture<?> fromSiteB(WheelScheduler w, Runnable r) {
    return w.schedule(r, 1, TimeUnit.HOURS);
  }

  ScheduledFuture<?> firingFromSiteC(WheelScheduler w, CountDownLatch fired) {
    return w.schedule(fired::countDown, 1, TimeUnit.MILLISECONDS);
  }

  ScheduledFuture<?> longFromSiteD(WheelScheduler w) {
    return w.schedule(() -> {}, 20, TimeUnit.DAYS);
  }

  @Test
  void twoSitesAlternatingOnOneThreadAreEachCountedExactlyAtTheirOwnSite() throws Exception {
    WheelScheduler w = WheelScheduler.builder().name("memo").build();
    try {
      Runnable a = () -> {};
      Runnable b = () -> {};
      List<ScheduledFuture<?>> timers = new ArrayList<>();
      for (int i = 0; i < 1_000; i++) {
        timers.add(fromSiteA(w, a));
        timers.add(fromSiteB(w, b));
      }
      SiteStats sa = globalSiteOf("fromSiteA");
      SiteStats sb = globalSiteOf("fromSiteB");
      assertThat(sa.created()).isEqualTo(1_000);
      assertThat(sb.created()).isEqualTo(1_000);
      assertThat(sa.live() + sb.live()).isEqualTo(2_000);
      for (int i = 0; i < timers.size(); i += 2) {
        assertThat(timers.get(i).cancel(false)).isTrue(); // every timer of site A
      }
      sa = globalSiteOf("fromSiteA");
      sb = globalSiteOf("fromSiteB");
      assertThat(sa.live()).isZero();
      assertThat(sa.cancelled()).isEqualTo(1_000);
      assertThat(sb.live()).isEqualTo(1_000);
      assertThat(sb.cancelled()).isZero();
      assertThat(sb.oldestLiveAgeNanos())
          .as("the compact stamps date the live timers of site B to this run")
          .isLessThan(TimeUnit.SECONDS.toNanos(30));
    } finally {
      w.shutdownNow();
    }
    assertThat(globalSiteOf("fromSiteB").live()).as("shutdownNow ends them all").isZero();
    assertThat(globalSiteOf("fromSiteB").cancelled()).isEqualTo(1_000);
  }

  @Test
  void countedOneShotsAreCompactUnlessTheirDelayIsTooLongAndEndExactlyOnce() throws Exception {
    WheelScheduler w = WheelScheduler.builder().name("compact").build();
    try {
      CountDownLatch fired = new CountDownLatch(100);
      List<ScheduledFuture<?>> timers = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        timers.add(firingFromSiteC(w, fired));
      }
      ScheduledFuture<?> longOne = longFromSiteD(w);
      assertThat((Object) timers.get(0)).isInstanceOf(TimerEntry.Counted.class);
      assertThat((Object) longOne)
          .as("a delay beyond 2^50 ns keeps its stamp in full")
          .isInstanceOf(TimerEntry.CountedFullStamp.class);
      assertThat(fired.await(20, TimeUnit.SECONDS)).isTrue();
      for (ScheduledFuture<?> f : timers) {
        f.get(20, TimeUnit.SECONDS); // each callback has finished
      }
      SiteStats sc = globalSiteOf("firingFromSiteC");
      assertThat(sc.created()).isEqualTo(100);
      assertThat(sc.fired()).isEqualTo(100);
      assertThat(sc.live()).isZero();
      assertThat(longOne.cancel(false)).isTrue();
      SiteStats sd = globalSiteOf("longFromSiteD");
      assertThat(sd.created()).isEqualTo(1);
      assertThat(sd.cancelled()).isEqualTo(1);
      assertThat(sd.live()).isZero();
    } finally {
      w.shutdownNow();
    }
  }

  @Test
  void aRegistryWithItsOwnClockKeepsFullStamps() {
    LiveRegistry registry = LiveRegistry.create(100, () -> 42L);
    WheelScheduler w = WheelScheduler.builder().registry(registry).name("full").build();
    try {
      ScheduledFuture<?> f = w.schedule(() -> {}, 1, TimeUnit.HOURS);
      assertThat((Object) f).isInstanceOf(TimerEntry.CountedFullStamp.class);
      assertThat(registry.snapshot().totalLiveTimers()).isEqualTo(1);
      assertThat(f.cancel(false)).isTrue();
      assertThat(registry.snapshot().totalLiveTimers()).isZero();
    } finally {
      w.shutdownNow();
    }
  }

  private static SiteStats globalSiteOf(String method) {
    SiteStats found = null;
    for (SiteStats st : LiveRegistry.global().snapshot().sites()) {
      if (st.site().location().contains("WheelCountingTest." + method)) {
        assertThat(found).as("one site for %s", method).isNull();
        found = st;
      }
    }
    assertThat(found).as("a site for %s", method).isNotNull();
    return found;
  }
}
