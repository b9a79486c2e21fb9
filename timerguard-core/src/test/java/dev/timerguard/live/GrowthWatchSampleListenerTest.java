package dev.timerguard.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.timerguard.live.internal.SiteCounter;
import dev.timerguard.live.internal.SiteRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class GrowthWatchSampleListenerTest {

  @Test
  void sampledIsCalledOncePerPublishedReportAndNotForStaleSamples() {
    AtomicLong clock = new AtomicLong();
    SiteRegistry registry = SiteRegistry.create(16, clock::get);
    SiteCounter site = registry.register(CallSite.of(CallSite.Kind.TIMER, "A", "run", "A.java", 1));
    GrowthWatch watch = GrowthWatch.builder().registry(registry).timeCompression(600).build();
    List<GrowthWatch.Report> seen = new ArrayList<>();
    List<Integer> levels = new ArrayList<>();
    watch.addListener(
        new GrowthWatch.Listener() {
          @Override
          public void levelChanged(GrowthWatch.SiteStatus now, int previousLevel) {
            levels.add(now.level());
          }

          @Override
          public void sampled(GrowthWatch.Report report) {
            seen.add(report);
          }
        });

    site.start(0);
    clock.addAndGet(1_000_000_000L);
    GrowthWatch.Report first = watch.sampleNow();
    GrowthWatch.Report stale = watch.sampleNow(); // registry time did not advance: no new report
    clock.addAndGet(1_000_000_000L);
    GrowthWatch.Report second = watch.sampleNow();

    assertThat(stale).isSameAs(first);
    assertThat(seen).containsExactly(first, second);
    assertThat(seen.get(1).snapshot().site(site.site()).live()).isEqualTo(1);
    assertThat(levels).isEmpty();
  }

  @Test
  void aLambdaListenerStillCompilesAndIgnoresSamples() {
    AtomicLong clock = new AtomicLong(1);
    GrowthWatch watch = GrowthWatch.builder().registry(SiteRegistry.create(4, clock::get)).build();
    List<Integer> calls = new ArrayList<>();
    watch.addListener((now, previous) -> calls.add(previous));
    watch.sampleNow();
    assertThat(calls).isEmpty();
    assertThat(watch.report().samples()).isEqualTo(1);
  }
}
