package dev.timerguard.samples.service;

import dev.timerguard.Timers;
import dev.timerguard.samples.incidents.BlockedThread;
import dev.timerguard.samples.incidents.DiscardedCancel;
import dev.timerguard.samples.incidents.ExecutorPerCall;
import dev.timerguard.samples.incidents.FaultSites;
import dev.timerguard.samples.incidents.ResettingTicker;
import dev.timerguard.samples.incidents.RpcReadLoop;
import dev.timerguard.samples.probe.LoadGenerator;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A small service that leaks continuously, for live diagnosis ({@code timerguard doctor --demo}
 * launches it): run it, point a tool at its process, and watch the leaks grow.
 *
 * <p>At {@code rate} requests per second (default {@value #DEFAULT_RATE}) it runs the leaky code of
 * the reproducers, unchanged:
 *
 * <ul>
 *   <li>incident 1: a keepalive scheduled and cancelled per message on a default scheduler
 *       (retained cancelled tasks, {@code rate × 30} at steady state);
 *   <li>incident 3: a per-request 30 s timeout whose handle is discarded (live JDK timers, {@code
 *       rate × 30});
 *   <li>the same mistake on TimerGuard's own API: a {@code Timeout} per request never closed (a
 *       growing site in {@link dev.timerguard.live.LiveRegistry#global()});
 *   <li>K.3: the flush period changes once a second and leaks the old ticker (+60 tickers/min);
 *   <li>an executor per call every 10 s (+12 threads/min) and a thread blocked on a queue nobody
 *       feeds every 5 s (+12 threads/min).
 * </ul>
 *
 * <p>Memory grows by well under a megabyte a minute at the default rate. It runs until killed, or
 * for {@code --seconds N}; {@link #close()} releases everything it created. Thread-safe.
 */
public final class LeakyService implements AutoCloseable {

  /** Default requests per second. */
  public static final double DEFAULT_RATE = 100;

  private static final AtomicInteger IDS = new AtomicInteger();

  private final double rate;
  private final ScheduledThreadPoolExecutor keepaliveScheduler;
  private final ScheduledThreadPoolExecutor clientScheduler;
  private final ScheduledThreadPoolExecutor tickerScheduler;
  private final Timers timers;
  private final List<Object> created = Collections.synchronizedList(new ArrayList<>());
  private final FaultSites faults =
      new FaultSites(dev.timerguard.live.CallSite.Kind.TIMER, created::add);
  private final RpcReadLoop.LeakyConnection connection;
  private final DiscardedCancel.LeakyClient client;
  private final ResettingTicker.LeakyPeriodic periodic;
  private final ExecutorPerCall.LeakyRenderer renderer;
  private final BlockedThread.LeakyHandler handler;
  private final AtomicLong requests = new AtomicLong();
  private final LoadGenerator load;

  private LeakyService(double rate) {
    this.rate = rate;
    this.keepaliveScheduler = new ScheduledThreadPoolExecutor(1, named("leaky-keepalive"));
    this.clientScheduler = new ScheduledThreadPoolExecutor(1, named("leaky-client-timeouts"));
    this.tickerScheduler = new ScheduledThreadPoolExecutor(1, named("leaky-flush-ticker"));
    this.timers = Timers.builder().name("leaky-service").build();
    this.connection = new RpcReadLoop.LeakyConnection(keepaliveScheduler, faults);
    this.client = new DiscardedCancel.LeakyClient(clientScheduler, faults, url -> "200 OK");
    this.periodic = new ResettingTicker.LeakyPeriodic(tickerScheduler, faults);
    this.renderer = new ExecutorPerCall.LeakyRenderer(faults);
    this.handler =
        new BlockedThread.LeakyHandler(
            r -> {
              Thread t = new Thread(r, "leaky-result-auditor-" + IDS.incrementAndGet());
              t.setDaemon(true);
              return t;
            },
            faults);
    this.load = new LoadGenerator(this::request, rate, 1);
  }

  private static ThreadFactory named(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * Starts a service leaking at {@code rate} requests per second.
   *
   * @throws IllegalArgumentException if {@code rate} is not positive and finite
   */
  public static LeakyService start(double rate) {
    if (!(rate > 0) || Double.isInfinite(rate)) {
      throw new IllegalArgumentException("rate must be positive and finite, was " + rate);
    }
    LeakyService s = new LeakyService(rate);
    s.load.start();
    return s;
  }

  /** One request: a message, an outbound call, and now and then the slower leaks. */
  private void request() {
    long n = requests.incrementAndGet();
    BlockingQueue<String> incoming = new ArrayBlockingQueue<>(1);
    incoming.add("msg-" + n);
    connection.readLoop(incoming, 1, () -> {});
    client.fetch("/item/" + (n & 255));
    timers.schedule(Duration.ofSeconds(30), () -> {}); // safe API, handle discarded: still a leak
    long perSecond = Math.max(1, (long) rate);
    if (n % perSecond == 0) {
      periodic.updatePeriod(Duration.ofMillis(1_000 + (n / perSecond) % 1_000));
    }
    if (n % (perSecond * 5) == 0) {
      handler.handle("cached:/item/" + n);
    }
    if (n % (perSecond * 10) == 0) {
      try {
        renderer.render("page-" + n);
      } catch (Exception e) {
        throw new IllegalStateException("render failed", e);
      }
    }
  }

  /**
   * What the service holds now.
   *
   * @param requests requests served
   * @param retainedKeepalives cancelled keepalives still queued (incident 1)
   * @param liveClientTimeouts discarded client timeouts still scheduled (incident 3)
   * @param liveTickers leaked flush tickers (K.3)
   * @param liveTimerGuardTimers live timers of the service's TimerGuard instance
   * @param liveThreads live platform threads in the JVM
   */
  public record Status(
      long requests,
      long retainedKeepalives,
      long liveClientTimeouts,
      long liveTickers,
      long liveTimerGuardTimers,
      int liveThreads) {

    /** One status line. */
    public String line() {
      return String.format(
          Locale.ROOT,
          "requests=%d retained-keepalives=%d client-timeouts=%d tickers=%d timerguard-timers=%d"
              + " threads=%d",
          requests,
          retainedKeepalives,
          liveClientTimeouts,
          liveTickers,
          liveTimerGuardTimers,
          liveThreads);
    }
  }

  /** Counts what the service holds now (scans its schedulers' queues). */
  public Status status() {
    return new Status(
        requests.get(),
        count(keepaliveScheduler, true),
        count(clientScheduler, false),
        count(tickerScheduler, false),
        timers.liveCount(),
        Thread.activeCount());
  }

  private static long count(ScheduledThreadPoolExecutor s, boolean cancelled) {
    long n = 0;
    for (Runnable r : s.getQueue().toArray(new Runnable[0])) {
      if (r instanceof Future && ((Future<?>) r).isCancelled() == cancelled) {
        n++;
      }
    }
    return n;
  }

  /** Stops the load and releases every timer, executor and thread the service created. */
  @Override
  public void close() {
    load.stop(2_000);
    keepaliveScheduler.shutdownNow();
    clientScheduler.shutdownNow();
    tickerScheduler.shutdownNow();
    timers.closeNow();
    synchronized (created) {
      for (Object o : created) {
        if (o instanceof ExecutorService) {
          ((ExecutorService) o).shutdownNow();
        } else if (o instanceof Thread) {
          ((Thread) o).interrupt();
        }
      }
      created.clear();
    }
  }

  private static final String USAGE =
      "Usage: LeakyService [--seconds N] [--rate R] [--help]\n"
          + "Runs leaky reproducers continuously for live diagnosis.\n"
          + "  --seconds N   stop after N seconds (default: run until killed)\n"
          + "  --rate R      requests per second (default "
          + (long) DEFAULT_RATE
          + ")\n"
          + "  --help        show this help\n";

  /**
   * Runs the service from a command line and returns the exit code: {@code 0} after {@code
   * --seconds} (or {@code --help}), {@code 2} on bad arguments.
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    long seconds = -1;
    double rate = DEFAULT_RATE;
    try {
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--help":
          case "-h":
            out.print(USAGE);
            return 0;
          case "--seconds":
            seconds = Long.parseLong(value(args, ++i, "--seconds"));
            if (seconds < 1) {
              throw new IllegalArgumentException("--seconds must be at least 1, was " + seconds);
            }
            break;
          case "--rate":
            rate = Double.parseDouble(value(args, ++i, "--rate"));
            if (!(rate > 0) || Double.isInfinite(rate) || rate > 10_000) {
              throw new IllegalArgumentException("--rate must be in (0, 10000], was " + rate);
            }
            break;
          default:
            throw new IllegalArgumentException("unknown argument: " + args[i]);
        }
      }
    } catch (NumberFormatException e) {
      err.println("LeakyService: not a number: " + e.getMessage());
      err.print(USAGE);
      return 2;
    } catch (IllegalArgumentException e) {
      err.println("LeakyService: " + e.getMessage());
      err.print(USAGE);
      return 2;
    }
    try (LeakyService s = start(rate)) {
      out.printf(
          Locale.ROOT,
          "LeakyService pid %d: leaking at %.0f requests/s %s%n",
          ProcessHandle.current().pid(),
          rate,
          seconds > 0 ? "for " + seconds + " s" : "until killed");
      out.flush();
      long start = System.nanoTime();
      long end = seconds > 0 ? start + TimeUnit.SECONDS.toNanos(seconds) : 0;
      long next = start;
      while (true) {
        next += TimeUnit.SECONDS.toNanos(5);
        if (seconds > 0 && next - end > 0) {
          next = end;
        }
        long wait;
        while ((wait = next - System.nanoTime()) > 0) {
          LockSupport.parkNanos(wait);
          if (Thread.interrupted()) {
            return 0;
          }
        }
        out.printf(
            Locale.ROOT,
            "t=%ds %s%n",
            TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start),
            s.status().line());
        out.flush();
        if (seconds > 0 && next == end) {
          break;
        }
      }
    }
    return 0;
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[i];
  }

  /**
   * Entry point: {@code java -cp ... dev.timerguard.samples.service.LeakyService [--seconds N]}.
   */
  public static void main(String[] args) {
    int code = run(args, System.out, System.err);
    if (code != 0) {
      System.exit(code);
    }
  }
}
