package dev.timerguard.cli.soak;

import dev.timerguard.live.CallSite;
import dev.timerguard.samples.incidents.Variant;
import dev.timerguard.samples.probe.LoadGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The child JVM of the chaos harness, started with the agent loaded: drives every {@link
 * ChaosClients client} of one variant with its own {@link LoadGenerator} at a bounded rate against
 * the upstreams the parent runs, for a bounded time, then exits.
 *
 * <p>Arguments: {@code leaky|fixed FLAPPING_PORT SLOW_PORT DURATION RATE} (duration in ISO-8601,
 * e.g. {@code PT20S}; rate in calls per second per client). Prints, one per line: {@code site NAME
 * CLASS LINE} for each client's marked leak line (after one call of each), {@code ready}, then
 * every second {@code heap BYTES} (heap in use after a {@code System.gc()}), and at the end {@code
 * done NAME CALLS FAILURES} per client and {@code exit}. A bad argument prints one line naming it
 * on stderr and exits with status 2.
 */
public final class ChaosChild {

  private ChaosChild() {}

  public static void main(String[] args) {
    if (args.length != 5) {
      usage("expected 5 arguments, got " + args.length);
    }
    Variant variant = null;
    for (Variant v : Variant.values()) {
      if (v.label().equals(args[0])) {
        variant = v;
      }
    }
    if (variant == null) {
      usage("variant must be leaky or fixed, was '" + args[0] + "'");
    }
    int flappingPort = (int) number("FLAPPING_PORT", args[1], 1, 65_535);
    int slowPort = (int) number("SLOW_PORT", args[2], 1, 65_535);
    Duration duration = null;
    try {
      duration = Duration.parse(args[3]);
    } catch (RuntimeException e) {
      usage("DURATION must be an ISO-8601 duration such as PT20S, was '" + args[3] + "'");
    }
    if (duration.isNegative() || duration.isZero()) {
      usage("DURATION must be positive, was " + duration);
    }
    double rate = number("RATE", args[4], 0.1, 10_000);
    List<ChaosClients.Client> clients = ChaosClients.all(variant, flappingPort, slowPort);
    for (ChaosClients.Client c : clients) {
      try {
        c.call(); // records the marked line; the upstream may well be failing
      } catch (IOException expected) {
        // chaos
      }
      CallSite s = c.faults().first();
      System.out.println("site " + c.name() + " " + s.className() + " " + s.line());
    }
    System.out.println("ready");
    System.out.flush();
    List<LoadGenerator> load = new ArrayList<>();
    for (ChaosClients.Client c : clients) {
      LoadGenerator g =
          new LoadGenerator(
              () -> {
                try {
                  c.call();
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              },
              rate,
              c.workers());
      load.add(g);
      g.start();
    }
    long end = System.nanoTime() + duration.toNanos();
    long next = System.nanoTime();
    while (System.nanoTime() < end) {
      System.gc();
      long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
      System.out.println("heap " + heap);
      System.out.flush();
      next += TimeUnit.SECONDS.toNanos(1);
      long wait;
      while ((wait = Math.min(next, end) - System.nanoTime()) > 0) {
        LockSupport.parkNanos(wait);
      }
    }
    for (int i = 0; i < clients.size(); i++) {
      LoadGenerator g = load.get(i);
      g.stop(2_000);
      System.out.println(
          "done " + clients.get(i).name() + " " + g.operations() + " " + g.failures());
    }
    System.out.println("exit");
    System.out.flush();
    System.exit(0); // the leaky clients' non-daemon scheduler threads would keep the JVM alive
  }

  private static double number(String name, String value, double min, double max) {
    try {
      double d = Double.parseDouble(value);
      if (d >= min && d <= max) {
        return d;
      }
    } catch (NumberFormatException e) {
      // below
    }
    usage(name + " must be a number from " + min + " to " + max + ", was '" + value + "'");
    return 0; // not reached
  }

  private static void usage(String problem) {
    System.err.println(
        "chaos child: "
            + problem
            + "; usage: leaky|fixed FLAPPING_PORT SLOW_PORT DURATION(ISO-8601) RATE");
    System.exit(2);
  }
}
