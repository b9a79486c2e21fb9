package dev.timerguard.junit;

import dev.timerguard.junit.internal.Durations;
import dev.timerguard.junit.internal.ThreadAttribution;
import java.lang.reflect.AnnotatedElement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * The JUnit Jupiter extension behind {@link VerifyNoLeaks}: fails a test method (or class) that
 * leaves threads, timers, scheduled tasks or executors behind.
 *
 * <p>Three ways in:
 *
 * <ul>
 *   <li>{@code @VerifyNoLeaks} on a class or method (settings from the annotation and the
 *       configuration parameters);
 *   <li>{@code @RegisterExtension static LeakVerifierExtension leaks =
 *       LeakVerifierExtension.builder()...build();} (settings from the builder, plus the ignore
 *       rules of the configuration parameters; a {@code static} field also verifies the class, an
 *       instance field only the methods);
 *   <li>suite-wide: this class is listed in {@code META-INF/services/
 *       org.junit.jupiter.api.extension.Extension}, so {@code
 *       junit.jupiter.extensions.autodetection.enabled=true} applies it to every test class.
 * </ul>
 *
 * <p>When both an automatic instance and a programmatic one apply to a test, only the programmatic
 * one reports. Scope: a method from before its {@code @BeforeEach} methods to after its
 * {@code @AfterEach} methods; a class from before {@code @BeforeAll} to after {@code @AfterAll},
 * excluding leaks already reported for its methods.
 *
 * <p><b>Attribution and parallel execution.</b> Each verified test (or class) is a scope: a thread
 * is the test's when the test's thread started it, or a thread that is the test's did (JFR
 * thread-start events, see {@link LeakVerifier#ATTRIBUTION}). So with tests running concurrently
 * ({@code junit.jupiter.execution.parallel.enabled=true}) each test still fails for its own leaked
 * threads only; threads that belong to no test, and registry sites (timers, executors) that grew
 * while other tests ran, are reported once at the end of the run, never blamed on a test. When
 * attribution is off or JFR is not available, a concurrent test is not verified: the extension
 * publishes a report entry {@code timerguard.leaks} saying so and logs one warning per JVM.
 *
 * <p>Configuration errors (a malformed property or attribute) fail the affected tests with an
 * {@link IllegalArgumentException} naming the property. Thread-safe; state lives in the {@link
 * ExtensionContext.Store}.
 */
public final class LeakVerifierExtension
    implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

  /** The report-entry key published when a test cannot be verified. */
  public static final String REPORT_KEY = "timerguard.leaks";

  private static final Logger LOG = Logger.getLogger(LeakVerifierExtension.class.getName());
  private static final AtomicBoolean WARNED = new AtomicBoolean();
  private static final Namespace SHARED = Namespace.create(LeakVerifierExtension.class);

  /** Null for the annotation/autodetected instance, which reads annotations and parameters. */
  private final LeakVerifier.Builder explicit;

  private final Namespace own;

  /**
   * The instance used by {@code @VerifyNoLeaks} and by autodetection: settings come from the {@code
   * timerguard.leaks.*} configuration parameters and {@code @VerifyNoLeaks} attributes.
   */
  public LeakVerifierExtension() {
    this(null);
  }

  private LeakVerifierExtension(LeakVerifier.Builder explicit) {
    this.explicit = explicit;
    this.own = Namespace.create(LeakVerifierExtension.class, this);
  }

  /** A builder for {@code @RegisterExtension} use. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    begin(context);
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    begin(context);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    end(context);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    end(context);
  }

  private static final class State {
    final LeakVerifier verifier;
    final LeakVerifier.Baseline baseline;
    final ThreadAttribution attribution;
    final ThreadAttribution.Scope scope;

    State(
        LeakVerifier verifier,
        LeakVerifier.Baseline baseline,
        ThreadAttribution attribution,
        ThreadAttribution.Scope scope) {
      this.verifier = verifier;
      this.baseline = baseline;
      this.attribution = attribution;
      this.scope = scope;
    }
  }

  private void begin(ExtensionContext context) {
    LeakVerifier verifier = verifier(context);
    ThreadAttribution attr = verifier.attribution();
    if (attr == null && concurrent(context)) {
      String why =
          "not verified for leaks: tests run concurrently (junit.jupiter.execution.parallel.enabled"
              + "=true, CONCURRENT mode) and thread attribution is "
              + (verifier.attributes()
                  ? "not available (" + ThreadAttribution.shared().unavailableReason() + ")"
                  : "off (" + LeakVerifier.ATTRIBUTION + "=false)")
              + ", so threads and timers cannot be attributed to one test;"
              + " verify the whole run with LeakVerifierListener ("
              + LeakVerifierListener.ENABLED
              + "=true)";
      context.publishReportEntry(REPORT_KEY, why);
      if (WARNED.compareAndSet(false, true)) {
        LOG.warning("TimerGuard: tests " + why);
      }
      return;
    }
    ThreadAttribution.Scope scope =
        attr == null
            ? null
            : attr.open(
                context.getUniqueId(),
                subject(context),
                context.getParent().map(ExtensionContext::getUniqueId).orElse(null));
    context
        .getStore(own)
        .put(context.getUniqueId(), new State(verifier, verifier.baseline(scope), attr, scope));
  }

  private void end(ExtensionContext context) {
    State state = context.getStore(own).remove(context.getUniqueId(), State.class);
    if (state == null) {
      return;
    }
    try {
      judge(context, state);
    } finally {
      if (state.scope != null) {
        state.scope.markVerified();
        state.attribution.close(state.scope);
      }
    }
  }

  private void judge(ExtensionContext context, State state) {
    ExtensionContext.Store shared = context.getStore(SHARED);
    String claim = "reported:" + context.getUniqueId();
    // After-callbacks run in reverse registration order: programmatic instances come first.
    if (explicit == null && shared.get(claim) != null) {
      return;
    }
    shared.put(claim, Boolean.TRUE);
    LeakVerifier.Baseline baseline = state.baseline;
    for (LeakReport already : reported(context)) {
      baseline = baseline.accepting(already);
    }
    LeakReport report = state.verifier.find(baseline);
    if (report.isEmpty()) {
      return;
    }
    // Do not report the same leak again for the enclosing class (or classes, with @Nested),
    // whichever extension instance verifies them.
    for (Optional<ExtensionContext> p = context.getParent();
        p.isPresent() && p.get().getTestClass().isPresent();
        p = p.get().getParent()) {
      reported(p.get()).add(report);
    }
    throw new LeakDetectedError(subject(context), report);
  }

  /** Leaks already reported inside {@code context} (by its methods or nested classes). */
  @SuppressWarnings("unchecked")
  private static List<LeakReport> reported(ExtensionContext context) {
    return context
        .getStore(SHARED)
        .getOrComputeIfAbsent(
            "reported-inside:" + context.getUniqueId(),
            k -> new CopyOnWriteArrayList<LeakReport>(),
            List.class);
  }

  private static String subject(ExtensionContext context) {
    if (context.getTestMethod().isPresent()) {
      return "test "
          + context.getRequiredTestClass().getName()
          + "."
          + context.getRequiredTestMethod().getName()
          + "()"
          + (context.getDisplayName().startsWith(context.getRequiredTestMethod().getName())
              ? ""
              : " [" + context.getDisplayName() + "]");
    }
    return "test class "
        + context.getTestClass().map(Class::getName).orElse(context.getDisplayName())
        + " (@BeforeAll/@AfterAll, static state and leaks not attributed to a test method)";
  }

  static boolean concurrent(ExtensionContext context) {
    boolean parallel =
        context
            .getConfigurationParameter("junit.jupiter.execution.parallel.enabled")
            .map(v -> v.trim().equalsIgnoreCase("true"))
            .orElse(false);
    if (!parallel) {
      return false;
    }
    for (Optional<ExtensionContext> c = Optional.of(context);
        c.isPresent() && c.get().getTestClass().isPresent();
        c = c.get().getParent()) {
      if (c.get().getExecutionMode() == ExecutionMode.CONCURRENT) {
        return true;
      }
    }
    String classes =
        context
            .getConfigurationParameter("junit.jupiter.execution.parallel.mode.classes.default")
            .or(
                () ->
                    context.getConfigurationParameter(
                        "junit.jupiter.execution.parallel.mode.default"))
            .orElse("same_thread");
    return classes.trim().equalsIgnoreCase("concurrent");
  }

  private LeakVerifier verifier(ExtensionContext context) {
    ExtensionContext.Store root = context.getRoot().getStore(SHARED);
    LeakVerifier.Builder base =
        root.getOrComputeIfAbsent(
            "config",
            k -> LeakVerifier.builder().configure(context::getConfigurationParameter),
            LeakVerifier.Builder.class);
    if (explicit != null) {
      return root.getOrComputeIfAbsent(
          List.of("verifier", this), k -> explicit.merge(base).build(), LeakVerifier.class);
    }
    List<VerifyNoLeaks> annotations = annotations(context);
    // annotations are equal by value: one verifier per distinct combination, built once per run
    return root.getOrComputeIfAbsent(
        List.of("verifier", annotations), k -> build(base, annotations), LeakVerifier.class);
  }

  private static LeakVerifier build(LeakVerifier.Builder base, List<VerifyNoLeaks> annotations) {
    LeakVerifier.Builder b = base.copy();
    for (VerifyNoLeaks a : annotations) {
      if (!a.grace().isBlank()) {
        b.grace(Durations.parse("@VerifyNoLeaks(grace)", a.grace()));
      }
      if (!a.ignoreThreadNames().isBlank()) {
        b.ignoreThreadNames(a.ignoreThreadNames());
      }
      b.ignoreTopFrames(a.ignoreTopFrames());
      b.ignoreFrames(a.ignoreFrames());
    }
    return b.build();
  }

  /** The annotations from the outermost class to the method, so that inner ones win. */
  private static List<VerifyNoLeaks> annotations(ExtensionContext context) {
    List<VerifyNoLeaks> out = new ArrayList<>();
    for (Optional<ExtensionContext> c = Optional.of(context);
        c.isPresent();
        c = c.get().getParent()) {
      Optional<AnnotatedElement> e = c.get().getElement();
      if (e.isPresent() && c.get().getTestClass().isPresent()) {
        VerifyNoLeaks a = e.get().getAnnotation(VerifyNoLeaks.class);
        if (a != null) {
          out.add(a);
        }
      }
    }
    Collections.reverse(out);
    return out;
  }

  /**
   * Configures a programmatic {@link LeakVerifierExtension}. Not thread-safe; build once, in a
   * field initializer.
   */
  public static final class Builder {
    private final LeakVerifier.Builder b = LeakVerifier.builder();

    private Builder() {}

    /**
     * How long to wait for threads to end and timers to fire.
     *
     * @throws NullPointerException if {@code grace} is null
     * @throws IllegalArgumentException if {@code grace} is negative
     */
    public Builder grace(Duration grace) {
      b.grace(grace);
      return this;
    }

    /**
     * Ignores threads whose whole name matches {@code regex}.
     *
     * @throws IllegalArgumentException if the regex is invalid
     */
    public Builder ignoreThreadNames(String regex) {
      b.ignoreThreadNames(regex);
      return this;
    }

    /**
     * Ignores threads whose top frame matches a pattern.
     *
     * @throws IllegalArgumentException if a pattern is malformed
     */
    public Builder ignoreTopFrames(String... patterns) {
      b.ignoreTopFrames(patterns);
      return this;
    }

    /**
     * Ignores threads with any frame matching a pattern.
     *
     * @throws IllegalArgumentException if a pattern is malformed
     */
    public Builder ignoreFrames(String... patterns) {
      b.ignoreFrames(patterns);
      return this;
    }

    /** Whether to ignore {@link LeakVerifier#DEFAULT_IGNORED_THREAD_NAMES} (default true). */
    public Builder defaultIgnores(boolean on) {
      b.defaultIgnores(on);
      return this;
    }

    /** Whether to check timers, tasks and executors in the live registry (default true). */
    public Builder checkTimers(boolean on) {
      b.checkTimers(on);
      return this;
    }

    /** Whether to check virtual threads on JDK 21+ (default true). */
    public Builder checkVirtualThreads(boolean on) {
      b.checkVirtualThreads(on);
      return this;
    }

    /** Builds the extension. */
    public LeakVerifierExtension build() {
      return new LeakVerifierExtension(b.copy());
    }
  }
}
