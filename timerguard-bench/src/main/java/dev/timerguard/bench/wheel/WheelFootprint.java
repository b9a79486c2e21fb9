package dev.timerguard.bench.wheel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jol.info.ClassLayout;

/**
 * Bytes per pending timer, handle included: the heap-used delta (after full GCs) of holding
 * 1,000,000 pending timers and their handles, divided by 1,000,000. Tasks are one shared instance
 * where the peer allows it; where a peer needs a task object per timer (Kafka TimerTask,
 * java.util.TimerTask) that object is its handle and is counted. Agrona has no handle or task at
 * all (a long id), so its figure is the wheel's arrays only. Also prints JOL's instance size of the
 * wheel's own timer classes.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.timerguard.bench.wheel.WheelFootprint
 * [peer,peer,...]}
 */
public final class WheelFootprint {

  static final int N = 1_000_000;

  public static void main(String[] args) throws Exception {
    List<String> peers =
        args.length > 0
            ? Arrays.asList(args[0].split(","))
            : new ArrayList<>(WheelLateness.defaultPeers());
    if (args.length == 0) {
      peers.add(1, "wheelCounted");
    }
    System.out.println("| peer | bytes per pending timer (handle included) |");
    System.out.println("|---|---:|");
    for (String p : peers) {
      measure(p); // warm-up: classes loaded, wheel arrays allocated once
      double b = measure(p);
      System.out.printf("| %s | %.1f |%n", p, b);
    }
    try (TimerPeer.Wheel w = (TimerPeer.Wheel) TimerPeer.create("wheel")) {
      Object handle = w.schedule(TimeUnit.HOURS.toNanos(1));
      System.out.println();
      System.out.println(ClassLayout.parseInstance(handle).toPrintable());
    }
    try (TimerPeer.Wheel w = (TimerPeer.Wheel) TimerPeer.create("wheelCounted")) {
      Object handle = w.schedule(TimeUnit.HOURS.toNanos(1));
      System.out.println(ClassLayout.parseInstance(handle).toPrintable());
    }
  }

  static long used() throws InterruptedException {
    long best = Long.MAX_VALUE;
    for (int i = 0; i < 4; i++) {
      System.gc();
      Thread.sleep(50);
      Runtime rt = Runtime.getRuntime();
      best = Math.min(best, rt.totalMemory() - rt.freeMemory());
    }
    return best;
  }

  static double measure(String name) throws Exception {
    try (TimerPeer peer = TimerPeer.create(name)) {
      peer.schedule(TimeUnit.HOURS.toNanos(2)); // lazily created structures exist before "before"
      Object[] handles = new Object[N];
      long before = used();
      for (int i = 0; i < N; i++) {
        // spread over an hour so that every peer uses many buckets, as real timeouts do
        handles[i] = peer.schedule(TimeUnit.HOURS.toNanos(1) + i * 3_600L);
      }
      long after = used();
      double perTimer = (after - before) / (double) N;
      for (Object h : handles) {
        if (h instanceof java.util.concurrent.Future) {
          ((java.util.concurrent.Future<?>) h).cancel(false);
        }
      }
      return perTimer;
    }
  }
}
