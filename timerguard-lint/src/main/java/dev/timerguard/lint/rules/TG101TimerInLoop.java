package dev.timerguard.lint.rules;

import com.sun.source.tree.AssignmentTree;
import com.sun.source.tree.BinaryTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.EnhancedForLoopTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.ForLoopTree;
import com.sun.source.tree.IdentifierTree;
import com.sun.source.tree.LiteralTree;
import com.sun.source.tree.MemberSelectTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.NewArrayTree;
import com.sun.source.tree.NewClassTree;
import com.sun.source.tree.ParenthesizedTree;
import com.sun.source.tree.ReturnTree;
import com.sun.source.tree.ThrowTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreePathScanner;
import dev.timerguard.lint.RuleContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.VariableElement;

/**
 * TG101 timer-in-loop: a fresh timer armed on every loop iteration (the JVM's {@code time.After} in
 * a {@code for/select}): {@code ScheduledExecutorService.schedule*}, {@code
 * CompletableFuture.orTimeout/completeOnTimeout/delayedExecutor}, {@code
 * java.util.Timer.schedule*}, {@code new Timer()}, a new scheduled pool, Netty {@code newTimeout},
 * TimerGuard one-shots.
 *
 * <p>Reported: {@code orTimeout}/{@code completeOnTimeout}/{@code delayedExecutor} and new timers
 * or schedulers in a loop; one-shot {@code schedule}/{@code newTimeout} in a loop when it is a
 * timeout (its task completes, fails, cancels or interrupts something) or its handle is cancelled
 * in the same loop. Not reported: periodic tasks and plain delayed jobs scheduled per item (each is
 * real work with its own deadline, not a timer that one reusable timer could replace).
 *
 * <p>Also reported, at the call in the loop: a call to a helper method that creates a timer or
 * scheduler on every call and neither keeps nor stops it (a local that is only scheduled on, never
 * cancelled, shut down, stored, passed on or returned): one new timer, and its thread, per
 * iteration. The helper must be one whose body is known for certain (private, static or final, or
 * of a final class, enum or record) and whose source is in the compilation; one level deep. A
 * helper that stops its timer before returning, stores it in a field or returns it is not reported.
 *
 * <p>Silent on: a call whose result is returned or thrown (runs once), loops over a small fixed
 * collection (array literal, {@code List.of}, {@code Enum.values()}, constant bound at most 16),
 * and loops in constructors, initializers, {@code main} and start-up methods. Lambdas and inner
 * classes are boundaries: a timer inside a lambda inside a loop is not reported. Stateless.
 */
public final class TG101TimerInLoop extends AbstractRule {
  private static final Set<String> STARTUP =
      Set.of(
          "main", "start", "init", "initialize", "startup", "setUp", "setup", "open", "configure");
  private static final Set<String> FIXED_FACTORIES =
      Set.of("of", "asList", "allOf", "values", "copyOf");
  private static final int SMALL = 16;

  public TG101TimerInLoop() {
    super(
        "TG101",
        "timer-in-loop",
        "A fresh timer is armed on every loop iteration where one reusable timer would do.",
        "schedule",
        "orTimeout",
        "OnTimeout",
        "newTimeout",
        "delayedExecutor",
        "Timer",
        "Executor",
        "Schedulers",
        "timerguard",
        "Mono.delay",
        ".timer(");
  }

