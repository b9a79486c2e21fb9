package dev.timerguard.lint.rules;

import com.sun.source.tree.AssignmentTree;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.IdentifierTree;
import com.sun.source.tree.MemberReferenceTree;
import com.sun.source.tree.MemberSelectTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.NewClassTree;
import com.sun.source.tree.Tree;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreePathScanner;
import java.util.List;
import java.util.Set;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;

/**
 * The lifecycle summary of one class, for rules about resources that a class holds in its fields:
 * whether the class has a lifecycle (its owner calls a method that ends it), which methods make it,
 * which of its methods release a parameter they are given (a helper such as {@code
 * shutdown(ExecutorService, Duration)}), whether its lifecycle releases any resource field, and
 * into which field a constructor stores a parameter (for {@code this(..)} chains).
 *
 * <p>A class has a lifecycle when it declares a method named {@code close}, {@code stop}, {@code
 * shutdown}, {@code shutdownNow}, {@code destroy}, {@code dispose}, {@code finish} or {@code
 * terminate} (any parameters: {@code stop(Duration)} counts), a no-argument method whose name
 * starts with one of {@code close/stop/shutdown/destroy/dispose} followed by a capital letter
 * ({@code closeAllConnections()}), or is {@code AutoCloseable}. An anonymous class has the
 * lifecycle of the class whose code creates it: its instance lives as long as its creator keeps it.
 * Enums, interfaces and records are process-lifetime or value types and never have one.
 *
 * <p>Everything is decided on the trees of the current compilation unit; a class or method whose
 * source is not there contributes nothing (silence, never a guess). Stateless: every method reads
 * the trees it is given.
 */
final class ClassLifecycle {
  /** Names of methods that end an object's life: its owner calls one of them when done with it. */
  static final Set<String> LIFECYCLE =
      Set.of(
          "close", "stop", "shutdown", "destroy", "dispose", "shutdownNow", "terminate", "finish");

  /** Prefixes of no-argument lifecycle methods with a longer name ({@code closeAllConnections}). */
  private static final List<String> PREFIXES =
      List.of("close", "stop", "shutdown", "destroy", "dispose");

  private ClassLifecycle() {}

  /** Whether the method {@code m} ends its object's life (see the class comment). */
  static boolean isLifecycleMethod(MethodTree m) {
    String name = m.getName().toString();
    if (LIFECYCLE.contains(name)) {
      return true;
    }
    if (!m.getParameters().isEmpty()) {
      return false;
    }
    for (String p : PREFIXES) {
      if (name.length() > p.length()
          && name.startsWith(p)
          && Character.isUpperCase(name.charAt(p.length()))) {
        return true;
      }
    }
    return false;
  }

  /** Whether the class at {@code cls} has a lifecycle (see the class comment). */
  static boolean hasLifecycle(Facts facts, TreePath cls) {
    ClassTree ct = (ClassTree) cls.getLeaf();
    if (ct.getKind() != Tree.Kind.CLASS) {
      return false; // enums (singletons), interfaces, records, annotations
    }
    for (Tree m : ct.getMembers()) {
      if (m instanceof MethodTree && isLifecycleMethod((MethodTree) m)) {
        return true;
      }
    }
    Element e = facts.types.element(cls);
    if (e != null && facts.types.isSubtype(e.asType(), "java.lang.AutoCloseable")) {
      return true;
    }
    TreePath creator = anonymousCreator(cls);
    return creator != null && hasLifecycle(facts, creator);
  }

  /** For an anonymous class, the class whose code creates it; null for any other class. */
  static TreePath anonymousCreator(TreePath cls) {
    if (!(cls.getParentPath().getLeaf() instanceof NewClassTree)) {
      return null;
    }
    for (TreePath p = cls.getParentPath(); p != null; p = p.getParentPath()) {
      if (p.getLeaf() instanceof ClassTree) {
        return p;
      }
    }
    return null;
  }

  /** A name for messages: the simple name, or "the anonymous Foo in Bar". */
  static String displayName(TreePath cls) {
    ClassTree ct = (ClassTree) cls.getLeaf();
    if (ct.getSimpleName().length() > 0) {
      return ct.getSimpleName().toString();
    }
    NewClassTree created = (NewClassTree) cls.getParentPath().getLeaf();
    String type = created.getIdentifier().toString();
    int lt = type.indexOf('<');
    type = lt < 0 ? type : type.substring(0, lt);
    type = type.substring(type.lastIndexOf('.') + 1);
    TreePath creator = anonymousCreator(cls);
    return "the anonymous " + type + (creator == null ? "" : " in " + displayName(creator));
  }

