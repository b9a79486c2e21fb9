package dev.timerguard.lint.rules;

import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.LiteralTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.SourcePositions;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreePathScanner;
import dev.timerguard.lint.RuleContext;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.lang.model.element.Element;

/**
 * TG108's atomic shape: a value held through an {@code AtomicReferenceFieldUpdater} or an {@code
 * AtomicReference} field is something this class cancels when it takes it out ({@code
 * UPDATER.getAndSet(this, null)} or {@code ref.getAndSet(..)}, then {@code cancel()}/{@code
 * close()}/... on the returned value), but another method replaces it with a plain {@code set(..)}:
 * the displaced value (a holder of pending timeouts) is never cancelled. Silent for {@code
 * set(null)}, in constructors and initializers, and when the method reads the reference before
 * setting it. Stateless.
 */
final class DisplacedReferences {
  static final String UPDATER = "java.util.concurrent.atomic.AtomicReferenceFieldUpdater";
  static final String REFERENCE = "java.util.concurrent.atomic.AtomicReference";

  private DisplacedReferences() {}

  /** The {@code set} calls that displace a value this class otherwise cancels. */
  static List<TreePath> find(RuleContext ctx, Facts facts) {
    Set<Element> cancelledOnTake = new HashSet<>();
    List<TreePath> sets = new ArrayList<>();
    new TreePathScanner<Void, Void>() {
      @Override
      public Void visitMethodInvocation(MethodInvocationTree node, Void v) {
        TreePath p = getCurrentPath();
        String n = TreePaths.methodName(node);
        if (n.equals("getAndSet") || n.equals("set")) {
          Element holder = holder(facts, p);
          if (holder != null && n.equals("getAndSet") && stoppedAfterTake(facts, p)) {
            cancelledOnTake.add(holder);
          } else if (holder != null
              && n.equals("set")
              && !node.getArguments().isEmpty()
              && !isNull(node.getArguments().get(node.getArguments().size() - 1))
              && !TreePaths.inConstructorOrInitializer(p)) {
            sets.add(p);
          }
        }
        return super.visitMethodInvocation(node, v);
      }
    }.scan(ctx.root(), null);
    List<TreePath> out = new ArrayList<>();
    SourcePositions pos = ctx.trees().getSourcePositions();
    for (TreePath set : sets) {
      Element holder = holder(facts, set);
      if (cancelledOnTake.contains(holder) && !readBefore(ctx, facts, pos, set, holder)) {
        out.add(set);
      }
    }
    return out;
  }

  /** The updater or atomic-reference field that the call at {@code inv} is invoked on, or null. */
  static Element holder(Facts facts, TreePath inv) {
    TreePath r = TreePaths.receiverPath(inv);
    if (r == null) {
      return null;
    }
    Element e = facts.types.element(r);
    if (!TreePaths.isField(e)) {
      return null;
    }
    return facts.types.isSubtype(e.asType(), UPDATER)
            || facts.types.isSubtype(e.asType(), REFERENCE)
        ? e
        : null;
  }

  private static boolean isNull(ExpressionTree e) {
    Tree t = TreePaths.skipParens(e);
    return t instanceof LiteralTree && ((LiteralTree) t).getValue() == null;
  }

  /**
   * Whether the value returned by the {@code getAndSet} at {@code take} is stopped: directly
   * ({@code x.getAndSet(..).cancel()}) or through the local it is stored in.
   */
  private static boolean stoppedAfterTake(Facts facts, TreePath take) {
    Tree parent = take.getParentPath().getLeaf();
    if (parent instanceof com.sun.source.tree.MemberSelectTree
        && Summaries.STOPPERS.contains(
            ((com.sun.source.tree.MemberSelectTree) parent).getIdentifier().toString())) {
      return true;
    }
    if (!(parent instanceof VariableTree)) {
      return false;
    }
    Element local = facts.types.element(take.getParentPath());
    TreePath block = TreePaths.enclosingBlock(take);
    if (local == null || block == null) {
      return false;
    }
    boolean[] stopped = {false};
    new TreePathScanner<Void, Void>() {
      @Override
      public Void visitMethodInvocation(MethodInvocationTree node, Void v) {
        ExpressionTree r = TreePaths.receiver(node);
        if (r != null
            && Summaries.STOPPERS.contains(TreePaths.methodName(node))
            && facts.types.element(new TreePath(getCurrentPath(), r)) == local) {
          stopped[0] = true;
        }
        return super.visitMethodInvocation(node, v);
      }
    }.scan(block, null);
    return stopped[0];
  }

  /** Whether {@code holder} is used in the enclosing method before {@code set}. */
  private static boolean readBefore(
      RuleContext ctx, Facts facts, SourcePositions pos, TreePath set, Element holder) {
    TreePath method = set;
    while (method != null && !(method.getLeaf() instanceof MethodTree)) {
      method = method.getParentPath();
    }
    if (method == null || ((MethodTree) method.getLeaf()).getBody() == null) {
      return true;
    }
    long limit = pos.getStartPosition(ctx.compilationUnit(), set.getLeaf());
    boolean[] found = {false};
    new OwnCodeScanner<Void>() {
      @Override
      public Void visitMethodInvocation(MethodInvocationTree node, Void v) {
        if (pos.getStartPosition(ctx.compilationUnit(), node) < limit
            && holder(facts, getCurrentPath()) == holder) {
          found[0] = true;
        }
        return super.visitMethodInvocation(node, v);
      }
    }.scan(new TreePath(method, ((MethodTree) method.getLeaf()).getBody()), null);
    return found[0];
  }
}
