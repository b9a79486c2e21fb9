package dev.timerguard.lint.rules;

import dev.timerguard.lint.Rule;
import dev.timerguard.lint.RuleContext;
import java.util.List;

/**
 * What every TimerGuard rule shares: its id, name, summary and trigger words declared once, in the
 * constructor, and a {@link Facts} built for each unit it checks. Subclasses are stateless and
 * therefore thread-safe, as {@link Rule} requires.
 */
abstract class AbstractRule implements Rule {
  private final String id;
  private final String name;
  private final String summary;
  private final List<String> triggerWords;

  AbstractRule(String id, String name, String summary, String... triggerWords) {
    this.id = id;
    this.name = name;
    this.summary = summary;
    this.triggerWords = List.of(triggerWords);
  }

  @Override
  public final String id() {
    return id;
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final String summary() {
    return summary;
  }

  @Override
  public final List<String> triggerWords() {
    return triggerWords;
  }

  @Override
  public final void check(RuleContext ctx) {
    check(ctx, new Facts(ctx));
  }

  /** Analyzes {@code ctx.root()} with the help of {@code facts} and reports through {@code ctx}. */
  abstract void check(RuleContext ctx, Facts facts);
}
