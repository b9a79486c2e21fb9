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
import java.util.Locale;
import java.util.Set;
import javax.lang.model.element.ExecutableElement;

/**
 * Classifies calls that arm a timer: {@code ScheduledExecutorService.schedule*}, {@code
 * java.util.Timer.schedule*}, {@code
 * CompletableFuture.orTimeout/completeOnTimeout/delayedExecutor}, Netty {@code Timer.newTimeout},
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

  /** A resolved timer-scheduling call: its kind and a human name of the API. */
  record Call(Kind kind, String api) {}

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
    if (name.equals("newTimeout")
        && types.isCall(path, ApiNames.NETTY_TIMER, Set.of("newTimeout"))) {
      return new Call(Kind.ONE_SHOT, "io.netty.util.Timer.newTimeout");
    }
    TimerGuardApi.Kind api = timerGuardKind(path);
    if (api != null && api != TimerGuardApi.Kind.ENGINE) {
      ExecutableElement m = types.method(path);
      return new Call(
          Kind.valueOf(api.name()), m.getEnclosingElement().getSimpleName() + "." + name);
    }
    return null;
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
