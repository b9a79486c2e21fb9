package dev.timerguard.lint.rules;

import com.sun.source.tree.AssignmentTree;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.ExpressionStatementTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.IdentifierTree;
import com.sun.source.tree.MemberReferenceTree;
import com.sun.source.tree.MemberSelectTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.NewClassTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreePathScanner;
import dev.timerguard.lint.RuleContext;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;

/**
 * TG103 timer-or-executor-never-closed: a {@code java.util.Timer}, {@code ScheduledExecutorService}
 * or other {@code ExecutorService} (or Netty timer, or TimerGuard {@code Timers}) that its creator
 * owns and never releases. The JVM's {@code lostcancel}: its threads outlive their owner. Three
 * shapes:
 *
 * <ul>
 *   <li>created in a method and held in a local variable (declared with it, or declared {@code
 *       null} and assigned later) that is not cancelled / shut down / closed on every path (see
 *       {@link ReleasePaths}: early returns, {@code finally}, loops) and does not escape to an
 *       owner;
 *   <li>used once in a chain ({@code Executors.newSingleThreadExecutor().execute(..)});
 *   <li>an instance field created by its class (in its declaration or assigned in any method) when
 *       the class has a lifecycle ({@code close/stop/shutdown/destroy/dispose}, or it is {@code
 *       AutoCloseable}) and nothing in the class ever releases the field or hands it on: each
 *       closed instance leaks the field's threads.
 * </ul>
 *
 * <p>Also: a pool created as an argument of {@code this(..)} belongs to the field in which the
 * called constructor stores it; a field lent out by an accessor still belongs to a class whose
 * lifecycle releases its other pools; an anonymous class has the lifecycle of its creator (see
 * {@link ClassLifecycle}); a call declared to throw a checked exception between creation and
 * release is an exit ({@link ReleasePaths#unreleasedThrow}); a timer created as the new value of
 * {@code AtomicReference.compareAndSet} is dropped when the reference is already set. Pools and
 * timers stored into a collection or map field of a class with a lifecycle belong to it until the
 * class releases each element ({@link ElementFields}); {@code new T(..)} of a project class that
 * owns a thread it starts while constructed, and releases it by a release method, counts as a
 * creation ({@link ThreadOwners}).
 *
 * <p>Wrapping is not escaping: a pool passed to a decorator ({@code
 * MoreExecutors.listeningDecorator}, {@code Executors.unconfigurable(Scheduled)ExecutorService},
 * Reactor's {@code Schedulers.fromExecutorService}) is still owned, and shutting the decorator down
 * releases it. Lending is not escaping either: a pool handed to RxJava's {@code Schedulers.from} or
 * Reactor's {@code Schedulers.fromExecutor} stays the caller's to shut down, because disposing or
 * shutting down that scheduler leaves the executor running; a pool created right inside such a call
 * ({@code Schedulers.from(Executors.newFixedThreadPool(4))}) can therefore never be shut down and
 * is reported (except as a static field's value). Escapes (silent): returned, assigned to a field
 * or another variable, passed as an argument to anything else (handed to an owner or a helper),
 * captured by a lambda or inner class; a release inside a lambda (shutdown hook) also counts. Pools
 * whose threads time out on their own ({@code newCachedThreadPool}, core size 0) are not reported;
 * static fields (process-lifetime singletons) are never reported. Stateless.
 */
public final class TG103TimerOrExecutorNeverClosed extends AbstractRule {
  private static final Set<String> CLOSERS =
      Set.of(
          "shutdown",
          "shutdownNow",
          "close",
          "cancel",
          "stop",
          "shutdownGracefully",
          "dispose",
          "disposeGracefully");

  /**
   * Decorators whose result delegates shutdown to the pool they wrap (a wrapper is not an owner).
   */
  private static final Set<String> DECORATORS =
      Set.of(
          "listeningDecorator",
          "unconfigurableExecutorService",
          "unconfigurableScheduledExecutorService");

