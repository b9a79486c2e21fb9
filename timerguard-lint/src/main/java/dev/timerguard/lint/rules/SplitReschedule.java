package dev.timerguard.lint.rules;

import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.SynchronizedTree;
import com.sun.source.tree.Tree;
import com.sun.source.util.SourcePositions;
import com.sun.source.util.TreePath;
import dev.timerguard.lint.RuleContext;
import javax.lang.model.element.Element;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;

/**
 * TG109's cross-method shape: a method calls a helper of its own object that cancels the handle
 * field ({@link Summaries#cancelledFields}) and then arms a new handle in that field, but the two
 * steps are not one critical section (the helper call runs outside the {@code synchronized} block
 * of the re-arm, or in a block of its own). Two callers interleave between the cancel and the
 * re-arm; one new handle is overwritten and never cancelled.
 *
 * <p>Silent when one monitor region (a {@code synchronized} block or method) holds both the helper
 * call and the re-arm, when either step is guarded by a {@code Lock} object (its extent is not
 * tracked across statements here), and, without any lock, when the method is unlikely to run on two
 * threads ({@link Facts#reachableConcurrently}). A re-arm under a monitor counts as concurrent by
 * its author's own statement. Stateless.
 */
final class SplitReschedule {
  private SplitReschedule() {}

  /** The helper that cancels, and whether the re-arm is in a (separate) critical section. */
  record Split(String helper, boolean locked) {}

  /** The split cancel/re-arm around {@code assign} of {@code field}, or null. */
  static Split find(
      RuleContext ctx, Facts facts, SourcePositions pos, TreePath assign, Element field) {
    TreePath method = assign;
    while (method != null && !(method.getLeaf() instanceof MethodTree)) {
      if (TreePaths.isBoundary(method.getLeaf()) && method != assign) {
        return null; // lambda or class body: not a method body
      }
      method = method.getParentPath();
    }
    if (method == null || ((MethodTree) method.getLeaf()).getBody() == null) {
      return null;
    }
    long limit = pos.getStartPosition(ctx.compilationUnit(), assign.getLeaf());
    TreePath[] helperCall = {null};
    new OwnCodeScanner<Void>() {
      @Override
      public Void visitMethodInvocation(MethodInvocationTree node, Void v) {
        ExpressionTree r = TreePaths.receiver(node);
        if (helperCall[0] == null
            && pos.getStartPosition(ctx.compilationUnit(), node) < limit
            && (r == null || r.toString().equals("this"))) {
          ExecutableElement m = facts.types.method(getCurrentPath());
          if (m != null
              && !m.getModifiers().contains(Modifier.STATIC)
              && facts.summaries().cancelledFields(m).contains(field)) {
            helperCall[0] = getCurrentPath();
          }
        }
        return super.visitMethodInvocation(node, v);
      }
    }.scan(new TreePath(method, ((MethodTree) method.getLeaf()).getBody()), null);
    TreePath call = helperCall[0];
    if (call == null) {
      return null;
    }
    Tree armRegion = monitorRegion(assign);
    Tree callRegion = monitorRegion(call);
    if ((facts.locks.heldAt(assign) != null && armRegion == null)
        || (facts.locks.heldAt(call) != null && callRegion == null)) {
      return null; // a Lock object: its extent is not compared here
    }
    if (armRegion != null && armRegion == callRegion) {
      return null; // one critical section
    }
    boolean locked = armRegion != null || callRegion != null;
    if (!locked && !facts.reachableConcurrently(assign)) {
      return null;
    }
    return new Split(TreePaths.methodName((MethodInvocationTree) call.getLeaf()), locked);
  }

  /** The innermost {@code synchronized} block, or the synchronized method, around {@code p}. */
  private static Tree monitorRegion(TreePath p) {
    for (TreePath q = p.getParentPath(); q != null; q = q.getParentPath()) {
      Tree t = q.getLeaf();
      if (t instanceof SynchronizedTree) {
        return t;
      }
      if (t instanceof MethodTree) {
        return ((MethodTree) t).getModifiers().getFlags().contains(Modifier.SYNCHRONIZED)
            ? t
            : null;
      }
      if (TreePaths.isBoundary(t)) {
        return null;
      }
    }
    return null;
  }
}
