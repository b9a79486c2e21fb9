package dev.timerguard.lint.rules;

import com.sun.source.tree.BlockTree;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.DoWhileLoopTree;
import com.sun.source.tree.EnhancedForLoopTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.ForLoopTree;
import com.sun.source.tree.IdentifierTree;
import com.sun.source.tree.LambdaExpressionTree;
import com.sun.source.tree.MemberSelectTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.ParenthesizedTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.TypeCastTree;
import com.sun.source.tree.WhileLoopTree;
import com.sun.source.util.TreePath;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;

/**
 * Where a tree sits, without types: method names and receivers of calls, the enclosing loop,
 * method, lambda or block, constructors and initializers, and short source text for messages.
 * Lambdas, methods and classes are boundaries: code inside them runs at another time. Stateless.
 */
final class TreePaths {
  private TreePaths() {}

  /** The receiver expression of {@code inv}, or null for an unqualified call. */
  static ExpressionTree receiver(MethodInvocationTree inv) {
    ExpressionTree sel = inv.getMethodSelect();
    return sel instanceof MemberSelectTree ? ((MemberSelectTree) sel).getExpression() : null;
  }

  static String methodName(MethodInvocationTree inv) {
    ExpressionTree sel = inv.getMethodSelect();
    if (sel instanceof MemberSelectTree) {
      return ((MemberSelectTree) sel).getIdentifier().toString();
    }
    if (sel instanceof IdentifierTree) {
      return ((IdentifierTree) sel).getName().toString();
    }
    return "";
  }

  static Tree skipParens(Tree t) {
    while (true) {
      if (t instanceof ParenthesizedTree) {
        t = ((ParenthesizedTree) t).getExpression();
      } else if (t instanceof TypeCastTree) {
        t = ((TypeCastTree) t).getExpression();
      } else {
        return t;
      }
    }
  }

  /** Whether {@code t} ends the current method body: method, lambda, or class. */
  static boolean isBoundary(Tree t) {
    return t instanceof MethodTree || t instanceof LambdaExpressionTree || t instanceof ClassTree;
  }

  /**
   * The innermost loop whose repeated part (body, condition, update) contains {@code path}, within
   * the same method or lambda; null if none.
   */
  static TreePath enclosingLoop(TreePath path) {
    Tree child = path.getLeaf();
    for (TreePath p = path.getParentPath(); p != null; p = p.getParentPath()) {
      Tree t = p.getLeaf();
      if (isBoundary(t)) {
        return null;
      }
      if (t instanceof EnhancedForLoopTree && ((EnhancedForLoopTree) t).getStatement() == child) {
        return p;
      }
      if (t instanceof ForLoopTree) {
        ForLoopTree f = (ForLoopTree) t;
        if (f.getStatement() == child
            || f.getCondition() == child
            || f.getUpdate().contains(child)) {
          return p;
        }
      }
      if (t instanceof WhileLoopTree || t instanceof DoWhileLoopTree) {
        return p;
      }
      child = t;
    }
    return null;
  }

  /** The innermost enclosing method, lambda or class path of {@code path}. */
  static TreePath enclosingBoundary(TreePath path) {
    for (TreePath p = path.getParentPath(); p != null; p = p.getParentPath()) {
      if (isBoundary(p.getLeaf())) {
        return p;
      }
    }
    return null;
  }

  /** The innermost enclosing block of {@code path} below a boundary, or null. */
  static TreePath enclosingBlock(TreePath path) {
    for (TreePath p = path.getParentPath(); p != null; p = p.getParentPath()) {
      if (isBoundary(p.getLeaf())) {
        return null;
      }
      if (p.getLeaf() instanceof BlockTree) {
        return p;
      }
    }
    return null;
  }

  /** Whether the element is a field (instance or static). */
  static boolean isField(Element e) {
    return e != null && e.getKind() == ElementKind.FIELD;
  }

  /** Whether the element is a local variable, resource or parameter. */
  static boolean isLocal(Element e) {
    return e != null
        && (e.getKind() == ElementKind.LOCAL_VARIABLE
            || e.getKind() == ElementKind.RESOURCE_VARIABLE
            || e.getKind() == ElementKind.EXCEPTION_PARAMETER);
  }

  /** Short source text of a tree for messages, at most 60 characters. */
  static String brief(Tree t) {
    String s = t.toString().replaceAll("\\s+", " ");
    return s.length() > 60 ? s.substring(0, 57) + "..." : s;
  }

  /**
   * Whether {@code p} is inside a constructor or an initializer (of the innermost enclosing class),
   * where code runs once per object.
   */
  static boolean inConstructorOrInitializer(TreePath p) {
    for (; p != null; p = p.getParentPath()) {
      if (p.getLeaf() instanceof MethodTree) {
        return ((MethodTree) p.getLeaf()).getName().contentEquals("<init>");
      }
      if (p.getLeaf() instanceof ClassTree) {
        return true; // initializer
      }
    }
    return false;
  }

  /**
   * {@code field = ..} or {@code this.field = ..}; not {@code other.field = ..} (another object's
   * field).
   */
  static boolean isOwnFieldTarget(Tree target) {
    return target instanceof IdentifierTree
        || (target instanceof MemberSelectTree
            && ((MemberSelectTree) target).getExpression().toString().equals("this"));
  }

  /**
   * The path of the receiver expression of the call at {@code inv}, or null for an unqualified
   * call.
   */
  static TreePath receiverPath(TreePath inv) {
    MethodInvocationTree call = (MethodInvocationTree) inv.getLeaf();
    ExpressionTree r = receiver(call);
    return r == null ? null : new TreePath(new TreePath(inv, call.getMethodSelect()), r);
  }

  /**
   * The body of method {@code m} when its source is in the compilation ({@code Trees.getPath} finds
   * its declaration, and it has a body), or null: abstract, native, or only in a class file.
   */
  static TreePath methodBody(Facts facts, Element m) {
    TreePath decl;
    try {
      decl = m == null ? null : facts.ctx.trees().getPath(m);
    } catch (RuntimeException e) {
      decl = null; // a class file's element: no tree
    }
    if (decl == null
        || !(decl.getLeaf() instanceof com.sun.source.tree.MethodTree)
        || ((com.sun.source.tree.MethodTree) decl.getLeaf()).getBody() == null) {
      return null;
    }
    return new TreePath(decl, ((com.sun.source.tree.MethodTree) decl.getLeaf()).getBody());
  }
}
