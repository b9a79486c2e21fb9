package dev.timerguard.bench.watch;

import dev.timerguard.live.CallSite;
import dev.timerguard.live.GrowthWatch;
import dev.timerguard.live.internal.SiteRegistry;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jol.info.GraphLayout;

/**
 * The always-on watch's memory per site: JOL's deep size of a watch that has sampled {@code N}
 * sites long enough to fill both of its rings, minus the deep size of the registry it watches
 * (which the application pays for with or without the watch). Prints bytes per site and the total
 * at the registry's default cap of 4,096 sites.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.timerguard.bench.watch.WatchFootprint}
 */
public final class WatchFootprint {

  public static void main(String[] args) {
    // JOL cannot read the offsets of record fields (GrowthWatch.SiteStatus) on JDK 17+ without
    // this; set before its first use, unless the caller chose otherwise
    if (System.getProperty("jol.magicFieldOffset") == null) {
      System.setProperty("jol.magicFieldOffset", "true");
    }
    System.out.println("| sites | watch bytes (registry excluded) | bytes per site |");
    System.out.println("|---:|---:|---:|");
    for (int sites : new int[] {256, 4096}) {
      AtomicLong now = new AtomicLong(1);
      SiteRegistry r = SiteRegistry.create(sites, now::get);
      for (int i = 0; i < sites; i++) {
        r.register(CallSite.of(CallSite.Kind.TIMER, "bench.S" + i, "m", "S.java", i)).start(0);
      }
      GrowthWatch w = GrowthWatch.builder().registry(r).build();
      long step = w.interval().toNanos();
      // enough samples to fill the fast ring and the slow one (one slow point per ~35 samples)
      for (int i = 0; i < 64 * 40; i++) {
        r.register(
                CallSite.of(CallSite.Kind.TIMER, "bench.S" + (i % sites), "m", "S.java", i % sites))
            .start(0);
        now.addAndGet(step);
        w.sampleNow();
      }
      long total = GraphLayout.parseInstance(w).totalSize();
      long registry = GraphLayout.parseInstance(r).totalSize();
      long watch = total - registry;
      System.out.printf("| %d | %,d | %.0f |%n", sites, watch, (double) watch / sites);
    }
  }
}
