package dev.timerguard.lint.rules;

import com.sun.source.tree.BlockTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.Tree;
import com.sun.source.util.TreePath;
import javax.lang.model.element.Modifier;

/**
 * Which lock is held at a point of a method: a {@code synchronized} block or method, a {@code
 * Lock.lock()} earlier in an enclosing block with no {@code unlock()} in between, or the
 * then-branch of {@code if (lock.tryLock(..))}. Not thread-safe, like its resolver.
 */
final class Locks {
  private final TypeResolver types;

  Locks(TypeResolver types) {
    this.types = types;
  }

  /**
   * Describes the lock held at {@code path} (a {@code synchronized} block or method, a {@code
   * Lock.lock()} earlier in an enclosing block with no {@code unlock()} in between, or the
   * then-branch of {@code if (lock.tryLock(..))}), or null when none is held. Lambdas and inner
   * classes are boundaries: their bodies may run later, without the lock.
   */
  String heldAt(TreePath path) {
    Tree child = path.getLeaf();
    for (TreePath p = path.getParentPath(); p != null; p = p.getParentPath()) {
      Tree t = p.getLeaf();
      if (t instanceof com.sun.source.tree.SynchronizedTree) {
        return "the monitor of '"
            + TreePaths.brief(((com.sun.source.tree.SynchronizedTree) t).getExpression())
                .replaceAll("^\\((.*)\\)$", "$1")
            + "'";
      }
      if (t instanceof MethodTree) {
        return ((MethodTree) t).getModifiers().getFlags().contains(Modifier.SYNCHRONIZED)
            ? "the monitor of this synchronized method"
            : null;
      }
      if (TreePaths.isBoundary(t)) {
        return null;
      }
      if (t instanceof com.sun.source.tree.IfTree
          && ((com.sun.source.tree.IfTree) t).getThenStatement() == child) {
        ExpressionTree c =
            (ExpressionTree) TreePaths.skipParens(((com.sun.source.tree.IfTree) t).getCondition());
        if (c instanceof MethodInvocationTree
            && TreePaths.methodName((MethodInvocationTree) c).equals("tryLock")
            && types.isSubtype(types.receiverType(new TreePath(p, c)), ApiNames.LOCK)) {
          return "Lock '" + TreePaths.brief(TreePaths.receiver((MethodInvocationTree) c)) + "'";
        }
      }
      if (t instanceof BlockTree) {
        String held = null;
        for (com.sun.source.tree.StatementTree st : ((BlockTree) t).getStatements()) {
          if (st == child) {
            break;
          }
          if (held != null && unlocks(st, held)) {
            held = null;
            continue;
          }
          if (st instanceof com.sun.source.tree.ExpressionStatementTree
              && ((com.sun.source.tree.ExpressionStatementTree) st).getExpression()
                  instanceof MethodInvocationTree) {
            MethodInvocationTree inv =
                (MethodInvocationTree)
                    ((com.sun.source.tree.ExpressionStatementTree) st).getExpression();
            String n = TreePaths.methodName(inv);
            ExpressionTree r = TreePaths.receiver(inv);
            if (r == null) {
              continue;
            }
            if ((n.equals("lock") || n.equals("lockInterruptibly"))
                && types.isSubtype(
                    types.receiverType(new TreePath(new TreePath(p, st), inv)), ApiNames.LOCK)) {
              held = r.toString();
            } else if (n.equals("unlock") && r.toString().equals(held)) {
              held = null;
            }
          }
        }
        if (held != null) {
          return "Lock '" + held + "'";
        }
      }
      child = t;
    }
    return null;
  }

  /** Whether {@code st} contains {@code held.unlock()} anywhere (e.g. in a finally block). */
  private static boolean unlocks(Tree st, String held) {
    boolean[] found = {false};
    new com.sun.source.util.TreeScanner<Void, Void>() {
      @Override
      public Void visitMethodInvocation(MethodInvocationTree node, Void v) {
        ExpressionTree r = TreePaths.receiver(node);
        if (TreePaths.methodName(node).equals("unlock") && r != null && r.toString().equals(held)) {
          found[0] = true;
        }
        return super.visitMethodInvocation(node, v);
      }
    }.scan(st, null);
    return found[0];
  }
}
