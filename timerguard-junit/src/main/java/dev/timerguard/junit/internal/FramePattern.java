package dev.timerguard.junit.internal;

import java.util.Objects;

/**
 * A stack-frame pattern: {@code com.acme.Poller.run} matches frames of exactly that class and
 * method; a trailing {@code *} ({@code com.acme.*}, {@code com.acme.Poller.*}) matches by prefix.
 * Immutable.
 */
public final class FramePattern {

  private final String text;
  private final boolean prefix;
  private final String body;

  private FramePattern(String text) {
    this.text = text;
    this.prefix = text.endsWith("*");
    this.body = prefix ? text.substring(0, text.length() - 1) : text;
  }

  /**
   * Parses a pattern.
   *
   * @param what the property or attribute it came from, for the error message
   * @throws IllegalArgumentException naming {@code what} when the pattern is empty, contains
   *     whitespace, parentheses, or a {@code *} anywhere but at the end
   */
  public static FramePattern parse(String what, String text) {
    Objects.requireNonNull(text, what);
    String t = text.trim();
    String problem = null;
    if (t.isEmpty() || t.equals("*")) {
      problem = "is empty";
    } else if (t.chars().anyMatch(Character::isWhitespace)) {
      problem = "contains whitespace";
    } else if (t.indexOf('(') >= 0 || t.indexOf(')') >= 0) {
      problem = "contains parentheses (write class.method, without file and line)";
    } else if (t.indexOf('*') >= 0 && t.indexOf('*') != t.length() - 1) {
      problem = "has a '*' that is not at the end";
    } else if (!t.endsWith("*") && t.indexOf('.') < 0) {
      problem = "is not of the form package.Class.method";
    }
    if (problem != null) {
      throw new IllegalArgumentException(
          what
              + ": frame pattern '"
              + t
              + "' "
              + problem
              + "; write e.g. com.acme.Poller.run or com.acme.*");
    }
    return new FramePattern(t);
  }

  /** Whether the frame's {@code class.method} matches. */
  public boolean matches(StackTraceElement frame) {
    String cls = frame.getClassName();
    String m = frame.getMethodName();
    if (prefix) {
      if (cls.startsWith(body)) {
        return true;
      }
      return body.length() > cls.length()
          && body.startsWith(cls)
          && body.charAt(cls.length()) == '.'
          && m.startsWith(body.substring(cls.length() + 1));
    }
    return body.length() == cls.length() + 1 + m.length()
        && body.startsWith(cls)
        && body.charAt(cls.length()) == '.'
        && body.endsWith(m);
  }

  @Override
  public String toString() {
    return text;
  }
}