  public TG103TimerOrExecutorNeverClosed() {
    super(
        "TG103",
        "timer-or-executor-never-closed",
        "A Timer or executor created in a method is not closed on every path and does not escape.",
        "Executor",
        "Timer",
        "ForkJoinPool",
        "Schedulers",
        "createWorker");
  }

  @Override
  void check(RuleContext ctx, Facts facts) {
    ReleasePaths paths = new ReleasePaths(facts.types, CLOSERS);
    Set<Element> lateChecked = new HashSet<>();
    new TreePathScanner<Void, Void>() {
      @Override
      public Void visitVariable(VariableTree node, Void v) {
        if (node.getInitializer() != null) {
          Element e = facts.types.element(getCurrentPath());
          if (e != null && e.getKind() == ElementKind.LOCAL_VARIABLE) {
            Tree init = owned(facts, new TreePath(getCurrentPath(), node.getInitializer()));
            Created c = classify(facts, new TreePath(getCurrentPath(), init));
            if (c != Created.NONE && !threadsTimeOut(init)) {
              checkLocal(ctx, facts, paths, getCurrentPath(), getCurrentPath(), e, c);
            }
          }
        }
        return super.visitVariable(node, v);
      }

      /** Late assignment: {@code ExecutorService pool = null; .. pool = Executors.newX(..);}. */
      @Override
      public Void visitAssignment(AssignmentTree node, Void v) {
        TreePath p = getCurrentPath();
        if (p.getParentPath().getLeaf() instanceof ExpressionStatementTree) {
          Element e = facts.types.element(new TreePath(p, node.getVariable()));
          if (e != null && e.getKind() == ElementKind.LOCAL_VARIABLE && !lateChecked.contains(e)) {
            Tree rhs = owned(facts, new TreePath(p, node.getExpression()));
            Created c = classify(facts, new TreePath(p, rhs));
            if (c != Created.NONE && !threadsTimeOut(rhs) && lateAssigned(facts, e)) {
              lateChecked.add(e); // the first creating assignment speaks for the variable
              checkLocal(ctx, facts, paths, p, p.getParentPath(), e, c);
            }
          }
        }
        return super.visitAssignment(node, v);
      }

      @Override
      public Void visitClass(ClassTree node, Void v) {
        checkFields(ctx, facts, getCurrentPath());
        return super.visitClass(node, v);
      }

      @Override
      public Void visitMethodInvocation(MethodInvocationTree node, Void v) {
        checkChained(getCurrentPath());
        checkLentOnCreation(ctx, facts, getCurrentPath());
        checkConditionalHandOff(ctx, facts, getCurrentPath());
        return super.visitMethodInvocation(node, v);
      }

      @Override
      public Void visitNewClass(NewClassTree node, Void v) {
        checkChained(getCurrentPath());
        return super.visitNewClass(node, v);
      }

      /**
       * {@code Executors.newX().execute(..)}, {@code new Timer().schedule(..)}, or a bare {@code
       * new Timer();}.
       */
      private void checkChained(TreePath path) {
        Tree parent = path.getParentPath().getLeaf();
        boolean bare = parent instanceof ExpressionStatementTree;
        boolean chained =
            parent instanceof MemberSelectTree
                && path.getParentPath().getParentPath().getLeaf() instanceof MethodInvocationTree
                && !CLOSERS.contains(((MemberSelectTree) parent).getIdentifier().toString());
        if (!bare && !chained) {
          return;
        }
        Created c = classify(facts, path);
        if (c == Created.NONE) {
          return;
        }
        ctx.report(
            path,
            c.describe()
                + " is created, used once and never "
                + c.verb()
                + ": its thread outlives this call",
            "keep it in a variable and "
                + c.imperative()
                + " when done (try-with-resources on JDK 19+),"
                + " or reuse one long-lived "
                + (c == Created.TIMER ? "Timer" : "executor"));
      }
    }.scan(ctx.root(), null);
  }

