package dev.timerguard.lint.rules;

import com.sun.source.tree.BlockTree;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.LambdaExpressionTree;
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

/**
 * Small per-compilation summaries of methods and constructors that rules look through when the
 * timer work is split across a call: which fields of its object a method cancels, whether
 * constructing an object starts a thread, timer or executor, and whether a class cancels the {@code
 * Future}s handed to it. A summary reads the declaration's tree wherever the compiler has it: in
 * the analysed unit, or in another source file of the same compilation (javac's {@code
 * -sourcepath}); a method without source (a class file) has an empty summary, which only ever
 * silences the rules. Depth is bounded, so recursion and long chains cost nothing. One instance per
 * rule run on one unit (results are cached there); not thread-safe.
 */
final class Summaries {
  /** Calls that stop a timer handle, a timer or an executor. */
  static final Set<String> STOPPERS =
      Set.of("cancel", "shutdown", "shutdownNow", "close", "stop", "purge");

  private final Facts facts;
  private final Map<Element, Set<Element>> cancelledFields = new HashMap<>();
  private final Map<Element, Boolean> constructorStarts = new HashMap<>();
  private final Map<Element, Boolean> cancelsFutures = new HashMap<>();
  private final Map<Element, Dropped> droppedTaskCalls = new HashMap<>();
  private java.util.List<TreePath> visibleCode;

  /** A schedule that drops the handle of its method's task parameter number {@code taskParam}. */
  record Dropped(TreePath call, int taskParam) {}

  Summaries(Facts facts) {
    this.facts = facts;
  }

  /** The tree path of {@code e}'s declaration in any source of the compilation, or null. */
  TreePath declaration(Element e) {
    if (e == null) {
      return null;
    }
    try {
      return facts.ctx.trees().getPath(e);
    } catch (RuntimeException ex) {
      return null;
    }
  }

  /**
   * The fields of its own object that method {@code m} cancels ({@code f.cancel(..)}, also through
   * a local copy {@code Future<?> old = f; old.cancel(..)}), directly in its body; empty when its
   * source is not available.
   */
  Set<Element> cancelledFields(ExecutableElement m) {
    Set<Element> known = cancelledFields.get(m);
    if (known != null) {
      return known;
    }
    Set<Element> out = new HashSet<>();
    cancelledFields.put(m, out);
    TreePath decl = declaration(m);
    if (decl == null || !(decl.getLeaf() instanceof MethodTree)) {
      return out;
    }
    MethodTree method = (MethodTree) decl.getLeaf();
    if (method.getBody() == null) {
      return out;
    }
    Map<Element, Element> copies = new HashMap<>();
    new TreePathScanner<Void, Void>() {
      @Override
      public Void visitVariable(VariableTree node, Void v) {
        if (node.getInitializer() != null) {
          Element init =
              facts.types.element(
                  new TreePath(getCurrentPath(), TreePaths.skipParens(node.getInitializer())));
          if (TreePaths.isField(init)) {
            copies.put(facts.types.element(getCurrentPath()), init);
          }
        }
        return super.visitVariable(node, v);
      }

      @Override
      public Void visitMethodInvocation(MethodInvocationTree node, Void v) {
        ExpressionTree r = TreePaths.receiver(node);
        if (TreePaths.methodName(node).equals("cancel") && r != null) {
          Element e = facts.types.element(new TreePath(getCurrentPath(), r));
          if (TreePaths.isField(e) && TreePaths.isOwnFieldTarget(r)) {
            out.add(e);
          } else if (copies.containsKey(e)) {
            out.add(copies.get(e));
          }
        }
        return super.visitMethodInvocation(node, v);
      }

      @Override
      public Void visitLambdaExpression(LambdaExpressionTree node, Void v) {
        return null; // runs at another time
      }

      @Override
      public Void visitClass(ClassTree node, Void v) {
        return null;
      }
    }.scan(new TreePath(decl, method.getBody()), null);
    return out;
  }

