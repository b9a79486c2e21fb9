package dev.timerguard.lint.rules;

import com.sun.source.tree.AssignmentTree;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.ExpressionStatementTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.IdentifierTree;
import com.sun.source.tree.LambdaExpressionTree;
import com.sun.source.tree.MemberReferenceTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.NewClassTree;
import com.sun.source.tree.ReturnTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreePathScanner;
import com.sun.source.util.TreeScanner;
import dev.timerguard.lint.RuleContext;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;

/**
 * TG102 discarded-timer-handle: the handle of a one-shot <em>timeout</em> ({@code ScheduledFuture},
 * Netty {@code Timeout}, the {@code TimerTask} of {@code Timer.schedule(new TimerTask(){..},
 * delay)}, a TimerGuard one-shot) is dropped, so the work cannot cancel the timer when it finishes
 * early; the timer stays queued for its full delay (the JVM's discarded {@code time.AfterFunc}).
 *
 * <p>Precision first: only tasks that look like timeouts are reported: their body completes, fails,
 * cancels, interrupts or closes something, or mentions a timeout. A delayed retry or a
 * fire-and-forget delayed action has nothing to cancel and is not reported; neither are periodic
 * tasks (see TG103 for their owners) nor {@code orTimeout}, which cancels its own timer when the
 * future completes, nor a task that schedules itself again (a polling loop). A task held in a local
 * first is judged by the local's initializer (see {@code localTask}). Also a non-private {@code
 * void} method that schedules its caller's task with its caller's delay and drops the handle
 * ({@link Summaries#droppedTaskCall}) while a caller visible in the compilation passes it a
 * timeout: that timeout can never be cancelled.
 *
 * <p>Second shape: the {@code Disposable} of a <em>periodic</em> subscription on a shared scheduler
 * is dropped ({@code Flux.interval(d)...subscribe(..)} or RxJava's {@code Observable/Flowable
 * .interval(..)...subscribe(..)} on the default or a shared {@code Schedulers.x()} scheduler,
 * {@code Schedulers.parallel().schedulePeriodically(..)}). Nothing can stop it: no executor of the
 * caller's to shut down, no handle to dispose; it ticks for the life of the JVM, and every run of
 * the code that started it adds one more (per connection, per request, per reconfiguration).
 * Operators in the chain that end the sequence ({@code take*}, {@code limit*}, {@code timeout},
 * anything that turns it into a single value) make it finite and are not reported; neither is a
 * {@code subscribe} that returns nothing (its subscriber can cancel), a scheduler the code owns
 * (disposing it stops the ticks) nor a {@code main} method's. Stateless.
 */
public final class TG102DiscardedTimerHandle extends AbstractRule {
  public TG102DiscardedTimerHandle() {
    super(
        "TG102",
        "discarded-timer-handle",
        "The handle of a one-shot timeout is dropped, so finished work cannot cancel it.",
        "schedule",
        "newTimeout",
        "timerguard",
        "Mono.delay",
        ".timer(",
        ".interval(");
  }

