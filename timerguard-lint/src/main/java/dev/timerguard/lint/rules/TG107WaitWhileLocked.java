package dev.timerguard.lint.rules;

import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreePathScanner;
import dev.timerguard.lint.RuleContext;

/**
 * TG107 wait-while-locked: {@code Thread.sleep}, {@code TimeUnit.sleep}, {@code Thread.join},
 * {@code CountDownLatch.await(t, u)} or {@code Future.get(t, u)} while holding a monitor ({@code
 * synchronized}) or a {@code java.util.concurrent.locks.Lock}: every other thread that needs the
 * lock stalls for the whole wait.
 *
 * <p>Silent on {@code Object.wait} and {@code Condition.await}, which release the lock they wait
 * on, and on code in lambdas or inner classes declared under the lock (they run later). Deliberate
 * throttles under a lock exist: suppress them with a reason. Stateless.
 */
public final class TG107WaitWhileLocked extends AbstractRule {
  /** A wait, and something that holds a lock: a {@code synchronized} block or method, or a Lock. */
  @Override
  public boolean mayFire(String text) {
    return super.mayFire(text)
        && (text.contains("synchronized") || text.contains("lock") || text.contains("Lock"));
  }

  public TG107WaitWhileLocked() {
    super(
        "TG107",
        "wait-while-locked",
        "Sleeping or waiting on a timer while holding a monitor or Lock.",
        "sleep",
        "join",
        "await",
        "TimeUnit");
  }

  @Override
  void check(RuleContext ctx, Facts facts) {
    new TreePathScanner<Void, Void>() {
      @Override
      public Void visitMethodInvocation(MethodInvocationTree node, Void v) {
        TreePath p = getCurrentPath();
        String what = facts.waits.sleepOrTimedWait(p, false, true);
        if (what != null) {
          String lock = facts.locks.heldAt(p);
          if (lock != null) {
            ctx.report(
                p,
                what
                    + " while holding "
                    + lock
                    + ": every thread that needs it stalls for the whole wait",
                "release the lock before waiting, wait on the lock's own Condition/monitor (which"
                    + " releases it), or schedule the retry instead of sleeping");
          }
        }
        return super.visitMethodInvocation(node, v);
      }
    }.scan(ctx.root(), null);
  }
}