  @Override
  void check(RuleContext ctx, Facts facts) {
    Map<Element, Optional<HelperTimer>> helpers = new HashMap<>();
    new TreePathScanner<Void, Void>() {
      @Override
      public Void visitMethodInvocation(MethodInvocationTree node, Void v) {
        TreePath path = getCurrentPath();
        TimerCalls.Call call = facts.timerCalls.classify(path);
        if (call != null && call.kind() == TimerCalls.Kind.ONE_SHOT) {
          TreePath loop = TreePaths.enclosingLoop(path);
          if (loop != null
              && (TimerCalls.looksLikeTimeout(TimerCalls.task(node))
                  || cancelledInLoop(facts, path, loop, node))) {
            consider(path, call.api() + "(..)", false);
          }
        } else if (call != null && call.kind() != TimerCalls.Kind.PERIODIC) {
          consider(path, call.api() + "(..)", call.kind() == TimerCalls.Kind.FUTURE_TIMEOUT);
        } else if (call == null) {
          if (facts.creations.classify(path).isTimerLike()) {
            consider(path, TreePaths.brief(node), false);
          } else if (TreePaths.enclosingLoop(path) != null) {
            HelperTimer h = helperTimer(facts, path, helpers);
            if (h != null) {
              considerHelper(path, TreePaths.methodName(node), h);
            }
          }
        }
        return super.visitMethodInvocation(node, v);
      }

      @Override
      public Void visitNewClass(NewClassTree node, Void v) {
        if (facts.creations.classify(getCurrentPath()).isTimerLike()) {
          consider(getCurrentPath(), "new " + node.getIdentifier() + "(..)", false);
        }
        return super.visitNewClass(node, v);
      }

      private void considerHelper(TreePath path, String name, HelperTimer h) {
        if (!repeats(path)) {
          return;
        }
        ctx.report(
            path,
            name
                + "(..) creates "
                + h.what()
                + " ("
                + h.where()
                + ") on every call and neither keeps nor stops it: called on every iteration of"
                + " this loop, it starts a new timer thread per iteration that nothing stops (each"
                + " lives at least until its task has run, a periodic task's for good)",
            "create the timer once (a field, or one shared timer) and schedule on it, or keep one"
                + " deadline for the whole loop and compare System.nanoTime() with it");
      }

      private boolean repeats(TreePath path) {
        TreePath loop = TreePaths.enclosingLoop(path);
        return loop != null && !runsOnce(path, loop) && !fixedLoop(loop, facts) && !inStartup(loop);
      }

      private void consider(TreePath path, String what, boolean futureTimeout) {
        if (!repeats(path)) {
          return;
        }
        String hint =
            futureTimeout
                ? "put one deadline on the whole batch (e.g. CompletableFuture.allOf(..).orTimeout(..)) or"
                    + " compute one deadline before the loop"
                : "create or arm one timer before the loop and re-arm/reuse it per iteration, or keep one"
                    + " deadline for the whole loop";
        ctx.report(
            path,
            what
                + " arms a new timer on every iteration of this loop; each one stays queued until it"
                + " fires or is cancelled",
            hint);
      }
    }.scan(ctx.root(), null);
  }

  /**
   * Whether the one-shot's handle is cancelled in the same loop (armed and disarmed per iteration,
   * the classic per-message timeout): {@code schedule(..).cancel(..)}, {@code f = schedule(..); ..
   * f.cancel(..)}, or {@code timer.schedule(task, d); .. task.cancel()}.
   */
  private static boolean cancelledInLoop(
      Facts facts, TreePath call, TreePath loop, MethodInvocationTree node) {
    Tree parent = call.getParentPath().getLeaf();
    if (parent instanceof com.sun.source.tree.MemberSelectTree
        && ((com.sun.source.tree.MemberSelectTree) parent)
            .getIdentifier()
            .contentEquals("cancel")) {
      return true;
    }
    Element handle = null;
    if (parent instanceof com.sun.source.tree.VariableTree) {
      handle = facts.types.element(call.getParentPath());
    } else if (parent instanceof com.sun.source.tree.AssignmentTree) {
      handle =
          facts.types.element(
              new TreePath(
                  call.getParentPath(),
                  ((com.sun.source.tree.AssignmentTree) parent).getVariable()));
    } else if (!node.getArguments().isEmpty()
        && node.getArguments().get(0) instanceof com.sun.source.tree.IdentifierTree) {
      handle =
          facts.types.element(
              new TreePath(call, node.getArguments().get(0))); // java.util.Timer: the TimerTask
    }
    if (handle == null) {
      return false;
    }
    Element h = handle;
    boolean[] found = {false};
    new TreePathScanner<Void, Void>() {
      @Override
      public Void visitMethodInvocation(MethodInvocationTree inv, Void v) {
        ExpressionTree r = TreePaths.receiver(inv);
        if (TreePaths.methodName(inv).equals("cancel")
            && r != null
            && facts.types.element(new TreePath(getCurrentPath(), r)) == h) {
          found[0] = true;
        }
        return super.visitMethodInvocation(inv, v);
      }
    }.scan(loop, null);
    return found[0];
  }

