package dev.timerguard.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The pauses, allocation stalls and heap-after-collection figures of one {@code
 * -Xlog:gc,gc+phases:file=...:uptime,tags} log of G1 or ZGC, restricted to a window of JVM uptime.
 *
 * <p>Classification: G1 {@code Pause Young (Normal|Concurrent Start|Prepare Mixed)} are young
 * pauses; {@code Pause Young (Mixed)}, {@code Pause Remark}, {@code Pause Cleanup} and {@code Pause
 * Full} are old pauses (they work on the old generation). Generational ZGC (JDK 21+) tags its
 * pauses {@code Y:} (young) and {@code O:} (old). Non-generational ZGC (JDK 17) has no young
 * collection: its pauses all belong to whole-heap cycles and are counted as old. Immutable.
 */
final class GcLog {

  private static final Pattern LINE =
      Pattern.compile("^\\[(\\d+\\.\\d+)s\\]\\[([a-z,]+)\\s*\\] (.*)$");
  private static final Pattern G1_PAUSE =
      Pattern.compile("^GC\\(\\d+\\) Pause (Young|Remark|Cleanup|Full)(.*) (\\d+\\.\\d+)ms$");
  private static final Pattern Z_PAUSE =
      Pattern.compile("^GC\\(\\d+\\) (Y: |O: )?Pause .* (\\d+\\.\\d+)ms$");
  private static final Pattern STALL = Pattern.compile("Allocation Stall \\(.*\\) (\\d+\\.\\d+)ms");
  private static final Pattern HEAP_AFTER = Pattern.compile("->(\\d+)M");

  final List<Double> youngMs = new ArrayList<>();
  final List<Double> oldMs = new ArrayList<>();
  final List<Double> stallMs = new ArrayList<>();
  final List<Double> heapAfterMb = new ArrayList<>();

  /** Parses {@code log}, keeping what happened in [{@code from}, {@code to}] seconds of uptime. */
  static GcLog parse(Path log, double from, double to) throws IOException {
    GcLog g = new GcLog();
    for (String line : Files.readAllLines(log)) {
      Matcher m = LINE.matcher(line);
      if (!m.matches()) {
        continue;
      }
      double t = Double.parseDouble(m.group(1));
      if (t < from || t > to) {
        continue;
      }
      String tags = m.group(2);
      String body = m.group(3);
      Matcher s = STALL.matcher(body);
      if (s.find()) {
        g.stallMs.add(Double.parseDouble(s.group(1)));
        continue;
      }
      if (tags.equals("gc")) {
        Matcher p = G1_PAUSE.matcher(body);
        if (p.matches()) {
          boolean young = p.group(1).equals("Young") && !p.group(2).startsWith(" (Mixed)");
          (young ? g.youngMs : g.oldMs).add(Double.parseDouble(p.group(3)));
        }
        Matcher h = HEAP_AFTER.matcher(body);
        if (h.find()) {
          g.heapAfterMb.add(Double.parseDouble(h.group(1)));
        }
      } else if (tags.equals("gc,phases")) {
        Matcher z = Z_PAUSE.matcher(body);
        if (z.matches()) {
          boolean young = "Y: ".equals(z.group(1));
          (young ? g.youngMs : g.oldMs).add(Double.parseDouble(z.group(2)));
        }
      }
    }
    return g;
  }
}
