package dev.timerguard.lint.rules;

import com.sun.source.tree.BinaryTree;
import com.sun.source.tree.BlockTree;
import com.sun.source.tree.BreakTree;
import com.sun.source.tree.CatchTree;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.ContinueTree;
import com.sun.source.tree.DoWhileLoopTree;
import com.sun.source.tree.EnhancedForLoopTree;
import com.sun.source.tree.ExpressionStatementTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.ForLoopTree;
import com.sun.source.tree.IdentifierTree;
import com.sun.source.tree.IfTree;
import com.sun.source.tree.LabeledStatementTree;
import com.sun.source.tree.LambdaExpressionTree;
import com.sun.source.tree.LiteralTree;
import com.sun.source.tree.MemberSelectTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.ReturnTree;
import com.sun.source.tree.StatementTree;
import com.sun.source.tree.SwitchTree;
import com.sun.source.tree.SynchronizedTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.TryTree;
import com.sun.source.tree.WhileLoopTree;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreeScanner;
import java.util.Set;
import javax.lang.model.element.Element;

/**
 * The control-flow view of one method body that decides "released on every path": from the
 * statement that creates a resource, every way out of the method must pass a release of it.
 *
 * <p>Paths considered: falling through the rest of each enclosing block; early {@code return}s
 * (normal exits); {@code finally} blocks, which run on every exit including exceptions, so a
 * release there (or in the {@code finally} of any enclosing {@code try}) covers every path; and
 * loops: a resource created in a loop body must be released in that same iteration, since a release
 * after the loop reaches only the last one. A release guarded by {@code if (x != null)} counts as
 * unconditional (no resource, nothing to release); any other condition does not. A release in a
 * {@code try} block counts for the normal path. Try-with-resources never reaches this view (its
 * resource is closed by the language). Exceptions thrown by ordinary calls between creation and
 * release are not paths here: only {@code finally} handles them, and reporting every call that
 * could throw would bury the real leaks. Stateless.
 */
final class ReleasePaths {
  private final TypeResolver types;
  private final Set<String> releasers;

  ReleasePaths(TypeResolver types, Set<String> releasers) {
    this.types = types;
    this.releasers = releasers;
  }

  /**
   * Whether every path from the statement at {@code created} (a declaration or an assignment
   * statement) to the end of its method, lambda or initializer releases one of {@code vars}.
   */
  boolean releasedOnEveryPath(TreePath created, Set<Element> vars) {
    Tree child = created.getLeaf();
    for (TreePath p = created.getParentPath(); p != null; p = p.getParentPath()) {
      Tree t = p.getLeaf();
      if (TreePaths.isBoundary(t)) {
        return false;
      }
      if (t instanceof BlockTree) {
        boolean after = false;
        for (StatementTree st : ((BlockTree) t).getStatements()) {
          if (after) {
            TreePath sp = new TreePath(p, st);
            if (releases(sp, vars)) {
              return true;
            }
            if (mayExit(st)) {
              return false; // a return (or a jump out) before any release
            }
          } else if (st == child) {
            after = true;
          }
        }
      } else if (t instanceof TryTree) {
        TryTree tt = (TryTree) t;
        if (tt.getFinallyBlock() != null
            && tt.getFinallyBlock() != child
            && releases(new TreePath(p, tt.getFinallyBlock()), vars)) {
          return true; // runs on every exit of the try block and its catches
        }
      } else if (isLoop(t)) {
        return false; // created per iteration, not released in that iteration
      }
      child = t;
    }
    return false;
  }

  /** Whether statement {@code sp} releases one of {@code vars} whenever it completes or exits. */
  boolean releases(TreePath sp, Set<Element> vars) {
    Tree st = sp.getLeaf();
    if (st instanceof ExpressionStatementTree) {
      return isRelease(new TreePath(sp, ((ExpressionStatementTree) st).getExpression()), vars);
    }
    if (st instanceof BlockTree) {
      for (StatementTree s : ((BlockTree) st).getStatements()) {
        if (releases(new TreePath(sp, s), vars)) {
          return true;
        }
        if (mayExit(s)) {
          return false;
        }
      }
      return false;
    }
    if (st instanceof IfTree) {
      IfTree it = (IfTree) st;
      if (nullGuard(new TreePath(sp, it.getCondition()), vars)) {
        return releases(new TreePath(sp, it.getThenStatement()), vars);
      }
      return it.getElseStatement() != null
          && releases(new TreePath(sp, it.getThenStatement()), vars)
          && releases(new TreePath(sp, it.getElseStatement()), vars);
    }
    if (st instanceof TryTree) {
      TryTree tt = (TryTree) st;
      return (tt.getFinallyBlock() != null
              && releases(new TreePath(sp, tt.getFinallyBlock()), vars))
          || releases(new TreePath(sp, tt.getBlock()), vars);
    }
    if (st instanceof SynchronizedTree) {
      return releases(new TreePath(sp, ((SynchronizedTree) st).getBlock()), vars);
    }
    if (st instanceof LabeledStatementTree) {
      return releases(new TreePath(sp, ((LabeledStatementTree) st).getStatement()), vars);
    }
    return false;
  }

