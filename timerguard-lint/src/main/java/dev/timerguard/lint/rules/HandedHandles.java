package dev.timerguard.lint.rules;

import com.sun.source.tree.AssignmentTree;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.LambdaExpressionTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.NewClassTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreePathScanner;
import dev.timerguard.lint.RuleContext;
import java.util.List;
import java.util.Set;
import javax.lang.model.element.Element;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;

/**
 * TG104's cross-class shape: the handle of a task scheduled on a pool of this class is handed to
 * another class (as a {@code Future} parameter of one of its methods or constructors, directly or
 * through a local), and that class cancels {@code Future}s ({@link Summaries#cancelsFutures}): the
 * cancellation this class cannot see happens there (RxJava's worker hands each future to the action
 * that cancels it on unsubscribe). Only one-shot schedules and periodic schedules with a kept
 * handle count; the receiving class must have source in the compilation. Stateless.
 */
final class HandedHandles {
  private static final Set<String> SCHEDULES =
      Set.of("schedule", "scheduleAtFixedRate", "scheduleWithFixedDelay");

  private HandedHandles() {}

  /** The class that cancels a handle of a task scheduled on {@code pool}, or null. */
  static TypeElement cancellerOf(RuleContext ctx, Facts facts, Element pool) {
    TypeElement[] found = {null};
    new TreePathScanner<Void, Void>() {
      @Override
      public Void visitMethodInvocation(MethodInvocationTree node, Void v) {
        TreePath p = getCurrentPath();
        ExpressionTree r = TreePaths.receiver(node);
        if (found[0] == null
            && SCHEDULES.contains(TreePaths.methodName(node))
            && node.getArguments().size() >= 3
            && r != null
            && facts.types.element(new TreePath(p, r)) == pool) {
          found[0] = destination(facts, p);
        }
        return super.visitMethodInvocation(node, v);
      }
    }.scan(ctx.root(), null);
    return found[0];
  }

  /** Where the handle returned at {@code schedule} goes, if to a cancelling class. */
  private static TypeElement destination(Facts facts, TreePath schedule) {
    TreePath up = schedule.getParentPath();
    while (TreePaths.skipParens(up.getLeaf()) != up.getLeaf()) {
      up = up.getParentPath();
    }
    Tree parent = up.getLeaf();
    if (parent instanceof MethodInvocationTree || parent instanceof NewClassTree) {
      return canceller(facts, up, schedule.getLeaf(), null);
    }
    Element local = null;
    if (parent instanceof VariableTree) {
      local = facts.types.element(up);
    } else if (parent instanceof AssignmentTree) {
      local = facts.types.element(new TreePath(up, ((AssignmentTree) parent).getVariable()));
    }
    if (!TreePaths.isLocal(local)) {
      return null;
    }
    TreePath method = up;
    while (method != null && !(method.getLeaf() instanceof MethodTree)) {
      if (method.getLeaf() instanceof LambdaExpressionTree) {
        break;
      }
      method = method.getParentPath();
    }
    if (method == null) {
      return null;
    }
    Element handle = local;
    TypeElement[] found = {null};
    new TreePathScanner<Void, Void>() {
      @Override
      public Void visitMethodInvocation(MethodInvocationTree node, Void v) {
        if (found[0] == null) {
          found[0] = canceller(facts, getCurrentPath(), null, handle);
        }
        return super.visitMethodInvocation(node, v);
      }

      @Override
      public Void visitNewClass(NewClassTree node, Void v) {
        if (found[0] == null) {
          found[0] = canceller(facts, getCurrentPath(), null, handle);
        }
        return super.visitNewClass(node, v);
      }

      @Override
      public Void visitClass(ClassTree node, Void v) {
        return null;
      }
    }.scan(method, null);
    return found[0];
  }

  /**
   * The class of the method or constructor called at {@code call}, when it takes {@code arg} (or
   * the variable {@code var}) as a {@code Future} parameter and cancels futures; null otherwise.
   */
  private static TypeElement canceller(Facts facts, TreePath call, Tree arg, Element var) {
    List<? extends ExpressionTree> args =
        call.getLeaf() instanceof MethodInvocationTree
            ? ((MethodInvocationTree) call.getLeaf()).getArguments()
            : ((NewClassTree) call.getLeaf()).getArguments();
    Element callee = facts.types.element(call);
    if (!(callee instanceof ExecutableElement)) {
      return null;
    }
    List<? extends javax.lang.model.element.VariableElement> params =
        ((ExecutableElement) callee).getParameters();
    for (int i = 0; i < args.size() && i < params.size(); i++) {
      Tree a = TreePaths.skipParens(args.get(i));
      boolean passes =
          a == arg || (var != null && facts.types.element(new TreePath(call, a)) == var);
      if (passes && facts.types.isSubtype(params.get(i).asType(), ApiNames.FUTURE)) {
        Element owner = callee.getEnclosingElement();
        if (owner instanceof TypeElement && facts.summaries().cancelsFutures((TypeElement) owner)) {
          return (TypeElement) owner;
        }
      }
    }
    return null;
  }
}
