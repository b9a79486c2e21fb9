package dev.timerguard.lint.rules;

import com.sun.source.tree.AssignmentTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.SourcePositions;
import com.sun.source.util.TreePath;
import java.util.Set;
import javax.lang.model.element.Element;

/**
 * TG105's map shape: a started thing (an executor, a timer, an object whose constructor starts one)
 * is stored into a map field after an unsynchronised look-up of the same map ({@code if
 * (!m.containsKey(k)) m.put(k, newPool())}, or {@code v = m.get(k); if (v != null) return v; v =
 * new Service(); m.putIfAbsent(k, v)}). Two callers both miss the key and both start one; {@code
 * put} overwrites the first (never stopped), {@code putIfAbsent} drops the second (never stopped,
 * unless the loser is stopped right after). Only fields of a {@code java.util.Map} type count; the
 * caller checks locks and reachability. Stateless.
 */
final class MapCheckThenAct {
  private static final Set<String> LOOKUPS = Set.of("get", "containsKey");
  private static final Set<String> STORES = Set.of("put", "putIfAbsent");

  private MapCheckThenAct() {}

  /**
   * The map field that {@code start} is stored into after a look-up of it in the same method, or
   * null.
   */
  static Element find(Facts facts, TreePath start) {
    TreePath method = start;
    while (method != null && !(method.getLeaf() instanceof MethodTree)) {
      if (method != start && TreePaths.isBoundary(method.getLeaf())) {
        return null;
      }
      method = method.getParentPath();
    }
    if (method == null || ((MethodTree) method.getLeaf()).getBody() == null) {
      return null;
    }
    // the local the started thing is kept in, if any: Service v = new Service(..); v = new ..
    Element local = null;
    Tree parent = start.getParentPath().getLeaf();
    if (parent instanceof VariableTree) {
      local = facts.types.element(start.getParentPath());
    } else if (parent instanceof AssignmentTree) {
      local =
          facts.types.element(
              new TreePath(start.getParentPath(), ((AssignmentTree) parent).getVariable()));
    }
    Element stored = TreePaths.isLocal(local) ? local : null;
    SourcePositions pos = facts.ctx.trees().getSourcePositions();
    long at = pos.getStartPosition(facts.ctx.compilationUnit(), start.getLeaf());
    Tree startLeaf = start.getLeaf();
    Element[] map = {null};
    TreePath[] store = {null};
    new OwnCodeScanner<Void>() {
      @Override
      public Void visitMethodInvocation(MethodInvocationTree node, Void v) {
        if (store[0] == null && STORES.contains(TreePaths.methodName(node))) {
          boolean receives = false;
          for (ExpressionTree a : node.getArguments()) {
            Tree arg = TreePaths.skipParens(a);
            receives |=
                arg == startLeaf
                    || (stored != null
                        && facts.types.element(new TreePath(getCurrentPath(), arg)) == stored);
          }
          Element m = mapField(facts, getCurrentPath());
          if (receives && m != null) {
            map[0] = m;
            store[0] = getCurrentPath();
          }
        }
        return super.visitMethodInvocation(node, v);
      }
    }.scan(new TreePath(method, ((MethodTree) method.getLeaf()).getBody()), null);
    if (map[0] == null || facts.locks.heldAt(store[0]) != null) {
      return null;
    }
    boolean[] looked = {false};
    boolean[] loserStopped = {false};
    long storeAt = pos.getStartPosition(facts.ctx.compilationUnit(), store[0].getLeaf());
    new OwnCodeScanner<Void>() {
      @Override
      public Void visitMethodInvocation(MethodInvocationTree node, Void v) {
        long p = pos.getStartPosition(facts.ctx.compilationUnit(), node);
        String n = TreePaths.methodName(node);
        if (LOOKUPS.contains(n) && p < at && map[0].equals(mapField(facts, getCurrentPath()))) {
          looked[0] = true;
        }
        ExpressionTree r = TreePaths.receiver(node);
        if (stored != null
            && p > storeAt
            && Summaries.STOPPERS.contains(n)
            && r != null
            && facts.types.element(new TreePath(getCurrentPath(), r)) == stored) {
          loserStopped[0] = true; // the instance that lost the race is stopped
        }
        return super.visitMethodInvocation(node, v);
      }
    }.scan(new TreePath(method, ((MethodTree) method.getLeaf()).getBody()), null);
    return looked[0] && !loserStopped[0] ? map[0] : null;
  }

  /** The {@code Map}-typed field that the call at {@code inv} is invoked on, or null. */
  private static Element mapField(Facts facts, TreePath inv) {
    TreePath r = TreePaths.receiverPath(inv);
    if (r == null) {
      return null;
    }
    Element e = facts.types.element(r);
    return TreePaths.isField(e) && facts.types.isSubtype(facts.types.typeOf(r), "java.util.Map")
        ? e
        : null;
  }
}