  /** The call sits in a return/throw between itself and the loop: it runs at most once. */
  private static boolean runsOnce(TreePath path, TreePath loop) {
    for (TreePath p = path; p != null && p.getLeaf() != loop.getLeaf(); p = p.getParentPath()) {
      Tree t = p.getLeaf();
      if (t instanceof ReturnTree || t instanceof ThrowTree) {
        return true;
      }
    }
    return false;
  }

  private static boolean fixedLoop(TreePath loop, Facts facts) {
    Tree t = loop.getLeaf();
    if (t instanceof EnhancedForLoopTree) {
      ExpressionTree e =
          (ExpressionTree) TreePaths.skipParens(((EnhancedForLoopTree) t).getExpression());
      if (e instanceof NewArrayTree) {
        NewArrayTree a = (NewArrayTree) e;
        return a.getInitializers() != null && a.getInitializers().size() <= SMALL;
      }
      if (e instanceof MethodInvocationTree) {
        MethodInvocationTree inv = (MethodInvocationTree) e;
        String n = TreePaths.methodName(inv);
        if (n.equals("values") && inv.getArguments().isEmpty()) {
          ExecutableElement m = facts.types.method(new TreePath(loop, e));
          return m != null && m.getEnclosingElement().getKind() == ElementKind.ENUM;
        }
        return FIXED_FACTORIES.contains(n)
            && inv.getArguments().size() <= SMALL
            && inv.getArguments().stream().noneMatch(a -> a instanceof MethodInvocationTree);
      }
      return false;
    }
    if (t instanceof ForLoopTree && ((ForLoopTree) t).getCondition() instanceof BinaryTree) {
      BinaryTree c = (BinaryTree) ((ForLoopTree) t).getCondition();
      Object bound = constant(c.getRightOperand(), loop, facts);
      return bound instanceof Number && ((Number) bound).longValue() <= SMALL;
    }
    return false;
  }

  private static Object constant(ExpressionTree e, TreePath loop, Facts facts) {
    if (e instanceof LiteralTree) {
      return ((LiteralTree) e).getValue();
    }
    Element el = facts.types.element(new TreePath(loop, e));
    if (el instanceof VariableElement) {
      return ((VariableElement) el).getConstantValue();
    }
    return null;
  }

  private static boolean inStartup(TreePath loop) {
    for (TreePath p = loop; p != null; p = p.getParentPath()) {
      Tree t = p.getLeaf();
      if (t instanceof MethodTree) {
        String n = ((MethodTree) t).getName().toString();
        return n.equals("<init>") || STARTUP.contains(n);
      }
      if (TreePaths.isBoundary(t)) {
        // a loop directly in an initializer block has a ClassTree above a BlockTree
        return t instanceof com.sun.source.tree.ClassTree;
      }
    }
    return false;
  }

  /** A timer a helper creates on every call and drops: what it is and where it is created. */
  record HelperTimer(String what, String where) {}

  /**
   * The timer or scheduler that the helper invoked at {@code call} creates on every call and
   * neither keeps nor stops (see the class comment), or null. Memoised per helper in {@code seen}.
   */
  static HelperTimer helperTimer(
      Facts facts, TreePath call, Map<Element, Optional<HelperTimer>> seen) {
    ExecutableElement m = facts.types.method(call);
    if (m == null || m.getKind() != ElementKind.METHOD || !bodyIsKnown(m)) {
      return null;
    }
    Optional<HelperTimer> known = seen.get(m);
    if (known != null) {
      return known.orElse(null);
    }
    HelperTimer found = null;
    TreePath body = TreePaths.methodBody(facts, m);
    if (body != null) {
      List<TreePath> created = new ArrayList<>();
      new OwnCodeScanner<Void>() {
        @Override
        public Void visitNewClass(NewClassTree node, Void v) {
          note();
          return super.visitNewClass(node, v);
        }

        @Override
        public Void visitMethodInvocation(MethodInvocationTree node, Void v) {
          note();
          return super.visitMethodInvocation(node, v);
        }

        private void note() {
          TreePath p = getCurrentPath();
          // a creation in a loop of the helper is reported there, on its own
          if (TreePaths.enclosingLoop(p) == null && facts.creations.classify(p).isTimerLike()) {
            created.add(p);
          }
        }
      }.scan(body, null);
      for (TreePath c : created) {
        if (dropped(facts, c, body)) {
          CompilationUnitTree cu = c.getCompilationUnit();
          long line =
              cu.getLineMap()
                  .getLineNumber(
                      facts.ctx.trees().getSourcePositions().getStartPosition(cu, c.getLeaf()));
          String where =
              cu == facts.ctx.compilationUnit()
                  ? "line " + line
                  : m.getEnclosingElement().getSimpleName() + ".java line " + line;
          found = new HelperTimer(facts.creations.classify(c).describe(), where);
          break;
        }
      }
    }
    seen.put(m, Optional.ofNullable(found));
    return found;
  }