  @Override
  void check(RuleContext ctx, Facts facts) {
    new TreePathScanner<Void, Void>() {
      @Override
      public Void visitMethodInvocation(MethodInvocationTree node, Void v) {
        TreePath path = getCurrentPath();
        if (path.getParentPath().getLeaf() instanceof ExpressionStatementTree
            && !node.getArguments().isEmpty()) {
          TimerCalls.Call call = facts.timerCalls.classify(path);
          String periodic = droppedPeriodic(facts, path, node, call);
          if (periodic != null) {
            ctx.report(
                path,
                "the Disposable of this periodic subscription ("
                    + periodic
                    + ") is dropped: nothing can stop it; it ticks on a shared scheduler for the"
                    + " life of the JVM, and every run of this code starts one more",
                "keep the Disposable and dispose() it when the work or connection it serves ends"
                    + " (e.g. in the sink's onDispose or the owner's close()), or bound the"
                    + " sequence with take/takeUntil");
          }
          if (call != null && call.kind() == TimerCalls.Kind.ONE_SHOT) {
            ExpressionTree task = TimerCalls.task(node);
            if (!call.api().startsWith("java.util.Timer")) {
              task = localTask(facts, path, task);
            }
            boolean timerTask = call.api().startsWith("java.util.Timer");
            // a per-call java.util.Timer (a local) is itself the handle: cancelling it cancels the
            // task
            boolean handleDropped =
                !timerTask || (task instanceof NewClassTree && !localReceiver(facts, path, node));
            if (handleDropped && TimerCalls.looksLikeTimeout(task) && !reschedulesItself(task)) {
              String handle = call.handle();
              ctx.report(
                  path,
                  "the "
                      + handle
                      + " of this one-shot timeout ("
                      + call.api()
                      + ") is dropped: when the work finishes first the timer still stays queued"
                      + " until it fires",
                  "keep the "
                      + handle
                      + " and cancel it when the work completes (e.g. future.whenComplete((r, e) -> "
                      + "handle."
                      + call.release()
                      + ")), or use CompletableFuture.orTimeout");
            }
          }
        }
        return super.visitMethodInvocation(node, v);
      }

      @Override
      public Void visitMethod(com.sun.source.tree.MethodTree node, Void v) {
        javax.lang.model.element.Element m = facts.types.element(getCurrentPath());
        if (m instanceof javax.lang.model.element.ExecutableElement
            && !m.getModifiers().contains(javax.lang.model.element.Modifier.PRIVATE)) {
          javax.lang.model.element.ExecutableElement method =
              (javax.lang.model.element.ExecutableElement) m;
          Summaries.Dropped dropped = facts.summaries().droppedTaskCall(method);
          if (dropped != null && facts.summaries().calledWithTimeout(method, dropped.taskParam())) {
            ctx.report(
                dropped.call(),
                "'"
                    + node.getName()
                    + "' schedules its caller's task with its caller's delay and drops the handle;"
                    + " a caller arms a timeout through it and can never cancel it when the work"
                    + " finishes first, so the timer stays queued until it fires",
                "return the ScheduledFuture (or Timeout) to the caller so it can cancel it on"
                    + " completion");
          }
        }
        return super.visitMethod(node, v);
      }
    }.scan(ctx.root(), null);
  }

  /**
   * The task a one-shot schedules when it is a local variable ({@code TimeoutCheckTask task = new
   * TimeoutCheckTask(f); timer.newTimeout(task, ..)}): the local's initializer, when the local is
   * never assigned again, and that initializer creates the task ({@code new}, a lambda, a method
   * reference) or calls a method of the compilation whose every {@code return} creates one that
   * looks like a timeout ({@code TimerTask t = timeoutTask(future); ..}). Otherwise {@code task}
   * itself, which {@link TimerCalls#looksLikeTimeout} does not take for a timeout. A {@code
   * java.util.Timer}'s local {@code TimerTask} is not followed: it is itself the handle.
   */
  private static ExpressionTree localTask(Facts facts, TreePath call, ExpressionTree task) {
    if (!(task instanceof IdentifierTree)) {
      return task;
    }
    Element local = facts.types.element(new TreePath(call, task));
    TreePath scope = TreePaths.enclosingBoundary(call);
    if (local == null || local.getKind() != ElementKind.LOCAL_VARIABLE || scope == null) {
      return task;
    }
    ExpressionTree[] init = {null};
    boolean[] reassigned = {false};
    new TreePathScanner<Void, Void>() {
      @Override
      public Void visitVariable(VariableTree v, Void x) {
        if (local.equals(facts.types.element(getCurrentPath()))) {
          init[0] = v.getInitializer();
        }
        return super.visitVariable(v, x);
      }

      @Override
      public Void visitAssignment(AssignmentTree a, Void x) {
        if (local.equals(facts.types.element(new TreePath(getCurrentPath(), a.getVariable())))) {
          reassigned[0] = true;
        }
        return super.visitAssignment(a, x);
      }
    }.scan(scope, null);
    ExpressionTree created =
        init[0] == null ? null : (ExpressionTree) TreePaths.skipParens(init[0]);
    if (reassigned[0] || created == null) {
      return task;
    }
    if (created instanceof NewClassTree
        || created instanceof LambdaExpressionTree
        || created instanceof MemberReferenceTree) {
      return created;
    }
    if (created instanceof MethodInvocationTree) {
      ExpressionTree made = madeBy(facts, facts.types.method(findPath(scope, created)));
      return made == null ? task : made;
    }
    return task;
  }

