package dev.timerguard.samples.incidents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.timerguard.live.GrowthVerdict.Severity;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Each reproducer, as a specification: the leaky variant grows by thousands (or hundreds of
 * threads, or dozens of spurious timeouts), the fixed variant stays near zero. Every assertion is
 * on counts, with wide margins, never on elapsed time.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class IncidentsTest {

  private static void leakyGrows(Outcome o) {
    assertThat(o.verdict()).as("verdict of %s", o).isNotEqualTo(Severity.NONE);
    assertThat(o.faultSite()).as("fault site").isNotNull();
    assertThat(o.faultSite().fileName()).endsWith(".java");
    assertThat(o.faultSite().line()).isPositive();
  }

  private static void fixedFlat(Outcome o) {
    assertThat(o.verdict()).as("verdict of %s", o).isEqualTo(Severity.NONE);
  }

  @Test
  void rpcReadLoopRetainsCancelledKeepalives() {
    Incident i = Incidents.byId(1);
    Outcome leaky = i.leaky();
    leakyGrows(leaky);
    int half = i.defaultOperations() / 2;
    assertThat(leaky.retainedCancelled()).isGreaterThanOrEqualTo(half / 2);
    assertThat(leaky.liveTimers()).as("abandoned idle timeouts").isGreaterThanOrEqualTo(half / 2);
    assertThat(leaky.faultSite().className()).endsWith("RpcReadLoop$LeakyConnection");

    Outcome fixed = i.fixed();
    fixedFlat(fixed);
    assertThat(fixed.retainedCancelled()).isZero();
    assertThat(fixed.liveTimers()).isLessThanOrEqualTo(2);
  }

  @Test
  void forgottenResetAbortsHealthyOperations() {
    Incident i = Incidents.byId(2);
    Outcome leaky = i.leaky();
    assertThat(leaky.counter(ForgottenReset.SPURIOUS)).isGreaterThanOrEqualTo(10);
    assertThat(leaky.verdict()).isNotEqualTo(Severity.NONE);
    Outcome fixed = i.fixed();
    assertThat(fixed.counter(ForgottenReset.SPURIOUS)).isZero();
    fixedFlat(fixed);
  }

  @Test
  void discardedCancelKeepsEveryTimeoutLive() {
    Incident i = Incidents.byId(3);
    Outcome leaky = i.leaky();
    leakyGrows(leaky);
    assertThat(leaky.liveTimers()).isGreaterThanOrEqualTo(i.defaultOperations() / 2);
    Outcome fixed = i.fixed();
    fixedFlat(fixed);
    assertThat(fixed.liveTimers()).isLessThanOrEqualTo(2);
    assertThat(fixed.retainedCancelled()).isZero();
  }

  @Test
  void racyLazyFlusherStartsManyFlushers() {
    Incident i = Incidents.byId(4);
    Outcome leaky = i.leaky();
    assertThat(leaky.threads()).as("leaked flusher threads").isGreaterThanOrEqualTo(20);
    assertThat(leaky.signal()).as("live flusher executors").isGreaterThanOrEqualTo(20);
    assertThat(leaky.liveTimers()).as("their periodic timers").isGreaterThanOrEqualTo(20);
    assertThat(leaky.faultSite()).isNotNull();
    Outcome fixed = i.fixed();
    fixedFlat(fixed);
    assertThat(fixed.threads()).isLessThanOrEqualTo(2);
    assertThat(fixed.liveTimers()).isZero();
    assertThat(fixed.counter("flushers started")).isEqualTo(i.defaultOperations());
  }

  @Test
  void reconnectLoopArmsATimerPerAttempt() {
    Incident i = Incidents.byId(5);
    Outcome leaky = i.leaky();
    leakyGrows(leaky);
    assertThat(leaky.liveTimers()).isGreaterThanOrEqualTo(i.defaultOperations() / 2);
    assertThat(leaky.threads())
        .as("java.util.Timer threads")
        .isGreaterThanOrEqualTo(i.defaultOperations() / ReconnectLoop.LEGACY_EVERY / 2);
    Outcome fixed = i.fixed();
    fixedFlat(fixed);
    assertThat(fixed.liveTimers()).isLessThanOrEqualTo(3);
    assertThat(fixed.threads()).isLessThanOrEqualTo(2);
  }

  @Test
  void slowUpstreamMetricEqualsRequestCount() {
    Incident i = Incidents.byId(6);
    Outcome leaky = i.leaky();
    leakyGrows(leaky);
    assertThat(leaky.counter(SlowUpstreamCheck.SLOW))
        .isEqualTo(leaky.counter(SlowUpstreamCheck.REQUESTS))
        .isEqualTo(i.defaultOperations());
    Outcome fixed = i.fixed();
    fixedFlat(fixed);
    assertThat(fixed.liveTimers()).isLessThanOrEqualTo(2);
    // a request descheduled for 200 ms on a loaded machine is honestly slow: allow 1%
    assertThat(fixed.counter(SlowUpstreamCheck.SLOW))
        .isLessThanOrEqualTo(i.defaultOperations() / 100);
  }

  @Test
  void fireAndForgetHoldsAMillionTimers() {
    Incident i = Incidents.byId(7);
    Outcome leaky = i.leaky();
    leakyGrows(leaky);
    assertThat(leaky.liveTimers()).isGreaterThanOrEqualTo(i.defaultOperations() / 2);
    Outcome fixed = i.fixed();
    fixedFlat(fixed);
    assertThat(fixed.liveTimers()).as("one timer per second of due times").isLessThanOrEqualTo(11);
  }

  @Test
  void resettingTickerLeaksEveryOldTicker() {
    Incident i = Incidents.byId(8);
    Outcome leaky = i.leaky();
    leakyGrows(leaky);
    assertThat(leaky.liveTimers()).isGreaterThanOrEqualTo(i.defaultOperations() - 10);
    Outcome fixed = i.fixed();
    fixedFlat(fixed);
    assertThat(fixed.liveTimers()).isLessThanOrEqualTo(2);
  }

  @Test
  void timeoutsHeldInCollectionStayLive() {
    Incident i = Incidents.byId(9);
    Outcome leaky = i.leaky();
    leakyGrows(leaky);
    assertThat(leaky.liveTimers()).isGreaterThanOrEqualTo(i.defaultOperations() / 2);
    assertThat(leaky.counter(TimeoutsInCollection.HELD)).isEqualTo(i.defaultOperations());
    Outcome fixed = i.fixed();
    fixedFlat(fixed);
    assertThat(fixed.liveTimers()).isLessThanOrEqualTo(2);
    assertThat(fixed.counter(TimeoutsInCollection.HELD)).isZero();
  }

  @Test
  void threadsBlockedOnAQueueNobodyFeeds() {
    Incident i = Incidents.byId(10);
    Outcome leaky = i.leaky();
    leakyGrows(leaky);
    int hits = i.defaultOperations() * 9 / 10;
    assertThat(leaky.counter(BlockedThread.PLATFORM)).isGreaterThanOrEqualTo(hits / 2);
    if (Runtime.version().feature() >= 21) {
      assertThat(leaky.skipped()).isNull();
      assertThat(leaky.counter(BlockedThread.VIRTUAL))
          .isGreaterThanOrEqualTo((long) hits * BlockedThread.VIRTUAL_PER_PLATFORM / 2);
    } else {
      assertThat(leaky.skipped()).contains("virtual threads need Java 21+");
    }
    Outcome fixed = i.fixed();
    fixedFlat(fixed);
    assertThat(fixed.threads()).isLessThanOrEqualTo(2);
  }

  @Test
  void executorPerCallLeaksItsThreads() {
    Incident i = Incidents.byId(11);
    Outcome leaky = i.leaky();
    leakyGrows(leaky);
    assertThat(leaky.threads()).isGreaterThanOrEqualTo(i.defaultOperations());
    Outcome fixed = i.fixed();
    fixedFlat(fixed);
    assertThat(fixed.threads()).isLessThanOrEqualTo(2);
  }

  @Test
  void catalogueIsNumberedFromOne() {
    for (int k = 0; k < Incidents.all().size(); k++) {
      Incident i = Incidents.all().get(k);
      assertThat(i.id()).isEqualTo(k + 1);
      assertThat(Incidents.byId(k + 1)).isSameAs(i);
      assertThat(i.title()).isNotBlank();
      assertThat(i.explanation()).isNotBlank();
      assertThat(i.goOriginal()).isNotBlank();
      assertThat(i.fix()).isNotBlank();
    }
  }

  @Test
  void badInputGetsAClearError() {
    Incident i = Incidents.byId(3);
    assertThatThrownBy(() -> i.run(null, 10))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("variant");
    assertThatThrownBy(() -> i.run(Variant.LEAKY, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("operations must be positive");
    assertThatThrownBy(() -> Incidents.byId(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("numbered 1 to " + Incidents.all().size());
    assertThatThrownBy(() -> Incidents.byId(Incidents.all().size() + 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void faultSitesRecordTheCallingLine() {
    FaultSites f = new FaultSites();
    int line = new Throwable().getStackTrace()[0].getLineNumber() + 1;
    String v = f.mark("value");
    assertThat(v).isEqualTo("value");
    assertThat(f.marks()).isEqualTo(1);
    assertThat(f.first().fileName()).isEqualTo("IncidentsTest.java");
    assertThat(f.first().line()).isEqualTo(line);
    assertThat(f.first().methodName()).isEqualTo("faultSitesRecordTheCallingLine");
    assertThatThrownBy(() -> new FaultSites(null)).isInstanceOf(NullPointerException.class);
  }
}
