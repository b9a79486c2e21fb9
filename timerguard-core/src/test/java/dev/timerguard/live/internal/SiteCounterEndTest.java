package dev.timerguard.live.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.timerguard.Timers;
import dev.timerguard.live.CallSite;
import dev.timerguard.live.LiveRegistry;
import dev.timerguard.live.SiteStats;
import dev.timerguard.live.Snapshot;
import dev.timerguard.wheel.WheelScheduler;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The writer's one start call and one end call, and the registry's guard against foreign views. */
class SiteCounterEndTest {

  private final AtomicLong clock = new AtomicLong(5_000_000_000L);
  private final SiteRegistry registry = SiteRegistry.create(8, clock::get);
  private final SiteCounter counter =
      registry.register(CallSite.of(CallSite.Kind.TIMER, "a.B", "c", "B.java", 1));

  @Test
  void eachEndCountsAsFiredOrCancelledExactlyOnce() {
    for (TimerEnd how : TimerEnd.values()) {
      counter.end(counter.start(1_000), how);
    }
    SiteStats s = registry.snapshot().site(counter.site());
    assertThat(s.created()).isEqualTo(TimerEnd.values().length);
    assertThat(s.fired()).isEqualTo(4); // FIRED, EXPIRED, FAILED, TERMINATED
    assertThat(s.cancelled()).isEqualTo(4); // CANCELLED, STOPPED, SHUT_DOWN, REJECTED
    assertThat(s.live()).isZero();
  }

  @Test
  void startAtKeepsTheCallersStampAndStartReadsTheRegistryClock() {
    assertThat(counter.startAt(42L << 30, 0)).isEqualTo(42L << 30);
    assertThat(counter.start(0)).isEqualTo(clock.get());
    assertThat(registry.snapshot().site(counter.site()).live()).isEqualTo(2);
  }

  @Test
  void anEndWithoutHowIsRefusedAndCountsNothing() {
    long stamp = counter.start(0);
    assertThatThrownBy(() -> counter.end(stamp, null)).isInstanceOf(NullPointerException.class);
    SiteStats s = registry.snapshot().site(counter.site());
    assertThat(s.live()).isEqualTo(1);
    assertThat(s.fired() + s.cancelled()).isZero();
  }

  @Test
  void theReadViewAndTheWriterAreOneRegistry() {
    LiveRegistry view = LiveRegistry.create(4, clock::get);
    SiteRegistry writer = SiteRegistry.of(view);
    assertThat(writer).isSameAs(view);
    assertThat(SiteRegistry.of(LiveRegistry.global())).isSameAs(SiteRegistry.global());
    writer.register(CallSite.of(CallSite.Kind.TICKER, "a.B", "t", "B.java", 2)).start(0);
    assertThat(view.siteCount()).isEqualTo(1);
    assertThat(view.snapshot().totalLive(CallSite.Kind.TICKER)).isEqualTo(1);
  }

  @Test
  void aForeignRegistryIsRefusedByNameWhereverAnEngineTakesOne() {
    LiveRegistry foreign = new Foreign();
    assertThatThrownBy(() -> SiteRegistry.of(foreign))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("LiveRegistry.global() or LiveRegistry.create(maxSites, clock)")
        .hasMessageContaining(Foreign.class.getName());
    assertThatThrownBy(() -> Timers.builder().registry(foreign))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("LiveRegistry.global()");
    assertThatThrownBy(() -> WheelScheduler.builder().registry(foreign))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("LiveRegistry.global()");
    assertThatThrownBy(() -> SiteRegistry.of(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("registry");
  }

  /** An application's own implementation of the read view: readable, but no engine counts in it. */
  private static final class Foreign implements LiveRegistry {
    @Override
    public int maxSites() {
      return 1;
    }

    @Override
    public long nanoTime() {
      return 0;
    }

    @Override
    public int siteCount() {
      return 0;
    }

    @Override
    public Snapshot snapshot() {
      return new Snapshot(0, 0, java.util.List.of());
    }
  }
}
