package dev.timerguard.lint.rules;

import com.sun.source.tree.AssignmentTree;
import com.sun.source.tree.ExpressionStatementTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.IdentifierTree;
import com.sun.source.tree.LiteralTree;
import com.sun.source.tree.MemberSelectTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.NewClassTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreePathScanner;
import com.sun.source.util.TreeScanner;
import dev.timerguard.lint.RuleContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.lang.model.element.Element;

/**
 * TG104 cancelled-tasks-retained: a {@code ScheduledThreadPoolExecutor} (also what {@code
 * Executors.newScheduledThreadPool} and {@code newSingleThreadScheduledExecutor} return) whose
 * one-shot tasks are kept and cancelled, but which never gets {@code
 * setRemoveOnCancelPolicy(true)}: every cancelled task stays in the queue until its delay expires
 * (per-request timeouts cancelled on completion pile up). Periodic tasks count the same way when
 * they are started per call (outside constructors, initializers and {@code start*}/{@code init*}
 * methods; in constructors too when the pool is a static field shared by all instances) with their
 * handle kept: a cancelled periodic task stays queued until its next run was due. Also: {@code
 * TimerTask.cancel()} in a class that schedules on a {@code java.util.Timer} outside start-up but
 * never calls {@code purge()} (only one-shot {@code schedule(task, delay)} calls count: a periodic
 * task started once leaves at most one cancelled entry).
 *
 * <p>Silent when the policy is set anywhere on that executor (any argument, through a cast, or by
 * reflection on the name), when the executor is handed to other code (it may be configured there),
 * when tasks are never cancelled individually, and for executors not created in this class. Scope:
 * the analysed top-level class, plus the classes its task handles are handed to as a {@code Future}
 * parameter ({@link HandedHandles}): when such a class cancels futures, that cancellation counts.
 * Stateless.
 */
public final class TG104CancelledTasksRetained extends AbstractRule {
  private static final Set<String> STPE_FACTORIES =
      Set.of("newScheduledThreadPool", "newSingleThreadScheduledExecutor");

  private static final class Site {
    final TreePath path;
    final boolean wrapper;

    Site(TreePath path, boolean wrapper) {
      this.path = path;
      this.wrapper = wrapper;
    }
  }

  public TG104CancelledTasksRetained() {
    super(
        "TG104",
        "cancelled-tasks-retained",
        "Cancelled timer tasks stay queued: no setRemoveOnCancelPolicy(true) / Timer.purge().",
        "cancel",
        "schedule");
  }