  /** {@code x.shutdown()}, {@code this.x.close()}, ... on one of {@code vars}. */
  boolean isRelease(TreePath expr, Set<Element> vars) {
    Tree e = TreePaths.skipParens(expr.getLeaf());
    if (!(e instanceof MethodInvocationTree)) {
      return false;
    }
    MethodInvocationTree inv = (MethodInvocationTree) e;
    ExpressionTree r = TreePaths.receiver(inv);
    return r != null
        && releasers.contains(TreePaths.methodName(inv))
        && vars.contains(types.element(new TreePath(new TreePath(expr, inv.getMethodSelect()), r)));
  }

  /** {@code x != null} (either order), possibly {@code && ..}, for one of {@code vars}. */
  private boolean nullGuard(TreePath cond, Set<Element> vars) {
    Tree c = TreePaths.skipParens(cond.getLeaf());
    if (!(c instanceof BinaryTree)) {
      return false;
    }
    BinaryTree b = (BinaryTree) c;
    if (b.getKind() == Tree.Kind.CONDITIONAL_AND) {
      return nullGuard(new TreePath(cond, b.getLeftOperand()), vars)
          || nullGuard(new TreePath(cond, b.getRightOperand()), vars);
    }
    if (b.getKind() != Tree.Kind.NOT_EQUAL_TO) {
      return false;
    }
    ExpressionTree other;
    if (b.getRightOperand() instanceof LiteralTree
        && b.getRightOperand().getKind() == Tree.Kind.NULL_LITERAL) {
      other = b.getLeftOperand();
    } else if (b.getLeftOperand() instanceof LiteralTree
        && b.getLeftOperand().getKind() == Tree.Kind.NULL_LITERAL) {
      other = b.getRightOperand();
    } else {
      return false;
    }
    return (other instanceof IdentifierTree || other instanceof MemberSelectTree)
        && vars.contains(types.element(new TreePath(cond, other)));
  }

  static boolean isLoop(Tree t) {
    return t instanceof WhileLoopTree
        || t instanceof DoWhileLoopTree
        || t instanceof ForLoopTree
        || t instanceof EnhancedForLoopTree;
  }

  /**
   * Whether {@code st} can leave the enclosing block early: a {@code return}, or a {@code break} /
   * {@code continue} not aimed at a loop or switch inside {@code st}. Lambdas and classes inside do
   * not count (their returns leave them, not this method).
   */
  static boolean mayExit(StatementTree st) {
    boolean[] exits = {false};
    new TreeScanner<Void, Integer>() {
      @Override
      public Void visitReturn(ReturnTree node, Integer depth) {
        exits[0] = true;
        return null;
      }

      @Override
      public Void visitBreak(BreakTree node, Integer depth) {
        if (depth == 0 || node.getLabel() != null) {
          exits[0] = true;
        }
        return null;
      }

      @Override
      public Void visitContinue(ContinueTree node, Integer depth) {
        if (depth == 0 || node.getLabel() != null) {
          exits[0] = true;
        }
        return null;
      }

      @Override
      public Void visitWhileLoop(WhileLoopTree node, Integer depth) {
        return super.visitWhileLoop(node, depth + 1);
      }

      @Override
      public Void visitDoWhileLoop(DoWhileLoopTree node, Integer depth) {
        return super.visitDoWhileLoop(node, depth + 1);
      }

      @Override
      public Void visitForLoop(ForLoopTree node, Integer depth) {
        return super.visitForLoop(node, depth + 1);
      }

      @Override
      public Void visitEnhancedForLoop(EnhancedForLoopTree node, Integer depth) {
        return super.visitEnhancedForLoop(node, depth + 1);
      }

      @Override
      public Void visitSwitch(SwitchTree node, Integer depth) {
        return super.visitSwitch(node, depth + 1);
      }

      @Override
      public Void visitCatch(CatchTree node, Integer depth) {
        return super.visitCatch(node, depth);
      }

      @Override
      public Void visitLambdaExpression(LambdaExpressionTree node, Integer depth) {
        return null;
      }

      @Override
      public Void visitClass(ClassTree node, Integer depth) {
        return null;
      }

      @Override
      public Void scan(Tree tree, Integer depth) {
        return exits[0] ? null : super.scan(tree, depth);
      }
    }.scan(st, 0);
    return exits[0];
  }
}
