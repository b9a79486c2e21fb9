package dev.timerguard.lint.rules;

import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.IdentifierTree;
import com.sun.source.tree.LambdaExpressionTree;
import com.sun.source.tree.MemberReferenceTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.NewClassTree;
import com.sun.source.tree.Tree;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreeScanner;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;

/**
 * Classifies calls that arm a timer: {@code ScheduledExecutorService.schedule*}, {@code
 * java.util.Timer.schedule*}, {@code
 * CompletableFuture.orTimeout/completeOnTimeout/delayedExecutor}, Netty {@code Timer.newTimeout}
 * and copies of Netty's wheel in other packages (recognised by shape, see {@link
 * #isWheelNewTimeout}), Reactor and RxJava schedulers and workers ({@code schedule(task, delay,
 * unit)}, {@code schedulePeriodically}, RxJava's {@code scheduleDirect}), a {@code subscribe} to
 * Reactor's {@code Mono.delay}/{@code Flux.interval} or RxJava's {@code timer}/{@code interval},
 * and TimerGuard's methods marked {@code @CreatesTimer}; and tells whether a scheduled task acts
 * like a timeout. Owners are resolved by type, never by name alone. Not thread-safe, like its
 * resolver.
 */
final class TimerCalls {
  /** What a timer-scheduling call does. */
  enum Kind {
    ONE_SHOT,
    PERIODIC,
    FUTURE_TIMEOUT,
    DELAYED_EXECUTOR,
    /**
     * A reusable timer object of the TimerGuard API (watchdog, throttle, ...), live until closed.
     */
    REUSABLE
  }

  /**
   * A resolved timer-scheduling call: its kind, a human name of the API, the handle it returns
   * ({@code ScheduledFuture}, {@code Timeout}, {@code Disposable}, ...) and the call that releases
   * that handle, for messages.
   */
  record Call(Kind kind, String api, String handle, String release) {
    /** A call whose handle is named after its API (TimerTask, Netty Timeout, ScheduledFuture). */
    Call(Kind kind, String api) {
      this(
          kind,
          api,
          api.startsWith("java.util.Timer")
              ? "TimerTask"
              : api.contains("netty") ? "Timeout" : "ScheduledFuture",
          "cancel(false)");
    }
  }

  private static final Set<String> TIMEOUT_ACTIONS =
      Set.of(
          "completeExceptionally",
          "cancel",
          "complete",
          "obtrudeException",
          "interrupt",
          "setFailure",
          "tryFailure",
          "abort",
          "fail",
          "onTimeout",
          "timeout",
          "expire",
          "timedOut");

  private final TypeResolver types;

  TimerCalls(TypeResolver types) {
    this.types = types;
  }

  private static final Set<String> SES_METHODS =
      Set.of("schedule", "scheduleAtFixedRate", "scheduleWithFixedDelay");
  private static final Set<String> TIMER_METHODS = Set.of("schedule", "scheduleAtFixedRate");
  private static final Set<String> CF_TIMEOUTS = Set.of("orTimeout", "completeOnTimeout");

  /** Classifies a method invocation that arms a timer, or returns null. */
  Call classify(TreePath path) {
    if (!(path.getLeaf() instanceof MethodInvocationTree)) {
      return null;
    }
    MethodInvocationTree inv = (MethodInvocationTree) path.getLeaf();
    String name = TreePaths.methodName(inv);
    if (SES_METHODS.contains(name) && types.isCall(path, ApiNames.SES, SES_METHODS)) {
      return new Call(
          name.equals("schedule") ? Kind.ONE_SHOT : Kind.PERIODIC,
          "ScheduledExecutorService." + name);
    }
    if (TIMER_METHODS.contains(name) && types.isCall(path, ApiNames.TIMER, TIMER_METHODS)) {
      boolean oneShot = name.equals("schedule") && inv.getArguments().size() == 2;
      return new Call(oneShot ? Kind.ONE_SHOT : Kind.PERIODIC, "java.util.Timer." + name);
    }
    if (CF_TIMEOUTS.contains(name) && types.isCall(path, ApiNames.CF, CF_TIMEOUTS)) {
      return new Call(Kind.FUTURE_TIMEOUT, "CompletableFuture." + name);
    }
    if (name.equals("delayedExecutor")
        && types.isCall(path, ApiNames.CF, Set.of("delayedExecutor"))) {
      return new Call(Kind.DELAYED_EXECUTOR, "CompletableFuture.delayedExecutor");
    }
    if (name.equals("newTimeout")) {
      if (types.isCall(path, ApiNames.NETTY_TIMER, Set.of("newTimeout"))) {
        return new Call(Kind.ONE_SHOT, "io.netty.util.Timer.newTimeout");
      }
      ExecutableElement m = types.method(path);
      if (m != null && isWheelNewTimeout(m)) {
        return new Call(
            Kind.ONE_SHOT, m.getEnclosingElement() + ".newTimeout", "Timeout", "cancel()");
      }
    }
    if (SCHEDULER_ONE_SHOT.contains(name) || SCHEDULER_PERIODIC.contains(name)) {
      Call c = schedulerCall(path, name);
      if (c != null) {
        return c;
      }
    }
    if (name.equals("subscribe")) {
      Call c = timedSubscription(path, inv);
      if (c != null) {
        return c;
      }
    }
    TimerGuardApi.Kind api = timerGuardKind(path);
    if (api != null && api != TimerGuardApi.Kind.ENGINE) {
      ExecutableElement m = types.method(path);
      return new Call(
          Kind.valueOf(api.name()), m.getEnclosingElement().getSimpleName() + "." + name);
    }
    return null;
  }

