package dev.timerguard.lint;

import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.Tree;
import com.sun.source.util.JavacTask;
import com.sun.source.util.Plugin;
import com.sun.source.util.TaskEvent;
import com.sun.source.util.TaskListener;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreeScanner;
import com.sun.source.util.Trees;
import dev.timerguard.lint.internal.Analyzer;
import dev.timerguard.lint.rules.Rules;
import java.util.HashSet;
import java.util.Set;
import javax.lang.model.element.TypeElement;
import javax.tools.Diagnostic;

/**
 * The javac plugin {@code -Xplugin:TimerGuard}: runs the TimerGuard rules on every class after
 * attribution and flow analysis, and reports findings as compiler diagnostics with file, line,
 * column, {@code [TGxxx]} rule id, message and a {@code fix:} hint.
 *
 * <p>Options follow the plugin name in the same argument: {@code "-Xplugin:TimerGuard
 * rules=TG101,TG103 disable=TG104 severity=error TG106=info"} (see {@link LintOptions#parse}).
 * Default severity {@link Severity#WARNING} is emitted as a <em>mandatory</em> warning so it
 * survives {@code -nowarn}; {@link Severity#ERROR} fails the compilation. Bad options produce one
 * compiler error naming the bad token, instead of crashing javac. A rule that throws is reported as
 * a warning and never aborts the compilation.
 *
 * <p>With {@code -J-Dtimerguard.plugin.timing=true} (or the system property in-process) the plugin
 * prints the time it spent analysing when the compilation ends.
 *
 * <p><b>Facts of other classes.</b> Some findings rest on another class of the same compilation (a
 * class that cancels the futures handed to it, a subclass that calls a start method again). javac's
 * default compile policy attributes, lowers and generates one class after the other, so a class
 * analysed early sees the others unattributed, and one analysed late sees them already lowered:
 * such findings may be missing. With {@code -XDcompilePolicy=simple} (or {@code byfile}) javac
 * attributes and flow-analyses every class of a round before lowering any; the plugin then checks
 * them together when the last one is analysed, and every class sees the others' attributed trees.
 *
 * <p>Uses only the public {@code com.sun.source} API: no {@code --add-exports} needed on JDK 17+.
 * One instance per compilation task; javac calls it from the compiling thread only.
 */
public final class TimerGuardPlugin implements Plugin {
  /** The name used in {@code -Xplugin:TimerGuard}. */
  public static final String NAME = "TimerGuard";

  @Override
  public String getName() {
    return NAME;
  }