  /**
   * A conditional hand-off: {@code ref.compareAndSet(expected, new Timer())} on an {@code
   * AtomicReference}: when the reference is already set, the new timer or pool is dropped with its
   * threads running, and nothing can release it.
   */
  private static void checkConditionalHandOff(RuleContext ctx, Facts facts, TreePath call) {
    MethodInvocationTree inv = (MethodInvocationTree) call.getLeaf();
    String name = TreePaths.methodName(inv);
    if (!(name.equals("compareAndSet") || name.equals("weakCompareAndSet"))
        || inv.getArguments().size() != 2
        || !facts.types.isSubtype(
            facts.types.receiverType(call), "java.util.concurrent.atomic.AtomicReference")) {
      return;
    }
    int value = 1;
    String holder = name + " finds another value already set";
    TreePath arg = new TreePath(call, inv.getArguments().get(value));
    Tree init = owned(facts, arg);
    Created c = classify(facts, new TreePath(call, init));
    if (c == Created.NONE || threadsTimeOut(init)) {
      return;
    }
    ctx.report(
        arg,
        c.describe()
            + " is created as the new value of "
            + name
            + "(..) and dropped, never "
            + c.verb()
            + ", when "
            + holder
            + ": every losing call leaks its threads",
        "create it only when the value is unset (under a lock), and "
            + c.imperative()
            + " when "
            + name
            + " fails");
  }

  /**
   * What the expression at {@code path} creates: a timer or executor ({@link Creations}), or an
   * object of a project class that owns a started thread ({@link ThreadOwners}).
   */
  private static Created classify(Facts facts, TreePath path) {
    Created c = facts.creations.classify(path);
    if (c != Created.NONE || !(TreePaths.skipParens(path.getLeaf()) instanceof NewClassTree)) {
      return c;
    }
    return facts.threadOwners(CLOSERS).createsOwner(path) ? Created.THREAD_OWNER : Created.NONE;
  }

  /** Whether the local {@code var} is declared without a value or with {@code null}. */
  private static boolean lateAssigned(Facts facts, Element var) {
    TreePath decl = facts.ctx.trees().getPath(var);
    if (decl == null || !(decl.getLeaf() instanceof VariableTree)) {
      return false;
    }
    ExpressionTree init = ((VariableTree) decl.getLeaf()).getInitializer();
    return init == null || init.getKind() == Tree.Kind.NULL_LITERAL;
  }

  /**
   * A pool created as the executor of a scheduler that never shuts it down ({@code
   * Schedulers.from(Executors.newFixedThreadPool(4))}): nothing can reach the pool to shut it down.
   */
  private static void checkLentOnCreation(RuleContext ctx, Facts facts, TreePath call) {
    if (!isLending(facts, call)) {
      return;
    }
    MethodInvocationTree inv = (MethodInvocationTree) call.getLeaf();
    TreePath arg = new TreePath(call, inv.getArguments().get(0));
    Tree created = TreePaths.skipParens(arg.getLeaf());
    Created c = classify(facts, new TreePath(call, created));
    if (c == Created.NONE || threadsTimeOut(created) || inStaticField(call)) {
      return;
    }
    ExecutableElement m = facts.types.method(call);
    ctx.report(
        arg,
        c.describe()
            + " is created inside "
            + m.getEnclosingElement().getSimpleName()
            + "."
            + m.getSimpleName()
            + "(..), whose scheduler never shuts down the executor it wraps (disposing or shutting"
            + " down the scheduler leaves it running): it is never "
            + c.verb()
            + ", and its threads outlive every use",
        "keep the pool in a variable or field and "
            + c.imperative()
            + " when the scheduler is no longer needed (or use Reactor's"
            + " Schedulers.fromExecutorService, whose dispose() shuts the pool down)");
  }

  /** Whether {@code p} is inside the initializer of a static field (a process-lifetime value). */
  private static boolean inStaticField(TreePath p) {
    for (TreePath q = p; q != null; q = q.getParentPath()) {
      Tree t = q.getLeaf();
      if (t instanceof VariableTree && q.getParentPath().getLeaf() instanceof ClassTree) {
        return ((VariableTree) t)
            .getModifiers()
            .getFlags()
            .contains(javax.lang.model.element.Modifier.STATIC);
      }
      if (TreePaths.isBoundary(t)) {
        return false;
      }
    }
    return false;
  }

