package dev.timerguard.lint.rules;

import com.sun.source.tree.AssignmentTree;
import com.sun.source.tree.BlockTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.IdentifierTree;
import com.sun.source.tree.IfTree;
import com.sun.source.tree.MemberSelectTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.NewClassTree;
import com.sun.source.tree.ReturnTree;
import com.sun.source.tree.StatementTree;
import com.sun.source.tree.SynchronizedTree;
import com.sun.source.tree.Tree;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreePathScanner;
import com.sun.source.util.TreeScanner;
import dev.timerguard.lint.Rule;
import dev.timerguard.lint.RuleContext;
import java.util.LinkedHashSet;
import java.util.Set;
import javax.lang.model.element.Element;
import javax.lang.model.element.Modifier;

/**
 * TG105 racy-periodic-start: check-then-act on a plain field before starting something that runs on
 * its own ({@code scheduleAtFixedRate/WithFixedDelay}, {@code Thread.start}, {@code new Thread},
 * {@code new Timer}, a new executor): two callers can both pass the check and start two flushers
 * (the double-flusher incident). Shapes: {@code if (f == null) { f = ses.scheduleAtFixedRate(..); }}
 * and the guard clause {@code if (started) return; started = true; thread.start();}.
 *
 * <p>Silent when the check and the start run under one monitor or {@code Lock} (including the inner
 * check of double-checked locking), in constructors and initializers, in non-public and lifecycle ({@code start*}, {@code init*}) methods called from fewer than two
 * places in the file (their owner calls them once),
 * and when the check is an atomic operation ({@code compareAndSet}) rather than a field read. Stateless.
 */
public final class TG105RacyPeriodicStart implements Rule {
  @Override
  public String id() {
    return "TG105";
  }

  @Override
  public String name() {
    return "racy-periodic-start";
  }

  @Override
  public java.util.List<String> triggerWords() {
    return java.util.List.of(".start(", "new Thread", "schedule", "Timer", "Executor", "ForkJoinPool");
  }

  @Override
  public String summary() {
    return "Check-then-act on a field before starting a periodic task, thread or timer.";
  }

  @Override
  public void check(RuleContext ctx) {
    Jdk jdk = new Jdk(ctx);
    new TreePathScanner<Void, Void>() {
      @Override
      public Void visitMethodInvocation(MethodInvocationTree node, Void v) {
        TreePath p = getCurrentPath();
        Jdk.TimerCall call = jdk.timerCall(p);
        if (call != null && call.kind() == Jdk.TimerKind.PERIODIC) {
          consider(p, call.api());
        } else if (Jdk.methodName(node).equals("start")
            && node.getArguments().isEmpty()
            && jdk.isSubtype(jdk.receiverType(p), Jdk.THREAD)) {
          consider(p, "Thread.start");
        } else if (jdk.creation(p) != Jdk.Created.NONE) {
          consider(p, Jdk.brief(node));
        }
        return super.visitMethodInvocation(node, v);
      }

      @Override
      public Void visitNewClass(NewClassTree node, Void v) {
        TreePath p = getCurrentPath();
        if (jdk.creation(p) != Jdk.Created.NONE) {
          consider(p, "new " + node.getIdentifier());
        }
        return super.visitNewClass(node, v);
      }

      private void consider(TreePath start, String what) {
        if (jdk.heldLock(start) != null || TG104CancelledTasksRetained.inStartup(start)) {
          return;
        }
        Element field = racyField(jdk, start);
        if (field != null && reachableConcurrently(jdk, start)) {
          ctx.report(
              start,
              what + " runs after an unsynchronised check of field '" + field.getSimpleName()
                  + "': two callers can both pass the check and start it twice (double flusher)",
              "make the start atomic: if (started.compareAndSet(false, true)) { .. } with an"
                  + " AtomicBoolean (or CAS an AtomicReference and cancel the loser), or check and"
                  + " start under one lock");
        }
      }
    }.scan(ctx.root(), null);
  }

  /**
   * Whether the enclosing method can plausibly run on two threads: it is public and not a
   * lifecycle method ({@code start*}, {@code init*}, ...), or it is called from two or more places in
   * this file. A non-public method with one caller (e.g. only from its
   * own thread's run()) is not reported: precision over recall.
   */
  /** Lifecycle method prefixes: their owner calls them once, so they need two internal callers. */
  private static final java.util.List<String> LIFECYCLE =
      java.util.List.of("start", "init", "open", "begin", "launch", "run", "main", "setUp", "setup");

