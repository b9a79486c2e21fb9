package dev.timerguard.lint.rules;

import com.sun.source.tree.AssignmentTree;
import com.sun.source.tree.BlockTree;
import com.sun.source.tree.ExpressionStatementTree;
import com.sun.source.tree.IdentifierTree;
import com.sun.source.tree.LabeledStatementTree;
import com.sun.source.tree.MemberSelectTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.NewClassTree;
import com.sun.source.tree.ReturnTree;
import com.sun.source.tree.SynchronizedTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.TryTree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.SourcePositions;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreePathScanner;
import dev.timerguard.lint.RuleContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;

/**
 * TG103 timer-or-executor-never-closed: a {@code java.util.Timer}, {@code ScheduledExecutorService}
 * or other {@code ExecutorService} (or Netty timer) created in a method, held in a local variable or
 * used once in a chain ({@code Executors.newSingleThreadExecutor().execute(..)}), that is not
 * cancelled / shut down / closed on every normal path and does not escape to an owner. The JVM's
 * {@code lostcancel}: its threads outlive the method.
 *
 * <p>Escapes (silent): returned, assigned to a field or another variable, passed as an argument
 * (handed to an owner), captured by a lambda or inner class. Closed (silent): try-with-resources
 * (JDK 19+ executors are AutoCloseable), a closing call in a {@code finally} block or on the straight
 * line after the declaration with no early {@code return} in between, or a closing call inside a
 * lambda (shutdown hook). Pools whose threads time out on their own ({@code newCachedThreadPool},
 * core size 0) are not reported. Fields (process-lifetime singletons) are never reported. Path analysis is
 * lexical, not a full CFG: exception paths are not considered. Stateless.
 */
public final class TG103TimerOrExecutorNeverClosed extends AbstractRule {
  private static final Set<String> CLOSERS =
      Set.of("shutdown", "shutdownNow", "close", "cancel", "stop", "shutdownGracefully");

  public TG103TimerOrExecutorNeverClosed() {
    super(
        "TG103",
        "timer-or-executor-never-closed",
        "A Timer or executor created in a method is not closed on every path and does not escape.",
        "Executor", "Timer", "ForkJoinPool");
  }

  @Override
  void check(RuleContext ctx, Facts facts) {
    new TreePathScanner<Void, Void>() {
      @Override
      public Void visitVariable(VariableTree node, Void v) {
        if (node.getInitializer() != null) {
          Element e = facts.types.element(getCurrentPath());
          if (e != null && e.getKind() == ElementKind.LOCAL_VARIABLE) {
            Created c = facts.creations.classify(new TreePath(getCurrentPath(), node.getInitializer()));
            if (c != Created.NONE && !threadsTimeOut(node.getInitializer())) {
              checkLocal(ctx, facts, getCurrentPath(), e, c);
            }
          }
        }
        return super.visitVariable(node, v);
      }

      @Override
      public Void visitMethodInvocation(MethodInvocationTree node, Void v) {
        checkChained(getCurrentPath());
        return super.visitMethodInvocation(node, v);
      }

      @Override
      public Void visitNewClass(NewClassTree node, Void v) {
        checkChained(getCurrentPath());
        return super.visitNewClass(node, v);
      }

      /** {@code Executors.newX().execute(..)}, {@code new Timer().schedule(..)}, or a bare {@code new Timer();}. */
      private void checkChained(TreePath path) {
        Tree parent = path.getParentPath().getLeaf();
        boolean bare = parent instanceof ExpressionStatementTree;
        boolean chained =
            parent instanceof MemberSelectTree
                && path.getParentPath().getParentPath().getLeaf() instanceof MethodInvocationTree
                && !CLOSERS.contains(((MemberSelectTree) parent).getIdentifier().toString());
        if (!bare && !chained) {
          return;
        }
        Created c = facts.creations.classify(path);
        if (c == Created.NONE) {
          return;
        }
        ctx.report(
            path,
            c.describe() + " is created, used once and never " + c.verb()
                + ": its thread outlives this call",
            "keep it in a variable and " + c.imperative() + " when done (try-with-resources on JDK 19+),"
                + " or reuse one long-lived " + (c == Created.TIMER ? "Timer" : "executor"));
      }
    }.scan(ctx.root(), null);
  }

  /**
   * Pools whose threads die on their own when idle ({@code newCachedThreadPool}, a {@code
   * ThreadPoolExecutor} with a literal core size of 0): not shutting them down leaks no thread.
   */
  static boolean threadsTimeOut(Tree init) {
    Tree t = TreePaths.skipParens(init);
    if (t instanceof MethodInvocationTree) {
      return TreePaths.methodName((MethodInvocationTree) t).equals("newCachedThreadPool");
    }
    if (t instanceof NewClassTree) {
      NewClassTree n = (NewClassTree) t;
      return n.getIdentifier().toString().endsWith("ThreadPoolExecutor")
          && !n.getIdentifier().toString().contains("Scheduled")
          && !n.getArguments().isEmpty()
          && n.getArguments().get(0) instanceof com.sun.source.tree.LiteralTree
          && Integer.valueOf(0).equals(((com.sun.source.tree.LiteralTree) n.getArguments().get(0)).getValue());
    }
    return false;
  }

