package dev.timerguard.lint.rules;

import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreePathScanner;
import dev.timerguard.lint.RuleContext;
import javax.lang.model.element.Element;
import javax.lang.model.element.Modifier;

/**
 * What a rule knows about the compilation unit it checks: resolved types ({@link TypeResolver}),
 * what creates a timer or executor ({@link Creations}), what arms a timer ({@link TimerCalls}),
 * which lock is held ({@link Locks}), what sleeps or waits ({@link Waits}). One instance per rule
 * run on one unit; not thread-safe.
 */
final class Facts {
  final RuleContext ctx;
  final TypeResolver types;
  final TimerCalls timerCalls;
  final Creations creations;
  final Locks locks;
  final Waits waits;

  Facts(RuleContext ctx) {
    this.ctx = ctx;
    this.types = new TypeResolver(ctx);
    this.timerCalls = new TimerCalls(types);
    this.creations = new Creations(types, timerCalls);
    this.locks = new Locks(types);
    this.waits = new Waits(types);
  }

  /**
   * Whether the enclosing method can plausibly run on two threads: it is public and not a lifecycle
   * method ({@code start*}, {@code init*}, ...), or it is called from two or more places in this
   * file. A non-public method with one caller (e.g. only from its own thread's run()) is not
   * reported: precision over recall.
   */
  /** Lifecycle method prefixes: their owner calls them once, so they need two internal callers. */
  private static final java.util.List<String> LIFECYCLE =
      java.util.List.of(
          "start", "init", "open", "begin", "launch", "run", "main", "setUp", "setup");

  boolean reachableConcurrently(TreePath start) {
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
    Element self = types.element(m);
    int[] calls = {0};
    new TreePathScanner<Void, Void>() {
      @Override
      public Void visitMethodInvocation(MethodInvocationTree node, Void v) {
        if (TreePaths.methodName(node).contentEquals(method.getName())
            && types.method(getCurrentPath()) == self) {
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
    }.scan(new TreePath(ctx.compilationUnit()), null);
    return calls[0] >= 2;
  }

  private Summaries summaries;

  /** Cross-method summaries (helpers that cancel fields, constructors that start timers). */
  Summaries summaries() {
    if (summaries == null) {
      summaries = new Summaries(this);
    }
    return summaries;
  }

  private ThreadOwners threadOwners;

  /**
   * Project classes that own a started thread and release it by one of {@code releases} (TG103);
   * the first caller's release names are kept for the unit.
   */
  ThreadOwners threadOwners(java.util.Set<String> releases) {
    if (threadOwners == null) {
      threadOwners = new ThreadOwners(this, releases);
    }
    return threadOwners;
  }
}
