package dev.timerguard.lint.rules;

import com.sun.source.tree.BlockTree;
import com.sun.source.tree.BreakTree;
import com.sun.source.tree.CatchTree;
import com.sun.source.tree.DoWhileLoopTree;
import com.sun.source.tree.EnhancedForLoopTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.ForLoopTree;
import com.sun.source.tree.IfTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.ReturnTree;
import com.sun.source.tree.StatementTree;
import com.sun.source.tree.ThrowTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.TryTree;
import com.sun.source.tree.UnionTypeTree;
import com.sun.source.tree.WhileLoopTree;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreePathScanner;
import com.sun.source.util.TreeScanner;
import dev.timerguard.lint.RuleContext;
import java.util.List;
import javax.lang.model.type.TypeMirror;

/**
 * TG106 uninterruptible-wait-loop: {@code Thread.sleep}, {@code TimeUnit.sleep} or a timed wait
 * inside a retry/backoff loop whose handler swallows {@code InterruptedException}: the interrupt is
 * lost, the loop keeps going, and {@code shutdownNow()} / {@code cancel(true)} cannot stop the
 * thread.
 *
 * <p>Reported only when the handler is empty or only logs/prints (or continues), and the loop has
 * no stop mechanism of its own: a loop whose condition (or an {@code if (..) break;} in its body)
 * reads a mutable field or a stop-like method ({@code while (shouldRun)}, {@code isRunning()}) uses
 * the interrupt only to wake the sleep and is not reported; {@code isInterrupted()} alone does not
 * count, since the swallowed interrupt clears exactly that flag. Any other handler code (throw,
 * return, break, re-interrupt, exit, setting a flag, a cleanup call) is taken as deliberate. Only
 * the first catch clause that catches {@code InterruptedException} (or a supertype) of the
 * innermost such {@code try} counts, and only when that {@code try} is inside the loop. Stateless.
 */
public final class TG106UninterruptibleWaitLoop extends AbstractRule {
  /** A wait, and a handler that could swallow its interrupt. */
  @Override
  public boolean mayFire(String text) {
    return super.mayFire(text) && text.contains("catch");
  }

  public TG106UninterruptibleWaitLoop() {
    super(
        "TG106",
        "uninterruptible-wait-loop",
        "Sleep or timed wait in a retry loop that swallows InterruptedException.",
        "sleep",
        "wait",
        "join",
        "await");
  }

