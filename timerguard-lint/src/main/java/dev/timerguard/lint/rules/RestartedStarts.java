package dev.timerguard.lint.rules;

import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.IdentifierTree;
import com.sun.source.tree.LambdaExpressionTree;
import com.sun.source.tree.MemberSelectTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.Tree;
import com.sun.source.util.SourcePositions;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreePathScanner;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.Element;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;

/**
 * TG108's start method that runs more than once: a lifecycle method ({@code startX}, {@code initX},
 * ...) overwrites a timer field without looking at the old value, and code of the same compilation
 * calls it again per call, from a public method that is not itself a lifecycle method (directly, or
 * through one method in between), without cancelling the field first. A subclass's {@code
 * createDynamicSession(..)} that calls the inherited {@code startInitiators()}, which calls {@code
 * startSessionTimer()}, starts one more periodic task per dynamic session, and the field keeps only
 * the last handle.
 *
 * <p>The callers come from every unit of {@link dev.timerguard.lint.RuleContext#compilation()} (the
 * scanner adds the project's subclasses of a scanned class there); a call counts only when it
 * resolves to the start method itself. Guards that silence: the start method reads the field before
 * the assignment (directly, or by calling a method of the compilation that reads it), or a method
 * of the chain reads the field or calls a method that cancels it. Stateless helper.
 */
final class RestartedStarts {
  /** Names a class calls once in its life: a caller named so is not "per call". */
  private static final List<String> ONCE =
      List.of("start", "init", "open", "begin", "launch", "run", "main", "setUp", "setup");

  /** How the start method is reached again: {@code caller} calls it, maybe through {@code via}. */
  record Restart(ExecutableElement caller, ExecutableElement via) {}

  private RestartedStarts() {}

  /**
   * The per-call path to the lifecycle method around {@code assign}, which overwrites {@code
   * field}, or null when there is none or the start method guards the field.
   */
  static Restart find(Facts facts, TreePath assign, Element field) {
    TreePath starterPath = enclosingMethod(assign);
    if (starterPath == null) {
      return null;
    }
    Element starter = facts.types.element(starterPath);
    if (!(starter instanceof ExecutableElement)
        || starter.getModifiers().contains(Modifier.STATIC)
        || guardedBefore(facts, starterPath, assign, field)
        || flagGuarded(facts, starterPath, assign)) {
      return null;
    }
    for (TreePath call : callsOf(facts, (ExecutableElement) starter)) {
      TreePath m = enclosingMethod(call);
      Element e = m == null ? null : facts.types.element(m);
      if (!(e instanceof ExecutableElement)
          || touches(facts, m, field, starter)
          || flagGuarded(facts, m, call)) {
        continue;
      }
      ExecutableElement direct = (ExecutableElement) e;
      if (perCall(direct)) {
        return new Restart(direct, null);
      }
      if (direct.getKind() != javax.lang.model.element.ElementKind.METHOD) {
        continue;
      }
      for (TreePath outer : callsOf(facts, direct)) {
        TreePath om = enclosingMethod(outer);
        Element oe = om == null ? null : facts.types.element(om);
        if (oe instanceof ExecutableElement
            && perCall((ExecutableElement) oe)
            && !touches(facts, om, field, starter)
            && !flagGuarded(facts, om, outer)) {
          return new Restart((ExecutableElement) oe, direct);
        }
      }
    }
    return null;
  }

  /** A public instance method that is not a lifecycle method: any client may call it any time. */
  private static boolean perCall(ExecutableElement m) {
    String n = m.getSimpleName().toString();
    return m.getKind() == javax.lang.model.element.ElementKind.METHOD
        && m.getModifiers().contains(Modifier.PUBLIC)
        && !m.getModifiers().contains(Modifier.STATIC)
        && ONCE.stream().noneMatch(n::startsWith);
  }

  /** The method declaration around {@code p}; null inside a lambda or a class body first. */
  private static TreePath enclosingMethod(TreePath p) {
    for (; p != null; p = p.getParentPath()) {
      Tree t = p.getLeaf();
      if (t instanceof MethodTree) {
        return p;
      }
      if (t instanceof LambdaExpressionTree || t instanceof ClassTree) {
        return null; // runs at another time, or field initializer
      }
    }
    return null;
  }

  /** Every call of {@code m} itself (not of an override) in the units of the compilation. */
  private static List<TreePath> callsOf(Facts facts, ExecutableElement m) {
    List<TreePath> out = new ArrayList<>();
    for (CompilationUnitTree cu : facts.ctx.compilation()) {
      new TreePathScanner<Void, Void>() {
        @Override
        public Void visitMethodInvocation(MethodInvocationTree node, Void v) {
          if (TreePaths.methodName(node).contentEquals(m.getSimpleName())
              && onOwnObject(node)
              && m.equals(facts.types.method(getCurrentPath()))) {
            out.add(getCurrentPath());
          }
          return super.visitMethodInvocation(node, v);
        }
      }.scan(new TreePath(cu), null);
    }
    return out;
  }

  /**
   * Whether method {@code m} reads {@code field}, or calls a method (other than the start method
   * itself) that cancels or reads it.
   */
  private static boolean touches(Facts facts, TreePath m, Element field, Element starter) {
    FieldReads scanner =
        new FieldReads(facts, field) {
          @Override
          public Void visitMethodInvocation(MethodInvocationTree node, Void v) {
            ExecutableElement called = facts.types.method(getCurrentPath());
            if (called != null && facts.summaries().cancelledFields(called).contains(field)) {
              found = true;
            }
            if (calleeReads(facts, called, starter, field)) {
              found = true; // a getter or check of the field: the caller looks at the old value
            }
            return super.visitMethodInvocation(node, v);
          }
        };
    scanner.scan(m, null);
    return scanner.found;
  }

