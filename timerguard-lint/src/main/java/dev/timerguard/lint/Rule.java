package dev.timerguard.lint;

/**
 * One static check over an attributed compilation unit. Implementations live in {@code
 * dev.timerguard.lint.rules}, one class per rule, and are listed by {@code Rules.all()}.
 *
 * <p>Contract: {@link #check} reads the trees and types offered by the {@link RuleContext} and reports
 * through it; it must not modify trees, keep state between calls, or throw on code that does not
 * resolve (unresolved types are error types: treat them as "unknown" and stay silent). A rule that
 * throws anyway is contained by the analyzer and reported as a per-file error. Instances are
 * stateless and therefore thread-safe.
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

  /** Analyzes {@code ctx.root()} and reports findings through {@code ctx}. */
  void check(RuleContext ctx);
}