  @Override
  void check(RuleContext ctx, Facts facts) {
    TypeMirror ie = facts.types.type(ApiNames.INTERRUPTED);
    if (ie == null) {
      return;
    }
    java.util.Map<javax.lang.model.element.Element, String> helpers = new java.util.HashMap<>();
    new TreePathScanner<Void, Void>() {
      @Override
      public Void visitMethodInvocation(MethodInvocationTree node, Void v) {
        TreePath p = getCurrentPath();
        String what = facts.waits.sleepOrTimedWait(p, true, false);
        if (what == null) {
          String helper = swallowingHelper(facts, p, ie, helpers);
          TreePath loop = helper == null ? null : TreePaths.enclosingLoop(p);
          if (loop != null && !externallyStoppable(facts, loop) && !guardedByStop(facts, p, loop)) {
            ctx.report(
                p,
                TreePaths.methodName(node)
                    + "(..) sleeps ("
                    + helper
                    + ") and swallows"
                    + " InterruptedException, and this loop calls it again: the interrupt is lost and"
                    + " the loop keeps retrying, so shutdownNow()/cancel(true) cannot stop this thread",
                "let the helper restore the flag (Thread.currentThread().interrupt()) and report it"
                    + " (return false or throw), and leave the loop when it does");
          }
        } else {
          TreePath[] loop = {null};
          CatchTree handler = handler(facts, p, ie, loop);
          if (handler != null && swallows(handler) && !externallyStoppable(facts, loop[0])) {
            ctx.report(
                p,
                what
                    + " in a loop whose handler swallows InterruptedException: the interrupt is"
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

  /**
   * If the statement call at {@code call} invokes a method of this compilation whose body sleeps or
   * waits, outside any loop of its own, in a {@code try} whose handler swallows the interrupt, what
   * it sleeps with ({@code Thread.sleep}, ...); else null. Summaries are memoised in {@code memo}
   * (the empty string for "no").
   */
  private static String swallowingHelper(
      Facts facts,
      TreePath call,
      TypeMirror ie,
      java.util.Map<javax.lang.model.element.Element, String> memo) {
    if (!(call.getParentPath().getLeaf() instanceof com.sun.source.tree.ExpressionStatementTree)
        || TreePaths.enclosingLoop(call) == null) {
      return null; // the result is used (it may report the interrupt), or it is not called in a
      // loop
    }
    javax.lang.model.element.ExecutableElement m = facts.types.method(call);
    if (m == null || !SLEEP_HELPER.matcher(m.getSimpleName()).find()) {
      return null; // only helpers whose job is to wait: other code that sleeps on a failure path
    } // (an event loop's error handler) has its own way to stop
    String known = memo.get(m);
    if (known == null) {
      known = "";
      TreePath body = TreePaths.methodBody(facts, m);
      if (body != null) {
        String[] found = {null};
        new OwnCodeScanner<Void>() {
          @Override
          public Void visitMethodInvocation(MethodInvocationTree node, Void v) {
            TreePath p = getCurrentPath();
            String what = facts.waits.sleepOrTimedWait(p, true, false);
            if (what != null && found[0] == null && TreePaths.enclosingLoop(p) == null) {
              CatchTree h = swallowingCatch(facts, p, ie);
              if (h != null && swallows(h)) {
                found[0] = what;
              }
            }
            return super.visitMethodInvocation(node, v);
          }
        }.scan(body, null);
        known = found[0] == null ? "" : found[0];
      }
      memo.put(m, known);
    }
    return known.isEmpty() ? null : known;
  }

  /** A retry decision in an {@code if} condition: {@code shouldRetry()}, {@code canRetry(e)}. */
  private static final java.util.regex.Pattern RETRY_CHECK =
      java.util.regex.Pattern.compile("(?i)(should|can|keep)\\w*\\(|retry\\w*\\(");

  /** Names of helpers whose job is to wait. */
  private static final java.util.regex.Pattern SLEEP_HELPER =
      java.util.regex.Pattern.compile("(?i)sleep|pause|nap|wait|backoff|delay");

  /**
   * Whether {@code call} runs only in the then-branch of an {@code if} inside the loop whose
   * condition reads a stop flag or a stop-like method ({@code if (shouldRetry()) sleep(..); else
   * return;}): the loop ends through that flag, not through the interrupt.
   */
  private static boolean guardedByStop(Facts facts, TreePath call, TreePath loop) {
    Tree child = call.getLeaf();
    for (TreePath p = call.getParentPath();
        p != null && p.getLeaf() != loop.getLeaf();
        p = p.getParentPath()) {
      if (p.getLeaf() instanceof IfTree
          && ((IfTree) p.getLeaf()).getThenStatement() == child
          && (stopLike(facts, p, ((IfTree) p.getLeaf()).getCondition())
              || RETRY_CHECK.matcher(((IfTree) p.getLeaf()).getCondition().toString()).find())) {
        return true;
      }
      child = p.getLeaf();
    }
    return false;
  }

  /**
   * The first catch of the innermost enclosing try (within the method) that catches
   * InterruptedException.
   */
  private static CatchTree swallowingCatch(Facts facts, TreePath call, TypeMirror ie) {
    Tree child = call.getLeaf();
    for (TreePath p = call.getParentPath(); p != null; p = p.getParentPath()) {
      Tree t = p.getLeaf();
      if (TreePaths.isBoundary(t)) {
        return null;
      }
      if (t instanceof TryTree && ((TryTree) t).getBlock() == child) {
        for (CatchTree c : ((TryTree) t).getCatches()) {
          if (catchesInterrupted(
              facts, new TreePath(new TreePath(p, c), c.getParameter()), c, ie)) {
            return c;
          }
        }
      }
      child = t;
    }
    return null;
  }

  /** The catch clause that handles InterruptedException from {@code call}, if it lies in a loop. */
  private static CatchTree handler(Facts facts, TreePath call, TypeMirror ie, TreePath[] loopOut) {
    Tree child = call.getLeaf();
    for (TreePath p = call.getParentPath(); p != null; p = p.getParentPath()) {
      Tree t = p.getLeaf();
      if (TreePaths.isBoundary(t)) {
        return null;
      }
      if (t instanceof TryTree && ((TryTree) t).getBlock() == child) {
        for (CatchTree c : ((TryTree) t).getCatches()) {
          if (catchesInterrupted(
              facts, new TreePath(new TreePath(p, c), c.getParameter()), c, ie)) {
            loopOut[0] = TreePaths.enclosingLoop(p);
            return loopOut[0] != null ? c : null;
          }
        }
      }
      child = t;
    }
    return null;
  }

  private static boolean catchesInterrupted(
      Facts facts, TreePath param, CatchTree c, TypeMirror ie) {
    Tree type = c.getParameter().getType();
    List<? extends Tree> alternatives =
        type instanceof UnionTypeTree
            ? ((UnionTypeTree) type).getTypeAlternatives()
            : List.of(type);
    for (Tree alt : alternatives) {
      TypeMirror t = facts.types.typeOf(new TreePath(param, alt));
      if (t != null) {
        try {
          if (facts.ctx.types().isSubtype(ie, facts.ctx.types().erasure(t))) {
            return true;
          }
        } catch (RuntimeException e) {
          return false;
        }
      }
    }
    return false;
  }

  private static final java.util.regex.Pattern LOGGING =
      java.util.regex.Pattern.compile(
          "(?i)(trace|debug|info|warn|warning|error|fatal|log|print|println|printf|printStackTrace"
              + "|format|append|getMessage|toString|valueOf|currentThread|getName)");

  /**
   * Whether the handler swallows the interrupt: it is empty or only logs/prints (or continues).
   * Anything else (throw, return, break, re-interrupt, exit, setting a flag, calling a cleanup
   * method) is taken as deliberate handling: precision over recall.
   */
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
      public Void visitAssignment(com.sun.source.tree.AssignmentTree node, Void v) {
        handled[0] = true; // e.g. interrupted = true; restored after the loop
        return null;
      }

      @Override
      public Void visitCompoundAssignment(com.sun.source.tree.CompoundAssignmentTree node, Void v) {
        handled[0] = true;
        return null;
      }

      @Override
      public Void visitMethodInvocation(MethodInvocationTree node, Void v) {
        if (!LOGGING.matcher(TreePaths.methodName(node)).matches()) {
          handled[0] = true; // interrupt(), exit(), kill(this), cleanup(): deliberate
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

  private static final java.util.regex.Pattern STOP_METHOD =
      java.util.regex.Pattern.compile(
          "(?i).*(run|stop|shut|alive|clos|active|done|cancel|terminat|exit|finish|started).*");

  /**
   * Whether the loop has its own stop mechanism: its condition, or an {@code if (..) break/return}
   * directly in its body, reads a mutable field or asks a stop-like method ({@code isRunning()},
   * {@code shouldRun}, {@code stopped.get()}). Such daemon loops use the interrupt only to wake the
   * sleep and re-check the flag. Checking {@code isInterrupted()} alone does not count: the
   * swallowed interrupt clears exactly that flag.
   */
  private static boolean externallyStoppable(Facts facts, TreePath loop) {
    if (loop == null) {
      return false;
    }
    Tree t = loop.getLeaf();
    ExpressionTree cond = null;
    StatementTree body = null;
    if (t instanceof WhileLoopTree) {
      cond = ((WhileLoopTree) t).getCondition();
      body = ((WhileLoopTree) t).getStatement();
    } else if (t instanceof DoWhileLoopTree) {
      cond = ((DoWhileLoopTree) t).getCondition();
      body = ((DoWhileLoopTree) t).getStatement();
    } else if (t instanceof ForLoopTree) {
      cond = ((ForLoopTree) t).getCondition();
      body = ((ForLoopTree) t).getStatement();
    } else if (t instanceof EnhancedForLoopTree) {
      return true; // bounded by its collection
    }
    if (cond != null && stopLike(facts, loop, cond)) {
      return true;
    }
    if (body instanceof BlockTree) {
      for (StatementTree st : ((BlockTree) body).getStatements()) {
        if (st instanceof IfTree
            && exits(((IfTree) st).getThenStatement())
            && stopLike(facts, loop, ((IfTree) st).getCondition())) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean exits(StatementTree s) {
    if (s instanceof BreakTree || s instanceof ReturnTree || s instanceof ThrowTree) {
      return true;
    }
    return s instanceof BlockTree
        && ((BlockTree) s).getStatements().size() == 1
        && exits(((BlockTree) s).getStatements().get(0));
  }

  private static boolean stopLike(Facts facts, TreePath at, ExpressionTree cond) {
    boolean[] found = {false};
    new TreeScanner<Void, Void>() {
      @Override
      public Void visitIdentifier(com.sun.source.tree.IdentifierTree node, Void v) {
        check(facts.types.element(new TreePath(at, node)));
        return null;
      }

      @Override
      public Void visitMemberSelect(com.sun.source.tree.MemberSelectTree node, Void v) {
        check(facts.types.element(new TreePath(at, node)));
        return super.visitMemberSelect(node, v);
      }

      @Override
      public Void visitMethodInvocation(MethodInvocationTree node, Void v) {
        String n = TreePaths.methodName(node);
        if (n.equals("isInterrupted") || n.equals("interrupted")) {
          return null;
        }
        if (STOP_METHOD.matcher(n).matches()) {
          found[0] = true;
        }
        return super.visitMethodInvocation(node, v);
      }

      private void check(javax.lang.model.element.Element e) {
        if (TreePaths.isField(e)
            && !e.getModifiers().contains(javax.lang.model.element.Modifier.FINAL)) {
          found[0] = true;
        }
      }
    }.scan(cond, null);
    return found[0];
  }
}