  /** Reactor's and RxJava's one-shot delayed schedules (with a delay and a TimeUnit). */
  private static final Set<String> SCHEDULER_ONE_SHOT = Set.of("schedule", "scheduleDirect");

  private static final Set<String> SCHEDULER_PERIODIC =
      Set.of("schedulePeriodically", "schedulePeriodicallyDirect");

  /** Reactor's and RxJava's schedulers and workers: their timed schedules return Disposable. */
  static final java.util.List<String> REACTIVE_SCHEDULERS =
      java.util.List.of(
          ApiNames.REACTOR_SCHEDULER,
          ApiNames.REACTOR_WORKER,
          ApiNames.RX3_SCHEDULER,
          ApiNames.RX3_SCHEDULER + ".Worker",
          ApiNames.RX2_SCHEDULER,
          ApiNames.RX2_SCHEDULER + ".Worker");

  /**
   * A timed schedule on a Reactor or RxJava scheduler or worker: {@code schedule(task, delay,
   * unit)} / {@code scheduleDirect(..)} (one-shot) or {@code schedulePeriodically(task, initial,
   * period, unit)} / {@code schedulePeriodicallyDirect(..)}; an immediate {@code schedule(task)} is
   * not a timer. Null otherwise.
   */
  private Call schedulerCall(TreePath path, String name) {
    ExecutableElement m = types.method(path);
    if (m == null
        || m.getParameters().isEmpty()
        || !types.isSubtype(
            m.getParameters().get(m.getParameters().size() - 1).asType(), ApiNames.TIME_UNIT)) {
      return null;
    }
    Set<String> names = Set.of(name);
    for (String owner : REACTIVE_SCHEDULERS) {
      if (types.isCall(path, owner, names)) {
        boolean oneShot = SCHEDULER_ONE_SHOT.contains(name);
        return new Call(
            oneShot ? Kind.ONE_SHOT : Kind.PERIODIC,
            m.getEnclosingElement() + "." + name,
            "Disposable",
            "dispose()");
      }
    }
    return null;
  }

  /** Static factories of timed publishers: one-shot ({@code delay}, {@code timer}) or periodic. */
  private static final Set<String> TIMED_SOURCES = Set.of("delay", "timer", "interval");

  /**
   * {@code Mono.delay(d).subscribe(..)}, {@code Flux.interval(d).subscribe(..)}, RxJava's {@code
   * Completable/Single/Maybe/Observable/Flowable.timer(..)} or {@code interval(..)} directly
   * followed by a {@code subscribe} that returns a {@code Disposable}: the subscription is the
   * timer. Operators in between (take, timeout, ...) change what it is, so only the direct form
   * counts. Null otherwise.
   */
  private Call timedSubscription(TreePath path, MethodInvocationTree inv) {
    ExpressionTree r = TreePaths.receiver(inv);
    if (!(r instanceof MethodInvocationTree)) {
      return null;
    }
    String source = TreePaths.methodName((MethodInvocationTree) r);
    if (!TIMED_SOURCES.contains(source)) {
      return null;
    }
    ExecutableElement sub = types.method(path);
    if (sub == null || sub.getReturnType().getKind() == TypeKind.VOID) {
      return null;
    }
    ExecutableElement factory =
        types.method(new TreePath(new TreePath(path, inv.getMethodSelect()), r));
    if (factory == null || !factory.getModifiers().contains(Modifier.STATIC)) {
      return null;
    }
    String owner = factory.getEnclosingElement().toString();
    boolean reactor =
        (owner.equals(ApiNames.REACTOR_MONO) && source.equals("delay"))
            || (owner.equals(ApiNames.REACTOR_FLUX) && source.equals("interval"));
    boolean rx = ApiNames.RX_SOURCES.contains(owner) && !source.equals("delay");
    if (!reactor && !rx) {
      return null;
    }
    String simple = factory.getEnclosingElement().getSimpleName().toString();
    return new Call(
        source.equals("interval") ? Kind.PERIODIC : Kind.ONE_SHOT,
        simple + "." + source + "(..).subscribe",
        "Disposable",
        "dispose()");
  }

