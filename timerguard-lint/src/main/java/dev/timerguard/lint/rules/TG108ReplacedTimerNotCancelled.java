package dev.timerguard.lint.rules;

import com.sun.source.tree.AssignmentTree;
import com.sun.source.tree.ExpressionStatementTree;
import com.sun.source.tree.IdentifierTree;
import com.sun.source.tree.MemberSelectTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.Tree;
import com.sun.source.util.SourcePositions;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreePathScanner;
import dev.timerguard.lint.RuleContext;
import java.util.HashSet;
import java.util.Set;
import javax.lang.model.element.Element;
import javax.lang.model.element.ExecutableElement;

/**
 * TG108 replaced-timer-not-cancelled (the shape of two real incidents: a reconnect path that
 * replaces the connection's timer, and a map of timeouts whose entries are overwritten): a field
 * holding a timer, executor or timer handle is overwritten with a new one outside construction, and
 * nothing in the class ever cancels / shuts down / closes that field: each call leaks the previous
 * timer. Also {@code map.put(key, ses.schedule(..))} (or of a local holding such a handle) whose
 * displaced handle (the return value of {@code put}) is dropped. And a value behind an {@code
 * AtomicReferenceFieldUpdater} or {@code AtomicReference} that the class cancels when it takes it
 * out ({@code getAndSet}, then {@code cancel()}), replaced elsewhere with a plain {@code set(..)}
 * ({@link DisplacedReferences}).
 *
 * <p>Silent when the field is read before the assignment in the same method (a null check or a
 * cancel of the old value), when any code in the class closes the field (lifecycle start/stop), and
 * in constructors, initializers and lifecycle methods ({@code init}, {@code start}, ...; called
 * once by their owner), and for fields of other objects ({@code result.timer = ..}). Stateless.
 */
public final class TG108ReplacedTimerNotCancelled extends AbstractRule {
  private static final Set<String> CLOSERS =
      Set.of(
          "shutdown",
          "shutdownNow",
          "close",
          "cancel",
          "stop",
          "shutdownGracefully",
          "purge",
          "dispose",
          "disposeGracefully");

  public TG108ReplacedTimerNotCancelled() {
    super(
        "TG108",
        "replaced-timer-not-cancelled",
        "A timer/executor/handle field or map entry is replaced without cancelling the old one.",
        "Timer",
        "Executor",
        "schedule",
        "newTimeout",
        "ForkJoinPool",
        "Schedulers",
        "createWorker",
        ".interval(",
        "Mono.delay",
        ".timer(",
        "getAndSet");
  }

  @Override
  void check(RuleContext ctx, Facts facts) {
    Set<Element> closed = new HashSet<>();
    new TreePathScanner<Void, Void>() {
      @Override
      public Void visitMethodInvocation(MethodInvocationTree node, Void v) {
        if (CLOSERS.contains(TreePaths.methodName(node)) && TreePaths.receiver(node) != null) {
          closed.add(facts.types.element(new TreePath(getCurrentPath(), TreePaths.receiver(node))));
        }
        for (Tree a : node.getArguments()) {
          closed.add(facts.types.element(new TreePath(getCurrentPath(), a))); // handed to a helper
        }
        return super.visitMethodInvocation(node, v);
      }

      @Override
      public Void visitVariable(com.sun.source.tree.VariableTree node, Void v) {
        if (node.getInitializer() != null) { // Future<?> local = field; local.cancel(..)
          closed.add(
              facts.types.element(
                  new TreePath(getCurrentPath(), TreePaths.skipParens(node.getInitializer()))));
        }
        return super.visitVariable(node, v);
      }
    }.scan(ctx.root(), null);

    SourcePositions pos = ctx.trees().getSourcePositions();
    new TreePathScanner<Void, Void>() {
      @Override
      public Void visitAssignment(AssignmentTree node, Void v) {
        TreePath p = getCurrentPath();
        Element f = facts.types.element(new TreePath(p, node.getVariable()));
        TreePath rhs = new TreePath(p, TreePaths.skipParens(node.getExpression()));
        if (TreePaths.isField(f)
            && TreePaths.isOwnFieldTarget(node.getVariable())
            && !closed.contains(f)
            && !TreePaths.inConstructorOrInitializer(p)
            && !inLifecycleMethod(p)
            && isTimerValue(facts, rhs)
            && !readBefore(ctx, facts, pos, p, f)) {
          ctx.report(
              p,
              "field '"
                  + f.getSimpleName()
                  + "' is overwritten with a new timer here, and nothing"
                  + " in this class ever cancels or closes it: each call leaks the previous one",
              "cancel/shut down the old value before replacing it (or reuse the existing one), and"
                  + " close it when the owner closes");
        } else if (TreePaths.isField(f)
            && TreePaths.isOwnFieldTarget(node.getVariable())
            && !TreePaths.inConstructorOrInitializer(p)
            && inLifecycleMethod(p)
            && isTimerValue(facts, rhs)
            && !readBefore(ctx, facts, pos, p, f)) {
          RestartedStarts.Restart again = RestartedStarts.find(facts, p, f);
          if (again != null) {
            ctx.report(
                p,
                "field '"
                    + f.getSimpleName()
                    + "' is overwritten with a new timer here without looking at the old one, and "
                    + again.caller().getEnclosingElement().getSimpleName()
                    + "."
                    + again.caller().getSimpleName()
                    + "(..), a public method any client may call repeatedly, starts it again"
                    + (again.via() == null
                        ? ""
                        : " (through " + again.via().getSimpleName() + "())")
                    + ": each call leaks the previous one, which nothing cancels any more",
                "return early when the field already holds a running timer, or cancel the old one"
                    + " before replacing it");
          }
        }
        return super.visitAssignment(node, v);
      }

      @Override
      public Void visitMethodInvocation(MethodInvocationTree node, Void v) {
        TreePath p = getCurrentPath();
        if (TreePaths.methodName(node).equals("put")
            && node.getArguments().size() == 2
            && p.getParentPath().getLeaf() instanceof ExpressionStatementTree
            && facts.types.isSubtype(facts.types.receiverType(p), "java.util.Map")) {
          ExecutableElement m = facts.types.method(p);
          TreePath value = new TreePath(p, node.getArguments().get(1));
          TimerCalls.Call call = facts.timerCalls.classify(value);
          if (call == null) {
            call =
                timerCallKeptIn(facts, p, facts.types.element(value)); // Timeout t = ..; put(k, t)
          }
          if (m != null && call != null && call.kind() != TimerCalls.Kind.FUTURE_TIMEOUT) {
            ctx.report(
                p,
                "put(..) replaces any pending handle for this key and drops it uncancelled: the"
                    + " displaced timer keeps running",
                "cancel the previous handle: Future<?> old = map.put(k, f); if (old != null)"
                    + " old.cancel(false);");
          }
        }
        return super.visitMethodInvocation(node, v);
      }
    }.scan(ctx.root(), null);

    for (TreePath set : DisplacedReferences.find(ctx, facts)) {
      ctx.report(
          set,
          "'"
              + DisplacedReferences.holder(facts, set).getSimpleName()
              + "' is replaced with set(..) here, but this class cancels the value it takes out of"
              + " it elsewhere (getAndSet, then cancel): the displaced value and its pending timers"
              + " are never cancelled",
          "swap with getAndSet(..) and cancel the returned value when it is not null");
    }
  }