  /** RxJava's (2 and 3) and Reactor's {@code Schedulers} classes. */
  private static final Set<String> SCHEDULERS_CLASSES =
      Set.of(
          ApiNames.REACTOR_SCHEDULERS,
          "io.reactivex.rxjava3.schedulers.Schedulers",
          "io.reactivex.schedulers.Schedulers");

  /**
   * Whether the call at {@code p} wraps its first argument, an executor, in a scheduler that never
   * shuts it down: RxJava's {@code Schedulers.from(executor, ..)}, Reactor's {@code
   * Schedulers.fromExecutor(executor, ..)}. Resolved types only.
   */
  static boolean isLending(Facts facts, TreePath p) {
    Tree t = TreePaths.skipParens(p.getLeaf());
    if (!(t instanceof MethodInvocationTree)) {
      return false;
    }
    MethodInvocationTree inv = (MethodInvocationTree) t;
    String name = TreePaths.methodName(inv);
    if (!(name.equals("from") || name.equals("fromExecutor")) || inv.getArguments().isEmpty()) {
      return false;
    }
    ExecutableElement m = facts.types.method(p.getLeaf() == t ? p : new TreePath(p, t));
    if (m == null || !SCHEDULERS_CLASSES.contains(m.getEnclosingElement().toString())) {
      return false;
    }
    boolean reactor = m.getEnclosingElement().toString().equals(ApiNames.REACTOR_SCHEDULERS);
    return reactor ? name.equals("fromExecutor") : name.equals("from");
  }

  /** Whether the call at {@code p} is a decorator that delegates shutdown to its argument. */
  static boolean isDecorator(Facts facts, TreePath p) {
    Tree t = TreePaths.skipParens(p.getLeaf());
    if (!(t instanceof MethodInvocationTree)) {
      return false;
    }
    MethodInvocationTree inv = (MethodInvocationTree) t;
    if (TreePaths.methodName(inv).equals("fromExecutorService") && !inv.getArguments().isEmpty()) {
      // Reactor: disposing the scheduler shuts the ExecutorService down
      ExecutableElement m = facts.types.method(p.getLeaf() == t ? p : new TreePath(p, t));
      return m != null && m.getEnclosingElement().toString().equals(ApiNames.REACTOR_SCHEDULERS);
    }
    if (!DECORATORS.contains(TreePaths.methodName(inv)) || inv.getArguments().size() != 1) {
      return false;
    }
    ExecutableElement m = facts.types.method(p.getLeaf() == t ? p : new TreePath(p, t));
    if (m != null) {
      String owner = m.getEnclosingElement().toString();
      return owner.equals(ApiNames.EXECUTORS)
          || owner.equals("com.google.common.util.concurrent.MoreExecutors");
    }
    ExpressionTree q = TreePaths.receiver(inv); // owner not on the class path: judge by its name
    return q != null
        && (q.toString().endsWith("MoreExecutors") || q.toString().endsWith("Executors"));
  }

  /**
   * The creation an expression owns: the expression itself, or the pool inside a decorator (a known
   * decorator method, or {@code new X(pool)} of an executor class that takes an {@code
   * ExecutorService}: a wrapper such as an instrumenting executor, whose threads are the wrapped
   * pool's).
   */
  private static Tree owned(Facts facts, TreePath expr) {
    Tree t = TreePaths.skipParens(expr.getLeaf());
    if (isDecorator(facts, expr)) {
      return TreePaths.skipParens(((MethodInvocationTree) t).getArguments().get(0));
    }
    if (t instanceof NewClassTree && ((NewClassTree) t).getClassBody() == null) {
      TreePath np = t == expr.getLeaf() ? expr : new TreePath(expr, t);
      if (((NewClassTree) t).getArguments().isEmpty()
          || facts.creations.classify(np) == Created.NONE) {
        return t; // most new expressions are not executors: look no further
      }
      for (ExpressionTree arg : ((NewClassTree) t).getArguments()) {
        if (facts.types.isSubtype(
            facts.types.typeOf(new TreePath(np, arg)), ApiNames.EXECUTOR_SERVICE)) {
          return TreePaths.skipParens(arg); // new InstrumentedExecutorService(pool)
        }
      }
    }
    return t;
  }

