package dev.timerguard.lint.rules;

import com.sun.source.tree.AssignmentTree;
import com.sun.source.tree.BinaryTree;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.EnhancedForLoopTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.IdentifierTree;
import com.sun.source.tree.LambdaExpressionTree;
import com.sun.source.tree.MemberReferenceTree;
import com.sun.source.tree.MemberSelectTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.ReturnTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreePathScanner;
import java.util.Set;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;

/**
 * Collections and maps held in an instance field whose elements are timers or pools the class
 * created ({@code pools.put(id, new ThreadPoolExecutor(..))}): which elements a call stores, and
 * whether the class ever releases or hands on the elements (for TG103).
 *
 * <p>An expression <em>comes from</em> a field when it is the field, a call on something that comes
 * from it ({@code pools.values()}, {@code pools.get(id)}, {@code it.next()}, {@code
 * entry.getValue()}), a local initialised with one, the variable of a for-each loop over one, or a
 * parameter of a lambda passed to a call on one ({@code pools.values().forEach(p -> ..)}). The
 * elements are released when a release method ({@code closers}) is called on something that comes
 * from the field, a method reference to a release method ({@code ExecutorService::shutdown}) or to
 * a method of the class that releases its parameter is passed to a call on it, or something that
 * comes from the field is passed as an argument to any method (a helper that releases it, or an
 * owner: silence, never a guess). The field escapes (also silence) when it is used other than as
 * the receiver of a call, in a null check, as a for-each source or as an assignment target, or when
 * something that comes from it is returned by a non-private method. Stateless; decides on the trees
 * of the class it is given.
 */
final class ElementFields {
  /** Calls that store their last argument as an element of the receiver collection or map. */
  private static final Set<String> STORES =
      Set.of("put", "putIfAbsent", "add", "addLast", "addFirst", "offer", "push");

  private ElementFields() {}

  /**
   * The element argument of a store call {@code field.put(k, x)} on an instance field of the class
   * {@code self} that is a {@code java.util.Map} or {@code java.util.Collection} (the lambda body
   * of {@code computeIfAbsent(k, k -> x)} too); null for any other call. {@code field[0]} receives
   * the field.
   */
  static TreePath storedElement(Facts facts, TreePath call, Element self, Element[] field) {
    MethodInvocationTree inv = (MethodInvocationTree) call.getLeaf();
    String name = TreePaths.methodName(inv);
    boolean compute = name.equals("computeIfAbsent") || name.equals("computeIfPresent");
    if ((!STORES.contains(name) && !compute) || inv.getArguments().isEmpty()) {
      return null;
    }
    ExpressionTree r = TreePaths.receiver(inv);
    if (r == null || !TreePaths.isOwnFieldTarget(r)) {
      return null;
    }
    Element f = facts.types.element(TreePaths.receiverPath(call));
    if (!TreePaths.isField(f)
        || f.getModifiers().contains(Modifier.STATIC)
        || !f.getEnclosingElement().equals(self)
        || !(facts.types.isSubtype(f.asType(), "java.util.Map")
            || facts.types.isSubtype(f.asType(), "java.util.Collection"))) {
      return null;
    }
    ExpressionTree last = inv.getArguments().get(inv.getArguments().size() - 1);
    TreePath arg = new TreePath(call, last);
    if (compute) {
      Tree l = TreePaths.skipParens(last);
      if (!(l instanceof LambdaExpressionTree)
          || ((LambdaExpressionTree) l).getBodyKind() != LambdaExpressionTree.BodyKind.EXPRESSION) {
        return null;
      }
      arg = new TreePath(new TreePath(call, l), ((LambdaExpressionTree) l).getBody());
    }
    field[0] = f;
    return arg;
  }

  /** How the class at {@code cls} treats the elements of {@code field}. */
  enum Fate {
    /** Never released, never handed on: the class leaks them. */
    KEPT,
    /** Released somewhere in the class (or handed to a helper or owner). */
    RELEASED,
    /** The collection, or an element of it, leaves the class. */
    ESCAPES
  }

