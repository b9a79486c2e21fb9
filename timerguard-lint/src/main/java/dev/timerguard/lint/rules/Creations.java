package dev.timerguard.lint.rules;

import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.NewClassTree;
import com.sun.source.tree.Tree;
import com.sun.source.util.TreePath;
import java.util.EnumMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import javax.lang.model.element.Element;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.type.TypeMirror;

/**
 * Classifies expressions that create a timer, executor or engine: {@code new Timer()}, {@code
 * Executors.newX()}, {@code new ...Executor(..)}, a Netty timer or a copy of Netty's wheel in
 * another package (by shape: {@link TimerCalls#isWheelTimer}), Reactor's {@code
 * Schedulers.newParallel/newSingle/newBoundedElastic/newElastic}, a Reactor or RxJava {@code
 * createWorker()}, TimerGuard's {@code Timers.create()}. Classifications of {@code new} are
 * memoised per class for the whole compilation (most {@code new} expressions are not timers). Not
 * thread-safe, like its resolver.
 */
final class Creations {
  /** One distinct marker type per {@link Created} value, to memoise classifications. */
  private static final Map<Created, TypeMirror> MARKERS = new EnumMap<>(Created.class);

  private static final Map<TypeMirror, Created> BY_MARKER = new IdentityHashMap<>();

  static {
    for (Created c : Created.values()) {
      TypeMirror m = new TypeResolver.Marker();
      MARKERS.put(c, m);
      BY_MARKER.put(m, c);
    }
  }

  private final TypeResolver types;
  private final TimerCalls timerCalls;

  Creations(TypeResolver types, TimerCalls timerCalls) {
    this.types = types;
    this.timerCalls = timerCalls;
  }

  /** What {@code path}'s expression (parentheses and casts skipped) creates. */
  Created classify(TreePath path) {
    Tree t = TreePaths.skipParens(path.getLeaf());
    if (t != path.getLeaf()) {
      path = new TreePath(path, t);
    }
    if (t instanceof NewClassTree) {
      if (((NewClassTree) t).getClassBody() != null) {
        return Created.NONE;
      }
      Element ctor = types.element(path);
      Element owner = ctor == null ? null : ctor.getEnclosingElement();
      if (owner == null) {
        return Created.NONE;
      }
      String key = "new:" + owner;
      TypeMirror memo = types.memo(key);
      if (memo != null) {
        return BY_MARKER.getOrDefault(memo, Created.NONE);
      }
      Created c = classifyNew(owner.asType());
      types.memo(key, MARKERS.get(c));
      return c;
    }
    if (t instanceof MethodInvocationTree) {
      MethodInvocationTree inv = (MethodInvocationTree) t;
      String name = TreePaths.methodName(inv);
      if (name.equals("createWorker")) {
        return createsWorker(path) ? Created.WORKER : Created.NONE;
      }
      if (!name.startsWith("new")) {
        return (name.equals("create") || name.equals("build"))
                && timerCalls.timerGuardKind(path) == TimerGuardApi.Kind.ENGINE
            ? Created.TIMERGUARD
            : Created.NONE;
      }
      ExecutableElement m = types.method(path);
      if (m == null || !m.getModifiers().contains(Modifier.STATIC)) {
        return Created.NONE;
      }
      TypeMirror owner = m.getEnclosingElement().asType();
      if (REACTOR_FACTORIES.contains(name)
          && m.getEnclosingElement().toString().equals(ApiNames.REACTOR_SCHEDULERS)) {
        return Created.REACTIVE_SCHEDULER;
      }
      TypeMirror executors = types.type(ApiNames.EXECUTORS);
      if (executors == null
          || !types.ctx.types().isSameType(types.ctx.types().erasure(owner), executors)) {
        return Created.NONE;
      }
      if (types.isSubtype(m.getReturnType(), ApiNames.SES)) {
        return Created.SCHEDULER;
      }
      if (types.isSubtype(m.getReturnType(), ApiNames.EXECUTOR_SERVICE)) {
        return Created.EXECUTOR;
      }
    }
    return Created.NONE;
  }

  /** Reactor's factories of schedulers that own threads until disposed. */
  private static final Set<String> REACTOR_FACTORIES =
      Set.of("newParallel", "newSingle", "newBoundedElastic", "newElastic");

  private boolean createsWorker(TreePath path) {
    for (String owner : TimerCalls.REACTIVE_SCHEDULERS) {
      if (!owner.endsWith("Worker") && types.isCall(path, owner, Set.of("createWorker"))) {
        return true;
      }
    }
    return false;
  }

  private Created classifyNew(TypeMirror type) {
    if (types.isSubtype(type, ApiNames.TIMER)) {
      return Created.TIMER;
    }
    if (types.isSubtype(type, ApiNames.SES)) {
      return Created.SCHEDULER;
    }
    if (types.isSubtype(type, ApiNames.EXECUTOR_SERVICE)) {
      return Created.EXECUTOR;
    }
    if (types.isSubtype(type, ApiNames.NETTY_TIMER) || timerCalls.isWheelTimer(type)) {
      return Created.NETTY_TIMER;
    }
    return Created.NONE;
  }
}