  /**
   * Pools whose threads die on their own when idle ({@code newCachedThreadPool}, a {@code
   * ThreadPoolExecutor} with a literal core size of 0): not shutting them down leaks no thread.
   */
  static boolean threadsTimeOut(Tree init) {
    Tree t = TreePaths.skipParens(init);
    if (t instanceof MethodInvocationTree) {
      return TreePaths.methodName((MethodInvocationTree) t).equals("newCachedThreadPool");
    }
    if (t instanceof NewClassTree) {
      NewClassTree n = (NewClassTree) t;
      return n.getIdentifier().toString().endsWith("ThreadPoolExecutor")
          && !n.getIdentifier().toString().contains("Scheduled")
          && !n.getArguments().isEmpty()
          && n.getArguments().get(0) instanceof com.sun.source.tree.LiteralTree
          && Integer.valueOf(0)
              .equals(((com.sun.source.tree.LiteralTree) n.getArguments().get(0)).getValue());
    }
    return false;
  }

  /**
   * Checks a local that holds what it created: {@code decl} is where to report (the declaration or
   * the assignment), {@code statement} the statement that creates it.
   */
  private void checkLocal(
      RuleContext ctx,
      Facts facts,
      ReleasePaths paths,
      TreePath decl,
      TreePath statement,
      Element var,
      Created c) {
    TreePath scope = TreePaths.enclosingBoundary(decl);
    if (scope == null) {
      return;
    }
    Set<Element> vars = new HashSet<>();
    vars.add(var);
    Use use = uses(facts, scope, vars, false);
    if (use.escapes || use.deferredClose) {
      return;
    }
    String name = var.getSimpleName().toString();
    if (!use.closed) {
      ctx.report(
          decl,
          "'"
              + name
              + "' ("
              + c.describe()
              + ") is never "
              + c.verb()
              + " and does not escape: its threads outlive this method",
          c.imperative()
              + " in a finally block, use try-with-resources (JDK 19+ executors are"
              + " AutoCloseable), or hand it to an owner that closes it");
      return;
    }
    if (paths.releasedOnEveryPath(statement, vars)) {
      ReleasePaths.UnreleasedThrow t = paths.unreleasedThrow(statement, vars);
      if (t != null) {
        reportThrow(ctx, decl, name, c, t);
      }
      return;
    }
    ctx.report(
        decl,
        "'"
            + name
            + "' ("
            + c.describe()
            + ") is "
            + c.verb()
            + " only on some paths (a condition or an early return skips it)",
        c.imperative() + " in a finally block, or use try-with-resources (JDK 19+)");
  }

  /** Reports a local released on the normal path only: a declared checked exception skips it. */
  private static void reportThrow(
      RuleContext ctx, TreePath decl, String name, Created c, ReleasePaths.UnreleasedThrow t) {
    com.sun.source.tree.CompilationUnitTree cu = ctx.compilationUnit();
    long line =
        cu.getLineMap()
            .getLineNumber(
                ctx.trees().getSourcePositions().getStartPosition(cu, t.call().getLeaf()));
    String thrown = t.thrown().toString();
    thrown = thrown.substring(thrown.lastIndexOf('.') + 1);
    ctx.report(
        decl,
        "'"
            + name
            + "' ("
            + c.describe()
            + ") is not "
            + c.verb()
            + " when "
            + TreePaths.brief(((MethodInvocationTree) t.call().getLeaf()).getMethodSelect())
            + "(..) on line "
            + line
            + " throws "
            + thrown
            + ": that exit skips the "
            + (c == Created.TIMER ? "cancel" : "release"),
        c.imperative() + " in a finally block, or use try-with-resources (JDK 19+)");
  }

  /** How the variables in {@code vars} (a pool and its decorators) are used in {@code scope}. */
  private static final class Use {
    boolean closed;
    boolean escapes;
    boolean deferredClose;