  /**
   * Whether {@code new T(..)} with constructor {@code ctor} starts something that runs on its own
   * and must be stopped: its body, the class's instance field initializers or initializer blocks,
   * or a constructor they call ({@code this(..)}, {@code new U(..)} of a class with source, up to
   * {@code depth} levels) start a periodic task or a thread, or create a timer or executor.
   */
  boolean constructorStarts(ExecutableElement ctor, int depth) {
    if (ctor == null || ctor.getKind() != ElementKind.CONSTRUCTOR) {
      return false;
    }
    Boolean known = constructorStarts.get(ctor);
    if (known != null) {
      return known;
    }
    constructorStarts.put(ctor, false); // recursion through this(..) or cycles: not starting
    boolean starts = false;
    TreePath decl = declaration(ctor);
    if (decl != null && decl.getLeaf() instanceof MethodTree) {
      MethodTree m = (MethodTree) decl.getLeaf();
      if (m.getBody() != null) {
        starts = startsIn(new TreePath(decl, m.getBody()), depth);
      }
      TreePath cls = decl.getParentPath();
      if (!starts && cls != null && cls.getLeaf() instanceof ClassTree) {
        for (Tree member : ((ClassTree) cls.getLeaf()).getMembers()) {
          if (member instanceof VariableTree
              && ((VariableTree) member).getInitializer() != null
              && !((VariableTree) member).getModifiers().getFlags().contains(Modifier.STATIC)) {
            starts |=
                startsIn(
                    new TreePath(
                        new TreePath(cls, member), ((VariableTree) member).getInitializer()),
                    depth);
          } else if (member instanceof BlockTree && !((BlockTree) member).isStatic()) {
            starts |= startsIn(new TreePath(cls, member), depth);
          }
        }
      }
    }
    constructorStarts.put(ctor, starts);
    return starts;
  }

  private boolean startsIn(TreePath code, int depth) {
    boolean[] found = {false};
    new TreePathScanner<Void, Void>() {
      @Override
      public Void visitMethodInvocation(MethodInvocationTree node, Void v) {
        TreePath p = getCurrentPath();
        TimerCalls.Call call = facts.timerCalls.classify(p);
        String name = TreePaths.methodName(node);
        if ((call != null && call.kind() == TimerCalls.Kind.PERIODIC)
            || facts.creations.classify(p) != Created.NONE
            || (name.equals("start")
                && node.getArguments().isEmpty()
                && facts.types.isSubtype(facts.types.receiverType(p), ApiNames.THREAD))) {
          found[0] = true;
        } else if (depth > 0 && (name.equals("this") || name.equals("super"))) {
          found[0] |= constructorStarts(facts.types.method(p), depth - 1);
        }
        return found[0] ? null : super.visitMethodInvocation(node, v);
      }

      @Override
      public Void visitNewClass(NewClassTree node, Void v) {
        TreePath p = getCurrentPath();
        if (facts.creations.classify(p) != Created.NONE) {
          found[0] = true;
        } else if (depth > 0 && node.getClassBody() == null) {
          Element e = facts.types.element(p);
          found[0] |=
              e instanceof ExecutableElement && constructorStarts((ExecutableElement) e, depth - 1);
        }
        return found[0] ? null : super.visitNewClass(node, v);
      }

      @Override
      public Void visitLambdaExpression(LambdaExpressionTree node, Void v) {
        return null; // runs later, if at all
      }

      @Override
      public Void visitClass(ClassTree node, Void v) {
        return null;
      }
    }.scan(code, null);
    return found[0];
  }

  /**
   * Whether class {@code type} (with its nested classes) calls {@code cancel} on a {@code Future}
   * anywhere in its source: a future handed to it can be cancelled there. In code not attributed
   * yet, a {@code cancel} on a name declared with a type named {@code ...Future} counts. False
   * without source.
   */
  boolean cancelsFutures(TypeElement type) {
    if (type == null) {
      return false;
    }
    Boolean known = cancelsFutures.get(type);
    if (known != null) {
      return known;
    }
    TreePath decl = declaration(type);
    boolean[] found = {false};
    if (decl != null) {
      // names declared with a ...Future type: the evidence when the class is not attributed yet
      // (javac attributes classes one after another; the plugin may see this one first)
      Set<String> futureNames = new HashSet<>();
      new TreePathScanner<Void, Void>() {
        @Override
        public Void visitVariable(VariableTree node, Void v) {
          Tree t = node.getType();
          if (t instanceof com.sun.source.tree.ParameterizedTypeTree) {
            t = ((com.sun.source.tree.ParameterizedTypeTree) t).getType();
          }
          if (t != null && t.toString().endsWith("Future")) {
            futureNames.add(node.getName().toString());
          }
          return super.visitVariable(node, v);
        }
      }.scan(decl, null);
      new TreePathScanner<Void, Void>() {
        @Override
        public Void visitMethodInvocation(MethodInvocationTree node, Void v) {
          TreePath r = TreePaths.receiverPath(getCurrentPath());
          if (TreePaths.methodName(node).equals("cancel") && r != null) {
            javax.lang.model.type.TypeMirror t = facts.types.typeOf(r);
            found[0] |=
                t != null
                    ? facts.types.isSubtype(t, ApiNames.FUTURE)
                    : r.getLeaf() instanceof com.sun.source.tree.IdentifierTree
                        && futureNames.contains(r.getLeaf().toString());
          }
          return found[0] ? null : super.visitMethodInvocation(node, v);
        }
      }.scan(decl, null);
    }
    cancelsFutures.put(type, found[0]);
    return found[0];
  }

