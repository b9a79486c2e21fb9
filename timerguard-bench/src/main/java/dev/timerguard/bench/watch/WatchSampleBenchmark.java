package dev.timerguard.bench.watch;

import dev.timerguard.live.CallSite;
import dev.timerguard.live.GrowthWatch;
import dev.timerguard.live.internal.SiteCounter;
import dev.timerguard.live.internal.SiteRegistry;
import dev.timerguard.live.internal.TimerEnd;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of one sample of the always-on {@link GrowthWatch}: snapshot the registry, append to
 * every site's rings, re-analyse the sites whose window moved. The watch samples once per interval
 * (10 s by default), so its CPU share of one core is this time divided by the interval.
 *
 * <p>{@code pattern}: {@code flat} (no site changes: the common case in a healthy service), {@code
 * tenth} (one site in ten changes every sample), {@code all} (every site changes every sample: the
 * worst case, each site pays a full Theil-Sen analysis of its 64-point window). The registry's
 * clock advances by one interval per sample, so every sample appends to the fast ring and, every
 * ~35 samples, to the slow ring, as in production.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class WatchSampleBenchmark {

  @Param({"4096"})
  int sites;

  @Param({"flat", "tenth", "all"})
  String pattern;

  private final AtomicLong now = new AtomicLong(1);
  private SiteCounter[] counters;
  private GrowthWatch watch;
  private long step;
  private int round;

  @Setup(Level.Trial)
  public void setUp() {
    SiteRegistry r = SiteRegistry.create(sites, now::get);
    counters = new SiteCounter[sites];
    for (int i = 0; i < sites; i++) {
      counters[i] = r.register(CallSite.of(CallSite.Kind.TIMER, "bench.S" + i, "m", "S.java", i));
      counters[i].start(0);
    }
    watch = GrowthWatch.builder().registry(r).build();
    step = watch.interval().toNanos();
    // fill the rings first: a steady state, not a warm-up of empty windows
    for (int i = 0; i < 2 * 64; i++) {
      change();
      watch.sampleNow();
    }
  }

  @Setup(Level.Invocation)
  public void change() {
    now.addAndGet(step);
    round++;
    switch (pattern) {
      case "all":
        for (SiteCounter c : counters) {
          sawtooth(c);
        }
        break;
      case "tenth":
        for (int i = round % 10; i < counters.length; i += 10) {
          sawtooth(counters[i]);
        }
        break;
      default:
        break;
    }
  }

  /** Up by 3, down by 2: a slow leak under teeth, so the analysis cannot take a shortcut. */
  private void sawtooth(SiteCounter c) {
    for (int k = 0; k < 3; k++) {
      c.start(0);
    }
    if ((round & 1) == 0) {
      c.end(SiteCounter.NO_STAMP, TimerEnd.CANCELLED);
      c.end(SiteCounter.NO_STAMP, TimerEnd.CANCELLED);
    }
  }

  @Benchmark
  public GrowthWatch.Report sample() {
    return watch.sampleNow();
  }

  /** The interval the CPU share is computed against. */
  public static Duration defaultInterval() {
    return GrowthWatch.builder().build().interval();
  }
}
