package dev.timerguard.lint.rules;

import com.sun.source.tree.ExpressionStatementTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.IdentifierTree;
import com.sun.source.tree.LambdaExpressionTree;
import com.sun.source.tree.MemberReferenceTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.NewClassTree;
import com.sun.source.tree.Tree;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreePathScanner;
import com.sun.source.util.TreeScanner;
import dev.timerguard.lint.Rule;
import dev.timerguard.lint.RuleContext;
import java.util.Locale;
import java.util.Set;

/**
 * TG102 discarded-timer-handle: the handle of a one-shot <em>timeout</em> ({@code
 * ScheduledFuture}, Netty {@code Timeout}, the {@code TimerTask} of {@code Timer.schedule(new
 * TimerTask(){..}, delay)}, a TimerGuard one-shot) is dropped, so the work cannot cancel the timer
 * when it finishes early; the timer stays queued for its full delay (the JVM's discarded {@code
 * time.AfterFunc}).
 *
 * <p>Precision first: only tasks that look like timeouts are reported: their body completes, fails,
 * cancels, interrupts or closes something, or mentions a timeout. A delayed retry or a
 * fire-and-forget delayed action has nothing to cancel and is not reported; neither are periodic
 * tasks (see TG103 for their owners) nor {@code orTimeout}, which cancels its own timer when the
 * future completes. Stateless.
 */
public final class TG102DiscardedTimerHandle implements Rule {
  private static final Set<String> TIMEOUT_ACTIONS =
      Set.of(
          "completeExceptionally", "cancel", "complete", "obtrudeException", "interrupt",
          "setFailure", "tryFailure", "abort", "fail", "onTimeout", "timeout", "expire",
          "timedOut");

  @Override
  public String id() {
    return "TG102";
  }

  @Override
  public String name() {
    return "discarded-timer-handle";
  }

  @Override
  public java.util.List<String> triggerWords() {
    return java.util.List.of("schedule", "newTimeout", "timerguard");
  }

  @Override
  public String summary() {
    return "The handle of a one-shot timeout is dropped, so finished work cannot cancel it.";
  }

  @Override
  public void check(RuleContext ctx) {
    Jdk jdk = new Jdk(ctx);
    new TreePathScanner<Void, Void>() {
      @Override
      public Void visitMethodInvocation(MethodInvocationTree node, Void v) {
        TreePath path = getCurrentPath();
        if (path.getParentPath().getLeaf() instanceof ExpressionStatementTree
            && !node.getArguments().isEmpty()) {
          Jdk.TimerCall call = jdk.timerCall(path);
          if (call != null && call.kind() == Jdk.TimerKind.ONE_SHOT) {
            ExpressionTree task = node.getArguments().get(0);
            for (ExpressionTree a : node.getArguments()) {
              if (a instanceof LambdaExpressionTree || a instanceof MemberReferenceTree
                  || (a instanceof NewClassTree && ((NewClassTree) a).getClassBody() != null)) {
                task = a;
                break;
              }
            }
            boolean timerTask = call.api().startsWith("java.util.Timer");
            // a per-call java.util.Timer (a local) is itself the handle: cancelling it cancels the task
            boolean handleDropped =
                !timerTask || (task instanceof NewClassTree && !localReceiver(jdk, path, node));
            if (handleDropped && looksLikeTimeout(task)) {
              String handle =
                  timerTask ? "TimerTask" : call.api().contains("netty") ? "Timeout" : "ScheduledFuture";
              ctx.report(
                  path,
                  "the " + handle + " of this one-shot timeout (" + call.api()
                      + ") is dropped: when the work finishes first the timer still stays queued"
                      + " until it fires",
                  "keep the " + handle + " and cancel it when the work completes (e.g. future.whenComplete((r, e) -> "
                      + "handle.cancel(false))), or use CompletableFuture.orTimeout");
            }
          }
        }
        return super.visitMethodInvocation(node, v);
      }
    }.scan(ctx.root(), null);
  }

  private static boolean localReceiver(Jdk jdk, TreePath path, MethodInvocationTree node) {
    ExpressionTree r = Jdk.receiver(node);
    return r != null && Jdk.isLocal(jdk.element(new TreePath(path, r)));
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
        if (isTimeoutName(Jdk.methodName(node))) {
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
