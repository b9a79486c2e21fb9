package dev.timerguard.lint.rules;

import com.sun.source.util.SourcePositions;
import dev.timerguard.lint.RuleContext;
import dev.timerguard.lint.internal.AllowComment;
import java.io.IOException;

/**
 * TG100 suppression-without-reason: a {@code // timerguard:allow TG1xx} comment that gives no
 * reason (or names no rule). Bypasses are tools, not exemptions: the reason is what a reviewer
 * checks. The comment still suppresses; this finding only asks for the reason. Stateless.
 */
public final class TG100SuppressionWithoutReason extends AbstractRule {
  public TG100SuppressionWithoutReason() {
    super(
        "TG100",
        "suppression-without-reason",
        "A timerguard:allow comment must name the rule and give a reason.",
        "timerguard:allow");
  }

  @Override
  void check(RuleContext ctx, Facts facts) {
    CharSequence src;
    try {
      src = ctx.compilationUnit().getSourceFile().getCharContent(true);
    } catch (IOException e) {
      return;
    }
    SourcePositions pos = ctx.trees().getSourcePositions();
    long start = pos.getStartPosition(ctx.compilationUnit(), ctx.root().getLeaf());
    long end = pos.getEndPosition(ctx.compilationUnit(), ctx.root().getLeaf());
    boolean wholeUnit = ctx.root().getParentPath() == null;
    for (AllowComment a : AllowComment.find(src)) {
      if (!wholeUnit && (a.position() < start || a.position() > end)) {
        continue;
      }
      long at = target(src, a.position());
      if (a.ruleIds().isEmpty()) {
        ctx.reportAt(
            at,
            "timerguard:allow names no rule, so it suppresses nothing",
            "write // timerguard:allow TG101 <why this is safe>");
      } else if (a.reason().isEmpty()) {
        ctx.reportAt(
            at,
            "suppression of "
                + String.join(",", new java.util.TreeSet<>(a.ruleIds()))
                + " gives no reason",
            "add why it is safe after the rule id, e.g. // timerguard:allow TG101 bounded start-up loop");
      }
    }
  }

  /**
   * Where to report: a trailing comment is reported at its own line; a comment alone on its line at
   * the first code of the next non-blank line (the statement it suppresses).
   */
  static long target(CharSequence src, long commentPos) {
    int lineStart = (int) commentPos;
    while (lineStart > 0 && src.charAt(lineStart - 1) != '\n') {
      lineStart--;
    }
    String before = src.subSequence(lineStart, (int) commentPos).toString().trim();
    if (!before.isEmpty() && !before.startsWith("//")) {
      return commentPos; // code before the comment on the same line
    }
    int j = (int) commentPos;
    while (j < src.length() && src.charAt(j) != '\n') {
      j++;
    }
    while (j < src.length() && Character.isWhitespace(src.charAt(j))) {
      j++;
    }
    return j < src.length() ? j : commentPos;
  }
}