  /**
   * Whether {@code task} is an anonymous class that schedules itself again ({@code
   * timer.newTimeout(this, pause, unit)}): a polling loop that completes its future when the polled
   * state is done or its deadline passes. Its first handle guards nothing: the poll is the work.
   */
  private static boolean reschedulesItself(ExpressionTree task) {
    if (!(task instanceof NewClassTree) || ((NewClassTree) task).getClassBody() == null) {
      return false;
    }
    boolean[] found = {false};
    new TreeScanner<Void, Void>() {
      @Override
      public Void visitMethodInvocation(MethodInvocationTree node, Void x) {
        String name = TreePaths.methodName(node);
        if (name.equals("newTimeout") || name.startsWith("schedule")) {
          for (ExpressionTree a : node.getArguments()) {
            Tree t = TreePaths.skipParens(a);
            if (t instanceof IdentifierTree
                && ((IdentifierTree) t).getName().contentEquals("this")) {
              found[0] = true;
            }
          }
        }
        return super.visitMethodInvocation(node, x);
      }
    }.scan(((NewClassTree) task).getClassBody(), null);
    return found[0];
  }

  /**
   * The task that method {@code m} (in a source of the compilation) creates and returns in every
   * {@code return}, when they all look like timeouts; null otherwise.
   */
  private static ExpressionTree madeBy(Facts facts, ExecutableElement m) {
    TreePath decl = m == null ? null : facts.summaries().declaration(m);
    if (decl == null
        || !(decl.getLeaf() instanceof MethodTree)
        || ((MethodTree) decl.getLeaf()).getBody() == null) {
      return null;
    }
    List<ExpressionTree> made = new ArrayList<>();
    boolean[] other = {false};
    new TreeScanner<Void, Void>() {
      @Override
      public Void visitReturn(ReturnTree r, Void x) {
        Tree e = r.getExpression() == null ? null : TreePaths.skipParens(r.getExpression());
        if ((e instanceof NewClassTree
                || e instanceof LambdaExpressionTree
                || e instanceof MemberReferenceTree)
            && TimerCalls.looksLikeTimeout((ExpressionTree) e)) {
          made.add((ExpressionTree) e);
        } else {
          other[0] = true;
        }
        return null; // a lambda's or a nested class's own returns are not the method's
      }

      @Override
      public Void visitLambdaExpression(LambdaExpressionTree l, Void x) {
        return null;
      }

      @Override
      public Void visitClass(ClassTree c, Void x) {
        return null;
      }
    }.scan(((MethodTree) decl.getLeaf()).getBody(), null);
    return other[0] || made.isEmpty() ? null : made.get(0);
  }

  private static TreePath findPath(TreePath scope, Tree target) {
    TreePath found = TreePath.getPath(scope, target);
    return found != null ? found : scope;
  }

  private static boolean localReceiver(Facts facts, TreePath path, MethodInvocationTree node) {
    ExpressionTree r = TreePaths.receiver(node);
    return r != null && TreePaths.isLocal(facts.types.element(new TreePath(path, r)));
  }

  /**
   * Operators that end a periodic sequence (or may): after them the subscription is finite. Matched
   * as name prefixes ({@code takeUntil}, {@code limitRate}, ...).
   */
  private static final List<String> ENDING =
      List.of("take", "limit", "timeout", "elementAt", "next", "single", "last", "first", "zip");

  /** The static factories of Reactor's and RxJava's shared schedulers. */
  private static final java.util.Set<String> SHARED_SCHEDULERS =
      java.util.Set.of("parallel", "single", "boundedElastic", "elastic", "computation", "io");

