package dev.timerguard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.timerguard.live.CallSite;
import dev.timerguard.live.internal.SiteCounter;
import dev.timerguard.live.internal.SiteRegistry;
import org.junit.jupiter.api.Test;

class SitesTest {

  static final class Named implements Runnable {
    @Override
    public void run() {}
  }

  private static final SiteRegistry G = SiteRegistry.global();
  private static final CallSite.Kind T = CallSite.Kind.TIMER;

  @Test
  void aLambdaIsAttributedToItsLineOnceAndCached() {
    SiteCounter first = null;
    for (int i = 0; i < 3; i++) {
      Runnable r = () -> {};
      SiteCounter c = Sites.counterFor(G, T, r);
      if (first == null) {
        first = c;
      }
      assertThat(c).isSameAs(first);
    }
    assertThat(first.site().className()).isEqualTo(SitesTest.class.getName());
    assertThat(first.site().methodName()).isEqualTo("aLambdaIsAttributedToItsLineOnceAndCached");
    assertThat(first.site().fileName()).isEqualTo("SitesTest.java");
  }

  @Test
  void namedClassesAreAttributedToEachCallerExactly() {
    Named task = new Named();
    SiteCounter a = Sites.counterFor(G, T, task);
    SiteCounter b = Sites.counterFor(G, T, task);
    assertThat(a).isNotSameAs(b);
    assertThat(b.site().line()).isEqualTo(a.site().line() + 1);
  }

  @Test
  void whatPinsOneLocation() {
    Runnable lambda = () -> {};
    Runnable anon =
        new Runnable() {
          @Override
          public void run() {}
        };
    assertThat(Sites.pinsOneLocation(lambda.getClass())).isTrue();
    assertThat(Sites.pinsOneLocation(anon.getClass())).isTrue();
    assertThat(Sites.pinsOneLocation(Named.class)).isFalse();
  }

  @Test
  void nonGlobalRegistriesResolveWithoutTheCache() {
    SiteRegistry other = SiteRegistry.create(10, System::nanoTime);
    Runnable r = () -> {};
    SiteCounter c = Sites.counterFor(other, CallSite.Kind.TICKER, r);
    assertThat(other.siteCount()).isEqualTo(1);
    assertThat(c.site().kind()).isEqualTo(CallSite.Kind.TICKER);
  }
}