  @Override
  void check(RuleContext ctx, Facts facts) {
    Map<Element, Site> pools = new LinkedHashMap<>();
    Map<Element, Site> timers = new LinkedHashMap<>();
    List<TreePath> futureCancels = new ArrayList<>();
    List<TreePath> taskCancels = new ArrayList<>();
    boolean[] reflective = {false};
    boolean[] purged = {false};
    List<Site> returned = new ArrayList<>();
    new TreePathScanner<Void, Void>() {
      @Override
      public Void visitVariable(VariableTree node, Void v) {
        if (node.getInitializer() != null) {
          record(
              facts.types.element(getCurrentPath()),
              new TreePath(getCurrentPath(), node.getInitializer()),
              getCurrentPath());
        }
        return super.visitVariable(node, v);
      }

      @Override
      public Void visitAssignment(AssignmentTree node, Void v) {
        record(
            facts.types.element(new TreePath(getCurrentPath(), node.getVariable())),
            new TreePath(getCurrentPath(), node.getExpression()),
            getCurrentPath());
        return super.visitAssignment(node, v);
      }

      private void record(Element var, TreePath init, TreePath site) {
        if (var == null || !(TreePaths.isField(var) || TreePaths.isLocal(var))) {
          return;
        }
        Tree e = TreePaths.skipParens(init.getLeaf());
        init = new TreePath(init.getParentPath(), e);
        if (e instanceof NewClassTree && ((NewClassTree) e).getClassBody() == null) {
          if (facts.types.isSubtype(facts.types.typeOf(init), ApiNames.STPE)) {
            pools.putIfAbsent(var, new Site(site, false));
          } else if (facts.creations.classify(init) == Created.TIMER) {
            timers.putIfAbsent(var, new Site(site, false));
          }
        } else if (e instanceof MethodInvocationTree
            && STPE_FACTORIES.contains(TreePaths.methodName((MethodInvocationTree) e))
            && facts.creations.classify(init) == Created.SCHEDULER) {
          pools.putIfAbsent(
              var,
              new Site(
                  site,
                  TreePaths.methodName((MethodInvocationTree) e)
                      .equals("newSingleThreadScheduledExecutor")));
        }
      }

      @Override
      public Void visitMethodInvocation(MethodInvocationTree node, Void v) {
        String n = TreePaths.methodName(node);
        TreePath p = getCurrentPath();
        if (n.equals("cancel")) {
          TreePath r = TreePaths.receiverPath(p);
          if (r != null && facts.types.isSubtype(facts.types.typeOf(r), ApiNames.FUTURE)) {
            futureCancels.add(p);
          } else if (r != null
              && facts.types.isSubtype(facts.types.typeOf(r), ApiNames.TIMER_TASK)) {
            if (!TreePaths.inConstructorOrInitializer(p)) {
              taskCancels.add(p);
            }
          }
        } else if (n.equals("purge")) {
          purged[0] = true;
        }
        return super.visitMethodInvocation(node, v);
      }

      @Override
      public Void visitReturn(com.sun.source.tree.ReturnTree node, Void v) {
        if (node.getExpression() != null) {
          Tree e = TreePaths.skipParens(node.getExpression());
          TreePath ep = new TreePath(getCurrentPath(), e);
          if (e instanceof NewClassTree
              && ((NewClassTree) e).getClassBody() == null
              && facts.types.isSubtype(facts.types.typeOf(ep), ApiNames.STPE)) {
            returned.add(new Site(ep, false));
          } else if (e instanceof MethodInvocationTree
              && STPE_FACTORIES.contains(TreePaths.methodName((MethodInvocationTree) e))
              && facts.creations.classify(ep) == Created.SCHEDULER) {
            returned.add(
                new Site(
                    ep,
                    TreePaths.methodName((MethodInvocationTree) e)
                        .equals("newSingleThreadScheduledExecutor")));
          }
        }
        return super.visitReturn(node, v);
      }

      @Override
      public Void visitLiteral(LiteralTree node, Void v) {
        if ("setRemoveOnCancelPolicy".equals(node.getValue())) {
          reflective[0] = true;
        }
        return null;
      }
    }.scan(ctx.root(), null);

    if (!reflective[0]) {
      for (Map.Entry<Element, Site> pool : pools.entrySet()) {
        Usage u = usage(ctx, facts, pool.getKey());
        if (u.configured || u.escapes || (u.keptOneShots == 0 && u.keptPeriodics == 0)) {
          continue;
        }
        javax.lang.model.element.TypeElement elsewhere =
            futureCancels.isEmpty() ? HandedHandles.cancellerOf(ctx, facts, pool.getKey()) : null;
        if (!futureCancels.isEmpty() || elsewhere != null) {
          String name = pool.getKey().getSimpleName().toString();
          ctx.report(
              pool.getValue().path,
              (elsewhere == null
                      ? ""
                      : "task handles of '"
                          + name
                          + "' are handed to "
                          + elsewhere.getSimpleName()
                          + ", which cancels them; ")
                  + (u.keptOneShots > 0
                      ? "one-shot tasks of '"
                          + name
                          + "' are kept and cancelled, but '"
                          + name
                          + "' never gets setRemoveOnCancelPolicy(true): each cancelled task stays in its"
                          + " queue until its delay expires"
                      : "periodic tasks of '"
                          + name
                          + "' are started per call and cancelled one by one,"
                          + " but '"
                          + name
                          + "' never gets setRemoveOnCancelPolicy(true): each cancelled"
                          + " task stays in its queue until its next run was due"),
              pool.getValue().wrapper
                  ? "create it as new ScheduledThreadPoolExecutor(1) and call setRemoveOnCancelPolicy(true)"
                      + " (the Executors wrapper hides the setter)"
                  : "call setRemoveOnCancelPolicy(true) right after creating it");
        }
      }
    }
    if (!reflective[0]) {
      for (Site site : returned) {
        HandedOutPools.User user = HandedOutPools.find(facts, site.path);
        if (user != null) {
          ctx.report(
              site.path,
              "the scheduled pool created here is handed out, and "
                  + user.owner().getSimpleName()
                  + " keeps and cancels one-shot tasks of '"
                  + user.pool().getSimpleName()
                  + "', obtained from it, but the pool never gets setRemoveOnCancelPolicy(true):"
                  + " each cancelled task stays in its queue until its delay expires",
              site.wrapper
                  ? "create it as new ScheduledThreadPoolExecutor(1) and call"
                      + " setRemoveOnCancelPolicy(true) before returning it (the Executors wrapper"
                      + " hides the setter)"
                  : "call setRemoveOnCancelPolicy(true) on it before returning it");
        }
      }
    }
    if (!purged[0] && !taskCancels.isEmpty()) {
      for (Map.Entry<Element, Site> timer : timers.entrySet()) {
        Usage u = usage(ctx, facts, timer.getKey());
        if (u.hotSchedules > 0 && !u.escapes) {
          ctx.report(
              taskCancels.get(0),
              "TimerTask.cancel() leaves the task in the queue of '"
                  + timer.getKey().getSimpleName()
                  + "' until its time comes, and that Timer is never purge()d although tasks are"
                  + " scheduled on it outside start-up",
              "call timer.purge() after cancelling (or periodically), or move to a"
                  + " ScheduledThreadPoolExecutor with setRemoveOnCancelPolicy(true)");
          return;
        }
      }
    }
  }

