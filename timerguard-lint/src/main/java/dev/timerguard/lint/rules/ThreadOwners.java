package dev.timerguard.lint.rules;

import com.sun.source.tree.AssignmentTree;
import com.sun.source.tree.BlockTree;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.NewClassTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreePathScanner;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.TypeElement;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeMirror;

/**
 * Project classes that own a thread of their own (for TG103): {@code new T(..)} creates something
 * that must be released like a timer when
 *
 * <ul>
 *   <li>constructing it starts a thread, timer or executor ({@link Summaries#constructorStarts}, or
 *       a method of the class that the constructor calls, such as {@code init()});
 *   <li>the class (or a superclass with source) declares a non-static, non-private method without
 *       parameters named one of the given release names ({@code cancel}, {@code stop}, {@code
 *       close}, {@code shutdown}, {@code dispose}, ...);
 *   <li>that method (directly, or through a method of the class it calls) interrupts, cancels,
 *       stops, closes or shuts down an instance field of the class whose type is a {@code Thread},
 *       {@code java.util.Timer}, {@code ExecutorService} or Netty-shaped timer, and the class
 *       assigns that field while it is constructed (its initializer, an initializer block or a
 *       constructor).
 * </ul>
 *
 * <p>Reactor 1.1's {@code SimpleHashWheelTimer} is one: its constructor starts a thread kept in
 * field {@code loop}, and {@code cancel()} interrupts it. A class whose source is not in the
 * compilation is never one (silence, never a guess). Results are cached per instance; one instance
 * per rule run on one unit; not thread-safe.
 */
final class ThreadOwners {
  /** A method body to scan, {@code depth} calls away from the constructor. */
  private record Body(TreePath path, int depth) {}

  private final Facts facts;
  private final Set<String> releases;
  private final Map<Element, Boolean> owners = new HashMap<>();

  ThreadOwners(Facts facts, Set<String> releases) {
    this.facts = facts;
    this.releases = releases;
  }

  /** Whether {@code new T(..)} at {@code path} (a {@link NewClassTree}) creates a thread owner. */
  boolean createsOwner(TreePath path) {
    Tree t = TreePaths.skipParens(path.getLeaf());
    if (!(t instanceof NewClassTree) || ((NewClassTree) t).getClassBody() != null) {
      return false;
    }
    Element ctor = facts.types.element(t == path.getLeaf() ? path : new TreePath(path, t));
    if (!(ctor instanceof ExecutableElement) || ctor.getKind() != ElementKind.CONSTRUCTOR) {
      return false;
    }
    TypeElement type = (TypeElement) ctor.getEnclosingElement();
    if (type.getKind() != ElementKind.CLASS || !owns(type)) {
      return false;
    }
    Summaries s = facts.summaries();
    return s.constructorStarts((ExecutableElement) ctor, 2)
        || constructorCallsStarter((ExecutableElement) ctor);
  }

  /** Whether {@code type} has a release method that releases a thread field it assigns. */
  private boolean owns(TypeElement type) {
    Boolean known = owners.get(type);
    if (known != null) {
      return known;
    }
    owners.put(type, false);
    boolean owns = false;
    TypeElement c = type;
    for (int level = 0; c != null && level < 3 && !owns; level++) {
      TreePath decl = facts.summaries().declaration(c);
      if (decl == null || !(decl.getLeaf() instanceof ClassTree)) {
        break;
      }
      for (Tree m : ((ClassTree) decl.getLeaf()).getMembers()) {
        if (m instanceof MethodTree && isRelease((MethodTree) m)) {
          Set<Element> released = releasedFields(new TreePath(decl, m), c, 1);
          for (Element f : released) {
            if (threadLike(f.asType()) && assignedWhileConstructed(decl, f)) {
              owns = true;
            }
          }
        }
      }
      TypeMirror sup = c.getSuperclass();
      c =
          sup instanceof DeclaredType && ((DeclaredType) sup).asElement() instanceof TypeElement
              ? (TypeElement) ((DeclaredType) sup).asElement()
              : null;
    }
    owners.put(type, owns);
    return owns;
  }

  private boolean isRelease(MethodTree m) {
    Set<Modifier> mods = m.getModifiers().getFlags();
    return releases.contains(m.getName().toString())
        && m.getParameters().isEmpty()
        && m.getBody() != null
        && !mods.contains(Modifier.STATIC)
        && !mods.contains(Modifier.PRIVATE);
  }

  private boolean threadLike(TypeMirror t) {
    return facts.types.isSubtype(t, ApiNames.THREAD)
        || facts.types.isSubtype(t, ApiNames.TIMER)
        || facts.types.isSubtype(t, ApiNames.EXECUTOR_SERVICE)
        || facts.types.isSubtype(t, ApiNames.NETTY_TIMER)
        || facts.timerCalls.isWheelTimer(t);
  }

  /**
   * Instance fields of {@code cls} on which the method at {@code method} calls a release or {@code
   * interrupt()}, also in methods of the class it calls ({@code depth} levels).
   */
  private Set<Element> releasedFields(TreePath method, TypeElement cls, int depth) {
    Set<Element> out = new HashSet<>();
    MethodTree mt = (MethodTree) method.getLeaf();
    if (mt.getBody() == null) {
      return out;
    }
    new TreePathScanner<Void, Void>() {
      @Override
      public Void visitMethodInvocation(MethodInvocationTree node, Void v) {
        TreePath call = getCurrentPath();
        String name = TreePaths.methodName(node);
        ExpressionTree r = TreePaths.receiver(node);
        if (r != null
            && TreePaths.isOwnFieldTarget(r)
            && (releases.contains(name) || name.equals("interrupt"))) {
          Element f = facts.types.element(TreePaths.receiverPath(call));
          if (TreePaths.isField(f)
              && !f.getModifiers().contains(Modifier.STATIC)
              && cls.equals(f.getEnclosingElement())) {
            out.add(f);
          }
        } else if (depth > 0 && r == null) {
          ExecutableElement callee = facts.types.method(call);
          TreePath decl = callee == null ? null : facts.summaries().declaration(callee);
          if (decl != null
              && decl.getLeaf() instanceof MethodTree
              && cls.equals(callee.getEnclosingElement())) {
            out.addAll(releasedFields(decl, cls, depth - 1));
          }
        }
        return super.visitMethodInvocation(node, v);
      }

      @Override
      public Void visitClass(ClassTree node, Void v) {
        return null;
      }
    }.scan(new TreePath(method, mt.getBody()), null);
    return out;
  }

