package dev.timerguard.lint.rules;

import com.sun.source.tree.BreakTree;
import com.sun.source.tree.CatchTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.ReturnTree;
import com.sun.source.tree.ThrowTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.TryTree;
import com.sun.source.tree.UnionTypeTree;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreePathScanner;
import com.sun.source.util.TreeScanner;
import dev.timerguard.lint.Rule;
import dev.timerguard.lint.RuleContext;
import java.util.List;
import javax.lang.model.type.TypeMirror;

/**
 * TG106 uninterruptible-wait-loop: {@code Thread.sleep}, {@code TimeUnit.sleep} or a timed wait
 * inside a retry/backoff loop whose handler swallows {@code InterruptedException}: the interrupt is
 * lost, the loop keeps going, and {@code shutdownNow()} / {@code cancel(true)} cannot stop the
 * thread.
 *
 * <p>A handler is fine if it re-interrupts ({@code Thread.currentThread().interrupt()}), rethrows or
 * throws anything, returns, breaks, or exits. Only the first catch clause that catches {@code
 * InterruptedException} (or a supertype) of the innermost such {@code try} counts, and only when
 * that {@code try} is inside the loop. Stateless.
 */
public final class TG106UninterruptibleWaitLoop implements Rule {
  @Override
  public String id() {
    return "TG106";
  }

  @Override
  public String name() {
    return "uninterruptible-wait-loop";
  }

  @Override
  public String summary() {
    return "Sleep or timed wait in a retry loop that swallows InterruptedException.";
  }

  @Override
  public void check(RuleContext ctx) {
    Jdk jdk = new Jdk(ctx);
    TypeMirror ie = jdk.type(Jdk.INTERRUPTED);
    if (ie == null) {
      return;
    }
    new TreePathScanner<Void, Void>() {
      @Override
      public Void visitMethodInvocation(MethodInvocationTree node, Void v) {
        TreePath p = getCurrentPath();
        String what = jdk.sleepOrTimedWait(p, true);
        if (what != null) {
          CatchTree handler = handler(jdk, p, ie);
          if (handler != null && swallows(handler)) {
            ctx.report(
                p,
                what + " in a loop whose handler swallows InterruptedException: the interrupt is"
                    + " lost and the loop keeps retrying, so shutdownNow()/cancel(true) cannot stop"
                    + " this thread",
                "in the catch block call Thread.currentThread().interrupt() and return or break (or"
                    + " rethrow)");
          }
        }
        return super.visitMethodInvocation(node, v);
      }
    }.scan(ctx.root(), null);
  }

  /** The catch clause that handles InterruptedException from {@code call}, if it lies in a loop. */
  private static CatchTree handler(Jdk jdk, TreePath call, TypeMirror ie) {
    Tree child = call.getLeaf();
    for (TreePath p = call.getParentPath(); p != null; p = p.getParentPath()) {
      Tree t = p.getLeaf();
      if (Jdk.isBoundary(t)) {
        return null;
      }
      if (t instanceof TryTree && ((TryTree) t).getBlock() == child) {
        for (CatchTree c : ((TryTree) t).getCatches()) {
          if (catchesInterrupted(jdk, new TreePath(new TreePath(p, c), c.getParameter()), c, ie)) {
            return Jdk.enclosingLoop(p) != null ? c : null;
          }
        }
      }
      child = t;
    }
    return null;
  }

  private static boolean catchesInterrupted(Jdk jdk, TreePath param, CatchTree c, TypeMirror ie) {
    Tree type = c.getParameter().getType();
    List<? extends Tree> alternatives =
        type instanceof UnionTypeTree ? ((UnionTypeTree) type).getTypeAlternatives() : List.of(type);
    for (Tree alt : alternatives) {
      TypeMirror t = jdk.typeOf(new TreePath(param, alt));
      if (t != null) {
        try {
          if (jdk.ctx.types().isSubtype(ie, jdk.ctx.types().erasure(t))) {
            return true;
          }
        } catch (RuntimeException e) {
          return false;
        }
      }
    }
    return false;
  }

  private static boolean swallows(CatchTree c) {
    boolean[] handled = {false};
    new TreeScanner<Void, Void>() {
      @Override
      public Void visitThrow(ThrowTree node, Void v) {
        handled[0] = true;
        return null;
      }

      @Override
      public Void visitReturn(ReturnTree node, Void v) {
        handled[0] = true;
        return null;
      }

      @Override
      public Void visitBreak(BreakTree node, Void v) {
        handled[0] = true;
        return null;
      }

      @Override
      public Void visitMethodInvocation(MethodInvocationTree node, Void v) {
        String n = Jdk.methodName(node);
        if (n.equals("interrupt") || n.equals("exit") || n.equals("halt")) {
          handled[0] = true;
        }
        return super.visitMethodInvocation(node, v);
      }

      @Override
      public Void visitLambdaExpression(com.sun.source.tree.LambdaExpressionTree node, Void v) {
        return null;
      }
    }.scan(c.getBlock(), null);
    return !handled[0];
  }
}