  private static final java.util.List<String> STARTS =
      java.util.List.of("start", "init", "open", "setUp", "setup", "main", "run");

  /** In a method its owner calls once ({@code start*}, {@code init*}, ...): one task per owner. */
  private static boolean inLifecycleStart(TreePath p) {
    for (; p != null; p = p.getParentPath()) {
      if (p.getLeaf() instanceof com.sun.source.tree.MethodTree) {
        String n = ((com.sun.source.tree.MethodTree) p.getLeaf()).getName().toString();
        return STARTS.stream().anyMatch(n::startsWith);
      }
    }
    return false;
  }

  /**
   * A static pool scheduled on from an instance constructor: every instance adds its own periodic
   * task, so such a constructor starts one per call.
   */
  private static boolean sharedByInstances(Element pool, TreePath call) {
    if (!TreePaths.isField(pool)
        || !pool.getModifiers().contains(javax.lang.model.element.Modifier.STATIC)) {
      return false;
    }
    for (TreePath p = call; p != null; p = p.getParentPath()) {
      if (p.getLeaf() instanceof com.sun.source.tree.MethodTree) {
        return ((com.sun.source.tree.MethodTree) p.getLeaf()).getName().contentEquals("<init>");
      }
      if (p.getLeaf() instanceof com.sun.source.tree.ClassTree) {
        return false; // a static or instance initializer block: treat as once
      }
    }
    return false;
  }

  private static final class Usage {
    boolean configured;
    boolean escapes;
    int keptOneShots;
    int keptPeriodics;
    int hotSchedules;
  }

  /** How {@code var} is used in the analysed class. */
  private static Usage usage(RuleContext ctx, Facts facts, Element var) {
    Usage u = new Usage();
    new TreePathScanner<Void, Void>() {
      @Override
      public Void visitMethodInvocation(MethodInvocationTree node, Void v) {
        String n = TreePaths.methodName(node);
        ExpressionTree r = TreePaths.receiver(node);
        if (r != null && mentions(facts, getCurrentPath(), r, var)) {
          if (n.equals("setRemoveOnCancelPolicy")) {
            u.configured = true;
          } else if (n.equals("schedule") && node.getArguments().size() == 3) {
            Tree parent = getCurrentPath().getParentPath().getLeaf();
            if (!(parent instanceof ExpressionStatementTree)) {
              u.keptOneShots++; // ses.schedule(task, delay, unit) whose handle is kept
            }
          } else if ((n.equals("scheduleAtFixedRate") || n.equals("scheduleWithFixedDelay"))
              && node.getArguments().size() == 4
              && !(getCurrentPath().getParentPath().getLeaf() instanceof ExpressionStatementTree)
              && !inLifecycleStart(getCurrentPath())
              && (!TreePaths.inConstructorOrInitializer(getCurrentPath())
                  || sharedByInstances(var, getCurrentPath()))) {
            u.keptPeriodics++; // a periodic task per call (per session, per subscriber), handle
            // kept
          } else if (n.equals("schedule")
              && node.getArguments().size() == 2
              && !TreePaths.inConstructorOrInitializer(getCurrentPath())) {
            u.hotSchedules++; // timer.schedule(task, delay): a one-shot per call
          }
        }
        for (ExpressionTree a : node.getArguments()) {
          if (a instanceof IdentifierTree || a instanceof MemberSelectTree) {
            if (facts.types.element(new TreePath(getCurrentPath(), a)) == var) {
              u.escapes = true;
            }
          }
        }
        return super.visitMethodInvocation(node, v);
      }
    }.scan(ctx.root(), null);
    return u;
  }

  /**
   * Whether expression {@code e} (under {@code at}) refers to {@code var}, possibly through a cast.
   */
  private static boolean mentions(Facts facts, TreePath at, ExpressionTree e, Element var) {
    boolean[] found = {false};
    new TreeScanner<Void, Void>() {
      @Override
      public Void visitIdentifier(IdentifierTree node, Void v) {
        if (facts.types.element(new TreePath(at, node)) == var) {
          found[0] = true;
        }
        return null;
      }

      @Override
      public Void visitMemberSelect(MemberSelectTree node, Void v) {
        if (facts.types.element(new TreePath(at, node)) == var) {
          found[0] = true;
        }
        return super.visitMemberSelect(node, v);
      }

      @Override
      public Void visitMethodInvocation(MethodInvocationTree node, Void v) {
        return null; // getExecutor().x(): not this variable
      }
    }.scan(e, null);
    return found[0];
  }
}