  /**
   * Whether {@code field} has an initializer, or is assigned in an initializer block or a
   * constructor of the class at {@code cls}, or in a method of the class they call (two levels).
   */
  private boolean assignedWhileConstructed(TreePath cls, Element field) {
    TreePath decl = facts.summaries().declaration(field);
    if (decl != null
        && decl.getLeaf() instanceof VariableTree
        && ((VariableTree) decl.getLeaf()).getInitializer() != null) {
      return true;
    }
    boolean[] found = {false};
    for (Tree m : ((ClassTree) cls.getLeaf()).getMembers()) {
      boolean construction =
          (m instanceof MethodTree && ((MethodTree) m).getName().contentEquals("<init>"))
              || (m instanceof BlockTree && !((BlockTree) m).isStatic());
      if (!construction) {
        continue;
      }
      Set<Element> seen = new HashSet<>();
      java.util.Deque<Body> work = new java.util.ArrayDeque<>();
      work.add(new Body(new TreePath(cls, m), 0));
      TreePathScanner<Void, Integer> scanner =
          new OwnCodeScanner<Integer>() {
            @Override
            public Void visitAssignment(AssignmentTree node, Integer depth) {
              if (TreePaths.isOwnFieldTarget(node.getVariable())
                  && field.equals(
                      facts.types.element(new TreePath(getCurrentPath(), node.getVariable())))) {
                found[0] = true;
              }
              return super.visitAssignment(node, depth);
            }

            /** {@code init()}: a method of the class that the constructor calls. */
            @Override
            public Void visitMethodInvocation(MethodInvocationTree node, Integer depth) {
              if (TreePaths.receiver(node) == null && depth < 2) {
                ExecutableElement callee = facts.types.method(getCurrentPath());
                TreePath d = callee == null ? null : facts.summaries().declaration(callee);
                if (d != null
                    && d.getLeaf() instanceof MethodTree
                    && ((MethodTree) d.getLeaf()).getBody() != null
                    && field.getEnclosingElement().equals(callee.getEnclosingElement())
                    && seen.add(callee)) {
                  work.add(
                      new Body(new TreePath(d, ((MethodTree) d.getLeaf()).getBody()), depth + 1));
                }
              }
              return super.visitMethodInvocation(node, depth);
            }
          };
      while (!work.isEmpty() && !found[0]) {
        Body b = work.poll();
        scanner.scan(b.path(), b.depth());
      }
    }
    return found[0];
  }

  /**
   * Whether a constructor (following {@code this(..)}) calls a method of its own class ({@code
   * init()}, unqualified) whose body starts a thread ({@code Thread.start()}) or creates a timer or
   * executor.
   */
  private boolean constructorCallsStarter(ExecutableElement ctor) {
    TreePath decl = facts.summaries().declaration(ctor);
    if (decl == null || !(decl.getLeaf() instanceof MethodTree)) {
      return false;
    }
    MethodTree mt = (MethodTree) decl.getLeaf();
    Element cls = ctor.getEnclosingElement();
    boolean[] found = {false};
    Set<Element> seen = new HashSet<>();
    java.util.Deque<Body> work = new java.util.ArrayDeque<>();
    work.add(new Body(new TreePath(decl, mt.getBody()), 0));
    TreePathScanner<Void, Integer> scanner =
        new OwnCodeScanner<Integer>() {
          @Override
          public Void visitMethodInvocation(MethodInvocationTree node, Integer depth) {
            TreePath call = getCurrentPath();
            String name = TreePaths.methodName(node);
            if (name.equals("start")
                && node.getArguments().isEmpty()
                && facts.types.isSubtype(facts.types.receiverType(call), ApiNames.THREAD)) {
              found[0] = true;
            } else if (facts.creations.classify(call) != Created.NONE) {
              found[0] = true;
            } else if (TreePaths.receiver(node) == null && depth < 2) {
              ExecutableElement callee = facts.types.method(call);
              TreePath d = callee == null ? null : facts.summaries().declaration(callee);
              if (d != null
                  && d.getLeaf() instanceof MethodTree
                  && ((MethodTree) d.getLeaf()).getBody() != null
                  && cls.equals(callee.getEnclosingElement())
                  && seen.add(callee)) {
                work.add(
                    new Body(new TreePath(d, ((MethodTree) d.getLeaf()).getBody()), depth + 1));
              }
            }
            return found[0] ? null : super.visitMethodInvocation(node, depth);
          }

          @Override
          public Void visitNewClass(NewClassTree node, Integer depth) {
            if (facts.creations.classify(getCurrentPath()) != Created.NONE) {
              found[0] = true;
            }
            return found[0] ? null : super.visitNewClass(node, depth);
          }
        };
    while (!work.isEmpty() && !found[0]) {
      Body b = work.poll();
      scanner.scan(b.path(), b.depth());
    }
    return found[0];
  }
}
