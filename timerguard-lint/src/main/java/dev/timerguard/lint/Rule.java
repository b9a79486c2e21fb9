package dev.timerguard.lint;

/**
 * One static check over an attributed compilation unit. Implementations live in {@code
 * dev.timerguard.lint.rules}, one class per rule, and are listed by {@code Rules.all()}.
 *
 * <p>Contract: {@link #check} reads the trees and types offered by the {@link RuleContext} and
 * reports through it; it must not modify trees, keep state between calls, or throw on code that
 * does not resolve (unresolved types are error types: treat them as "unknown" and stay silent). A
 * rule that throws anyway is contained by the analyzer and reported as a per-file error. Instances
 * are stateless and therefore thread-safe.
 */
public interface Rule {
  /** Stable id, {@code TG} plus three digits; never reused for another meaning. */
  String id();

  /** Short kebab-case name, e.g. {@code timer-in-loop}. */
  String name();

  /** One-line description for listings and SARIF rule metadata. */
  String summary();

  /** Severity used unless configuration overrides it. */
  default Severity defaultSeverity() {
    return Severity.WARNING;
  }

  /**
   * Words of which at least one must occur in a file's text for this rule to be able to report
   * anything there (the method or type names it matches). The analyzer skips the rule on files
   * containing none of them, which keeps the javac plugin cheap. Empty (the default): always run.
   */
  default java.util.List<String> triggerWords() {
    return java.util.List.of();
  }

  /**
   * Whether this rule can report anything in a file with this text: by default, whether one of the
   * {@link #triggerWords()} occurs. Rules that need two things at once (a wait and a lock) refine
   * it. Must be cheap and must never return false for a file the rule would report on.
   */
  default boolean mayFire(String text) {
    java.util.List<String> words = triggerWords();
    if (words.isEmpty()) {
      return true;
    }
    for (String w : words) {
      if (text.contains(w)) {
        return true;
      }
    }
    return false;
  }

  /** Analyzes {@code ctx.root()} and reports findings through {@code ctx}. */
  void check(RuleContext ctx);
}
