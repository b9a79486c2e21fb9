package dev.timerguard.micrometer;

import dev.timerguard.live.CallSite;
import dev.timerguard.live.GrowthWatch;
import dev.timerguard.live.internal.SiteCounter;
import dev.timerguard.live.internal.SiteRegistry;
import dev.timerguard.live.internal.TimerEnd;
import java.util.concurrent.atomic.AtomicLong;

/** A registry on a test clock and a watch over it that the test drives with {@link #sample}. */
final class TestModel {
  final AtomicLong clock = new AtomicLong(1_000_000_000L);
  final SiteRegistry registry = SiteRegistry.create(256, clock::get);

  /** Windows divided by 60: rapid is 100/s over 10 s, slow 5/s over 6 min. */
  final GrowthWatch watch = GrowthWatch.builder().registry(registry).timeCompression(60).build();

  static CallSite site(CallSite.Kind kind, String cls, int line) {
    return CallSite.of(kind, "com.acme." + cls, "run", cls + ".java", line);
  }

  SiteCounter counter(CallSite site) {
    return registry.register(site);
  }

  /** Creates {@code n} entries at a site. */
  void create(SiteCounter c, int n) {
    for (int i = 0; i < n; i++) {
      c.start(0);
    }
  }

  void fire(SiteCounter c, int n) {
    for (int i = 0; i < n; i++) {
      c.end(SiteCounter.NO_STAMP, TimerEnd.FIRED);
    }
  }

  void cancel(SiteCounter c, int n) {
    for (int i = 0; i < n; i++) {
      c.end(SiteCounter.NO_STAMP, TimerEnd.CANCELLED);
    }
  }

  /** Advances the clock by {@code millis} and takes one watch sample. */
  GrowthWatch.Report sample(long millis) {
    clock.addAndGet(millis * 1_000_000L);
    return watch.sampleNow();
  }
}