  @Override
  public void init(JavacTask task, String... args) {
    Trees trees = Trees.instance(task);
    LintOptions parsed;
    String optionError = null;
    try {
      parsed = LintOptions.parse(args);
    } catch (IllegalArgumentException e) {
      parsed = LintOptions.defaults();
      optionError = e.getMessage();
    }
    LintOptions options = parsed;
    String badOptions = optionError;
    Analyzer analyzer =
        new Analyzer(Rules.all(), options, trees, task.getTypes(), task.getElements());
    Set<String> reported = new HashSet<>();
    task.addTaskListener(
        new TaskListener() {
          private boolean complained;
          private long nanos;
          private int classes;

          /** Every unit parsed so far: what rules may read facts of other classes from. */
          private final java.util.List<CompilationUnitTree> units = new java.util.ArrayList<>();

          /**
           * Classes being attributed (ANALYZE started, not finished), in the order they started.
           */
          private final java.util.LinkedHashSet<Object> open = new java.util.LinkedHashSet<>();

          /** Classes flow-analysed but not yet checked, waiting for the others of their round. */
          private final java.util.List<TaskEvent> pending = new java.util.ArrayList<>();

          @Override
          public void started(TaskEvent e) {
            if (e.getKind() == TaskEvent.Kind.ANALYZE) {
              open.add(key(e));
            }
          }

          @Override
          public void finished(TaskEvent e) {
            if (e.getKind() == TaskEvent.Kind.COMPILATION) {
              // classes still waiting for one whose analysis never finished (javac stopped on
              // an error, so none of them was lowered): check them as they are
              checkPending();
              if (TIMING) {
                System.err.printf(
                    "TimerGuard: analysed %d classes in %.1f ms%n", classes, nanos / 1e6);
              }
              return;
            }
            if (e.getKind() == TaskEvent.Kind.PARSE && e.getCompilationUnit() != null) {
              if (units.stream().noneMatch(u -> u == e.getCompilationUnit())) {
                units.add(e.getCompilationUnit());
              }
              return;
            }
            if (e.getKind() != TaskEvent.Kind.ANALYZE || e.getCompilationUnit() == null) {
              return;
            }
            pending.add(e);
            Object k = key(e);
            boolean laterOpen = false;
            boolean after = false;
            for (Object o : open) {
              laterOpen |= after;
              after |= o.equals(k);
            }
            open.remove(k);
            if (laterOpen) {
              // javac attributed more classes after this one before flow-analysing it (compile
              // policy simple or byfile): check them together once the last of them is analysed,
              // before any of them is lowered, so each sees the others' attributed trees
              return;
            }
            checkPending();
          }

          private Object key(TaskEvent e) {
            return e.getTypeElement() != null ? e.getTypeElement() : e.getCompilationUnit();
          }

          private void checkPending() {
            if (pending.isEmpty()) {
              return;
            }
            analyzer.compilation(units);
            java.util.List<TaskEvent> round = new java.util.ArrayList<>(pending);
            pending.clear();
            for (TaskEvent p : round) {
              check(p);
            }
          }

          private void check(TaskEvent e) {
            long start = System.nanoTime();
            try {
              analyze(e);
            } catch (RuntimeException | StackOverflowError | AssertionError | LinkageError ex) {
              // never take the compiler down: report and go on
              trees.printMessage(
                  Diagnostic.Kind.MANDATORY_WARNING,
                  "TimerGuard failed on this file and skipped it: " + ex,
                  e.getCompilationUnit(),
                  e.getCompilationUnit());
            } finally {
              nanos += System.nanoTime() - start;
              classes++;
            }
          }

          private void analyze(TaskEvent e) {
            CompilationUnitTree cu = e.getCompilationUnit();
            if (badOptions != null) {
              if (!complained) {
                complained = true;
                trees.printMessage(Diagnostic.Kind.ERROR, "TimerGuard: " + badOptions, cu, cu);
              }
              return;
            }
            TypeElement type = e.getTypeElement();
            TreePath root = type == null ? null : trees.getPath(type);
            if (root == null) {
              root = new TreePath(cu);
            }
            int before = analyzer.failures().size();
            String file = cu.getSourceFile().getName();
            for (Analyzer.Located l : analyzer.analyze(cu, root, file)) {
              Finding f = l.finding();
              if (!reported.add(file + ":" + l.position() + ":" + f.ruleId())) {
                continue;
              }
              Tree at = l.tree() != null ? l.tree() : locate(trees, cu, l.position());
              trees.printMessage(kind(f.severity()), format(f), at, cu);
            }
            for (Analyzer.RuleFailure rf :
                analyzer.failures().subList(before, analyzer.failures().size())) {
              trees.printMessage(
                  Diagnostic.Kind.MANDATORY_WARNING,
                  "["
                      + rf.ruleId()
                      + "] TimerGuard rule failed on this file and was skipped: "
                      + rf.error(),
                  cu,
                  cu);
            }
          }
        });
  }

  /** {@code -J-Dtimerguard.plugin.timing=true}: print the time spent in the rules at the end. */
  private static final boolean TIMING = Boolean.getBoolean("timerguard.plugin.timing");

  /** {@code [TG101] message\n fix: hint}: the form every front end shares. */
  static String format(Finding f) {
    return "[" + f.ruleId() + "] " + f.ruleName() + ": " + f.message() + "\n  fix: " + f.hint();
  }

  private static Diagnostic.Kind kind(Severity s) {
    switch (s) {
      case ERROR:
        return Diagnostic.Kind.ERROR;
      case INFO:
        return Diagnostic.Kind.NOTE;
      default:
        return Diagnostic.Kind.MANDATORY_WARNING;
    }
  }

  /** The tree to attach a position-only finding to: the last tree starting at or before it. */
  private static Tree locate(Trees trees, CompilationUnitTree cu, long position) {
    var positions = trees.getSourcePositions();
    Tree[] best = {cu};
    long[] bestStart = {-1};
    new TreeScanner<Void, Void>() {
      @Override
      public Void scan(Tree tree, Void v) {
        if (tree == null) {
          return null;
        }
        long s = positions.getStartPosition(cu, tree);
        long end = positions.getEndPosition(cu, tree);
        if (s >= 0 && s <= position && s >= bestStart[0]) {
          best[0] = tree;
          bestStart[0] = s;
        }
        if (s > position
            || (end >= 0 && end < position && s >= 0 && !(tree instanceof CompilationUnitTree))) {
          return null;
        }
        return super.scan(tree, v);
      }
    }.scan(cu, null);
    if (bestStart[0] < 0
        || cu.getLineMap().getLineNumber(bestStart[0]) != cu.getLineMap().getLineNumber(position)) {
      // own-line comment: attach to the first tree that starts after it
      Tree[] next = {null};
      long[] nextStart = {Long.MAX_VALUE};
      new TreeScanner<Void, Void>() {
        @Override
        public Void scan(Tree tree, Void v) {
          if (tree == null) {
            return null;
          }
          long s = positions.getStartPosition(cu, tree);
          if (s > position && s < nextStart[0]) {
            next[0] = tree;
            nextStart[0] = s;
          }
          return super.scan(tree, v);
        }
      }.scan(cu, null);
      if (next[0] != null) {
        return next[0];
      }
    }
    return best[0];
  }
}
