package dev.timerguard.lint.internal;

import com.sun.source.tree.AnnotationTree;
import com.sun.source.tree.AssignmentTree;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.LineMap;
import com.sun.source.tree.LiteralTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.ModifiersTree;
import com.sun.source.tree.NewArrayTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.SourcePositions;
import com.sun.source.util.TreePath;
import com.sun.source.util.Trees;
import dev.timerguard.lint.Finding;
import dev.timerguard.lint.LintOptions;
import dev.timerguard.lint.Rule;
import dev.timerguard.lint.RuleContext;
import dev.timerguard.lint.Severity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.lang.model.util.Elements;
import javax.lang.model.util.Types;

/**
 * Runs the enabled rules over one attributed compilation unit, applies suppressions and computes
 * fingerprints. Shared by the javac plugin and the scanner. Not promised API. One instance per
 * thread (it is cheap); {@link #analyze} is not re-entrant.
 */
public final class Analyzer {
  /** A rule that threw on some file: the rule, the file, and the exception. */
  public record RuleFailure(String ruleId, String file, Throwable error) {}

  private final List<Rule> rules;
  private final LintOptions options;
  private final Trees trees;
  private final Types types;
  private final Elements elements;
  private final List<RuleFailure> failures = new ArrayList<>();

  /**
   * An analyzer for one compilation task.
   *
   * @throws NullPointerException if any argument is null
   */
  public Analyzer(
      List<Rule> rules, LintOptions options, Trees trees, Types types, Elements elements) {
    this.rules = List.copyOf(rules);
    this.options = Objects.requireNonNull(options, "options");
    this.trees = Objects.requireNonNull(trees, "trees");
    this.types = Objects.requireNonNull(types, "types");
    this.elements = Objects.requireNonNull(elements, "elements");
  }

  /** Rules that threw since construction (contained, never rethrown). */
  public List<RuleFailure> failures() {
    return List.copyOf(failures);
  }

  /** A finding plus the tree it was reported on (null for position-only findings). */
  public record Located(Finding finding, Tree tree, long position) {}

  /**
   * Analyzes {@code root} (the unit itself or one of its top-level classes) of {@code cu}.
   *
   * @param fileName the name to put into findings
   */
  public List<Located> analyze(CompilationUnitTree cu, TreePath root, String fileName) {
    CharSequence source;
    try {
      source = cu.getSourceFile().getCharContent(true);
    } catch (IOException | RuntimeException e) {
      source = "";
    }
    List<AllowComment> allows = AllowComment.find(source);
    Map<Integer, List<AllowComment>> allowByLine = new HashMap<>();
    for (AllowComment a : allows) {
      allowByLine.computeIfAbsent(a.line(), k -> new ArrayList<>()).add(a);
    }
    SourcePositions positions = trees.getSourcePositions();
    LineMap lines = cu.getLineMap();
    List<Located> out = new ArrayList<>();
    Map<String, Integer> occurrences = new HashMap<>();
    final CharSequence src = source;
    String text = source.toString();
    for (Rule rule : rules) {
      if (!options.isEnabled(rule)) {
        continue;
      }
      if (!rule.mayFire(text)) {
        continue; // cannot fire on this file
      }
      Severity severity = options.severityOf(rule);
      RuleContext ctx =
          new RuleContext() {
            @Override
            public CompilationUnitTree compilationUnit() {
              return cu;
            }

            @Override
            public TreePath root() {
              return root;
            }

            @Override
            public Trees trees() {
              return trees;
            }

            @Override
            public Types types() {
              return types;
            }

            @Override
            public Elements elements() {
              return elements;
            }

            @Override
            public List<CompilationUnitTree> compilation() {
              List<CompilationUnitTree> all = new ArrayList<>(compilation);
              if (!all.contains(cu)) {
                all.add(0, cu);
              }
              return all;
            }

            @Override
            public void report(TreePath path, String message, String hint) {
              Objects.requireNonNull(path, "path");
              long pos = positions.getStartPosition(cu, path.getLeaf());
              if (pos < 0 || isSuppressed(path, rule)) {
                return;
              }
              add(path.getLeaf(), pos, memberOf(path), message, hint);
            }

            @Override
            public void reportAt(long position, String message, String hint) {
              add(null, position, "", message, hint);
            }

            private void add(Tree tree, long pos, String member, String message, String hint) {
              Objects.requireNonNull(message, "message");
              Objects.requireNonNull(hint, "hint");
              long line = lines == null ? 1 : lines.getLineNumber(pos);
              long col = lines == null ? 1 : lines.getColumnNumber(pos);
              if (!rule.id().equals("TG100") && allowed(allowByLine, (int) line, rule.id())) {
                return;
              }
              String text = lineText(src, lines, line);
              String key = rule.id() + "|" + member + "|" + text;
              int occ = occurrences.merge(key, 1, Integer::sum);
              String fp = sha(key + "|" + occ);
              Finding f =
                  new Finding(
                      rule.id(), rule.name(), severity, fileName, line, col, message, hint, fp);
              out.add(new Located(f, tree, pos));
            }
          };
      try {
        rule.check(ctx);
      } catch (RuntimeException | StackOverflowError | AssertionError | LinkageError e) {
        // a rule must never take the compiler down: record and go on
        failures.add(new RuleFailure(rule.id(), fileName, e));
      }
    }
    out.sort(
        (a, b) ->
            a.finding().line() != b.finding().line()
                ? Long.compare(a.finding().line(), b.finding().line())
                : Long.compare(a.finding().column(), b.finding().column()));
    return out;
  }