    /**
     * A field returned by a method of its class (an accessor lends it; the class still owns it).
     */
    boolean returned;
  }

  /**
   * Scans {@code scope} for uses of {@code vars}; a decorator wrapping one of them into a local
   * adds that local to {@code vars} (shutting the decorator down shuts the pool down). For a field
   * ({@code field}), the scope is its class: uses in any method, lambda or inner class are ordinary
   * uses, and a comparison with {@code null} is a read, not an escape.
   */
  private static Use uses(Facts facts, TreePath scope, Set<Element> vars, boolean field) {
    Use u = new Use();
    new TreePathScanner<Void, Void>() {
      @Override
      public Void visitIdentifier(IdentifierTree node, Void v) {
        use(getCurrentPath(), node);
        return null;
      }

      @Override
      public Void visitMemberSelect(MemberSelectTree node, Void v) {
        if (node.getExpression() instanceof IdentifierTree
            && ((IdentifierTree) node.getExpression()).getName().contentEquals("this")) {
          use(getCurrentPath(), node); // this.pool
          return null;
        }
        return super.visitMemberSelect(node, v);
      }

      private void use(TreePath use, Tree node) {
        if (!vars.contains(facts.types.element(use))) {
          return;
        }
        Tree parent = use.getParentPath().getLeaf();
        boolean inner = !field && TreePaths.enclosingBoundary(use).getLeaf() != scope.getLeaf();
        if (field
            && parent instanceof com.sun.source.tree.BinaryTree
            && (((com.sun.source.tree.BinaryTree) parent).getLeftOperand().getKind()
                    == Tree.Kind.NULL_LITERAL
                || ((com.sun.source.tree.BinaryTree) parent).getRightOperand().getKind()
                    == Tree.Kind.NULL_LITERAL)) {
          return; // if (pool != null): a read
        }
        if (parent instanceof MemberSelectTree
            && use.getParentPath().getParentPath().getLeaf() instanceof MethodInvocationTree
            && ((MethodInvocationTree) use.getParentPath().getParentPath().getLeaf())
                    .getMethodSelect()
                == parent) {
          String m = ((MemberSelectTree) parent).getIdentifier().toString();
          if (CLOSERS.contains(m)) {
            if (inner) {
              u.deferredClose = true;
            } else {
              u.closed = true;
            }
          } else if (inner) {
            u.escapes = true;
          }
          return;
        }
        if (parent instanceof MemberReferenceTree) {
          if (CLOSERS.contains(((MemberReferenceTree) parent).getName().toString())) {
            u.deferredClose = true; // pool::shutdown handed to a hook
          }
          return;
        }
        if (parent instanceof AssignmentTree && ((AssignmentTree) parent).getVariable() == node) {
          return; // re-assignment of the variable itself
        }
        if (field && parent instanceof com.sun.source.tree.ReturnTree) {
          u.returned = true; // an accessor: callers use the pool, the class still owns it
          return;
        }
        if (parent instanceof MethodInvocationTree
            && !((MethodInvocationTree) parent).getArguments().isEmpty()
            && ((MethodInvocationTree) parent).getArguments().get(0) == node
            && isLending(facts, use.getParentPath())) {
          return; // lent to a scheduler that never shuts it down: still this code's to release
        }
        if (parent instanceof MethodInvocationTree
            && isDecorator(facts, use.getParentPath())
            && !inner) {
          Element wrapper = wrapperLocal(facts, use.getParentPath());
          if (wrapper != null) {
            vars.add(wrapper); // its uses count from now on; earlier ones were of the bare pool
            return;
          }
        }
        u.escapes = true; // argument, return, assignment source, capture, conditional...
      }
    }.scan(scope, null);
    return u;
  }

  /** The local that receives the decorator call at {@code call}, or null. */
  private static Element wrapperLocal(Facts facts, TreePath call) {
    Tree parent = call.getParentPath().getLeaf();
    Element e = null;
    if (parent instanceof VariableTree) {
      e = facts.types.element(call.getParentPath());
    } else if (parent instanceof AssignmentTree) {
      e =
          facts.types.element(
              new TreePath(call.getParentPath(), ((AssignmentTree) parent).getVariable()));
    }
    return e != null && e.getKind() == ElementKind.LOCAL_VARIABLE ? e : null;
  }

