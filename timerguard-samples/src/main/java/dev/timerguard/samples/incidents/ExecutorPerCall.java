package dev.timerguard.samples.incidents;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The executor counterpart of goroutines launched per call without a bound: every call creates a
 * two-thread pool to fan out its work and never shuts it down. A fixed pool's threads do not time
 * out, so each call leaves two idle threads behind, forever.
 *
 * <p>Fix: shut the pool down in {@code finally} (on Java 21+, try-with-resources on the {@code
 * ExecutorService}), or better, share one pool.
 */
public final class ExecutorPerCall extends BaseIncident {

  public ExecutorPerCall() {
    super(
        11,
        "Executor per call, never shut down",
        "for _, item := range items { go process(item) } // unbounded, never joined",
        "each call creates Executors.newFixedThreadPool(2) and never shuts it down; its idle"
            + " threads live forever",
        "shut the per-call pool down in finally (or share one pool)",
        "live executors",
        200);
  }

  /** The leaky renderer. Thread-safe. */
  public static final class LeakyRenderer {
    private final FaultSites faults;

    public LeakyRenderer(FaultSites faults) {
      this.faults = faults;
    }

    public String render(String page) throws Exception {
      ExecutorService pool = faults.mark(Executors.newFixedThreadPool(2)); // never shut down
      Future<String> header = pool.submit(() -> "<h1>" + page + "</h1>");
      Future<String> body = pool.submit(() -> "<p>" + page + "</p>");
      return header.get() + body.get();
    }
  }

  /** The fixed renderer. Thread-safe. */
  public static final class FixedRenderer {
    private final FaultSites faults;

    public FixedRenderer(FaultSites faults) {
      this.faults = faults;
    }

    public String render(String page) throws Exception {
      ExecutorService pool = faults.mark(Executors.newFixedThreadPool(2));
      try {
        Future<String> header = pool.submit(() -> "<h1>" + page + "</h1>");
        Future<String> body = pool.submit(() -> "<p>" + page + "</p>");
        return header.get() + body.get();
      } finally {
        pool.shutdown(); // the fix
      }
    }
  }

  @Override
  void leaky(Run run) throws Exception {
    LeakyRenderer r = new LeakyRenderer(run.faults());
    run.signal(run::liveExecutors);
    for (int i = 0; i < run.operations; i++) {
      r.render("page-" + i);
      run.step();
    }
  }

  @Override
  void fixed(Run run) throws Exception {
    FixedRenderer r = new FixedRenderer(run.faults());
    run.signal(run::liveExecutors);
    for (int i = 0; i < run.operations; i++) {
      r.render("page-" + i);
      run.step();
    }
  }
}
