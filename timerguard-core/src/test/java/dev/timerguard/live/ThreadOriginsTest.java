package dev.timerguard.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.timerguard.live.internal.ThreadSites;
import org.junit.jupiter.api.Test;

class ThreadOriginsTest {

  private static final CallSite SITE =
      CallSite.of(CallSite.Kind.THREAD, "com.acme.Pool", "start", "Pool.java", 12);

  @Test
  void recordsLooksUpAndForgetsTheSiteOfAThread() {
    Thread t = new Thread(() -> {});
    assertThat(ThreadOrigins.siteOf(t)).isNull();
    ThreadSites.record(t, SITE);
    assertThat(ThreadOrigins.siteOf(t)).isEqualTo(SITE);
    ThreadSites.forget(t);
    assertThat(ThreadOrigins.siteOf(t)).isNull();
  }

  @Test
  void rejectsNullsAndSitesOfOtherKinds() {
    Thread t = new Thread(() -> {});
    assertThatThrownBy(() -> ThreadSites.record(null, SITE))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("thread");
    assertThatThrownBy(() -> ThreadSites.record(t, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("site");
    assertThatThrownBy(() -> ThreadSites.record(t, SITE.withKind(CallSite.Kind.TIMER)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("THREAD");
  }
}
