package dev.timerguard.lint.rules;

import com.sun.source.tree.ClassTree;
import com.sun.source.tree.LambdaExpressionTree;
import com.sun.source.util.TreePathScanner;

/**
 * A tree scanner over the code that runs in one method's own frame: it does not enter lambdas or
 * nested and anonymous classes, whose bodies run later or elsewhere (a release inside a lambda is
 * not a release on this method's paths; a schedule inside a nested class is that class's). The
 * rules' per-method walks extend it instead of repeating the two cut-offs. Not thread-safe, like
 * any {@link TreePathScanner}; one instance per walk.
 *
 * @param <P> the scanner's parameter (what the walk carries down, e.g. a loop depth)
 */
abstract class OwnCodeScanner<P> extends TreePathScanner<Void, P> {

  @Override
  public Void visitLambdaExpression(LambdaExpressionTree node, P p) {
    return null;
  }

  @Override
  public Void visitClass(ClassTree node, P p) {
    return null;
  }
}
