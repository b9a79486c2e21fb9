package dev.timerguard.lint;

/**
 * A tiny strict JSON well-formedness checker for tests (no dependency on a JSON library); the CLI's
 * tests use it too, through this module's test jar.
 */
public final class JsonCheck {
  private final String s;
  private int i;

  private JsonCheck(String s) {
    this.s = s;
  }

  public static boolean isWellFormed(String json) {
    JsonCheck c = new JsonCheck(json);
    try {
      c.value();
      c.ws();
      return c.i == json.length();
    } catch (RuntimeException e) {
      return false;
    }
  }

  private void ws() {
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
  }

  private void expect(char c) {
    ws();
    if (s.charAt(i) != c) {
      throw new IllegalStateException("expected " + c + " at " + i);
    }
    i++;
  }

  private void value() {
    ws();
    char c = s.charAt(i);
    if (c == '{') {
      i++;
      ws();
      if (s.charAt(i) == '}') {
        i++;
        return;
      }
      do {
        ws();
        string();
        expect(':');
        value();
        ws();
      } while (s.charAt(i++) == ',');
      if (s.charAt(i - 1) != '}') {
        throw new IllegalStateException("object at " + i);
      }
    } else if (c == '[') {
      i++;
      ws();
      if (s.charAt(i) == ']') {
        i++;
        return;
      }
      do {
        value();
        ws();
      } while (s.charAt(i++) == ',');
      if (s.charAt(i - 1) != ']') {
        throw new IllegalStateException("array at " + i);
      }
    } else if (c == '"') {
      string();
    } else if (s.startsWith("true", i) || s.startsWith("null", i)) {
      i += 4;
    } else if (s.startsWith("false", i)) {
      i += 5;
    } else {
      int start = i;
      while (i < s.length() && "-+.eE0123456789".indexOf(s.charAt(i)) >= 0) {
        i++;
      }
      if (start == i) {
        throw new IllegalStateException("value at " + i);
      }
    }
  }

  private void string() {
    if (s.charAt(i) != '"') {
      throw new IllegalStateException("string at " + i);
    }
    i++;
    while (s.charAt(i) != '"') {
      if (s.charAt(i) < 0x20) {
        throw new IllegalStateException("control char at " + i);
      }
      if (s.charAt(i) == '\\') {
        i++;
      }
      i++;
    }
    i++;
  }
}