  /** Whether the body that runs for a call of {@code m} is its own declaration's. */
  private static boolean bodyIsKnown(ExecutableElement m) {
    Set<Modifier> mods = m.getModifiers();
    if (mods.contains(Modifier.ABSTRACT) || mods.contains(Modifier.NATIVE)) {
      return false;
    }
    Element owner = m.getEnclosingElement();
    return mods.contains(Modifier.PRIVATE)
        || mods.contains(Modifier.STATIC)
        || mods.contains(Modifier.FINAL)
        || owner.getModifiers().contains(Modifier.FINAL)
        || owner.getKind() == ElementKind.ENUM
        || owner.getKind() == ElementKind.RECORD;
  }

  /**
   * Whether the timer created at {@code created} is dropped by the helper: used as the receiver of
   * one call ({@code new Timer().schedule(..)}), or held in a local that is only scheduled on and
   * compared, never stopped, stored elsewhere, passed on or returned (anywhere in the helper,
   * lambdas and nested classes included).
   */
  private static boolean dropped(Facts facts, TreePath created, TreePath body) {
    TreePath at = created;
    while (at.getParentPath().getLeaf() instanceof ParenthesizedTree) {
      at = at.getParentPath();
    }
    Tree parent = at.getParentPath().getLeaf();
    if (parent instanceof MemberSelectTree) {
      Tree call = at.getParentPath().getParentPath().getLeaf();
      return call instanceof MethodInvocationTree
          && !Summaries.STOPPERS.contains(((MemberSelectTree) parent).getIdentifier().toString());
    }
    Element local;
    if (parent instanceof VariableTree) {
      local = facts.types.element(at.getParentPath());
    } else if (parent instanceof AssignmentTree
        && ((AssignmentTree) parent).getExpression() == at.getLeaf()) {
      local =
          facts.types.element(
              new TreePath(at.getParentPath(), ((AssignmentTree) parent).getVariable()));
    } else {
      return false; // returned, passed on, stored in a field or an array
    }
    if (local == null || local.getKind() != ElementKind.LOCAL_VARIABLE) {
      return false;
    }
    boolean[] kept = {false};
    new TreePathScanner<Void, Void>() {
      @Override
      public Void visitIdentifier(IdentifierTree node, Void v) {
        if (facts.types.element(getCurrentPath()) == local && !onlyScheduledOn(getCurrentPath())) {
          kept[0] = true;
        }
        return super.visitIdentifier(node, v);
      }
    }.scan(body, null);
    return !kept[0];
  }

  /**
   * Whether this use of the local neither stops nor hands on the timer: the receiver of a call
   * other than a stop, a side of {@code ==}/{@code !=}, or the target of an assignment.
   */
  private static boolean onlyScheduledOn(TreePath use) {
    TreePath at = use;
    while (at.getParentPath().getLeaf() instanceof ParenthesizedTree) {
      at = at.getParentPath();
    }
    Tree parent = at.getParentPath().getLeaf();
    if (parent instanceof MemberSelectTree) {
      return at.getParentPath().getParentPath().getLeaf() instanceof MethodInvocationTree
          && !Summaries.STOPPERS.contains(((MemberSelectTree) parent).getIdentifier().toString())
          && !((MemberSelectTree) parent).getIdentifier().contentEquals("dispose");
    }
    if (parent instanceof BinaryTree) {
      Tree.Kind k = parent.getKind();
      return k == Tree.Kind.EQUAL_TO || k == Tree.Kind.NOT_EQUAL_TO;
    }
    return parent instanceof AssignmentTree
        && ((AssignmentTree) parent).getVariable() == at.getLeaf();
  }
}