  private static boolean allowed(Map<Integer, List<AllowComment>> byLine, int line, String id) {
    for (int l = line - 1; l <= line; l++) {
      for (AllowComment a : byLine.getOrDefault(l, List.of())) {
        if (a.allows(id)) {
          return true;
        }
      }
    }
    return false;
  }

  private static String lineText(CharSequence src, LineMap lines, long line) {
    if (lines == null || src.length() == 0) {
      return "";
    }
    try {
      int start = (int) lines.getStartPosition(line);
      int end = start;
      while (end < src.length() && src.charAt(end) != '\n') {
        end++;
      }
      return src.subSequence(start, end).toString().trim().replaceAll("\\s+", " ");
    } catch (RuntimeException e) {
      return "";
    }
  }

  /** {@code Outer.Inner#method} of the innermost enclosing declarations, for fingerprints. */
  static String memberOf(TreePath path) {
    StringBuilder classes = new StringBuilder();
    String method = "";
    for (TreePath p = path; p != null; p = p.getParentPath()) {
      Tree t = p.getLeaf();
      if (t instanceof MethodTree && method.isEmpty()) {
        method = ((MethodTree) t).getName().toString();
      } else if (t instanceof ClassTree) {
        String n = ((ClassTree) t).getSimpleName().toString();
        classes.insert(0, (n.isEmpty() ? "<anon>" : n) + (classes.length() > 0 ? "." : ""));
      }
    }
    return classes + "#" + method;
  }

  /** Whether an enclosing declaration carries {@code @SuppressWarnings("timerguard[:ID]")}. */
  static boolean isSuppressed(TreePath path, Rule rule) {
    for (TreePath p = path; p != null; p = p.getParentPath()) {
      Tree t = p.getLeaf();
      ModifiersTree mods = null;
      if (t instanceof ClassTree) {
        mods = ((ClassTree) t).getModifiers();
      } else if (t instanceof MethodTree) {
        mods = ((MethodTree) t).getModifiers();
      } else if (t instanceof VariableTree) {
        mods = ((VariableTree) t).getModifiers();
      }
      if (mods == null) {
        continue;
      }
      for (AnnotationTree a : mods.getAnnotations()) {
        String type = a.getAnnotationType().toString();
        if (!type.equals("SuppressWarnings") && !type.equals("java.lang.SuppressWarnings")) {
          continue;
        }
        for (ExpressionTree arg : a.getArguments()) {
          ExpressionTree v =
              arg instanceof AssignmentTree ? ((AssignmentTree) arg).getExpression() : arg;
          List<ExpressionTree> values = new ArrayList<>();
          if (v instanceof NewArrayTree && ((NewArrayTree) v).getInitializers() != null) {
            values.addAll(((NewArrayTree) v).getInitializers());
          } else {
            values.add(v);
          }
          for (ExpressionTree e : values) {
            if (e instanceof LiteralTree && ((LiteralTree) e).getValue() instanceof String) {
              String s = ((String) ((LiteralTree) e).getValue()).trim();
              if (s.equalsIgnoreCase("timerguard")
                  || s.equalsIgnoreCase("timerguard:" + rule.id())
                  || s.equalsIgnoreCase("timerguard:" + rule.name())) {
                return true;
              }
            }
          }
        }
      }
    }
    return false;
  }

  static String sha(String s) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < 8; i++) {
        sb.append(String.format("%02x", d[i]));
      }
      return sb.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from this JDK", e);
    }
  }

  private List<CompilationUnitTree> compilation = List.of();

  /**
   * Sets the other compilation units of the running compilation that rules may read facts from
   * ({@link RuleContext#compilation()}); the analysed unit is always added. Replaces the previous
   * list.
   *
   * @throws NullPointerException if {@code units} or an element is null
   */
  public void compilation(List<? extends CompilationUnitTree> units) {
    this.compilation = List.copyOf(units);
  }
}
