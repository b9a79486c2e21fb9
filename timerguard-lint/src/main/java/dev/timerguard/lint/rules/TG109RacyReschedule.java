package dev.timerguard.lint.rules;

import com.sun.source.tree.AssignmentTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.util.SourcePositions;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreePathScanner;
import dev.timerguard.lint.RuleContext;
import javax.lang.model.element.Element;

/**
 * TG109 racy-reschedule (the "forgotten reset" race of a watchdog): a watchdog or debounce method
 * cancels the timeout handle held in a field and schedules a new one ({@code f.cancel(false); f =
 * ses.schedule(..)}) without holding a lock. Two concurrent callers both cancel the same old handle
 * and both schedule a new one; one new handle is overwritten and never cancelled, so it fires later
 * as a spurious timeout.
 *
 * <p>Silent under a monitor or {@code Lock}, when the swap is atomic ({@code
 * AtomicReference.getAndSet} and cancel the returned handle), in constructors and initializers, and
 * in methods unlikely to run on two threads (non-public or lifecycle methods with fewer than two
 * call sites in the file, as for TG105). Stateless.
 */
public final class TG109RacyReschedule extends AbstractRule {
  public TG109RacyReschedule() {
    super(
        "TG109",
        "racy-reschedule",
        "Cancel-and-reschedule of a timeout handle field without a lock (lost handle, spurious timeout).",
        "cancel");
  }

  @Override
  void check(RuleContext ctx, Facts facts) {
    SourcePositions pos = ctx.trees().getSourcePositions();
    new TreePathScanner<Void, Void>() {
      @Override
      public Void visitAssignment(AssignmentTree node, Void v) {
        TreePath p = getCurrentPath();
        ExpressionTree target = node.getVariable();
        Element field = facts.types.element(new TreePath(p, target));
        if (TreePaths.isField(field) && TreePaths.isOwnFieldTarget(target)) {
          TimerCalls.Call call =
              facts.timerCalls.classify(
                  new TreePath(p, TreePaths.skipParens(node.getExpression())));
          if (call != null
              && call.kind() == TimerCalls.Kind.ONE_SHOT
              && facts.locks.heldAt(p) == null
              && !TreePaths.inConstructorOrInitializer(p)
              && cancelledBefore(ctx, facts, pos, p, field)
              && facts.reachableConcurrently(p)) {
            ctx.report(
                p,
                "'"
                    + field.getSimpleName()
                    + "' is cancelled and re-armed without a lock: two callers"
                    + " can both cancel the old timer and both arm a new one; one handle is lost and"
                    + " fires later as a spurious timeout",
                "make the swap atomic: ScheduledFuture<?> old = ref.getAndSet(newOne); if (old !="
                    + " null) old.cancel(false); or cancel and re-arm under one lock");
          } else if (call != null
              && call.kind() == TimerCalls.Kind.ONE_SHOT
              && !TreePaths.inConstructorOrInitializer(p)) {
            SplitReschedule.Split split = SplitReschedule.find(ctx, facts, pos, p, field);
            if (split != null) {
              ctx.report(
                  p,
                  "'"
                      + field.getSimpleName()
                      + "' is cancelled in "
                      + split.helper()
                      + "() and re-armed here"
                      + (split.locked() ? " in another critical section" : " without a lock")
                      + ": two callers can both cancel the old timer and both arm a new one; one"
                      + " handle is lost and fires later as a spurious timeout",
                  "cancel and re-arm inside one synchronized block (call "
                      + split.helper()
                      + "() under the same lock), or swap atomically with getAndSet and cancel the"
                      + " returned handle");
            }
          }
        }
        return super.visitAssignment(node, v);
      }
    }.scan(ctx.root(), null);
  }

  /** Whether {@code field.cancel(..)} is called in the same method before {@code assign}. */
  private static boolean cancelledBefore(
      RuleContext ctx, Facts facts, SourcePositions pos, TreePath assign, Element field) {
    TreePath method = assign;
    while (method != null && !(method.getLeaf() instanceof MethodTree)) {
      if (TreePaths.isBoundary(method.getLeaf()) && method != assign) {
        return false; // lambda or class: not a method body
      }
      method = method.getParentPath();
    }
    if (method == null) {
      return false;
    }
    long limit = pos.getStartPosition(ctx.compilationUnit(), assign.getLeaf());
    boolean[] found = {false};
    java.util.Set<Element> copies = new java.util.HashSet<>(); // ScheduledFuture<?> old = field;
    copies.add(field);
    new OwnCodeScanner<Void>() {
      @Override
      public Void visitVariable(com.sun.source.tree.VariableTree node, Void v) {
        if (node.getInitializer() != null
            && facts.types.element(
                    new TreePath(getCurrentPath(), TreePaths.skipParens(node.getInitializer())))
                == field) {
          copies.add(facts.types.element(getCurrentPath()));
        }
        return super.visitVariable(node, v);
      }

      @Override
      public Void visitMethodInvocation(MethodInvocationTree node, Void v) {
        ExpressionTree r = TreePaths.receiver(node);
        if (TreePaths.methodName(node).equals("cancel")
            && r != null
            && pos.getStartPosition(ctx.compilationUnit(), node) < limit
            && copies.contains(facts.types.element(new TreePath(getCurrentPath(), r)))) {
          found[0] = true;
        }
        return super.visitMethodInvocation(node, v);
      }
    }.scan(
        new TreePath(
            method,
            ((MethodTree) method.getLeaf()).getBody() == null
                ? method.getLeaf()
                : ((MethodTree) method.getLeaf()).getBody()),
        null);
    return found[0];
  }
}
