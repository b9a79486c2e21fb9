package dev.timerguard.lint.rules;

import com.sun.source.tree.BlockTree;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.DoWhileLoopTree;
import com.sun.source.tree.EnhancedForLoopTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.ForLoopTree;
import com.sun.source.tree.IdentifierTree;
import com.sun.source.tree.LambdaExpressionTree;
import com.sun.source.tree.MemberSelectTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.NewClassTree;
import com.sun.source.tree.ParenthesizedTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.TypeCastTree;
import com.sun.source.tree.WhileLoopTree;
import com.sun.source.util.TreePath;
import dev.timerguard.lint.RuleContext;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.TypeElement;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;

/**
 * Type-resolution helpers shared by the rules: everything is decided with {@code Types.isSubtype}
 * against the real JDK (or Netty/TimerGuard) owner types, never by a method name alone. Unresolved
 * (error) types never match. One instance per {@link RuleContext}; not thread-safe.
 */
final class Jdk {
  static final String SES = "java.util.concurrent.ScheduledExecutorService";
  static final String STPE = "java.util.concurrent.ScheduledThreadPoolExecutor";
  static final String EXECUTOR_SERVICE = "java.util.concurrent.ExecutorService";
  static final String EXECUTORS = "java.util.concurrent.Executors";
  static final String FUTURE = "java.util.concurrent.Future";
  static final String CF = "java.util.concurrent.CompletableFuture";
  static final String TIMER = "java.util.Timer";
  static final String TIMER_TASK = "java.util.TimerTask";
  static final String THREAD = "java.lang.Thread";
  static final String TIME_UNIT = "java.util.concurrent.TimeUnit";
  static final String LOCK = "java.util.concurrent.locks.Lock";
  static final String NETTY_TIMER = "io.netty.util.Timer";
  static final String NETTY_TIMEOUT = "io.netty.util.Timeout";
  static final String INTERRUPTED = "java.lang.InterruptedException";

  final RuleContext ctx;
  private final Map<String, TypeMirror> cache;

  /**
   * Resolved owner types per compiler instance, shared by all rules and classes of one compilation
   * (looking up a type that is absent, such as Netty's, is not free). Weak keys: a finished
   * compilation's entry goes away with it.
   */
  private static final Map<javax.lang.model.util.Elements, Map<String, TypeMirror>> SHARED =
      java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

  Jdk(RuleContext ctx) {
    this.ctx = ctx;
    this.cache = SHARED.computeIfAbsent(ctx.elements(), e -> new java.util.concurrent.ConcurrentHashMap<>());
  }

  /** Marks a type that is not on the compiler's path (ConcurrentHashMap holds no nulls). */
  private static final TypeMirror ABSENT = new Marker();

  /** The erased type named {@code fqcn}, or null when it is not on the compiler's path. */
  TypeMirror type(String fqcn) {
    TypeMirror t = cache.get(fqcn);
    if (t == null) {
      TypeElement e;
      try {
        e = ctx.elements().getTypeElement(fqcn);
      } catch (RuntimeException ex) {
        e = null;
      }
      t = e == null ? ABSENT : ctx.types().erasure(e.asType());
      cache.put(fqcn, t);
    }
    return t == ABSENT ? null : t;
  }

  /** Whether {@code t} is a resolved subtype of the type named {@code fqcn}. */
  boolean isSubtype(TypeMirror t, String fqcn) {
    if (t == null || (t.getKind() != TypeKind.DECLARED && t.getKind() != TypeKind.TYPEVAR)) {
      return false;
    }
    TypeMirror target = type(fqcn);
    if (target == null || target.getKind() == TypeKind.ERROR) {
      return false;
    }
    try {
      return ctx.types().isSubtype(ctx.types().erasure(t), target);
    } catch (RuntimeException e) {
      return false;
    }
  }

  boolean isSubtype(Element e, String fqcn) {
    return e != null && isSubtype(e.asType(), fqcn);
  }

  /** The compiler's type of the expression at {@code path}, or null. */
  TypeMirror typeOf(TreePath path) {
    try {
      TypeMirror t = ctx.trees().getTypeMirror(path);
      return t == null || t.getKind() == TypeKind.ERROR ? null : t;
    } catch (RuntimeException e) {
      return null;
    }
  }