  static boolean reachableConcurrently(Jdk jdk, TreePath start) {
    TreePath m = start;
    while (m != null && !(m.getLeaf() instanceof MethodTree)) {
      if (m.getLeaf() instanceof com.sun.source.tree.LambdaExpressionTree) {
        return true; // a lambda: runs wherever it is handed
      }
      m = m.getParentPath();
    }
    if (m == null) {
      return false;
    }
    MethodTree method = (MethodTree) m.getLeaf();
    String name = method.getName().toString();
    boolean lifecycle = LIFECYCLE.stream().anyMatch(name::startsWith);
    if (method.getModifiers().getFlags().contains(Modifier.PUBLIC) && !lifecycle) {
      return true; // ensureX(), getX(), record(..): lazily called from arbitrary threads
    }
    Element self = jdk.element(m);
    int[] calls = {0};
    new TreePathScanner<Void, Void>() {
      @Override
      public Void visitMethodInvocation(MethodInvocationTree node, Void v) {
        if (Jdk.methodName(node).contentEquals(method.getName()) && jdk.method(getCurrentPath()) == self) {
          calls[0]++;
        }
        return super.visitMethodInvocation(node, v);
      }

      @Override
      public Void visitMemberReference(com.sun.source.tree.MemberReferenceTree node, Void v) {
        if (node.getName().contentEquals(method.getName())) {
          calls[0] += 2; // handed out as a callback
        }
        return super.visitMemberReference(node, v);
      }
    }.scan(new TreePath(jdk.ctx.compilationUnit()), null);
    return calls[0] >= 2;
  }

  /** The field checked-then-assigned around {@code start}, or null. */
  private static Element racyField(Jdk jdk, TreePath start) {
    Tree child = start.getLeaf();
    for (TreePath p = start.getParentPath(); p != null; p = p.getParentPath()) {
      Tree t = p.getLeaf();
      if (Jdk.isBoundary(t) || t instanceof SynchronizedTree) {
        return null;
      }
      if (t instanceof IfTree && ((IfTree) t).getThenStatement() == child) {
        Set<Element> checked = fieldsIn(jdk, p, ((IfTree) t).getCondition());
        for (Element f : checked) {
          if (assigns(jdk, new TreePath(p, child), f)) {
            return f;
          }
        }
        return null;
      }
      if (t instanceof BlockTree) {
        // guard clause: if (<field>) return; ... field = ...; ... start
        for (StatementTree st : ((BlockTree) t).getStatements()) {
          if (st == child) {
            break;
          }
          if (st instanceof IfTree && exits(((IfTree) st).getThenStatement())) {
            Set<Element> checked = fieldsIn(jdk, new TreePath(p, st), ((IfTree) st).getCondition());
            for (Element f : checked) {
              if (assigns(jdk, p, f)) {
                return f;
              }
            }
          }
        }
      }
      child = t;
    }
    return null;
  }

  private static boolean exits(StatementTree s) {
    if (s instanceof ReturnTree) {
      return true;
    }
    return s instanceof BlockTree
        && ((BlockTree) s).getStatements().size() == 1
        && ((BlockTree) s).getStatements().get(0) instanceof ReturnTree;
  }

  /** Non-final fields read directly (not through a method call) in {@code cond}. */
  private static Set<Element> fieldsIn(Jdk jdk, TreePath at, ExpressionTree cond) {
    Set<Element> out = new LinkedHashSet<>();
    new TreeScanner<Void, Void>() {
      @Override
      public Void visitIdentifier(IdentifierTree node, Void v) {
        add(jdk.element(new TreePath(at, node)));
        return null;
      }

      @Override
      public Void visitMemberSelect(MemberSelectTree node, Void v) {
        add(jdk.element(new TreePath(at, node)));
        return null;
      }

      @Override
      public Void visitMethodInvocation(MethodInvocationTree node, Void v) {
        return null; // started.get(), compareAndSet(..): not a plain read
      }

      private void add(Element e) {
        if (Jdk.isField(e) && !e.getModifiers().contains(Modifier.FINAL)) {
          out.add(e);
        }
      }
    }.scan(cond, null);
    return out;
  }

  private static boolean assigns(Jdk jdk, TreePath in, Element field) {
    boolean[] found = {false};
    new TreePathScanner<Void, Void>() {
      @Override
      public Void visitAssignment(AssignmentTree node, Void v) {
        if (jdk.element(new TreePath(getCurrentPath(), node.getVariable())) == field) {
          found[0] = true;
        }
        return super.visitAssignment(node, v);
      }

      @Override
      public Void visitClass(com.sun.source.tree.ClassTree node, Void v) {
        return null;
      }

      @Override
      public Void visitMethod(MethodTree node, Void v) {
        return null;
      }
    }.scan(in, null);
    return found[0];
  }
}
