package dev.timerguard.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.timerguard.live.internal.SiteCounter;
import dev.timerguard.live.internal.SiteRegistry;
import dev.timerguard.live.internal.TimerEnd;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The watch's before-sample hook: runs before every snapshot, and a failing hook does not stop
 * sampling.
 */
class GrowthWatchBeforeSampleTest {

  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private final SiteRegistry registry = SiteRegistry.create(16, nanos::get);
  private final SiteCounter site =
      registry.register(
          CallSite.of(CallSite.Kind.THREAD, "com.acme.Pool", "spawn", "Pool.java", 7));

  @Test
  void theHookRunsBeforeTheSnapshotSoPolledEndsAreCurrent() {
    long stamp = site.start(0);
    // a polling source: the end is only known once the hook runs
    GrowthWatch w =
        GrowthWatch.builder()
            .registry(registry)
            .beforeSample(() -> site.end(stamp, TimerEnd.TERMINATED))
            .build();
    nanos.addAndGet(1_000_000_000L);
    GrowthWatch.Report r = w.sampleNow();
    assertThat(r.site(site.site()).live()).isZero();
  }

  @Test
  void aThrowingHookIsReportedAndTheSampleIsTakenAnyway() {
    GrowthWatch w =
        GrowthWatch.builder()
            .registry(registry)
            .beforeSample(
                () -> {
                  throw new IllegalStateException("boom");
                })
            .build();
    site.start(0);
    nanos.addAndGet(1_000_000_000L);
    assertThat(w.sampleNow().samples()).isEqualTo(1);
    nanos.addAndGet(1_000_000_000L);
    assertThat(w.sampleNow().site(site.site()).live()).isEqualTo(1);
  }

  @Test
  void aNullHookIsRejectedByName() {
    assertThatThrownBy(() -> GrowthWatch.builder().beforeSample(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("task");
  }
}
