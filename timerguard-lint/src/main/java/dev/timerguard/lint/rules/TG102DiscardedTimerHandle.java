package dev.timerguard.lint.rules;

import com.sun.source.tree.ExpressionStatementTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.NewClassTree;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreePathScanner;
import dev.timerguard.lint.RuleContext;

/**
 * TG102 discarded-timer-handle: the handle of a one-shot <em>timeout</em> ({@code ScheduledFuture},
 * Netty {@code Timeout}, the {@code TimerTask} of {@code Timer.schedule(new TimerTask(){..},
 * delay)}, a TimerGuard one-shot) is dropped, so the work cannot cancel the timer when it finishes
 * early; the timer stays queued for its full delay (the JVM's discarded {@code time.AfterFunc}).
 *
 * <p>Precision first: only tasks that look like timeouts are reported: their body completes, fails,
 * cancels, interrupts or closes something, or mentions a timeout. A delayed retry or a
 * fire-and-forget delayed action has nothing to cancel and is not reported; neither are periodic
 * tasks (see TG103 for their owners) nor {@code orTimeout}, which cancels its own timer when the
 * future completes. Also a non-private {@code void} method that schedules its caller's task with
 * its caller's delay and drops the handle ({@link Summaries#droppedTaskCall}) while a caller
 * visible in the compilation passes it a timeout: that timeout can never be cancelled. Stateless.
 */
public final class TG102DiscardedTimerHandle extends AbstractRule {
  public TG102DiscardedTimerHandle() {
    super(
        "TG102",
        "discarded-timer-handle",
        "The handle of a one-shot timeout is dropped, so finished work cannot cancel it.",
        "schedule",
        "newTimeout",
        "timerguard",
        "Mono.delay",
        ".timer(");
  }

  @Override
  void check(RuleContext ctx, Facts facts) {
    new TreePathScanner<Void, Void>() {
      @Override
      public Void visitMethodInvocation(MethodInvocationTree node, Void v) {
        TreePath path = getCurrentPath();
        if (path.getParentPath().getLeaf() instanceof ExpressionStatementTree
            && !node.getArguments().isEmpty()) {
          TimerCalls.Call call = facts.timerCalls.classify(path);
          if (call != null && call.kind() == TimerCalls.Kind.ONE_SHOT) {
            ExpressionTree task = TimerCalls.task(node);
            boolean timerTask = call.api().startsWith("java.util.Timer");
            // a per-call java.util.Timer (a local) is itself the handle: cancelling it cancels the
            // task
            boolean handleDropped =
                !timerTask || (task instanceof NewClassTree && !localReceiver(facts, path, node));
            if (handleDropped && TimerCalls.looksLikeTimeout(task)) {
              String handle = call.handle();
              ctx.report(
                  path,
                  "the "
                      + handle
                      + " of this one-shot timeout ("
                      + call.api()
                      + ") is dropped: when the work finishes first the timer still stays queued"
                      + " until it fires",
                  "keep the "
                      + handle
                      + " and cancel it when the work completes (e.g. future.whenComplete((r, e) -> "
                      + "handle."
                      + call.release()
                      + ")), or use CompletableFuture.orTimeout");
            }
          }
        }
        return super.visitMethodInvocation(node, v);
      }

      @Override
      public Void visitMethod(com.sun.source.tree.MethodTree node, Void v) {
        javax.lang.model.element.Element m = facts.types.element(getCurrentPath());
        if (m instanceof javax.lang.model.element.ExecutableElement
            && !m.getModifiers().contains(javax.lang.model.element.Modifier.PRIVATE)) {
          javax.lang.model.element.ExecutableElement method =
              (javax.lang.model.element.ExecutableElement) m;
          Summaries.Dropped dropped = facts.summaries().droppedTaskCall(method);
          if (dropped != null && facts.summaries().calledWithTimeout(method, dropped.taskParam())) {
            ctx.report(
                dropped.call(),
                "'"
                    + node.getName()
                    + "' schedules its caller's task with its caller's delay and drops the handle;"
                    + " a caller arms a timeout through it and can never cancel it when the work"
                    + " finishes first, so the timer stays queued until it fires",
                "return the ScheduledFuture (or Timeout) to the caller so it can cancel it on"
                    + " completion");
          }
        }
        return super.visitMethod(node, v);
      }
    }.scan(ctx.root(), null);
  }

  private static boolean localReceiver(Facts facts, TreePath path, MethodInvocationTree node) {
    ExpressionTree r = TreePaths.receiver(node);
    return r != null && TreePaths.isLocal(facts.types.element(new TreePath(path, r)));
  }
}