  /**
   * The one-shot schedule in {@code m}'s body that drops the handle of the caller's task: {@code m}
   * returns {@code void}, and a statement {@code ses.schedule(task, delay, unit)} (or a wheel's
   * {@code newTimeout}) arms a task and a delay that are both parameters of {@code m}, so no caller
   * can ever cancel what it scheduled. Null otherwise, and for {@code java.util.Timer} (the
   * caller's {@code TimerTask} is its own handle) or without source.
   */
  Dropped droppedTaskCall(ExecutableElement m) {
    if (m == null || m.getReturnType().getKind() != javax.lang.model.type.TypeKind.VOID) {
      return null;
    }
    if (droppedTaskCalls.containsKey(m)) {
      return droppedTaskCalls.get(m);
    }
    Dropped[] found = {null};
    droppedTaskCalls.put(m, null);
    TreePath decl = declaration(m);
    if (decl != null
        && decl.getLeaf() instanceof MethodTree
        && ((MethodTree) decl.getLeaf()).getBody() != null) {
      java.util.List<? extends Element> params = m.getParameters();
      new OwnCodeScanner<Void>() {
        @Override
        public Void visitMethodInvocation(MethodInvocationTree node, Void v) {
          TreePath p = getCurrentPath();
          TimerCalls.Call call = facts.timerCalls.classify(p);
          if (found[0] == null
              && call != null
              && call.kind() == TimerCalls.Kind.ONE_SHOT
              && !call.api().startsWith("java.util.Timer")
              && p.getParentPath().getLeaf() instanceof com.sun.source.tree.ExpressionStatementTree
              && !node.getArguments().isEmpty()) {
            int taskParam = -1;
            boolean delayParam = false;
            for (int i = 0; i < node.getArguments().size(); i++) {
              Element a =
                  facts.types.element(
                      new TreePath(p, TreePaths.skipParens(node.getArguments().get(i))));
              if (a != null && params.contains(a)) {
                if (i == 0) {
                  taskParam = params.indexOf(a);
                } else {
                  delayParam = true;
                }
              }
            }
            if (taskParam >= 0 && delayParam) {
              found[0] = new Dropped(p, taskParam);
            }
          }
          return super.visitMethodInvocation(node, v);
        }
      }.scan(new TreePath(decl, ((MethodTree) decl.getLeaf()).getBody()), null);
    }
    droppedTaskCalls.put(m, found[0]);
    return found[0];
  }

  /**
   * Whether a call of {@code m} visible in this compilation passes, as parameter {@code param}, a
   * task that acts like a timeout ({@link TimerCalls#looksLikeTimeout}). Visible: the analysed unit
   * and the source classes it names (their trees are attributed with it, e.g. the class that
   * receives {@code this} and calls back into it).
   */
  boolean calledWithTimeout(ExecutableElement m, int param) {
    boolean[] found = {false};
    for (TreePath code : visibleCode()) {
      new TreePathScanner<Void, Void>() {
        @Override
        public Void visitMethodInvocation(MethodInvocationTree node, Void v) {
          if (node.getArguments().size() > param
              && TreePaths.methodName(node).contentEquals(m.getSimpleName())
              && m.equals(facts.types.method(getCurrentPath()))
              && TimerCalls.looksLikeTimeout(node.getArguments().get(param))) {
            found[0] = true;
          }
          return found[0] ? null : super.visitMethodInvocation(node, v);
        }
      }.scan(code, null);
      if (found[0]) {
        return true;
      }
    }
    return false;
  }

  /** The analysed unit, then the top-level source classes it names (at most 64). */
  private java.util.List<TreePath> visibleCode() {
    if (visibleCode != null) {
      return visibleCode;
    }
    java.util.List<TreePath> out = new java.util.ArrayList<>();
    out.add(new TreePath(facts.ctx.compilationUnit()));
    Set<Element> seen = new HashSet<>();
    new TreePathScanner<Void, Void>() {
      @Override
      public Void visitIdentifier(com.sun.source.tree.IdentifierTree node, Void v) {
        add(facts.types.element(getCurrentPath()));
        return null;
      }

      @Override
      public Void visitMemberSelect(com.sun.source.tree.MemberSelectTree node, Void v) {
        add(facts.types.element(getCurrentPath()));
        return super.visitMemberSelect(node, v);
      }

      private void add(Element e) {
        if (!(e instanceof TypeElement) || out.size() > 64) {
          return;
        }
        Element top = e;
        while (top.getEnclosingElement() instanceof TypeElement) {
          top = top.getEnclosingElement();
        }
        if (seen.add(top)) {
          TreePath decl = declaration(top);
          if (decl != null && decl.getCompilationUnit() != facts.ctx.compilationUnit()) {
            out.add(decl);
          }
        }
      }
    }.scan(new TreePath(facts.ctx.compilationUnit()), null);
    visibleCode = out;
    return out;
  }
}