  private void checkLocal(RuleContext ctx, Facts facts, TreePath decl, Element var, Created c) {
    TreePath scope = TreePaths.enclosingBoundary(decl);
    if (scope == null) {
      return;
    }
    List<TreePath> closes = new ArrayList<>();
    boolean[] escapes = {false};
    boolean[] deferredClose = {false};
    new TreePathScanner<Void, Void>() {
      @Override
      public Void visitIdentifier(IdentifierTree node, Void v) {
        TreePath use = getCurrentPath();
        if (facts.types.element(use) != var) {
          return null;
        }
        Tree parent = use.getParentPath().getLeaf();
        boolean inner = TreePaths.enclosingBoundary(use).getLeaf() != scope.getLeaf();
        if (parent instanceof MemberSelectTree
            && use.getParentPath().getParentPath().getLeaf() instanceof MethodInvocationTree
            && ((MethodInvocationTree) use.getParentPath().getParentPath().getLeaf()).getMethodSelect()
                == parent) {
          String m = ((MemberSelectTree) parent).getIdentifier().toString();
          if (CLOSERS.contains(m)) {
            if (inner) {
              deferredClose[0] = true;
            } else {
              closes.add(use.getParentPath().getParentPath());
            }
          } else if (inner) {
            escapes[0] = true;
          }
          return null;
        }
        if (parent instanceof com.sun.source.tree.MemberReferenceTree) {
          if (CLOSERS.contains(((com.sun.source.tree.MemberReferenceTree) parent).getName().toString())) {
            deferredClose[0] = true; // pool::shutdown handed to a hook
          }
          return null;
        }
        if (parent instanceof AssignmentTree && ((AssignmentTree) parent).getVariable() == node) {
          return null; // re-assignment of the local itself
        }
        escapes[0] = true; // argument, return, assignment source, capture, conditional...
        return null;
      }
    }.scan(scope, null);
    if (escapes[0] || deferredClose[0]) {
      return;
    }
    String name = var.getSimpleName().toString();
    if (closes.isEmpty()) {
      ctx.report(
          decl,
          "'" + name + "' (" + c.describe() + ") is never " + c.verb()
              + " and does not escape: its threads outlive this method",
          c.imperative() + " in a finally block, use try-with-resources (JDK 19+ executors are"
              + " AutoCloseable), or hand it to an owner that closes it");
      return;
    }
    SourcePositions pos = ctx.trees().getSourcePositions();
    for (TreePath close : closes) {
      if (onEveryPath(ctx, pos, decl, close, scope)) {
        return;
      }
    }
    ctx.report(
        decl,
        "'" + name + "' (" + c.describe() + ") is " + c.verb()
            + " only on some paths (a condition or an early return skips it)",
        c.imperative() + " in a finally block, or use try-with-resources (JDK 19+)");
  }

  /** Whether {@code close} runs whenever the declaration completes normally (lexical check). */
  private static boolean onEveryPath(
      RuleContext ctx, SourcePositions pos, TreePath decl, TreePath close, TreePath scope) {
    Tree declBlock = decl.getParentPath().getLeaf();
    if (!(close.getParentPath().getLeaf() instanceof ExpressionStatementTree)) {
      return false;
    }
    Tree child = close.getParentPath().getLeaf();
    long returnsUntil = pos.getStartPosition(ctx.compilationUnit(), child);
    TreePath p = close.getParentPath().getParentPath();
    for (; p != null && p.getLeaf() != declBlock; p = p.getParentPath()) {
      Tree t = p.getLeaf();
      if (t instanceof TryTree) {
        TryTree tt = (TryTree) t;
        if (tt.getFinallyBlock() == child) {
          returnsUntil = pos.getStartPosition(ctx.compilationUnit(), tt);
        } else if (tt.getBlock() != child) {
          return false; // in a catch block or a resource
        }
      } else if (!(t instanceof BlockTree
          || t instanceof SynchronizedTree
          || t instanceof LabeledStatementTree)) {
        return false; // if, loop, switch, ...
      }
      child = t;
    }
    if (p == null) {
      return false;
    }
    long from = pos.getEndPosition(ctx.compilationUnit(), decl.getLeaf());
    long until = returnsUntil;
    boolean[] early = {false};
    new TreePathScanner<Void, Void>() {
      @Override
      public Void visitReturn(ReturnTree node, Void v) {
        long at = pos.getStartPosition(ctx.compilationUnit(), node);
        if (at > from && at < until) {
          early[0] = true;
        }
        return null;
      }

      @Override
      public Void visitLambdaExpression(com.sun.source.tree.LambdaExpressionTree node, Void v) {
        return null;
      }

      @Override
      public Void visitClass(com.sun.source.tree.ClassTree node, Void v) {
        return null;
      }
    }.scan(decl.getParentPath(), null);
    return !early[0];
  }

}
