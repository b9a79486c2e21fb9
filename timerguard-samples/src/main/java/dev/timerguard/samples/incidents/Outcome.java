package dev.timerguard.samples.incidents;

import dev.timerguard.live.CallSite;
import dev.timerguard.live.GrowthVerdict;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one run of one variant of an incident measured. Immutable.
 *
 * <p>All counts are taken after the variant's workload returned and before its resources were
 * released, so they show what the service still holds at that moment.
 *
 * @param incident the incident id
 * @param variant leaky or fixed
 * @param operations how many operations (messages, requests, attempts...) the workload ran
 * @param liveTimers timers still scheduled and not cancelled: entries of the observed schedulers'
 *     queues, pending {@code CompletableFuture} timeouts, and live TimerGuard timers
 * @param retainedCancelled cancelled tasks still held in the observed schedulers' queues
 * @param threads threads the workload started that are still alive (platform and virtual; the
 *     harness's own scheduler threads are not counted)
 * @param heapAfterGcBytes heap in use after a full GC, minus the same before the run (may be
 *     negative)
 * @param signalName the honest leak signal of this incident (e.g. "retained cancelled tasks")
 * @param signal the final value of that signal
 * @param series the signal sampled during the run, in order
 * @param counters incident-specific counts (e.g. spurious timeouts, slow-upstream metric)
 * @param verdict the shared growth detector's verdict on {@code series}
 * @param ratePerSecond the detector's robust growth rate of {@code series}, per second
 * @param faultSite the line of the suspect call, as recorded while the variant ran; {@code null}
 *     when the variant made no suspect call
 * @param skipped why the variant did not run (e.g. virtual threads on Java 17), or {@code null}
 */
public record Outcome(
    int incident,
    Variant variant,
    int operations,
    long liveTimers,
    long retainedCancelled,
    long threads,
    long heapAfterGcBytes,
    String signalName,
    long signal,
    List<Long> series,
    Map<String, Long> counters,
    GrowthVerdict.Severity verdict,
    double ratePerSecond,
    CallSite faultSite,
    String skipped) {

  public Outcome {
    Objects.requireNonNull(variant, "variant");
    Objects.requireNonNull(signalName, "signalName");
    Objects.requireNonNull(verdict, "verdict");
    series = List.copyOf(series);
    counters = Collections.unmodifiableMap(new LinkedHashMap<>(counters));
  }

  /** An incident-specific counter, or 0 if the run did not report it. */
  public long counter(String name) {
    Long v = counters.get(name);
    return v == null ? 0 : v;
  }

  /** True if the growth detector found the signal growing. */
  public boolean growing() {
    return verdict != GrowthVerdict.Severity.NONE;
  }
}