  /**
   * For an expression statement that drops the handle of a periodic subscription on a shared
   * scheduler, a name of its API for the message; null otherwise (see the class documentation).
   */
  private static String droppedPeriodic(
      Facts facts, TreePath path, MethodInvocationTree node, TimerCalls.Call call) {
    if (inMainMethod(path)) {
      return null;
    }
    if (call != null
        && call.kind() == TimerCalls.Kind.PERIODIC
        && TreePaths.methodName(node).startsWith("schedulePeriodically")) {
      ExpressionTree r = TreePaths.receiver(node);
      return r != null
              && sharedScheduler(facts, new TreePath(new TreePath(path, node.getMethodSelect()), r))
          ? call.api()
          : null;
    }
    if (!TreePaths.methodName(node).equals("subscribe")) {
      return null;
    }
    ExecutableElement sub = facts.types.method(path);
    if (sub == null || sub.getReturnType().getKind() == javax.lang.model.type.TypeKind.VOID) {
      return null; // subscribe(Subscriber): the subscriber holds its subscription and can cancel
    }
    TreePath at = path;
    MethodInvocationTree inv = node;
    while (true) {
      ExpressionTree r = TreePaths.receiver(inv);
      if (r == null || !(TreePaths.skipParens(r) instanceof MethodInvocationTree)) {
        return null;
      }
      TreePath rp = new TreePath(new TreePath(at, inv.getMethodSelect()), r);
      MethodInvocationTree op = (MethodInvocationTree) TreePaths.skipParens(r);
      ExecutableElement m = facts.types.method(rp);
      if (m == null) {
        return null; // unresolved: no finding
      }
      String name = TreePaths.methodName(op);
      if (m.getModifiers().contains(javax.lang.model.element.Modifier.STATIC)) {
        String owner = m.getEnclosingElement().toString();
        boolean periodicSource =
            name.equals("interval")
                && (owner.equals(ApiNames.REACTOR_FLUX) || ApiNames.RX_SOURCES.contains(owner));
        if (!periodicSource) {
          return null;
        }
        for (ExpressionTree a : op.getArguments()) {
          TreePath ap = new TreePath(rp, a);
          if (isScheduler(facts, ap) && !sharedScheduler(facts, ap)) {
            return null; // a scheduler the code may own: disposing it stops the ticks
          }
        }
        return m.getEnclosingElement().getSimpleName() + ".interval(..).subscribe";
      }
      if (!multiValued(facts, m) || ENDING.stream().anyMatch(name::startsWith)) {
        return null;
      }
      at = rp;
      inv = op;
    }
  }

  /** Whether {@code m} returns a multi-valued publisher (Flux, Observable, Flowable). */
  private static boolean multiValued(Facts facts, ExecutableElement m) {
    javax.lang.model.type.TypeMirror t = m.getReturnType();
    return facts.types.isSubtype(t, ApiNames.REACTOR_FLUX)
        || facts.types.isSubtype(t, "io.reactivex.rxjava3.core.Flowable")
        || facts.types.isSubtype(t, "io.reactivex.rxjava3.core.Observable")
        || facts.types.isSubtype(t, "io.reactivex.Flowable")
        || facts.types.isSubtype(t, "io.reactivex.Observable");
  }

  private static boolean isScheduler(Facts facts, TreePath expr) {
    javax.lang.model.type.TypeMirror t = facts.types.typeOf(expr);
    return t != null
        && (facts.types.isSubtype(t, ApiNames.REACTOR_SCHEDULER)
            || facts.types.isSubtype(t, ApiNames.RX3_SCHEDULER)
            || facts.types.isSubtype(t, ApiNames.RX2_SCHEDULER));
  }

  /**
   * Whether {@code expr} is a call of a shared scheduler's static factory ({@code
   * Schedulers.parallel()}, RxJava's {@code Schedulers.computation()}, ...): one the code cannot
   * dispose.
   */
  private static boolean sharedScheduler(Facts facts, TreePath expr) {
    Tree e = TreePaths.skipParens(expr.getLeaf());
    if (!(e instanceof MethodInvocationTree)
        || !SHARED_SCHEDULERS.contains(TreePaths.methodName((MethodInvocationTree) e))) {
      return false;
    }
    ExecutableElement m = facts.types.method(expr);
    return m != null
        && m.getModifiers().contains(javax.lang.model.element.Modifier.STATIC)
        && m.getEnclosingElement().getSimpleName().contentEquals("Schedulers")
        && isScheduler(facts, expr);
  }

  /**
   * Whether {@code path} is inside a {@code static void main(String[])}: the JVM's own lifetime.
   */
  private static boolean inMainMethod(TreePath path) {
    for (TreePath p = path; p != null; p = p.getParentPath()) {
      if (p.getLeaf() instanceof MethodTree) {
        MethodTree m = (MethodTree) p.getLeaf();
        return m.getName().contentEquals("main")
            && m.getModifiers().getFlags().contains(javax.lang.model.element.Modifier.STATIC);
      }
    }
    return false;
  }
}