  /**
   * Fields of the class at {@code cls} that the class creates and never releases although it has a
   * lifecycle method or is AutoCloseable.
   */
  private void checkFields(RuleContext ctx, Facts facts, TreePath cls) {
    ClassTree ct = (ClassTree) cls.getLeaf();
    if (!ClassLifecycle.hasLifecycle(facts, cls)) {
      return;
    }
    Map<Element, TreePath> created = new LinkedHashMap<>();
    Map<Element, Created> kinds = new LinkedHashMap<>();
    Map<Element, TreePath> elementsCreated = new LinkedHashMap<>(); // pools.put(id, new X(..))
    Map<Element, Created> elementKinds = new LinkedHashMap<>();
    for (Tree member : ct.getMembers()) {
      if (member instanceof VariableTree) {
        VariableTree vt = (VariableTree) member;
        TreePath vp = new TreePath(cls, vt);
        if (vt.getModifiers().getFlags().contains(Modifier.STATIC) || vt.getInitializer() == null) {
          continue;
        }
        Tree init = owned(facts, new TreePath(vp, vt.getInitializer()));
        Created c = classify(facts, new TreePath(vp, init));
        if (c != Created.NONE && !threadsTimeOut(init)) {
          Element f = facts.types.element(vp);
          if (f != null) {
            created.putIfAbsent(f, vp);
            kinds.putIfAbsent(f, c);
          }
        }
      }
    }
    new TreePathScanner<Void, Void>() {
      @Override
      public Void visitAssignment(AssignmentTree node, Void v) {
        TreePath p = getCurrentPath();
        if (TreePaths.isOwnFieldTarget(node.getVariable())) {
          Element f = facts.types.element(new TreePath(p, node.getVariable()));
          if (TreePaths.isField(f)
              && !f.getModifiers().contains(Modifier.STATIC)
              && f.getEnclosingElement() == facts.types.element(cls)) {
            Tree rhs = owned(facts, new TreePath(p, node.getExpression()));
            Created c = classify(facts, new TreePath(p, rhs));
            if (c != Created.NONE && !threadsTimeOut(rhs)) {
              created.putIfAbsent(f, p);
              kinds.putIfAbsent(f, c);
            }
          }
        }
        return super.visitAssignment(node, v);
      }

      /** {@code this(.., Executors.newX(), ..)}: the chained constructor stores it in a field. */
      @Override
      public Void visitMethodInvocation(MethodInvocationTree node, Void v) {
        TreePath p = getCurrentPath();
        Element[] holder = {null};
        TreePath element = ElementFields.storedElement(facts, p, facts.types.element(cls), holder);
        if (element != null) {
          Tree init = owned(facts, element);
          Created c =
              classify(facts, init == element.getLeaf() ? element : new TreePath(element, init));
          if (c != Created.NONE && !threadsTimeOut(init)) {
            elementsCreated.putIfAbsent(holder[0], element);
            elementKinds.putIfAbsent(holder[0], c);
          }
        }
        if (TreePaths.methodName(node).equals("this")) {
          ExecutableElement target = facts.types.method(p);
          TreePath decl = target == null ? null : facts.ctx.trees().getPath(target);
          for (int i = 0; decl != null && i < node.getArguments().size(); i++) {
            TreePath arg = new TreePath(p, node.getArguments().get(i));
            Tree init = owned(facts, arg);
            Created c = classify(facts, new TreePath(p, init));
            if (c == Created.NONE || threadsTimeOut(init)) {
              continue;
            }
            Element f = ClassLifecycle.fieldOfParameter(facts, decl, i, 0);
            if (f != null) {
              created.putIfAbsent(f, arg);
              kinds.putIfAbsent(f, c);
            }
          }
        }
        return super.visitMethodInvocation(node, v);
      }

      @Override
      public Void visitClass(ClassTree node, Void v) {
        return node == ct
            ? super.visitClass(node, v)
            : null; // nested classes are checked on their own
      }
    }.scan(cls, null);
    reportElements(ctx, facts, cls, elementsCreated, elementKinds);
    for (Map.Entry<Element, TreePath> e : created.entrySet()) {
      Set<Element> vars = new HashSet<>();
      vars.add(e.getKey());
      Use use = uses(facts, cls, vars, true);
      if (use.closed
          || use.deferredClose
          || use.escapes
          || usedThroughOtherInstance(facts, cls, e.getKey())) {
        continue;
      }
      if (ClassLifecycle.createdWhileEnding(facts, cls, e.getValue())) {
        continue; // a watchdog for the shutdown itself
      }
      if (use.returned
          && !ClassLifecycle.lifecycleReleasesOtherField(facts, cls, e.getKey(), CLOSERS)) {
        continue; // lent out by an accessor, and no sign that the class releases its pools itself
      }
      Created c = kinds.get(e.getKey());
      String name = e.getKey().getSimpleName().toString();
      String owner = ClassLifecycle.displayName(cls);
      String lifecycleOwner = lifecycleOwner(cls);
      ctx.report(
          e.getValue(),
          "field '"
              + name
              + "' ("
              + c.describe()
              + ") is created by "
              + owner
              + " and never "
              + c.verb()
              + ", although "
              + lifecycleOwner
              + " has a lifecycle: every instance leaks its threads when it is closed",
          c.imperative()
              + " in the class's close/stop method (or hand it to the owner that closes it)");
    }
  }