  /**
   * Whether the method at {@code method} releases its parameter {@code index}: calls one of {@code
   * closers} on it anywhere in its body, lambdas and inner classes included ({@code shutdown(pool,
   * timeout)} returning a task that shuts {@code pool} down).
   */
  static boolean releasesParameter(Facts facts, TreePath method, int index, Set<String> closers) {
    MethodTree mt = (MethodTree) method.getLeaf();
    if (mt.getBody() == null || index >= mt.getParameters().size()) {
      return false;
    }
    Element param = facts.types.element(new TreePath(method, mt.getParameters().get(index)));
    return param != null
        && releasesAnywhere(facts, new TreePath(method, mt.getBody()), param, closers);
  }

  /**
   * Whether a call of one of {@code closers} on {@code var} appears anywhere under {@code scope}.
   */
  static boolean releasesAnywhere(Facts facts, TreePath scope, Element var, Set<String> closers) {
    boolean[] found = {false};
    new TreePathScanner<Void, Void>() {
      @Override
      public Void visitMethodInvocation(MethodInvocationTree node, Void v) {
        TreePath r = TreePaths.receiverPath(getCurrentPath());
        if (r != null
            && closers.contains(TreePaths.methodName(node))
            && var.equals(facts.types.element(r))) {
          found[0] = true;
        }
        return found[0] ? null : super.visitMethodInvocation(node, v);
      }

      @Override
      public Void visitMemberReference(MemberReferenceTree node, Void v) {
        if (closers.contains(node.getName().toString())
            && var.equals(
                facts.types.element(
                    new TreePath(getCurrentPath(), node.getQualifierExpression())))) {
          found[0] = true;
        }
        return super.visitMemberReference(node, v);
      }
    }.scan(scope, null);
    return found[0];
  }

  /**
   * Whether a lifecycle method of the class at {@code cls} releases some instance field other than
   * {@code except}: directly ({@code other.shutdown()}) or by handing it to a method of the class
   * that releases that parameter. Evidence that the class manages its pools' lives itself.
   */
  static boolean lifecycleReleasesOtherField(
      Facts facts, TreePath cls, Element except, Set<String> closers) {
    ClassTree ct = (ClassTree) cls.getLeaf();
    Element self = facts.types.element(cls);
    for (Tree member : ct.getMembers()) {
      if (!(member instanceof MethodTree) || !isLifecycleMethod((MethodTree) member)) {
        continue;
      }
      MethodTree mt = (MethodTree) member;
      if (mt.getBody() == null) {
        continue;
      }
      boolean[] found = {false};
      new TreePathScanner<Void, Void>() {
        @Override
        public Void visitMethodInvocation(MethodInvocationTree node, Void v) {
          TreePath call = getCurrentPath();
          TreePath r = TreePaths.receiverPath(call);
          if (r != null && closers.contains(TreePaths.methodName(node)) && otherField(r)) {
            found[0] = true;
          }
          ExecutableElement callee = facts.types.method(call);
          if (callee != null && callee.getEnclosingElement().equals(self)) {
            TreePath decl = facts.ctx.trees().getPath(callee);
            for (int i = 0; decl != null && i < node.getArguments().size(); i++) {
              if (otherField(new TreePath(call, node.getArguments().get(i)))
                  && decl.getLeaf() instanceof MethodTree
                  && releasesParameter(facts, decl, i, closers)) {
                found[0] = true;
              }
            }
          }
          return super.visitMethodInvocation(node, v);
        }

        private boolean otherField(TreePath p) {
          Tree t = TreePaths.skipParens(p.getLeaf());
          if (!(t instanceof IdentifierTree || t instanceof MemberSelectTree)) {
            return false;
          }
          Element e = facts.types.element(p.getLeaf() == t ? p : new TreePath(p, t));
          return TreePaths.isField(e)
              && !e.equals(except)
              && !e.getModifiers().contains(Modifier.STATIC)
              && e.getEnclosingElement().equals(self);
        }
      }.scan(new TreePath(cls, mt), null);
      if (found[0]) {
        return true;
      }
    }
    return false;
  }

