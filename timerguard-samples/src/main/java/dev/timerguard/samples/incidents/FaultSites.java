package dev.timerguard.samples.incidents;

import dev.timerguard.live.CallSite;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Records the source line of a suspect call, so reports point at the line at fault from real data
 * rather than from a hard-coded string.
 *
 * <p>A reproducer wraps the value a suspect call returns: {@code
 * faults.mark(scheduler.schedule(...))} returns its argument unchanged and records the caller's
 * frame (class, method, file, line) with a {@link StackWalker}; it stands in for the hook the
 * TimerGuard agent puts on JDK timer methods. To bound the cost, only the first {@value #WALKS}
 * marks walk the stack (a reproducer's suspect call sits in a loop, so its site is known after the
 * first walk); later marks only count.
 *
 * <p>Thread-safe. Memory: at most {@value #MAX_SITES} distinct sites.
 */
public final class FaultSites {

  static final int WALKS = 1_000;
  static final int MAX_SITES = 64;

  private static final StackWalker WALKER = StackWalker.getInstance();

  private final CallSite.Kind kind;
  private final java.util.function.Consumer<Object> listener;
  private final AtomicLong marks = new AtomicLong();
  private final Map<CallSite, AtomicLong> sites = new LinkedHashMap<>();

  /**
   * A recorder whose sites have the given kind.
   *
   * @throws NullPointerException if {@code kind} is null
   */
  public FaultSites(CallSite.Kind kind) {
    this(kind, v -> {});
  }

  /**
   * A recorder that also hands every marked value to {@code listener} (on the marking thread), e.g.
   * so a harness can count or clean up what the marked calls created.
   *
   * @throws NullPointerException if an argument is null
   */
  public FaultSites(CallSite.Kind kind, java.util.function.Consumer<Object> listener) {
    this.kind = java.util.Objects.requireNonNull(kind, "kind");
    this.listener = java.util.Objects.requireNonNull(listener, "listener");
  }

  /** A recorder of timer sites. */
  public FaultSites() {
    this(CallSite.Kind.TIMER);
  }

  /**
   * Records the caller's line and returns {@code value} unchanged ({@code null} is allowed: a call
   * returning nothing useful can be marked with {@code mark(null)} on the same line).
   */
  public <T> T mark(T value) {
    long n = marks.incrementAndGet();
    if (n <= WALKS) {
      StackWalker.StackFrame f = WALKER.walk(s -> s.skip(1).findFirst()).orElse(null);
      if (f != null) {
        CallSite site = CallSite.of(kind, f);
        synchronized (sites) {
          AtomicLong c = sites.get(site);
          if (c == null && sites.size() < MAX_SITES) {
            sites.put(site, c = new AtomicLong());
          }
          if (c != null) {
            c.incrementAndGet();
          }
        }
      }
    }
    if (value != null) {
      listener.accept(value);
    }
    return value;
  }

  /** How many times {@link #mark} was called. */
  public long marks() {
    return marks.get();
  }

  /** The distinct sites seen, in order of first mark. */
  public List<CallSite> sites() {
    synchronized (sites) {
      return new ArrayList<>(sites.keySet());
    }
  }

  /** The first site marked, or {@code null} when nothing was marked. */
  public CallSite first() {
    synchronized (sites) {
      return sites.isEmpty() ? null : sites.keySet().iterator().next();
    }
  }
}
