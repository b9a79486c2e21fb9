package dev.timerguard.junit;

import dev.timerguard.junit.internal.Durations;
import dev.timerguard.junit.internal.RunLedger;
import dev.timerguard.live.CallSite;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What {@link LeakVerifier#find} found: the threads started since a baseline and still alive, and
 * the call sites whose live timers, scheduled tasks or executors grew since it; empty when nothing
 * leaked.
 *
 * <p>Immutable and thread-safe. {@link #format(String)} renders the failure message: leaked threads
 * grouped by identical stacks with counts (like a goroutine profile summary), each group with its
 * state, daemon flag, names, full stack and creation site when known; then each live site with its
 * location, count and age.
 */
public final class LeakReport {

  /**
   * A thread that outlived the verification.
   *
   * @param name the thread's name (virtual threads often have an empty one)
   * @param id the thread id
   * @param state its state, or {@code null} when unknown (virtual threads on JDK 21-23)
   * @param daemon whether it is a daemon thread (virtual threads always are)
   * @param virtual whether it is a virtual thread
   * @param stack its stack, top frame first; may be empty when the JVM cannot walk it
   * @param origin where it was created: the site the TimerGuard agent recorded in {@link
   *     dev.timerguard.live.ThreadOrigins}, else the first frame outside the JDK in the stack of
   *     its {@code start()} (from JFR); {@code null} when neither is known
   * @param owner the test (or other scope) that started it, through the chain of starting threads,
   *     or {@code null} when unknown
   * @param startedBy the name of the thread that called {@code start()}, or {@code null}
   * @param creationStack the stack of {@code start()} (top frame first; JFR gives no file names,
   *     they are inferred from the class name), or empty when unknown
   */
  public record LeakedThread(
      String name,
      long id,
      Thread.State state,
      boolean daemon,
      boolean virtual,
      List<StackTraceElement> stack,
      CallSite origin,
      String owner,
      String startedBy,
      List<StackTraceElement> creationStack) {

    public LeakedThread {
      Objects.requireNonNull(name, "name");
      stack = List.copyOf(stack);
      creationStack = creationStack == null ? List.of() : List.copyOf(creationStack);
    }

    /** A thread with no creation details beyond the agent's site. */
    public LeakedThread(
        String name,
        long id,
        Thread.State state,
        boolean daemon,
        boolean virtual,
        List<StackTraceElement> stack,
        CallSite origin) {
      this(name, id, state, daemon, virtual, stack, origin, null, null, List.of());
    }
  }

  /**
   * A call site of the live registry whose live count grew during the verification and is still
   * above zero: timers or tickers not fired, cancelled or stopped, executors not shut down.
   *
   * @param site where they were created
   * @param leaked how many more are live than at the baseline
   * @param liveNow how many are live at the site now (leaked ones and older ones)
   * @param oldestLiveAgeNanos age of the oldest live one at the site, an upper bound with about
   *     four seconds of resolution (see {@link dev.timerguard.live.SiteStats})
   * @param retained for executor sites: how many more cancelled tasks its queue still holds than at
   *     the baseline (the {@code setRemoveOnCancelPolicy(false)} leak); otherwise {@code 0}
   */
  public record LeakedSite(
      CallSite site, long leaked, long liveNow, long oldestLiveAgeNanos, long retained) {

    public LeakedSite {
      Objects.requireNonNull(site, "site");
    }
  }

  private final List<LeakedThread> threads;
  private final List<LeakedSite> sites;
  private final List<LeakedSite> threadSites;
  private final List<String> notes;
  private final int checks;
  private final Duration waited;

  /** Threads whose start events had not arrived (the verifier waits for them). */
  final Set<Long> pending;

  /** What goes to the run's ledger instead of failing the test. */
  final List<RunLedger.Entry> deferred;

  LeakReport(
      List<LeakedThread> threads,
      List<LeakedSite> sites,
      List<LeakedSite> threadSites,
      List<String> notes,
      int checks,
      Duration waited) {
    this(threads, sites, threadSites, notes, checks, waited, Set.of(), List.of());
  }

  LeakReport(
      List<LeakedThread> threads,
      List<LeakedSite> sites,
      List<LeakedSite> threadSites,
      List<String> notes,
      int checks,
      Duration waited,
      Set<Long> pending,
      List<RunLedger.Entry> deferred) {
    this.pending = Set.copyOf(pending);
    this.deferred = List.copyOf(deferred);
    this.threads = List.copyOf(threads);
    this.sites = List.copyOf(sites);
    this.threadSites = List.copyOf(threadSites);
    this.notes = List.copyOf(notes);
    this.checks = checks;
    this.waited = waited;
  }

  /** Whether nothing leaked. Notes alone do not make a report non-empty. */
  public boolean isEmpty() {
    return threads.isEmpty() && sites.isEmpty();
  }

  /** The leaked threads, platform ones first. */
  public List<LeakedThread> threads() {
    return threads;
  }

  /** The timer, ticker and executor sites with live growth. */
  public List<LeakedSite> sites() {
    return sites;
  }

  /**
   * Thread-creation sites (kind {@link CallSite.Kind#THREAD}, counted by the agent) whose live
   * count grew: context for the leaked threads, not leaks by themselves.
   */
  public List<LeakedSite> threadSites() {
    return threadSites;
  }

  /** Remarks on what could not be checked (e.g. virtual threads on JDK 17). */
  public List<String> notes() {
    return notes;
  }

  /** How many times the verifier looked before giving this answer. */
  public int checks() {
    return checks;
  }

  /** How long the verifier waited for leaks to end before giving this answer. */
  public Duration waited() {
    return waited;
  }

  /**
   * The failure message for leaks found after {@code subject} (e.g. "test Foo.bar()").
   *
   * @throws NullPointerException if {@code subject} is null
   */
  public String format(String subject) {
    Objects.requireNonNull(subject, "subject");
    StringBuilder b = new StringBuilder();
    b.append("TimerGuard found leaks after ").append(subject).append(": ");
    List<String> parts = new ArrayList<>();
    if (!threads.isEmpty()) {
      parts.add(plural(threads.size(), "thread"));
    }
    if (!sites.isEmpty()) {
      long n = 0;
      long r = 0;
      for (LeakedSite s : sites) {
        n += s.leaked();
        r += s.retained();
      }
      if (n > 0) {
        parts.add(
            (n == 1 ? "1 live timer, task or executor" : n + " live timers, tasks or executors")
                + " at "
                + plural(sites.size(), "site"));
      }
      if (r > 0) {
        parts.add(plural(r, "retained cancelled task"));
      }
    }
    b.append(parts.isEmpty() ? "nothing" : String.join(", ", parts));
    b.append(" (checked ")
        .append(plural(checks, "time"))
        .append(" over ")
        .append(Durations.text(waited))
        .append(")\n");
    if (!threads.isEmpty()) {
      Map<List<Object>, List<LeakedThread>> groups = new LinkedHashMap<>();
      for (LeakedThread t : threads) {
        groups
            .computeIfAbsent(
                List.of(t.virtual(), String.valueOf(t.state()), t.daemon(), t.stack()),
                k -> new ArrayList<>())
            .add(t);
      }
      List<List<LeakedThread>> sorted = new ArrayList<>(groups.values());
      sorted.sort((x, y) -> Integer.compare(y.size(), x.size()));
      b.append("\nLeaked threads: ")
          .append(threads.size())
          .append(", in ")
          .append(plural(sorted.size(), "group"))
          .append(" by identical stack\n");
      for (List<LeakedThread> g : sorted) {
        LeakedThread t = g.get(0);
        b.append("\n  ")
            .append(g.size())
            .append(" x ")
            .append(t.virtual() ? "virtual" : "platform")
            .append(" thread, state ")
            .append(t.state() == null ? "unknown" : t.state())
            .append(", ")
            .append(t.daemon() ? "daemon" : "non-daemon")
            .append('\n');
        List<String> names = new ArrayList<>();
        g.sort((x, y) -> Long.compare(x.id(), y.id()));
        for (LeakedThread x : g) {
          names.add("\"" + x.name() + "\"#" + x.id());
        }
        b.append("    names: ").append(abbreviate(names, 10)).append('\n');
        Set<String> origins = new LinkedHashSet<>();
        Set<String> owners = new LinkedHashSet<>();
        for (LeakedThread x : g) {
          if (x.origin() != null) {
            origins.add(x.origin().location() + via(x.creationStack(), x.origin()));
          }
          if (x.owner() != null || x.startedBy() != null) {
            owners.add(
                (x.startedBy() == null ? "" : "thread \"" + x.startedBy() + "\"")
                    + (x.owner() == null
                        ? ""
                        : (x.startedBy() == null ? "" : " during ") + x.owner()));
          }
        }
        if (!origins.isEmpty()) {
          b.append("    created at: ")
              .append(abbreviate(new ArrayList<>(origins), 5).replace(", ", "\n                "))
              .append('\n');
        }
        if (!owners.isEmpty()) {
          b.append("    started by: ").append(abbreviate(new ArrayList<>(owners), 3)).append('\n');
        }
        b.append("    what to do: ").append(advice(t.stack(), t.virtual())).append('\n');
        if (t.stack().isEmpty()) {
          b.append("    (no stack available)\n");
        }
        for (StackTraceElement f : t.stack()) {
          b.append("      at ").append(frame(f)).append('\n');
        }
      }
    }
    if (threads.stream().anyMatch(t -> t.origin() == null && !t.virtual())) {
      b.append(
          "\n  (Creation sites are shown when thread attribution (JFR) is on or the TimerGuard"
              + " agent is loaded.)\n");
    }
    if (!sites.isEmpty()) {
      b.append("\nLive timers, scheduled tasks and executors created and not ended (")
          .append(plural(sites.size(), "site"))
          .append("):\n");
      for (LeakedSite s : sites) {
        b.append("  ").append(describe(s)).append('\n');
      }
    }
    if (!threadSites.isEmpty() && !threads.isEmpty()) {
      b.append("\nThread creation sites with more live threads than before (TimerGuard agent):\n");
      for (LeakedSite s : threadSites) {
        b.append("  ").append(s.site().location()).append(": +").append(s.leaked()).append('\n');
      }
    }
    for (String n : notes) {
      b.append("\nNote: ").append(n).append('\n');
    }
    b.append(
        "\nTo accept something that must outlive the test: @VerifyNoLeaks(ignoreThreadNames ="
            + " \"regex\", ignoreTopFrames = \"pkg.Class.method\") or the timerguard.leaks.ignore.*"
            + " properties (docs/junit.md).");
    return b.toString();
  }

  private static String describe(LeakedSite s) {
    String what;
    switch (s.site().kind()) {
      case TIMER:
        what = "timer";
        break;
      case TICKER:
        what = "ticker";
        break;
      case EXECUTOR:
        what = "executor";
        break;
      default:
        what = "thread";
    }
    String age =
        s.oldestLiveAgeNanos() <= 0
            ? ""
            : ", oldest live at this site at most "
                + Durations.text(Duration.ofNanos(s.oldestLiveAgeNanos()))
                + " old";
    StringBuilder b = new StringBuilder();
    b.append(s.site().kind()).append(' ').append(s.site().location()).append(": ");
    if (s.leaked() > 0) {
      b.append(s.leaked())
          .append(' ')
          .append(what)
          .append(s.leaked() == 1 ? "" : "s")
          .append(" still live (")
          .append(s.liveNow())
          .append(" live at this site in all")
          .append(age)
          .append(')');
    }
    if (s.retained() > 0) {
      b.append(s.leaked() > 0 ? "; " : "")
          .append(s.retained())
          .append(" cancelled task")
          .append(s.retained() == 1 ? "" : "s")
          .append(" still held in its queue (setRemoveOnCancelPolicy(true), or purge())");
    }
    if (s.leaked() > 0) {
      switch (s.site().kind()) {
        case TIMER:
          b.append(
              "\n      what to do: timer never cancelled: cancel() it (or close() its scheduler)"
                  + " when the work it guards is done");
          break;
        case TICKER:
          b.append(
              "\n      what to do: periodic timer never stopped: stop()/cancel() it in"
                  + " @AfterEach or when its owner closes");
          break;
        case EXECUTOR:
          b.append(
              "\n      what to do: executor never shut down: shutdown() and awaitTermination()"
                  + " it (close() on JDK 19+) in @AfterEach or when its owner closes");
          break;
        default:
          break;
      }
    }
    return b.toString();
  }

  /** The next frames outside the JDK after the creation site: where a helper was called from. */
  private static String via(List<StackTraceElement> creation, CallSite site) {
    List<String> more = new ArrayList<>();
    boolean seen = false;
    for (StackTraceElement f : creation) {
      if (!seen) {
        seen =
            f.getClassName().equals(site.className())
                && f.getMethodName().equals(site.methodName());
        continue;
      }
      if (LeakVerifier.frameworkFrame(f) || more.size() == 2) {
        break;
      }
      if (!LeakVerifier.jdkFrame(f)) {
        more.add(frame(f));
      }
    }
    return more.isEmpty() ? "" : " <- " + String.join(" <- ", more);
  }

  /**
   * What to do about a leaked thread, by the kind its stack shows: a pool never shut down, a {@code
   * java.util.Timer} never cancelled, a sleeping thread that may end by itself, or a thread never
   * stopped and joined.
   */
  static String advice(List<StackTraceElement> stack, boolean virtual) {
    boolean sleeping = false;
    for (StackTraceElement f : stack) {
      String c = f.getClassName();
      String m = f.getMethodName();
      if (c.equals("java.util.TimerThread")) {
        return "java.util.Timer never cancelled: call cancel() on the Timer when done (in"
            + " @AfterEach or when its owner closes)";
      }
      if ((c.equals("java.util.concurrent.ThreadPoolExecutor") && m.equals("getTask"))
          || (c.equals("java.util.concurrent.ForkJoinPool")
              && (m.equals("awaitWork") || m.equals("runWorker")))
          || c.startsWith("java.util.concurrent.ScheduledThreadPoolExecutor$DelayedWorkQueue")) {
        return "pool thread of an executor never shut down: shutdown() and awaitTermination() the"
            + " executor (close() on JDK 19+) when done";
      }
      if (c.equals("java.lang.Thread") && m.startsWith("sleep") && !sleeping) {
        sleeping = true;
      }
    }
    if (sleeping) {
      return "sleeping thread that may end by itself: if it does soon, join() it before the test"
          + " ends (or raise timerguard.leaks.grace); if it loops, stop it and join() it";
    }
    return (virtual ? "virtual" : "thread")
        + " never stopped and joined: make it end (interrupt it, set its stop flag, close what it"
        + " reads) and join() it before the test ends";
  }

  /** Like a {@link Throwable} trace: module without version, no class-loader name. */
  static String frame(StackTraceElement f) {
    StringBuilder b = new StringBuilder();
    if (f.getModuleName() != null) {
      b.append(f.getModuleName()).append('/');
    }
    b.append(f.getClassName()).append('.').append(f.getMethodName()).append('(');
    if (f.isNativeMethod()) {
      b.append("Native Method");
    } else if (f.getFileName() == null) {
      b.append("Unknown Source");
    } else {
      b.append(f.getFileName());
      if (f.getLineNumber() >= 0) {
        b.append(':').append(f.getLineNumber());
      }
    }
    return b.append(')').toString();
  }

  private static String plural(long n, String word) {
    return n + " " + word + (n == 1 ? "" : "s");
  }

  private static String abbreviate(List<String> items, int max) {
    if (items.size() <= max) {
      return String.join(", ", items);
    }
    return String.join(", ", items.subList(0, max))
        + String.format(Locale.ROOT, " and %d more", items.size() - max);
  }

  @Override
  public String toString() {
    return isEmpty() ? "LeakReport[no leaks]" : format("verification");
  }

  static LeakReport empty(List<String> notes, int checks, Duration waited) {
    return new LeakReport(
        Collections.emptyList(),
        Collections.emptyList(),
        Collections.emptyList(),
        notes,
        checks,
        waited);
  }
}