  /**
   * The class whose lifecycle a finding in {@code cls} names: an anonymous class takes its
   * creator's.
   */
  private static String lifecycleOwner(TreePath cls) {
    TreePath creator = ClassLifecycle.anonymousCreator(cls);
    return ClassLifecycle.displayName(creator == null ? cls : creator);
  }

  /**
   * Collection and map fields whose elements the class creates ({@code pools.put(id, new
   * ThreadPoolExecutor(..))}) and never releases or hands on, although it has a lifecycle (see
   * {@link ElementFields}).
   */
  private static void reportElements(
      RuleContext ctx,
      Facts facts,
      TreePath cls,
      Map<Element, TreePath> created,
      Map<Element, Created> kinds) {
    for (Map.Entry<Element, TreePath> e : created.entrySet()) {
      if (ElementFields.fate(facts, cls, e.getKey(), CLOSERS) != ElementFields.Fate.KEPT
          || ClassLifecycle.createdWhileEnding(facts, cls, e.getValue())) {
        continue;
      }
      Created c = kinds.get(e.getKey());
      String name = e.getKey().getSimpleName().toString();
      String owner = ClassLifecycle.displayName(cls);
      String lifecycleOwner = lifecycleOwner(cls);
      ctx.report(
          e.getValue(),
          c.describe()
              + " is created by "
              + owner
              + " into the collection in field '"
              + name
              + "', and no element of it is ever "
              + c.verb()
              + ", although "
              + lifecycleOwner
              + " has a lifecycle: every instance leaks these threads when it is closed",
          "in the class's close/stop method, "
              + c.imperative()
              + " for each element ("
              + name
              + ".values().forEach(..) or a for-each loop)");
    }
  }

  /**
   * Whether {@code field} is used through a member select on something other than {@code this}
   * ({@code other.pool.shutdown()} in a static helper or a sibling instance): the release may be
   * there, out of this analysis' sight.
   */
  private static boolean usedThroughOtherInstance(Facts facts, TreePath cls, Element field) {
    boolean[] found = {false};
    new TreePathScanner<Void, Void>() {
      @Override
      public Void visitMemberSelect(MemberSelectTree node, Void v) {
        if (!(node.getExpression() instanceof IdentifierTree
                && ((IdentifierTree) node.getExpression()).getName().contentEquals("this"))
            && node.getIdentifier().contentEquals(field.getSimpleName())
            && facts.types.element(getCurrentPath()) == field) {
          found[0] = true;
        }
        return super.visitMemberSelect(node, v);
      }
    }.scan(cls, null);
    return found[0];
  }
}