  static Fate fate(Facts facts, TreePath cls, Element field, Set<String> closers) {
    Element self = facts.types.element(cls);
    Fate[] fate = {Fate.KEPT};
    new TreePathScanner<Void, Void>() {
      @Override
      public Void visitIdentifier(IdentifierTree node, Void v) {
        if (field.equals(facts.types.element(getCurrentPath()))) {
          fieldUse(getCurrentPath());
        }
        return null;
      }

      @Override
      public Void visitMemberSelect(MemberSelectTree node, Void v) {
        if (node.getIdentifier().contentEquals(field.getSimpleName())
            && field.equals(facts.types.element(getCurrentPath()))) {
          if (!node.getExpression().toString().equals("this")) {
            fate[0] = Fate.ESCAPES; // other.pools: another instance's, out of sight
            return null;
          }
          fieldUse(getCurrentPath());
          return null;
        }
        return super.visitMemberSelect(node, v);
      }

      private void fieldUse(TreePath use) {
        Tree parent = use.getParentPath().getLeaf();
        if (parent instanceof MemberSelectTree
            && use.getParentPath().getParentPath().getLeaf() instanceof MethodInvocationTree) {
          return; // pools.put(..), pools.values(): follow the results below
        }
        if (parent instanceof BinaryTree) {
          return; // pools != null
        }
        if (parent instanceof EnhancedForLoopTree
            && ((EnhancedForLoopTree) parent).getExpression() == use.getLeaf()) {
          return;
        }
        if (parent instanceof AssignmentTree
            && ((AssignmentTree) parent).getVariable() == use.getLeaf()) {
          return;
        }
        if (parent instanceof VariableTree
            && ((VariableTree) parent).getInitializer() == use.getLeaf()
            && TreePaths.isLocal(facts.types.element(use.getParentPath()))) {
          return; // a local alias: its uses come from the field
        }
        escapeOrRelease(use, false);
      }

      /**
       * Something that comes from the field is used as a value: the field itself ({@code result}
       * false: any use not handled by the caller lets it escape), or the result of a call on it
       * (only a return, an argument or an assignment hands it on).
       */
      private void escapeOrRelease(TreePath use, boolean result) {
        Tree parent = use.getParentPath().getLeaf();
        if (parent instanceof ReturnTree) {
          TreePath m = TreePaths.enclosingBoundary(use);
          if (m != null
              && m.getLeaf() instanceof MethodTree
              && ((MethodTree) m.getLeaf()).getModifiers().getFlags().contains(Modifier.PRIVATE)) {
            return; // a private look-up: the element stays in the class
          }
          fate[0] = Fate.ESCAPES;
        } else if (parent instanceof MethodInvocationTree
            && ((MethodInvocationTree) parent).getArguments().contains(use.getLeaf())) {
          if (fate[0] == Fate.KEPT) {
            fate[0] = Fate.RELEASED; // handed to a helper or an owner
          }
        } else if (!result
            || (parent instanceof AssignmentTree
                && ((AssignmentTree) parent).getExpression() == use.getLeaf())) {
          fate[0] = Fate.ESCAPES; // assigned elsewhere, captured, ...
        }
      }

      @Override
      public Void visitMethodInvocation(MethodInvocationTree node, Void v) {
        TreePath call = getCurrentPath();
        TreePath r = TreePaths.receiverPath(call);
        if (r != null && comesFrom(r, 0)) {
          String name = TreePaths.methodName(node);
          if (closers.contains(name)
              || (name.equals("interrupt") && node.getArguments().isEmpty())) {
            if (fate[0] == Fate.KEPT) {
              fate[0] = Fate.RELEASED;
            }
          }
          for (ExpressionTree a : node.getArguments()) {
            Tree t = TreePaths.skipParens(a);
            if (t instanceof MemberReferenceTree && releasingReference(new TreePath(call, t))) {
              if (fate[0] == Fate.KEPT) {
                fate[0] = Fate.RELEASED;
              }
            }
          }
          if (!(call.getParentPath().getLeaf() instanceof MemberSelectTree)
              && returnsElement(call)) {
            escapeOrRelease(call, true); // pools.get(id) used as a value
          }
        }
        return super.visitMethodInvocation(node, v);
      }

      /** Whether the call's result may be an element (not a size, a flag or a key). */
      private boolean returnsElement(TreePath call) {
        javax.lang.model.type.TypeMirror t = facts.types.typeOf(call);
        return t != null
            && (t.getKind() == javax.lang.model.type.TypeKind.DECLARED
                || t.getKind() == javax.lang.model.type.TypeKind.TYPEVAR)
            && !facts.types.isSubtype(t, "java.lang.String")
            && !facts.types.isSubtype(t, "java.lang.Boolean")
            && !facts.types.isSubtype(t, "java.lang.Number");
      }

      /** {@code ExecutorService::shutdown}, or {@code this::quietly} releasing its parameter. */
      private boolean releasingReference(TreePath ref) {
        MemberReferenceTree mr = (MemberReferenceTree) ref.getLeaf();
        if (closers.contains(mr.getName().toString())) {
          return true;
        }
        Element m = facts.types.element(ref);
        if (m instanceof ExecutableElement
            && self != null
            && self.equals(m.getEnclosingElement())) {
          TreePath decl = facts.ctx.trees().getPath(m);
          return decl != null
              && decl.getLeaf() instanceof MethodTree
              && ClassLifecycle.releasesParameter(facts, decl, 0, closers);
        }
        return false;
      }

      /** Whether the expression at {@code p} comes from the field (see the class comment). */
      private boolean comesFrom(TreePath p, int depth) {
        if (depth > 6) {
          return false;
        }
        Tree t = TreePaths.skipParens(p.getLeaf());
        TreePath tp = t == p.getLeaf() ? p : new TreePath(p, t);
        if (t instanceof MethodInvocationTree) {
          TreePath r = TreePaths.receiverPath(tp);
          return r != null && comesFrom(r, depth + 1);
        }
        if (!(t instanceof IdentifierTree || t instanceof MemberSelectTree)) {
          return false;
        }
        Element e = facts.types.element(tp);
        if (field.equals(e)) {
          return true;
        }
        if (e == null
            || !(TreePaths.isLocal(e) || e.getKind() == ElementKind.PARAMETER)
            || t instanceof MemberSelectTree) {
          return false;
        }
        TreePath decl = facts.ctx.trees().getPath(e);
        if (decl == null || !(decl.getLeaf() instanceof VariableTree)) {
          return false;
        }
        VariableTree vt = (VariableTree) decl.getLeaf();
        Tree holder = decl.getParentPath().getLeaf();
        if (holder instanceof EnhancedForLoopTree
            && ((EnhancedForLoopTree) holder).getVariable() == vt) {
          return comesFrom(
              new TreePath(decl.getParentPath(), ((EnhancedForLoopTree) holder).getExpression()),
              depth + 1);
        }
        if (holder instanceof LambdaExpressionTree) {
          TreePath call = decl.getParentPath().getParentPath();
          if (call != null && call.getLeaf() instanceof MethodInvocationTree) {
            TreePath r = TreePaths.receiverPath(call);
            return r != null && comesFrom(r, depth + 1);
          }
          return false;
        }
        return vt.getInitializer() != null
            && e.getKind() != ElementKind.PARAMETER
            && comesFrom(new TreePath(decl, vt.getInitializer()), depth + 1);
      }

      @Override
      public Void visitClass(ClassTree node, Void v) {
        return super.visitClass(node, v); // nested and anonymous classes see the field too
      }
    }.scan(cls, null);
    return fate[0];
  }
}
