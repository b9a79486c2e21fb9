package dev.timerguard.wheel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.timerguard.live.LiveRegistry;
import dev.timerguard.live.SiteStats;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An empty wheel's tick thread parks indefinitely, so {@code lastPass} stays at the last pass
 * before the idle stretch; the first timer scheduled after it is stamped {@code origin + lastPass}
 * (before {@code wake()} refreshes lastPass), i.e. as old as the idle stretch.
 */
class WheelIdleStampTest {

  @Test
  void theFirstTimerAfterAnIdleStretchIsNotStampedWithTheLastPassBeforeIt() throws Exception {
    WheelScheduler w = WheelScheduler.builder().name("idle-stamp").build();
    try {
      Thread.sleep(2_500); // empty wheel: the tick thread parks until someone schedules
      ScheduledFuture<?> f = w.schedule(() -> {}, 1, TimeUnit.HOURS); // one line, one site
      SiteStats site = null;
      for (SiteStats st : LiveRegistry.global().snapshot().sites()) {
        if (st.site().location().contains("theFirstTimerAfterAnIdleStretch")) {
          site = st;
        }
      }
      assertThat(site).isNotNull();
      assertThat(site.live()).isEqualTo(1);
      // created just now: at most one epoch (1.07 s) of rounding
      assertThat(site.oldestLiveAgeNanos())
          .as("age of a timer created just now")
          .isLessThan(2_000_000_000L);
      f.cancel(false);
    } finally {
      w.shutdownNow();
    }
  }
}
