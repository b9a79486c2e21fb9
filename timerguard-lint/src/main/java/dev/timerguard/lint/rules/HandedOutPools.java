package dev.timerguard.lint.rules;

import com.sun.source.tree.AssignmentTree;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.ExpressionStatementTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.LambdaExpressionTree;
import com.sun.source.tree.LiteralTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.NewClassTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreePathScanner;
import javax.lang.model.element.Element;
import javax.lang.model.element.ExecutableElement;

/**
 * TG104's pools that a factory hands out: a method returns a new scheduled pool ({@code return
 * Executors.newSingleThreadScheduledExecutor(..)}), and another class of the compilation keeps what
 * it gets from that factory in a field or local, schedules one-shot tasks on it with their handles
 * kept, and cancels {@code Future}s: the cancelled tasks stay queued in the factory's pool, which
 * never gets {@code setRemoveOnCancelPolicy(true)}. What the other class gets from the factory is a
 * call of the returning method itself, or, when that method belongs to an anonymous class that
 * initializes a field (a resource descriptor: {@code TIMER_SERVICE = new Resource<..>() { create()
 * { return pool; } }}), a call that takes that field as an argument and returns a {@code
 * ScheduledExecutorService} ({@code SharedResourceHolder.get(TIMER_SERVICE)}).
 *
 * <p>The users come from every unit of {@link dev.timerguard.lint.RuleContext#compilation()}; every
 * link is a resolved element or type, never a name. Silent when the user configures the pool itself
 * (the policy, also by reflection on its name). Stateless helper.
 */
final class HandedOutPools {
  /** The class that keeps and cancels tasks of the handed-out pool, and its variable. */
  record User(Element pool, Element owner) {}

  private HandedOutPools() {}

  /** A user of the pool returned at {@code returned} (a return statement's expression), or null. */
  static User find(Facts facts, TreePath returned) {
    TreePath method = returned;
    while (method != null && !(method.getLeaf() instanceof MethodTree)) {
      if (method.getLeaf() instanceof LambdaExpressionTree) {
        return null;
      }
      method = method.getParentPath();
    }
    Element factory = method == null ? null : facts.types.element(method);
    if (!(factory instanceof ExecutableElement)) {
      return null;
    }
    Element descriptor = descriptorField(facts, method);
    for (CompilationUnitTree cu : facts.ctx.compilation()) {
      User[] found = {null};
      new TreePathScanner<Void, Void>() {
        @Override
        public Void visitVariable(VariableTree node, Void v) {
          if (found[0] == null && node.getInitializer() != null) {
            check(facts.types.element(getCurrentPath()), getCurrentPath(), node.getInitializer());
          }
          return super.visitVariable(node, v);
        }

        @Override
        public Void visitAssignment(AssignmentTree node, Void v) {
          if (found[0] == null) {
            check(
                facts.types.element(new TreePath(getCurrentPath(), node.getVariable())),
                getCurrentPath(),
                node.getExpression());
          }
          return super.visitAssignment(node, v);
        }

        private void check(Element var, TreePath at, ExpressionTree init) {
          if (var == null || !(TreePaths.isField(var) || TreePaths.isLocal(var))) {
            return;
          }
          Tree e = TreePaths.skipParens(init);
          if (!(e instanceof MethodInvocationTree)) {
            return;
          }
          TreePath call = new TreePath(at, e);
          if (!obtains(facts, call, (ExecutableElement) factory, descriptor)) {
            return;
          }
          if (keepsAndCancels(facts, new TreePath(cu), var)) {
            Element owner = var;
            while (owner.getEnclosingElement() != null
                && owner.getEnclosingElement().getKind()
                    != javax.lang.model.element.ElementKind.PACKAGE) {
              owner = owner.getEnclosingElement();
            }
            found[0] = new User(var, owner);
          }
        }
      }.scan(new TreePath(cu), null);
      if (found[0] != null) {
        return found[0];
      }
    }
    return null;
  }

  /**
   * The field initialized with the anonymous class that declares {@code method} ({@code static
   * final Resource<X> F = new Resource<X>() { X create() { .. } }}), or null.
   */
  private static Element descriptorField(Facts facts, TreePath method) {
    TreePath cls = method.getParentPath();
    if (cls == null || !(cls.getLeaf() instanceof ClassTree)) {
      return null;
    }
    TreePath nc = cls.getParentPath();
    if (nc == null || !(nc.getLeaf() instanceof NewClassTree)) {
      return null;
    }
    TreePath var = nc.getParentPath();
    if (var == null || !(var.getLeaf() instanceof VariableTree)) {
      return null;
    }
    Element f = facts.types.element(var);
    return TreePaths.isField(f) ? f : null;
  }

  /** Whether {@code call} yields the factory's pool: calls it, or passes its descriptor field. */
  private static boolean obtains(
      Facts facts, TreePath call, ExecutableElement factory, Element descriptor) {
    if (factory.equals(facts.types.method(call))) {
      return true;
    }
    if (descriptor == null || !facts.types.isSubtype(facts.types.typeOf(call), ApiNames.SES)) {
      return false;
    }
    for (ExpressionTree a : ((MethodInvocationTree) call.getLeaf()).getArguments()) {
      if (facts.types.element(new TreePath(call, a)) == descriptor) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether the unit schedules a one-shot on {@code pool} and keeps its handle, cancels a {@code
   * Future}, and never configures the policy.
   */
  private static boolean keepsAndCancels(Facts facts, TreePath unit, Element pool) {
    int[] kept = {0};
    boolean[] cancels = {false};
    boolean[] configured = {false};
    new TreePathScanner<Void, Void>() {
      @Override
      public Void visitMethodInvocation(MethodInvocationTree node, Void v) {
        String n = TreePaths.methodName(node);
        TreePath p = getCurrentPath();
        ExpressionTree r = TreePaths.receiver(node);
        Element target = r == null ? null : facts.types.element(new TreePath(p, r));
        if (target == pool && n.equals("setRemoveOnCancelPolicy")) {
          configured[0] = true;
        } else if (target == pool
            && n.equals("schedule")
            && node.getArguments().size() == 3
            && !(p.getParentPath().getLeaf() instanceof ExpressionStatementTree)) {
          kept[0]++;
        } else if (n.equals("cancel")
            && r != null
            && facts.types.isSubtype(facts.types.typeOf(new TreePath(p, r)), ApiNames.FUTURE)) {
          cancels[0] = true;
        }
        return super.visitMethodInvocation(node, v);
      }

      @Override
      public Void visitLiteral(LiteralTree node, Void v) {
        configured[0] |= "setRemoveOnCancelPolicy".equals(node.getValue());
        return null;
      }
    }.scan(unit, null);
    return kept[0] > 0 && cancels[0] && !configured[0];
  }
}
