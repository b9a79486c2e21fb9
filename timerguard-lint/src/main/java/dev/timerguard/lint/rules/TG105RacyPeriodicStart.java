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
import dev.timerguard.lint.RuleContext;
import java.util.LinkedHashSet;
import java.util.Set;
import javax.lang.model.element.Element;
import javax.lang.model.element.Modifier;

/**
 * TG105 racy-periodic-start: check-then-act on a plain field before starting something that runs on
 * its own ({@code scheduleAtFixedRate/WithFixedDelay}, {@code Thread.start}, {@code new Thread},
 * {@code new Timer}, a new executor): two callers can both pass the check and start two flushers
 * (the double-flusher incident). Shapes: {@code if (f == null) { f = ses.scheduleAtFixedRate(..);
 * }} and the guard clause {@code if (started) return; started = true; thread.start();}. Also on a
 * map ({@link MapCheckThenAct}): {@code if (!pools.containsKey(k)) pools.put(k, newPool())}, and a
 * look-up, then {@code new Service(..)} whose constructor starts a timer or thread ({@link
 * Summaries#constructorStarts}, also in other source files), then {@code put}/{@code putIfAbsent}
 * without stopping the instance that lost the race.
 *
 * <p>Silent when the check and the start run under one monitor or {@code Lock} (including the inner
 * check of double-checked locking), in constructors and initializers, in non-public and lifecycle
 * ({@code start*}, {@code init*}) methods called from fewer than two places in the file (their
 * owner calls them once), and when the check is an atomic operation ({@code compareAndSet}) rather
 * than a field read. Stateless.
 */
public final class TG105RacyPeriodicStart extends AbstractRule {
  public TG105RacyPeriodicStart() {
    super(
        "TG105",
        "racy-periodic-start",
        "Check-then-act on a field before starting a periodic task, thread or timer.",
        ".start(",
        "new Thread",
        "schedule",
        "Timer",
        "Executor",
        "ForkJoinPool",
        "putIfAbsent");
  }

  @Override
  void check(RuleContext ctx, Facts facts) {
    new TreePathScanner<Void, Void>() {
      @Override
      public Void visitMethodInvocation(MethodInvocationTree node, Void v) {
        TreePath p = getCurrentPath();
        TimerCalls.Call call = facts.timerCalls.classify(p);
        if (call != null && call.kind() == TimerCalls.Kind.PERIODIC) {
          consider(p, call.api());
        } else if (TreePaths.methodName(node).equals("start")
            && node.getArguments().isEmpty()
            && facts.types.isSubtype(facts.types.receiverType(p), ApiNames.THREAD)) {
          consider(p, "Thread.start");
        } else if (facts.creations.classify(p) != Created.NONE) {
          consider(p, TreePaths.brief(node));
        }
        return super.visitMethodInvocation(node, v);
      }

      @Override
      public Void visitNewClass(NewClassTree node, Void v) {
        TreePath p = getCurrentPath();
        if (facts.creations.classify(p) != Created.NONE) {
          consider(p, "new " + node.getIdentifier());
        } else if (node.getClassBody() == null
            && facts.locks.heldAt(p) == null
            && !TreePaths.inConstructorOrInitializer(p)) {
          // the map shape first (a walk of this method); the constructor's summary, which walks
          // another class's constructors and initializers, only for a new that is stored that way
          Element map = MapCheckThenAct.find(facts, p);
          Element ctor = map == null ? null : facts.types.element(p);
          if (ctor instanceof javax.lang.model.element.ExecutableElement
              && facts
                  .summaries()
                  .constructorStarts((javax.lang.model.element.ExecutableElement) ctor, 2)
              && facts.reachableConcurrently(p)) {
            reportMap(
                p,
                "new " + node.getIdentifier() + " (its constructor starts a timer or thread)",
                map);
          }
        }
        return super.visitNewClass(node, v);
      }

      private void consider(TreePath start, String what) {
        if (facts.locks.heldAt(start) != null || TreePaths.inConstructorOrInitializer(start)) {
          return;
        }
        Element field = racyField(facts, start);
        if (field == null) {
          Element map = MapCheckThenAct.find(facts, start);
          if (map != null && facts.reachableConcurrently(start)) {
            reportMap(start, what, map);
          }
          return;
        }
        if (facts.reachableConcurrently(start)) {
          ctx.report(
              start,
              what
                  + " runs after an unsynchronised check of field '"
                  + field.getSimpleName()
                  + "': two callers can both pass the check and start it twice (double flusher)",
              "make the start atomic: if (started.compareAndSet(false, true)) { .. } with an"
                  + " AtomicBoolean (or CAS an AtomicReference and cancel the loser), or check and"
                  + " start under one lock");
        }
      }

      private void reportMap(TreePath start, String what, Element map) {
        ctx.report(
            start,
            what
                + " is stored into map '"
                + map.getSimpleName()
                + "' after an unsynchronised look-up of the same map: two callers can both miss"
                + " the key and both start one; the one that is overwritten (put) or not stored"
                + " (putIfAbsent) is never stopped",
            "use map.computeIfAbsent(key, k -> create()) (the function runs at most once per key on"
                + " a ConcurrentHashMap), or look up and store under one lock; with putIfAbsent,"
                + " stop the instance that lost the race");
      }
    }.scan(ctx.root(), null);
  }

  /** The field checked-then-assigned around {@code start}, or null. */
  private static Element racyField(Facts facts, TreePath start) {
    Tree child = start.getLeaf();
    for (TreePath p = start.getParentPath(); p != null; p = p.getParentPath()) {
      Tree t = p.getLeaf();
      if (TreePaths.isBoundary(t) || t instanceof SynchronizedTree) {
        return null;
      }
      if (t instanceof IfTree && ((IfTree) t).getThenStatement() == child) {
        Set<Element> checked = fieldsIn(facts, p, ((IfTree) t).getCondition());
        for (Element f : checked) {
          if (assigns(facts, new TreePath(p, child), f)) {
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
            Set<Element> checked =
                fieldsIn(facts, new TreePath(p, st), ((IfTree) st).getCondition());
            for (Element f : checked) {
              if (assigns(facts, p, f)) {
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
  private static Set<Element> fieldsIn(Facts facts, TreePath at, ExpressionTree cond) {
    Set<Element> out = new LinkedHashSet<>();
    new TreeScanner<Void, Void>() {
      @Override
      public Void visitIdentifier(IdentifierTree node, Void v) {
        add(facts.types.element(new TreePath(at, node)));
        return null;
      }

      @Override
      public Void visitMemberSelect(MemberSelectTree node, Void v) {
        add(facts.types.element(new TreePath(at, node)));
        return null;
      }

      @Override
      public Void visitMethodInvocation(MethodInvocationTree node, Void v) {
        return null; // started.get(), compareAndSet(..): not a plain read
      }

      private void add(Element e) {
        if (TreePaths.isField(e) && !e.getModifiers().contains(Modifier.FINAL)) {
          out.add(e);
        }
      }
    }.scan(cond, null);
    return out;
  }

  private static boolean assigns(Facts facts, TreePath in, Element field) {
    boolean[] found = {false};
    new TreePathScanner<Void, Void>() {
      @Override
      public Void visitAssignment(AssignmentTree node, Void v) {
        if (facts.types.element(new TreePath(getCurrentPath(), node.getVariable())) == field) {
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