  /**
   * Whether {@code m} has the shape of Netty's {@code Timer.newTimeout(TimerTask task, long delay,
   * TimeUnit unit)} returning a handle with a no-argument {@code cancel()}: copies of Netty's wheel
   * shaded or re-implemented in other projects (Dubbo, Redisson, Ratis, ...) are recognised by
   * their resolved types, whatever their package.
   */
  boolean isWheelNewTimeout(ExecutableElement m) {
    if (!m.getSimpleName().contentEquals("newTimeout")
        || m.getModifiers().contains(Modifier.STATIC)) {
      return false;
    }
    List<? extends VariableElement> ps = m.getParameters();
    return ps.size() == 3
        && ps.get(0).asType().getKind() == TypeKind.DECLARED
        && ps.get(1).asType().getKind() == TypeKind.LONG
        && types.isSubtype(ps.get(2).asType(), ApiNames.TIME_UNIT)
        && noArgMethod(m.getReturnType(), "cancel") != null;
  }

  /**
   * Whether {@code type} is a timer with the shape of Netty's wheel: a {@code newTimeout} as in
   * {@link #isWheelNewTimeout} and a no-argument {@code stop()} that releases its thread.
   */
  boolean isWheelTimer(TypeMirror type) {
    TypeElement te = typeElement(type);
    if (te == null || noArgMethod(type, "stop") == null) {
      return false;
    }
    for (Element e : allMembers(te)) {
      if (e instanceof ExecutableElement && isWheelNewTimeout((ExecutableElement) e)) {
        return true;
      }
    }
    return false;
  }

  private ExecutableElement noArgMethod(TypeMirror type, String name) {
    TypeElement te = typeElement(type);
    if (te == null) {
      return null;
    }
    for (Element e : allMembers(te)) {
      if (e.getKind() == ElementKind.METHOD
          && e.getSimpleName().contentEquals(name)
          && ((ExecutableElement) e).getParameters().isEmpty()) {
        return (ExecutableElement) e;
      }
    }
    return null;
  }

  private static TypeElement typeElement(TypeMirror type) {
    return type != null
            && type.getKind() == TypeKind.DECLARED
            && ((DeclaredType) type).asElement() instanceof TypeElement
        ? (TypeElement) ((DeclaredType) type).asElement()
        : null;
  }

  private List<? extends Element> allMembers(TypeElement te) {
    try {
      return types.ctx.elements().getAllMembers(te);
    } catch (RuntimeException e) {
      return List.of(); // a broken hierarchy: unknown, so no match
    }
  }

  /**
   * The {@code @CreatesTimer} kind of the method that {@code invocation} calls, or null (not a
   * TimerGuard timer-creating method, or it does not resolve).
   */
  TimerGuardApi.Kind timerGuardKind(TreePath invocation) {
    if (!(invocation.getLeaf() instanceof MethodInvocationTree)) {
      return null;
    }
    ExecutableElement m = types.method(invocation);
    return m == null ? null : TimerGuardApi.kindOf(m, types.type(TimerGuardApi.ANNOTATION) != null);
  }

  /**
   * The task argument of a scheduling call: the first lambda, method reference or anonymous class.
   */
  static ExpressionTree task(MethodInvocationTree node) {
    for (ExpressionTree a : node.getArguments()) {
      if (a instanceof LambdaExpressionTree
          || a instanceof MemberReferenceTree
          || (a instanceof NewClassTree && ((NewClassTree) a).getClassBody() != null)) {
        return a;
      }
    }
    return node.getArguments().isEmpty() ? null : node.getArguments().get(0);
  }

  /** Whether the task's body acts like a timeout: completes/fails/cancels/closes something. */
  static boolean looksLikeTimeout(ExpressionTree task) {
    if (task instanceof MemberReferenceTree) {
      return isTimeoutName(((MemberReferenceTree) task).getName().toString());
    }
    if (!(task instanceof LambdaExpressionTree) && !(task instanceof NewClassTree)) {
      return false;
    }
    boolean[] found = {false};
    new TreeScanner<Void, Void>() {
      @Override
      public Void visitMethodInvocation(MethodInvocationTree node, Void v) {
        if (isTimeoutName(TreePaths.methodName(node))) {
          found[0] = true;
        }
        return super.visitMethodInvocation(node, v);
      }

      @Override
      public Void visitNewClass(NewClassTree node, Void v) {
        if (node.getIdentifier().toString().contains("Timeout")) {
          found[0] = true;
        }
        return super.visitNewClass(node, v);
      }

      @Override
      public Void visitIdentifier(IdentifierTree node, Void v) {
        return null;
      }

      @Override
      public Void scan(Tree tree, Void v) {
        return found[0] ? null : super.scan(tree, v);
      }
    }.scan(task, null);
    return found[0];
  }

  private static boolean isTimeoutName(String name) {
    return TIMEOUT_ACTIONS.contains(name) || name.toLowerCase(Locale.ROOT).contains("timeout");
  }
}
