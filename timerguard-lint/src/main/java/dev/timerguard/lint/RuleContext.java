package dev.timerguard.lint;

import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.util.TreePath;
import com.sun.source.util.Trees;
import javax.lang.model.util.Elements;
import javax.lang.model.util.Types;

/**
 * What a {@link Rule} sees: one attributed compilation unit (or one top-level class of it), the
 * compiler's type utilities, and a sink for findings. Only public {@code com.sun.source} and {@code
 * javax.lang.model} APIs are exposed, so no {@code --add-exports} is ever needed.
 *
 * <p>A context belongs to one analysis of one compilation unit on one thread; it is not thread-safe
 * and must not be retained after {@link Rule#check} returns.
 */
public interface RuleContext {
  /** The compilation unit being analyzed. */
  CompilationUnitTree compilationUnit();

  /** Where to start scanning: the compilation unit or one top-level class in it. */
  TreePath root();

  /** Tree utilities of the running compiler. */
  Trees trees();

  /** Type utilities ({@code isSubtype}, {@code erasure}) of the running compiler. */
  Types types();

  /** Element utilities ({@code getTypeElement}) of the running compiler. */
  Elements elements();

  /**
   * Reports a finding at the start of {@code path}'s leaf. Suppressions ({@code @SuppressWarnings},
   * {@code // timerguard:allow}) are applied by the caller, not by the rule.
   *
   * @throws NullPointerException if any argument is null
   */
  void report(TreePath path, String message, String hint);

  /**
   * Reports a finding at a character offset of the compilation unit, for findings that have no tree
   * (comments). Only {@code @SuppressWarnings} on the whole unit's classes is not applied here.
   *
   * @throws NullPointerException if {@code message} or {@code hint} is null
   */
  void reportAt(long position, String message, String hint);

  /**
   * The compilation units of the same compilation whose attributed trees the analysis may read for
   * facts about other classes (callers, subclasses); always contains {@link #compilationUnit()}. A
   * unit of the list whose tree is not (or no longer) attributed yields no element for its trees,
   * which only ever silences a rule. Defaults to the analysed unit alone.
   */
  default java.util.List<CompilationUnitTree> compilation() {
    return java.util.List.of(compilationUnit());
  }
}
