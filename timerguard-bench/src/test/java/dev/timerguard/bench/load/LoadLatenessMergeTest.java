package dev.timerguard.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.junit.jupiter.api.Test;

/**
 * Merging the rounds of one engine: the children's histograms come from resizing recorders, and a
 * round with a late probe (seconds) must merge with one whose probes were all on time.
 */
class LoadLatenessMergeTest {

  /**
   * A round as a child hands it back: probes recorded by a recorder, then the missing ones recorded
   * into its interval histogram at their lateness so far (which resizes that histogram).
   */
  static Map<String, Object> round(long[] latenessMicros, long... missingMicros) {
    Recorder rec = new Recorder(3);
    for (long v : latenessMicros) {
      rec.recordValue(v);
    }
    Histogram h = rec.getIntervalHistogram();
    for (long v : missingMicros) {
      h.recordValue(v);
    }
    Map<String, Object> r = new LinkedHashMap<>();
    for (String p : LoadLateness.PROBE_NAMES) {
      r.put(p + ".histogram", LoadLateness.encode(h));
      r.put(p + ".missing", 0.0);
    }
    r.put("engine", "wheel");
    for (String key :
        List.of(
            "loadAverage", "windowSeconds", "churnAchieved", "busyAchieved", "processCpuCores")) {
      r.put(key, 1.0);
    }
    return r;
  }

  @Test
  void aRoundWithASecondsLongProbeMergesWithOnTimeRounds() {
    List<Map<String, Object>> rounds = new ArrayList<>();
    rounds.add(round(new long[] {100, 200, 300}));
    // one probe 12 s late, still missing at the end: recorded into the interval histogram
    rounds.add(round(new long[] {150}, 12_000_000));
    rounds.add(round(new long[] {120}));
    Map<String, Object> m = LoadLateness.merged(rounds);
    String p = LoadLateness.PROBE_NAMES[0];
    assertThat((Double) m.get(p + ".count")).isEqualTo(6.0);
    assertThat((Double) m.get(p + ".max")).isBetween(11_990.0, 12_010.0);
    assertThat((Double) m.get(p + ".p50")).isBetween(0.14, 0.16);
  }

  @Test
  void aHistogramResizedAfterTheRecorderHandedItOverSurvivesEncodeAndDecode() {
    Recorder rec = new Recorder(3);
    rec.recordValue(5);
    Histogram h = rec.getIntervalHistogram();
    h.recordValue(3_000_000_000L); // 50 minutes in µs
    Histogram back = LoadLateness.decode(LoadLateness.encode(h));
    assertThat(back.getTotalCount()).isEqualTo(2);
    assertThat(back.getMaxValue()).isBetween(2_990_000_000L, 3_010_000_000L);
  }
}
