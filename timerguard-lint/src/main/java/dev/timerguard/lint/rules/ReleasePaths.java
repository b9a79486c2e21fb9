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
import com.sun.source.tree.ThrowTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.TryTree;
import com.sun.source.tree.WhileLoopTree;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreeScanner;
import java.util.Set;
import java.util.function.Function;
import javax.lang.model.element.Element;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.type.UnionType;

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
 * release are not paths of {@link #releasedOnEveryPath}: reporting every call that could throw
 * would bury the real leaks. {@link #unreleasedThrow} adds the exceptional exits that the code
 * declares: a call whose method is declared to throw a checked exception ({@code invokeAll}, {@code
 * Future.get}, {@code Thread.sleep}: {@code InterruptedException}) between the creation and the
 * release, unless a {@code catch} or {@code finally} on its way out releases the resource.
 * Stateless.
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
    return walkToRelease(created, vars, Boolean.TRUE, Boolean.FALSE, sp -> null);
  }

  /**
   * Walks the statements that run after the one at {@code created}, out through its enclosing
   * blocks up to the method, lambda or initializer: {@code released} as soon as one of them (or an
   * enclosing {@code finally}) releases one of {@code vars}; {@code unreleased} at an early exit
   * before any release, at an enclosing loop (created per iteration) or at the boundary. Before an
   * unreleasing statement's exit is looked at, {@code visit} may stop the walk with its own
   * non-null result.
   */
  private <R> R walkToRelease(
      TreePath created, Set<Element> vars, R released, R unreleased, Function<TreePath, R> visit) {
    Tree child = created.getLeaf();
    for (TreePath p = created.getParentPath(); p != null; p = p.getParentPath()) {
      Tree t = p.getLeaf();
      if (TreePaths.isBoundary(t)) {
        return unreleased;
      }
      if (t instanceof BlockTree) {
        boolean after = false;
        for (StatementTree st : ((BlockTree) t).getStatements()) {
          if (after) {
            TreePath sp = new TreePath(p, st);
            if (releases(sp, vars)) {
              return released;
            }
            R r = visit.apply(sp);
            if (r != null) {
              return r;
            }
            if (mayExit(st)) {
              return unreleased; // a return (or a jump out) before any release
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
          return released; // runs on every exit of the try block and its catches
        }
      } else if (isLoop(t)) {
        return unreleased; // created per iteration, not released in that iteration
      }
      child = t;
    }
    return unreleased;
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

  /**
   * A call declared to throw a checked exception, and that exception, between a resource's creation
   * and its release: the exceptional exit that skips the release.
   */
  record UnreleasedThrow(TreePath call, TypeMirror thrown) {}

  /**
   * The first call between the creation at {@code created} and the release that {@link
   * #releasedOnEveryPath} found whose checked exception ({@code throws} in the called method's
   * declaration, not any call that might throw) leaves the resource unreleased: not caught by a
   * {@code catch} that releases it or that goes on to a release after its {@code try}, and no
   * enclosing {@code finally} releases it. Null when every such exception passes a release, or when
   * there is no normal-path release to speak of. Calls inside lambdas and local classes are not
   * paths of this method and are skipped, as are releases of the resource themselves.
   */
  UnreleasedThrow unreleasedThrow(TreePath created, Set<Element> vars) {
    // the normal-path release ends the walk: every call before it has been checked
    return walkToRelease(created, vars, null, null, sp -> throwingCall(sp, vars));
  }

  /**
   * The first call in statement {@code sp} whose declared checked exception skips every release.
   */
  private UnreleasedThrow throwingCall(TreePath sp, Set<Element> vars) {
    UnreleasedThrow[] found = {null};
    new OwnCodeScanner<Void>() {
      @Override
      public Void visitMethodInvocation(MethodInvocationTree node, Void v) {
        super.visitMethodInvocation(node, v); // arguments are evaluated first
        if (found[0] != null || isRelease(getCurrentPath(), vars)) {
          return null;
        }
        ExecutableElement m = types.method(getCurrentPath());
        if (m == null) {
          return null;
        }
        for (TypeMirror thrown : m.getThrownTypes()) {
          if (isChecked(thrown) && !covered(getCurrentPath(), thrown, vars)) {
            found[0] = new UnreleasedThrow(getCurrentPath(), thrown);
            return null;
          }
        }
        return null;
      }

      @Override
      public Void scan(Tree tree, Void v) {
        return found[0] != null ? null : super.scan(tree, v);
      }
    }.scan(sp, null);
    return found[0];
  }

  /** A checked exception: an {@code Exception} that is not a {@code RuntimeException}. */
  private boolean isChecked(TypeMirror thrown) {
    return thrown.getKind() == TypeKind.DECLARED
        && types.isSubtype(thrown, "java.lang.Exception")
        && !types.isSubtype(thrown, "java.lang.RuntimeException");
  }

  /**
   * Whether {@code thrown}, raised at {@code call}, passes a release of {@code vars} before it
   * leaves the method: a {@code finally} that releases, a {@code catch} that releases, or a {@code
   * catch} that completes normally, after which the rest of the method releases on every path.
   */
  private boolean covered(TreePath call, TypeMirror thrown, Set<Element> vars) {
    Tree child = call.getLeaf();
    boolean handled = false; // caught by a catch that leaves the method: only finally blocks count
    for (TreePath p = call.getParentPath(); p != null; p = p.getParentPath()) {
      Tree t = p.getLeaf();
      if (TreePaths.isBoundary(t)) {
        return false;
      }
      if (t instanceof TryTree) {
        TryTree tt = (TryTree) t;
        if (tt.getFinallyBlock() != null
            && tt.getFinallyBlock() != child
            && releases(new TreePath(p, tt.getFinallyBlock()), vars)) {
          return true; // runs whether or not a catch handles it
        }
        if (!handled && child == tt.getBlock()) {
          for (CatchTree c : tt.getCatches()) {
            TreePath cp = new TreePath(p, c);
            if (!catches(new TreePath(cp, c.getParameter()), thrown)) {
              continue;
            }
            if (releases(new TreePath(cp, c.getBlock()), vars)) {
              return true;
            }
            if (completesNormally(c.getBlock())) {
              return releasedOnEveryPath(p, vars); // on after the try statement
            }
            handled = true;
            break;
          }
        }
      }
      child = t;
    }
    return false;
  }

  /** Whether the catch parameter at {@code param} catches every {@code thrown}. */
  private boolean catches(TreePath param, TypeMirror thrown) {
    TypeMirror caught = types.typeOf(param);
    if (caught == null) {
      return true; // an unresolved catch type: assume it catches (silence, not a guess)
    }
    if (caught instanceof UnionType) {
      for (TypeMirror alt : ((UnionType) caught).getAlternatives()) {
        if (types.ctx.types().isSubtype(thrown, alt)) {
          return true;
        }
      }
      return false;
    }
    return types.ctx.types().isSubtype(thrown, caught);
  }

  /**
   * Whether a block can complete normally: it does not end in a throw, return, break or continue.
   */
  private static boolean completesNormally(BlockTree b) {
    if (b.getStatements().isEmpty()) {
      return true;
    }
    StatementTree last = b.getStatements().get(b.getStatements().size() - 1);
    return !(last instanceof ThrowTree
        || last instanceof ReturnTree
        || last instanceof BreakTree
        || last instanceof ContinueTree);
  }
}
