package dev.timerguard.lint.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code // timerguard:allow TG101[,TG102] reason} comment: which rules it allows on its own line
 * and the next one, and the reason given (empty when none). Not promised API. Immutable.
 */
public record AllowComment(int line, long position, Set<String> ruleIds, String reason) {
  private static final Pattern ALLOW = Pattern.compile("//\\s*timerguard:allow\\b(.*)$");
  private static final Pattern ID = Pattern.compile("(?i)(TG\\d{3}|all)");

  /** Whether this comment allows {@code ruleId}. */
  public boolean allows(String ruleId) {
    return ruleIds.contains("ALL") || ruleIds.contains(ruleId);
  }

  /** Finds every allow comment in {@code source} (1-based lines). Never throws on odd text. */
  public static List<AllowComment> find(CharSequence source) {
    List<AllowComment> out = new ArrayList<>();
    if (source.toString().indexOf("timerguard:allow") < 0) {
      return out; // the common case: no per-line work at all
    }
    int line = 1;
    int start = 0;
    int n = source.length();
    for (int i = 0; i <= n; i++) {
      if (i == n || source.charAt(i) == '\n') {
        String text = source.subSequence(start, i).toString();
        int at = text.indexOf("timerguard:allow");
        if (at >= 0 && !insideDocOrString(text, at)) {
          Matcher m = ALLOW.matcher(text);
          if (m.find()) {
            out.add(parse(line, start + m.start(), m.group(1)));
          }
        }
        line++;
        start = i + 1;
      }
    }
    return out;
  }

  /**
   * True when the {@code //} before {@code at} is prose, not a line comment: the line is part of a
   * block or doc comment ({@code * ...}, {@code /* ...}), or the {@code //} sits in a string.
   */
  private static boolean insideDocOrString(String line, int at) {
    String t = line.stripLeading();
    if (t.startsWith("*") || t.startsWith("/*")) {
      return true;
    }
    int slashes = line.lastIndexOf("//", at);
    if (slashes < 0) {
      return true;
    }
    int quotes = 0;
    for (int i = 0; i < slashes; i++) {
      if (line.charAt(i) == '"' && (i == 0 || line.charAt(i - 1) != '\\')) {
        quotes++;
      }
    }
    return quotes % 2 == 1;
  }

  private static AllowComment parse(int line, long position, String rest) {
    Set<String> ids = new java.util.LinkedHashSet<>();
    String r = rest.trim();
    while (true) {
      Matcher m = ID.matcher(r);
      if (!m.lookingAt()) {
        break;
      }
      ids.add(m.group(1).toUpperCase(Locale.ROOT));
      r = r.substring(m.end()).replaceFirst("^[\\s,]+", "");
    }
    r = r.replaceFirst("^[-:\\u2014\\s]+", "").trim();
    if (r.endsWith("*/")) {
      r = r.substring(0, r.length() - 2).trim();
    }
    return new AllowComment(line, position, Set.copyOf(ids), r);
  }
}