  /**
   * The instance field of its own class into which the constructor at {@code ctor} stores its
   * parameter {@code index} ({@code this.exec = exec;}), following further {@code this(..)} calls;
   * null when it does not, or stores it anywhere else too.
   */
  static Element fieldOfParameter(Facts facts, TreePath ctor, int index, int depth) {
    MethodTree mt = (MethodTree) ctor.getLeaf();
    if (mt.getBody() == null || index >= mt.getParameters().size() || depth > 4) {
      return null;
    }
    Element param = facts.types.element(new TreePath(ctor, mt.getParameters().get(index)));
    Element self = facts.types.element(ctor.getParentPath());
    if (param == null) {
      return null;
    }
    Element[] field = {null};
    boolean[] other = {false};
    new TreePathScanner<Void, Void>() {
      @Override
      public Void visitIdentifier(IdentifierTree node, Void v) {
        if (!param.equals(facts.types.element(getCurrentPath()))) {
          return null;
        }
        TreePath p = getCurrentPath();
        Tree parent = p.getParentPath().getLeaf();
        if (parent instanceof AssignmentTree
            && ((AssignmentTree) parent).getExpression() == node
            && p.getParentPath().getParentPath().getLeaf()
                instanceof com.sun.source.tree.ExpressionStatementTree) {
          ExpressionTree target = ((AssignmentTree) parent).getVariable();
          Element f = facts.types.element(new TreePath(p.getParentPath(), target));
          if (TreePaths.isOwnFieldTarget(target)
              && TreePaths.isField(f)
              && !f.getModifiers().contains(Modifier.STATIC)
              && f.getEnclosingElement().equals(self)
              && field[0] == null) {
            field[0] = f;
            return null;
          }
        }
        if (parent instanceof MethodInvocationTree
            && TreePaths.methodName((MethodInvocationTree) parent).equals("this")) {
          int i = ((MethodInvocationTree) parent).getArguments().indexOf(node);
          ExecutableElement target = facts.types.method(p.getParentPath());
          TreePath decl = target == null ? null : facts.ctx.trees().getPath(target);
          Element f = decl == null || i < 0 ? null : fieldOfParameter(facts, decl, i, depth + 1);
          if (f != null && field[0] == null) {
            field[0] = f;
            return null;
          }
        }
        if (parent instanceof com.sun.source.tree.BinaryTree) {
          return null; // exec == null: a read
        }
        if (parent instanceof MemberSelectTree) {
          return null; // exec.schedule(..): used, not handed on
        }
        other[0] = true;
        return null;
      }
    }.scan(new TreePath(ctor, mt.getBody()), null);
    return other[0] || field[0] == null || field[0].getKind() != ElementKind.FIELD
        ? null
        : field[0];
  }

  /**
   * Whether the code at {@code creation} runs only while its object is ending: inside a lifecycle
   * method, an {@code abort*} or {@code kill*} method, or a private method of the class that only
   * such methods call. What is created there (a watchdog that halts a stuck shutdown) is meant to
   * outlive the lifecycle, not to be released by it.
   */
  static boolean createdWhileEnding(Facts facts, TreePath cls, TreePath creation) {
    TreePath m = creation;
    while (m != null && !(m.getLeaf() instanceof MethodTree)) {
      if (m.getLeaf() instanceof ClassTree) {
        return false; // a field initializer
      }
      m = m.getParentPath();
    }
    if (m == null) {
      return false;
    }
    MethodTree mt = (MethodTree) m.getLeaf();
    if (isEnding(mt)) {
      return true;
    }
    if (!mt.getModifiers().getFlags().contains(Modifier.PRIVATE)) {
      return false;
    }
    Element self = facts.types.element(m);
    int[] calls = {0, 0}; // all, from ending methods
    new TreePathScanner<Void, Void>() {
      @Override
      public Void visitMethodInvocation(MethodInvocationTree node, Void v) {
        if (TreePaths.methodName(node).contentEquals(mt.getName())
            && self != null
            && self.equals(facts.types.method(getCurrentPath()))) {
          calls[0]++;
          for (TreePath p = getCurrentPath(); p != null; p = p.getParentPath()) {
            if (p.getLeaf() instanceof MethodTree) {
              if (isEnding((MethodTree) p.getLeaf())) {
                calls[1]++;
              }
              break;
            }
          }
        }
        return super.visitMethodInvocation(node, v);
      }

      @Override
      public Void visitMemberReference(MemberReferenceTree node, Void v) {
        if (node.getName().contentEquals(mt.getName())) {
          calls[0]++; // handed out: may run at any time
        }
        return super.visitMemberReference(node, v);
      }
    }.scan(cls, null);
    return calls[0] > 0 && calls[0] == calls[1];
  }

  private static boolean isEnding(MethodTree m) {
    String name = m.getName().toString();
    return isLifecycleMethod(m) || name.startsWith("abort") || name.startsWith("kill");
  }
}