  Element element(TreePath path) {
    try {
      return ctx.trees().getElement(path);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** The invoked method of a method invocation, or null when it does not resolve. */
  ExecutableElement method(TreePath invocation) {
    Element e = element(invocation);
    return e instanceof ExecutableElement ? (ExecutableElement) e : null;
  }

  /** Type of the receiver of {@code inv} (the enclosing class for an unqualified call), or null. */
  TypeMirror receiverType(TreePath invocation) {
    MethodInvocationTree inv = (MethodInvocationTree) invocation.getLeaf();
    ExpressionTree sel = inv.getMethodSelect();
    if (sel instanceof MemberSelectTree) {
      return typeOf(new TreePath(new TreePath(invocation, sel), ((MemberSelectTree) sel).getExpression()));
    }
    ExecutableElement m = method(invocation);
    return m == null ? null : m.getEnclosingElement().asType();
  }

  /** The receiver expression of {@code inv}, or null for an unqualified call. */
  static ExpressionTree receiver(MethodInvocationTree inv) {
    ExpressionTree sel = inv.getMethodSelect();
    return sel instanceof MemberSelectTree ? ((MemberSelectTree) sel).getExpression() : null;
  }

  static String methodName(MethodInvocationTree inv) {
    ExpressionTree sel = inv.getMethodSelect();
    if (sel instanceof MemberSelectTree) {
      return ((MemberSelectTree) sel).getIdentifier().toString();
    }
    if (sel instanceof IdentifierTree) {
      return ((IdentifierTree) sel).getName().toString();
    }
    return "";
  }

  /**
   * Whether {@code invocation} calls one of {@code names} declared by (or invoked on a receiver of)
   * a subtype of {@code owner}.
   */
  boolean isCall(TreePath invocation, String owner, Set<String> names) {
    if (!(invocation.getLeaf() instanceof MethodInvocationTree)) {
      return false;
    }
    if (!names.contains(methodName((MethodInvocationTree) invocation.getLeaf()))) {
      return false;
    }
    ExecutableElement m = method(invocation);
    if (m == null || !names.contains(m.getSimpleName().toString())) {
      return false;
    }
    if (isSubtype(m.getEnclosingElement(), owner)) {
      return true;
    }
    return !m.getModifiers().contains(Modifier.STATIC) && isSubtype(receiverType(invocation), owner);
  }

  /** What kind of timer or executor an expression creates, if any. */
  enum Created {
    NONE,
    TIMER,
    SCHEDULER,
    EXECUTOR,
    NETTY_TIMER,
    /** A TimerGuard {@code Timers} instance (marked {@code @CreatesTimer(ENGINE)}): owns an engine. */
    TIMERGUARD;

    boolean isTimerLike() {
      return this == TIMER || this == SCHEDULER || this == NETTY_TIMER || this == TIMERGUARD;
    }
  }

  /** Classifies {@code new Timer()}, {@code Executors.newX()}, {@code new ...Executor(..)}. */
  Created creation(TreePath path) {
    Tree t = skipParens(path.getLeaf());
    if (t != path.getLeaf()) {
      path = new TreePath(path, t);
    }
    if (t instanceof NewClassTree) {
      if (((NewClassTree) t).getClassBody() != null) {
        return Created.NONE;
      }
      Element ctor = element(path);
      Element owner = ctor == null ? null : ctor.getEnclosingElement();
      if (owner == null) {
        return Created.NONE;
      }
      String key = "new:" + owner; // memoised per class: most `new` expressions are not timers
      TypeMirror memo = cache.get(key);
      if (memo != null) {
        return createdMemo.getOrDefault(memo, Created.NONE);
      }
      Created c = classifyNew(owner.asType());
      TypeMirror marker = MARKERS.get(c);
      cache.put(key, marker);
      return c;
    }
    if (t instanceof MethodInvocationTree) {
      MethodInvocationTree inv = (MethodInvocationTree) t;
      String name = methodName(inv);
      if (!name.startsWith("new")) {
        return (name.equals("create") || name.equals("build"))
                && timerGuardKind(path) == TimerGuardApi.Kind.ENGINE
            ? Created.TIMERGUARD
            : Created.NONE;
      }
      ExecutableElement m = method(path);
      if (m == null || !m.getModifiers().contains(Modifier.STATIC)) {
        return Created.NONE;
      }
      TypeMirror owner = m.getEnclosingElement().asType();
      TypeMirror executors = type(EXECUTORS);
      if (executors == null || !ctx.types().isSameType(ctx.types().erasure(owner), executors)) {
        return Created.NONE;
      }
      if (isSubtype(m.getReturnType(), SES)) {
        return Created.SCHEDULER;
      }
      if (isSubtype(m.getReturnType(), EXECUTOR_SERVICE)) {
        return Created.EXECUTOR;
      }
    }
    return Created.NONE;
  }

  private Created classifyNew(TypeMirror type) {
    if (isSubtype(type, TIMER)) {
      return Created.TIMER;
    }
    if (isSubtype(type, SES)) {
      return Created.SCHEDULER;
    }
    if (isSubtype(type, EXECUTOR_SERVICE)) {
      return Created.EXECUTOR;
    }
    if (isSubtype(type, NETTY_TIMER)) {
      return Created.NETTY_TIMER;
    }
    return Created.NONE;
  }

  /** One distinct marker type per {@link Created} value, to memoise classifications in the cache. */
  private static final Map<Created, TypeMirror> MARKERS = new java.util.EnumMap<>(Created.class);
  private static final Map<TypeMirror, Created> createdMemo = new java.util.IdentityHashMap<>();

  static {
    for (Created c : Created.values()) {
      TypeMirror m = new Marker();
      MARKERS.put(c, m);
      createdMemo.put(m, c);
    }
  }

  private static class Marker implements javax.lang.model.type.NoType {
    @Override
    public TypeKind getKind() {
      return TypeKind.NONE;
    }

    @Override
    public <R, P> R accept(javax.lang.model.type.TypeVisitor<R, P> v, P p) {
      return v.visitNoType(this, p);
    }

    @Override
    public java.util.List<? extends javax.lang.model.element.AnnotationMirror> getAnnotationMirrors() {
      return java.util.List.of();
    }

    @Override
    public <A extends java.lang.annotation.Annotation> A getAnnotation(Class<A> annotationType) {
      return null;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <A extends java.lang.annotation.Annotation> A[] getAnnotationsByType(Class<A> annotationType) {
      return (A[]) java.lang.reflect.Array.newInstance(annotationType, 0);
    }
  }

  static Tree skipParens(Tree t) {
    while (true) {
      if (t instanceof ParenthesizedTree) {
        t = ((ParenthesizedTree) t).getExpression();
      } else if (t instanceof TypeCastTree) {
        t = ((TypeCastTree) t).getExpression();
      } else {
        return t;
      }
    }
  }

  /** Whether {@code t} ends the current method body: method, lambda, or class. */
  static boolean isBoundary(Tree t) {
    return t instanceof MethodTree || t instanceof LambdaExpressionTree || t instanceof ClassTree;
  }

  /**
   * The innermost loop whose repeated part (body, condition, update) contains {@code path}, within
   * the same method or lambda; null if none.
   */
  static TreePath enclosingLoop(TreePath path) {
    Tree child = path.getLeaf();
    for (TreePath p = path.getParentPath(); p != null; p = p.getParentPath()) {
      Tree t = p.getLeaf();
      if (isBoundary(t)) {
        return null;
      }
      if (t instanceof EnhancedForLoopTree && ((EnhancedForLoopTree) t).getStatement() == child) {
        return p;
      }
      if (t instanceof ForLoopTree) {
        ForLoopTree f = (ForLoopTree) t;
        if (f.getStatement() == child || f.getCondition() == child || f.getUpdate().contains(child)) {
          return p;
        }
      }
      if (t instanceof WhileLoopTree || t instanceof DoWhileLoopTree) {
        return p;
      }
      child = t;
    }
    return null;
  }

  /** The innermost enclosing method, lambda or class path of {@code path}. */
  static TreePath enclosingBoundary(TreePath path) {
    for (TreePath p = path.getParentPath(); p != null; p = p.getParentPath()) {
      if (isBoundary(p.getLeaf())) {
        return p;
      }
    }
    return null;
  }

  /** The innermost enclosing block of {@code path} below a boundary, or null. */
  static TreePath enclosingBlock(TreePath path) {
    for (TreePath p = path.getParentPath(); p != null; p = p.getParentPath()) {
      if (isBoundary(p.getLeaf())) {
        return null;
      }
      if (p.getLeaf() instanceof BlockTree) {
        return p;
      }
    }
    return null;
  }

  /** Whether the element is a field (instance or static). */
  static boolean isField(Element e) {
    return e != null && e.getKind() == ElementKind.FIELD;
  }

  /** Whether the element is a local variable, resource or parameter. */
  static boolean isLocal(Element e) {
    return e != null
        && (e.getKind() == ElementKind.LOCAL_VARIABLE
            || e.getKind() == ElementKind.RESOURCE_VARIABLE
            || e.getKind() == ElementKind.EXCEPTION_PARAMETER);
  }

  /**
   * The {@code @CreatesTimer} kind of the method that {@code invocation} calls, or null (not a
   * TimerGuard timer-creating method, or it does not resolve).
   */
  TimerGuardApi.Kind timerGuardKind(TreePath invocation) {
    if (!(invocation.getLeaf() instanceof MethodInvocationTree)) {
      return null;
    }
    ExecutableElement m = method(invocation);
    return m == null ? null : TimerGuardApi.kindOf(m, type(TimerGuardApi.ANNOTATION) != null);
  }

  /** Short source text of a tree for messages, at most 60 characters. */
  static String brief(Tree t) {
    String s = t.toString().replaceAll("\\s+", " ");
    return s.length() > 60 ? s.substring(0, 57) + "..." : s;
  }

  /** What a timer-scheduling call does. */
  enum TimerKind {
    ONE_SHOT,
    PERIODIC,
    FUTURE_TIMEOUT,
    DELAYED_EXECUTOR,
    /** A reusable timer object of the TimerGuard API (watchdog, throttle, ...), live until closed. */
    REUSABLE
  }

  /** A resolved timer-scheduling call: its kind and a human name of the API. */
  record TimerCall(TimerKind kind, String api) {}

  private static final Set<String> SES_METHODS =
      Set.of("schedule", "scheduleAtFixedRate", "scheduleWithFixedDelay");
  private static final Set<String> TIMER_METHODS = Set.of("schedule", "scheduleAtFixedRate");
  private static final Set<String> CF_TIMEOUTS = Set.of("orTimeout", "completeOnTimeout");

  /** Classifies a method invocation that arms a timer, or returns null. */
  TimerCall timerCall(TreePath path) {
    if (!(path.getLeaf() instanceof MethodInvocationTree)) {
      return null;
    }
    MethodInvocationTree inv = (MethodInvocationTree) path.getLeaf();
    String name = methodName(inv);
    if (SES_METHODS.contains(name) && isCall(path, SES, SES_METHODS)) {
      return new TimerCall(
          name.equals("schedule") ? TimerKind.ONE_SHOT : TimerKind.PERIODIC,
          "ScheduledExecutorService." + name);
    }
    if (TIMER_METHODS.contains(name) && isCall(path, TIMER, TIMER_METHODS)) {
      boolean oneShot = name.equals("schedule") && inv.getArguments().size() == 2;
      return new TimerCall(oneShot ? TimerKind.ONE_SHOT : TimerKind.PERIODIC, "java.util.Timer." + name);
    }
    if (CF_TIMEOUTS.contains(name) && isCall(path, CF, CF_TIMEOUTS)) {
      return new TimerCall(TimerKind.FUTURE_TIMEOUT, "CompletableFuture." + name);
    }
    if (name.equals("delayedExecutor") && isCall(path, CF, Set.of("delayedExecutor"))) {
      return new TimerCall(TimerKind.DELAYED_EXECUTOR, "CompletableFuture.delayedExecutor");
    }
    if (name.equals("newTimeout") && isCall(path, NETTY_TIMER, Set.of("newTimeout"))) {
      return new TimerCall(TimerKind.ONE_SHOT, "io.netty.util.Timer.newTimeout");
    }
    TimerGuardApi.Kind api = timerGuardKind(path);
    if (api != null && api != TimerGuardApi.Kind.ENGINE) {
      ExecutableElement m = method(path);
      return new TimerCall(
          TimerKind.valueOf(api.name()), m.getEnclosingElement().getSimpleName() + "." + name);
    }
    return null;
  }

  /**
   * Describes the lock held at {@code path} (a {@code synchronized} block or method, a {@code
   * Lock.lock()} earlier in an enclosing block with no {@code unlock()} in between, or the
   * then-branch of {@code if (lock.tryLock(..))}), or null when none is held. Lambdas and inner
   * classes are boundaries: their bodies may run later, without the lock.
   */
  String heldLock(TreePath path) {
    Tree child = path.getLeaf();
    for (TreePath p = path.getParentPath(); p != null; p = p.getParentPath()) {
      Tree t = p.getLeaf();
      if (t instanceof com.sun.source.tree.SynchronizedTree) {
        return "the monitor of '" + brief(((com.sun.source.tree.SynchronizedTree) t).getExpression())
            .replaceAll("^\\((.*)\\)$", "$1") + "'";
      }
      if (t instanceof MethodTree) {
        return ((MethodTree) t).getModifiers().getFlags().contains(Modifier.SYNCHRONIZED)
            ? "the monitor of this synchronized method"
            : null;
      }
      if (isBoundary(t)) {
        return null;
      }
      if (t instanceof com.sun.source.tree.IfTree
          && ((com.sun.source.tree.IfTree) t).getThenStatement() == child) {
        ExpressionTree c = (ExpressionTree) skipParens(((com.sun.source.tree.IfTree) t).getCondition());
        if (c instanceof MethodInvocationTree
            && methodName((MethodInvocationTree) c).equals("tryLock")
            && isSubtype(receiverType(new TreePath(p, c)), LOCK)) {
          return "Lock '" + brief(receiver((MethodInvocationTree) c)) + "'";
        }
      }
      if (t instanceof BlockTree) {
        String held = null;
        for (com.sun.source.tree.StatementTree st : ((BlockTree) t).getStatements()) {
          if (st == child) {
            break;
          }
          if (held != null && unlocks(st, held)) {
            held = null;
            continue;
          }
          if (st instanceof com.sun.source.tree.ExpressionStatementTree
              && ((com.sun.source.tree.ExpressionStatementTree) st).getExpression()
                  instanceof MethodInvocationTree) {
            MethodInvocationTree inv =
                (MethodInvocationTree) ((com.sun.source.tree.ExpressionStatementTree) st).getExpression();
            String n = methodName(inv);
            ExpressionTree r = receiver(inv);
            if (r == null) {
              continue;
            }
            if ((n.equals("lock") || n.equals("lockInterruptibly"))
                && isSubtype(receiverType(new TreePath(new TreePath(p, st), inv)), LOCK)) {
              held = r.toString();
            } else if (n.equals("unlock") && r.toString().equals(held)) {
              held = null;
            }
          }
        }
        if (held != null) {
          return "Lock '" + held + "'";
        }
      }
      child = t;
    }
    return null;
  }

  /** Whether {@code st} contains {@code held.unlock()} anywhere (e.g. in a finally block). */
  private static boolean unlocks(Tree st, String held) {
    boolean[] found = {false};
    new com.sun.source.util.TreeScanner<Void, Void>() {
      @Override
      public Void visitMethodInvocation(MethodInvocationTree node, Void v) {
        ExpressionTree r = receiver(node);
        if (methodName(node).equals("unlock") && r != null && r.toString().equals(held)) {
          found[0] = true;
        }
        return super.visitMethodInvocation(node, v);
      }
    }.scan(st, null);
    return found[0];
  }

  private static final Set<String> SLEEPS = Set.of("sleep");

  /** Describes a sleep or timed wait call ({@code Thread.sleep}, {@code TimeUnit.sleep}, ...), or null. */
  String sleepOrTimedWait(TreePath path, boolean includeObjectWait) {
    return sleepOrTimedWait(path, includeObjectWait, !includeObjectWait);
  }

  /** As above; {@code includeFutureGet} also matches {@code Future.get(t, u)}. */
  String sleepOrTimedWait(TreePath path, boolean includeObjectWait, boolean includeFutureGet) {
    if (!(path.getLeaf() instanceof MethodInvocationTree)) {
      return null;
    }
    MethodInvocationTree inv = (MethodInvocationTree) path.getLeaf();
    String n = methodName(inv);
    int args = inv.getArguments().size();
    switch (n) {
      case "sleep":
        if (isCall(path, THREAD, SLEEPS)) {
          return "Thread.sleep";
        }
        if (isCall(path, TIME_UNIT, SLEEPS)) {
          return "TimeUnit.sleep";
        }
        return null;
      case "wait":
        if (includeObjectWait && args >= 1) {
          ExecutableElement m = method(path);
          if (m != null && m.getEnclosingElement().toString().equals("java.lang.Object")) {
            return "Object.wait";
          }
        }
        return null;
      case "join":
        return args >= 1 && isCall(path, THREAD, Set.of("join")) ? "Thread.join" : null;
      case "await":
        if (args == 2 && isCall(path, "java.util.concurrent.CountDownLatch", Set.of("await"))) {
          return "CountDownLatch.await";
        }
        if (includeObjectWait && args == 2
            && isCall(path, "java.util.concurrent.locks.Condition", Set.of("await"))) {
          return "Condition.await";
        }
        return null;
      case "get":
        return includeFutureGet && args == 2 && isCall(path, FUTURE, Set.of("get")) ? "Future.get" : null;
      default:
        return null;
    }
  }
}