  /**
   * The timer call whose handle the local {@code var} is initialised with in the method around
   * {@code at} ({@code Timeout t = wheel.newTimeout(..)}), or null.
   */
  private static TimerCalls.Call timerCallKeptIn(Facts facts, TreePath at, Element var) {
    if (!TreePaths.isLocal(var)) {
      return null;
    }
    TreePath method = at;
    while (method != null && !(method.getLeaf() instanceof MethodTree)) {
      method = method.getParentPath();
    }
    if (method == null) {
      return null;
    }
    TimerCalls.Call[] found = {null};
    new TreePathScanner<Void, Void>() {
      @Override
      public Void visitVariable(com.sun.source.tree.VariableTree node, Void v) {
        if (node.getInitializer() != null && facts.types.element(getCurrentPath()) == var) {
          found[0] =
              facts.timerCalls.classify(
                  new TreePath(getCurrentPath(), TreePaths.skipParens(node.getInitializer())));
        }
        return super.visitVariable(node, v);
      }
    }.scan(method, null);
    return found[0];
  }

  private static final Set<String> LIFECYCLE =
      Set.of("init", "initialize", "start", "open", "setUp", "setup");

  private static boolean inLifecycleMethod(TreePath p) {
    for (; p != null; p = p.getParentPath()) {
      if (p.getLeaf() instanceof MethodTree) {
        String n = ((MethodTree) p.getLeaf()).getName().toString();
        return LIFECYCLE.stream().anyMatch(n::startsWith); // init, initFs, start, startTimer, ...
      }
    }
    return false;
  }

  private static boolean isTimerValue(Facts facts, TreePath rhs) {
    if (facts.creations.classify(rhs) != Created.NONE) {
      return true;
    }
    TimerCalls.Call call = facts.timerCalls.classify(rhs);
    return call != null
        && call.kind() != TimerCalls.Kind.FUTURE_TIMEOUT
        && call.kind() != TimerCalls.Kind.DELAYED_EXECUTOR;
  }

  /** Whether {@code field} is mentioned in the enclosing method before {@code assign}. */
  private static boolean readBefore(
      RuleContext ctx, Facts facts, SourcePositions pos, TreePath assign, Element field) {
    TreePath method = assign;
    while (method != null && !(method.getLeaf() instanceof MethodTree)) {
      method = method.getParentPath();
    }
    if (method == null) {
      return true;
    }
    long limit = pos.getStartPosition(ctx.compilationUnit(), assign.getLeaf());
    boolean[] found = {false};
    new TreePathScanner<Void, Void>() {
      @Override
      public Void visitIdentifier(IdentifierTree node, Void v) {
        check(node);
        return null;
      }

      @Override
      public Void visitMemberSelect(MemberSelectTree node, Void v) {
        check(node);
        return super.visitMemberSelect(node, v);
      }

      private void check(Tree node) {
        if (pos.getStartPosition(ctx.compilationUnit(), node) < limit
            && facts.types.element(getCurrentPath()) == field) {
          found[0] = true;
        }
      }
    }.scan(method, null);
    return found[0];
  }
}
