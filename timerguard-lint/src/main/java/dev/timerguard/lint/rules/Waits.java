package dev.timerguard.lint.rules;

import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.util.TreePath;
import java.util.Set;
import javax.lang.model.element.ExecutableElement;

/**
 * Recognises calls that sleep or wait with a timeout: {@code Thread.sleep}, {@code TimeUnit.sleep},
 * {@code Object.wait(t)}, {@code Thread.join(t)}, {@code CountDownLatch.await(t, u)}, {@code
 * Condition.await(t, u)}, {@code Future.get(t, u)}. Not thread-safe, like its resolver.
 */
final class Waits {
  private final TypeResolver types;

  Waits(TypeResolver types) {
    this.types = types;
  }

  private static final Set<String> SLEEPS = Set.of("sleep");

  /**
   * Describes a sleep or timed wait call ({@code Thread.sleep}, {@code TimeUnit.sleep}, ...), or
   * null.
   */
  String sleepOrTimedWait(TreePath path, boolean includeObjectWait) {
    return sleepOrTimedWait(path, includeObjectWait, !includeObjectWait);
  }

  /** As above; {@code includeFutureGet} also matches {@code Future.get(t, u)}. */
  String sleepOrTimedWait(TreePath path, boolean includeObjectWait, boolean includeFutureGet) {
    if (!(path.getLeaf() instanceof MethodInvocationTree)) {
      return null;
    }
    MethodInvocationTree inv = (MethodInvocationTree) path.getLeaf();
    String n = TreePaths.methodName(inv);
    int args = inv.getArguments().size();
    switch (n) {
      case "sleep":
        if (types.isCall(path, ApiNames.THREAD, SLEEPS)) {
          return "Thread.sleep";
        }
        if (types.isCall(path, ApiNames.TIME_UNIT, SLEEPS)) {
          return "TimeUnit.sleep";
        }
        return null;
      case "wait":
        if (includeObjectWait && args >= 1) {
          ExecutableElement m = types.method(path);
          if (m != null && m.getEnclosingElement().toString().equals("java.lang.Object")) {
            return "Object.wait";
          }
        }
        return null;
      case "join":
        return args >= 1 && types.isCall(path, ApiNames.THREAD, Set.of("join"))
            ? "Thread.join"
            : null;
      case "await":
        if (args == 2
            && types.isCall(path, "java.util.concurrent.CountDownLatch", Set.of("await"))) {
          return "CountDownLatch.await";
        }
        if (includeObjectWait
            && args == 2
            && types.isCall(path, "java.util.concurrent.locks.Condition", Set.of("await"))) {
          return "Condition.await";
        }
        return null;
      case "get":
        return includeFutureGet && args == 2 && types.isCall(path, ApiNames.FUTURE, Set.of("get"))
            ? "Future.get"
            : null;
      default:
        return null;
    }
  }
}