  /**
   * A call on the object itself ({@code start()}, {@code this.start()}, {@code super.start()}): a
   * call on another object ({@code counter.start()}) starts that object's timer, not this one's.
   */
  private static boolean onOwnObject(MethodInvocationTree call) {
    com.sun.source.tree.ExpressionTree r = TreePaths.receiver(call);
    return r == null
        || (r instanceof IdentifierTree
            && (((IdentifierTree) r).getName().contentEquals("this")
                || ((IdentifierTree) r).getName().contentEquals("super")));
  }

  /**
   * Whether an {@code if} of method {@code m} that starts before {@code at} tests a once-flag: its
   * condition reads a field that {@code m} assigns ({@code if (monitorActive) return; ..
   * monitorActive = true}, {@code if (!initialized) initialized = initFs();}) or calls {@code
   * compareAndSet}/{@code getAndSet} ({@code if (started.compareAndSet(false, true))}).
   */
  private static boolean flagGuarded(Facts facts, TreePath m, TreePath at) {
    CompilationUnitTree cu = at.getCompilationUnit();
    SourcePositions pos = facts.ctx.trees().getSourcePositions();
    long limit = pos.getStartPosition(cu, at.getLeaf());
    java.util.Set<Element> assigned = new java.util.HashSet<>();
    new TreePathScanner<Void, Void>() {
      @Override
      public Void visitAssignment(com.sun.source.tree.AssignmentTree node, Void v) {
        Element f = facts.types.element(new TreePath(getCurrentPath(), node.getVariable()));
        if (TreePaths.isField(f)) {
          assigned.add(f);
        }
        return super.visitAssignment(node, v);
      }
    }.scan(m, null);
    boolean[] found = {false};
    new TreePathScanner<Void, Void>() {
      @Override
      public Void visitIf(com.sun.source.tree.IfTree node, Void v) {
        if (pos.getStartPosition(cu, node) < limit) {
          new TreePathScanner<Void, Void>() {
            @Override
            public Void visitIdentifier(IdentifierTree id, Void w) {
              found[0] |= assigned.contains(facts.types.element(getCurrentPath()));
              return null;
            }

            @Override
            public Void visitMemberSelect(MemberSelectTree ms, Void w) {
              found[0] |= assigned.contains(facts.types.element(getCurrentPath()));
              return super.visitMemberSelect(ms, w);
            }

            @Override
            public Void visitMethodInvocation(MethodInvocationTree call, Void w) {
              String n = TreePaths.methodName(call);
              found[0] |= n.equals("compareAndSet") || n.equals("getAndSet");
              return super.visitMethodInvocation(call, w);
            }
          }.scan(new TreePath(getCurrentPath(), node.getCondition()), null);
        }
        return super.visitIf(node, v);
      }
    }.scan(m, null);
    return found[0];
  }

  /**
   * Whether the start method calls, before {@code assign}, a method of the compilation whose body
   * reads {@code field} ({@code if (checkTimerRunning()) return;}).
   */
  private static boolean guardedBefore(
      Facts facts, TreePath starter, TreePath assign, Element field) {
    CompilationUnitTree cu = facts.ctx.compilationUnit();
    SourcePositions pos = facts.ctx.trees().getSourcePositions();
    long limit = pos.getStartPosition(cu, assign.getLeaf());
    boolean[] found = {false};
    new TreePathScanner<Void, Void>() {
      @Override
      public Void visitMethodInvocation(MethodInvocationTree node, Void v) {
        if (pos.getStartPosition(cu, node) < limit) {
          ExecutableElement called = facts.types.method(getCurrentPath());
          // (a recursive call of the start method before the assignment counts like any other)
          if (calleeReads(facts, called, null, field)) {
            found[0] = true;
          }
        }
        return super.visitMethodInvocation(node, v);
      }
    }.scan(starter, null);
    return found[0];
  }

  /**
   * Whether {@code called}, a method of the compilation other than {@code starter} (null: any),
   * reads {@code field} in its body (a getter or a check of the field).
   */
  private static boolean calleeReads(
      Facts facts, ExecutableElement called, Element starter, Element field) {
    TreePath decl =
        called == null || called.equals(starter) ? null : facts.summaries().declaration(called);
    return decl != null && decl.getLeaf() instanceof MethodTree && readsField(facts, decl, field);
  }

  private static boolean readsField(Facts facts, TreePath method, Element field) {
    FieldReads scanner =
        new FieldReads(facts, field) {
          @Override
          public Void visitAssignment(com.sun.source.tree.AssignmentTree node, Void v) {
            return scan(node.getExpression(), v); // writing the field is not looking at it
          }
        };
    scanner.scan(method, null);
    return scanner.found;
  }

  /**
   * Looks for a use of one field: an identifier or member select that resolves to it sets {@link
   * #found}. Subclasses add what else counts.
   */
  private static class FieldReads extends TreePathScanner<Void, Void> {
    final Facts facts;
    final Element field;
    boolean found;

    FieldReads(Facts facts, Element field) {
      this.facts = facts;
      this.field = field;
    }

    @Override
    public Void visitIdentifier(IdentifierTree node, Void v) {
      found |= facts.types.element(getCurrentPath()) == field;
      return null;
    }

    @Override
    public Void visitMemberSelect(MemberSelectTree node, Void v) {
      found |= facts.types.element(getCurrentPath()) == field;
      return super.visitMemberSelect(node, v);
    }
  }
}
