package dev.timerguard.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * TimerGuard's one JSON writer and reader (RFC 8259), shared by the snapshot codec, the agent, the
 * CLI, the JUnit extension and the analyzer's reports, so that no face escapes or parses JSON its
 * own way and none depends on another face for it.
 *
 * <p><b>Writing.</b> {@link #quote(String)} writes a string literal that reads back exactly: quote
 * and backslash escaped, every C0 control character escaped ({@code \n}, {@code \r}, {@code \t},
 * else {@code \}{@code u00XX}), U+2028 and U+2029 escaped (JavaScript line terminators), and an
 * unpaired surrogate escaped as {@code \}{@code uXXXX} (it could not survive UTF-8); characters
 * outside the Basic Multilingual Plane pass as their surrogate pair. {@link Writer} builds compact
 * documents on top of it and refuses a misplaced name or value.
 *
 * <p><b>Reading.</b> {@link #parse(String)} is strict: anything RFC 8259 does not allow (a trailing
 * comma, a single quote, a raw control character in a string, a leading zero, a duplicate member
 * name, trailing text) fails with one {@link ParseException} naming the line, column and offset and
 * what was expected. Objects become insertion-ordered {@code Map<String, Object>}s, arrays {@code
 * List<Object>}s (both unmodifiable), strings {@code String}s, {@code true}/{@code false} {@code
 * Boolean}s, {@code null} {@code null}; a number without fraction or exponent that fits a {@code
 * long} becomes a {@code Long}, any other number a {@code Double} (one too large for a double is
 * refused). Input beyond {@link #DEFAULT_MAX_CHARS} characters or nested deeper than {@link
 * #DEFAULT_MAX_DEPTH} is refused before it costs memory or stack; {@link #parse(String, int, int)}
 * sets other limits.
 *
 * <p>Stateless and thread-safe, except a {@link Writer}, which belongs to one thread. Imports only
 * {@code java.*}: the agent puts it on the bootstrap class path beside the live model.
 */
public final class Json {

  /** The default size limit of {@link #parse(String)}, in characters: 16 Mi. */
  public static final int DEFAULT_MAX_CHARS = 16 * 1024 * 1024;

  /** The default nesting limit of {@link #parse(String)}: arrays and objects inside each other. */
  public static final int DEFAULT_MAX_DEPTH = 64;

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private Json() {}

  // ------------------------------------------------------------------------------------ writing

  /**
   * {@code s} as a JSON string literal, quotes included.
   *
   * @throws NullPointerException if {@code s} is null
   */
  public static String quote(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2);
    quote(s, b);
    return b.toString();
  }

  /**
   * Appends {@code s} as a JSON string literal, quotes included, to {@code out}.
   *
   * @throws NullPointerException if {@code s} or {@code out} is null
   */
  public static void quote(String s, StringBuilder out) {
    Objects.requireNonNull(s, "s");
    out.append('"');
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"':
          out.append("\\\"");
          break;
        case '\\':
          out.append("\\\\");
          break;
        case '\n':
          out.append("\\n");
          break;
        case '\r':
          out.append("\\r");
          break;
        case '\t':
          out.append("\\t");
          break;
        default:
          if (c < 0x20 || c == 0x2028 || c == 0x2029) {
            unicode(c, out);
          } else if (Character.isHighSurrogate(c)) {
            if (i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
              out.append(c).append(s.charAt(++i));
            } else {
              unicode(c, out);
            }
          } else if (Character.isLowSurrogate(c)) {
            unicode(c, out); // unpaired: a pair's low half was consumed with its high half
          } else {
            out.append(c);
          }
      }
    }
    out.append('"');
  }

  private static void unicode(char c, StringBuilder out) {
    out.append("\\u")
        .append(HEX[(c >> 12) & 0xf])
        .append(HEX[(c >> 8) & 0xf])
        .append(HEX[(c >> 4) & 0xf])
        .append(HEX[c & 0xf]);
  }

  /**
   * A finite double as JSON writes it, {@link Double#toString(double)} ({@code 3.0}, {@code 0.25},
   * {@code 1.0E20}): it reads back as the same {@code Double}, never as a {@code Long}.
   *
   * @throws IllegalArgumentException for NaN and the infinities, which JSON cannot hold
   */
  public static String number(double d) {
    if (!Double.isFinite(d)) {
      throw new IllegalArgumentException("JSON has no NaN or infinity, was " + d);
    }
    return Double.toString(d);
  }

  /** Starts a compact JSON document. */
  public static Writer writer() {
    return new Writer();
  }

  /**
   * Builds one compact JSON value: {@code beginObject().name("a").value(1).endObject()}. Names and
   * values are checked against the structure: a name outside an object, a value where a name is
   * due, a second top-level value or an unclosed document fail with an {@link
   * IllegalStateException} naming the step. One thread at a time.
   */
  public static final class Writer {
    private static final byte ARRAY = 1;
    private static final byte OBJECT_NAME = 2; // in an object, a name is due
    private static final byte OBJECT_VALUE = 3; // in an object, after a name

    private final StringBuilder out = new StringBuilder(256);
    private byte[] stack = new byte[16];
    private boolean[] first = new boolean[16];
    private int depth;
    private boolean done;

    private Writer() {}

    public Writer beginObject() {
      beforeValue("an object");
      out.append('{');
      push(OBJECT_NAME);
      return this;
    }

    public Writer endObject() {
      if (depth == 0 || stack[depth - 1] != OBJECT_NAME) {
        throw new IllegalStateException(
            depth > 0 && stack[depth - 1] == OBJECT_VALUE
                ? "endObject() after a name without its value"
                : "endObject() outside an object");
      }
      out.append('}');
      pop();
      return this;
    }

    public Writer beginArray() {
      beforeValue("an array");
      out.append('[');
      push(ARRAY);
      return this;
    }

    public Writer endArray() {
      if (depth == 0 || stack[depth - 1] != ARRAY) {
        throw new IllegalStateException("endArray() outside an array");
      }
      out.append(']');
      pop();
      return this;
    }

    /**
     * The next member's name.
     *
     * @throws NullPointerException if {@code name} is null
     */
    public Writer name(String name) {
      Objects.requireNonNull(name, "name");
      if (depth == 0 || stack[depth - 1] != OBJECT_NAME) {
        throw new IllegalStateException("name(\"" + name + "\") where no member name is due");
      }
      if (!first[depth - 1]) {
        out.append(',');
      }
      first[depth - 1] = false;
      quote(name, out);
      out.append(':');
      stack[depth - 1] = OBJECT_VALUE;
      return this;
    }

    /** A string value, or {@code null}. */
    public Writer value(String s) {
      beforeValue("a string");
      if (s == null) {
        out.append("null");
      } else {
        quote(s, out);
      }
      afterValue();
      return this;
    }

    public Writer value(long n) {
      beforeValue("a number");
      out.append(n);
      afterValue();
      return this;
    }

    /**
     * A number value.
     *
     * @throws IllegalArgumentException for NaN and the infinities (see {@link #number(double)})
     */
    public Writer value(double d) {
      String text = number(d);
      beforeValue("a number");
      out.append(text);
      afterValue();
      return this;
    }

    public Writer value(boolean b) {
      beforeValue("a boolean");
      out.append(b);
      afterValue();
      return this;
    }

    public Writer nullValue() {
      return value((String) null);
    }

    /** {@code name(name).value(s)}. */
    public Writer field(String name, String s) {
      return name(name).value(s);
    }

    /** {@code name(name).value(n)}. */
    public Writer field(String name, long n) {
      return name(name).value(n);
    }

    /** {@code name(name).value(d)}. */
    public Writer field(String name, double d) {
      return name(name).value(d);
    }

    /** {@code name(name).value(b)}. */
    public Writer field(String name, boolean b) {
      return name(name).value(b);
    }

    /**
     * The document.
     *
     * @throws IllegalStateException if no value was written or an array or object is open
     */
    @Override
    public String toString() {
      if (!done || depth > 0) {
        throw new IllegalStateException(
            depth > 0 ? depth + " array(s) or object(s) still open" : "nothing was written");
      }
      return out.toString();
    }

    private void beforeValue(String what) {
      if (depth == 0) {
        if (done) {
          throw new IllegalStateException("a second top-level value (" + what + ")");
        }
        return;
      }
      byte s = stack[depth - 1];
      if (s == OBJECT_NAME) {
        throw new IllegalStateException(what + " in an object where a member name is due");
      }
      if (s == ARRAY) {
        if (!first[depth - 1]) {
          out.append(',');
        }
        first[depth - 1] = false;
      }
    }

    private void afterValue() {
      if (depth == 0) {
        done = true;
      } else if (stack[depth - 1] == OBJECT_VALUE) {
        stack[depth - 1] = OBJECT_NAME;
      }
    }

    private void push(byte state) {
      if (depth == stack.length) {
        stack = Arrays.copyOf(stack, depth * 2);
        first = Arrays.copyOf(first, depth * 2);
      }
      stack[depth] = state;
      first[depth] = true;
      depth++;
    }

    private void pop() {
      depth--;
      afterValue();
    }
  }

  // ------------------------------------------------------------------------------------ reading

  /**
   * Reads one JSON value with the default limits ({@value #DEFAULT_MAX_CHARS} characters, depth
   * {@value #DEFAULT_MAX_DEPTH}).
   *
   * @throws NullPointerException if {@code text} is null
   * @throws ParseException naming the line, column and offset, if {@code text} is not exactly one
   *     JSON value within the limits
   */
  public static Object parse(String text) {
    return parse(text, DEFAULT_MAX_CHARS, DEFAULT_MAX_DEPTH);
  }

  /**
   * Reads one JSON value of at most {@code maxChars} characters nested at most {@code maxDepth}
   * deep.
   *
   * @throws NullPointerException if {@code text} is null
   * @throws IllegalArgumentException if a limit is below 1
   * @throws ParseException naming the line, column and offset, if {@code text} is not exactly one
   *     JSON value within the limits
   */
  public static Object parse(String text, int maxChars, int maxDepth) {
    Objects.requireNonNull(text, "text");
    if (maxChars < 1 || maxDepth < 1) {
      throw new IllegalArgumentException(
          "maxChars and maxDepth must be at least 1, were " + maxChars + " and " + maxDepth);
    }
    Reader r = new Reader(text, maxDepth);
    if (text.length() > maxChars) {
      throw r.error(
          0, "the text has " + text.length() + " characters, more than the limit of " + maxChars);
    }
    r.ws();
    Object v = r.value(0);
    r.ws();
    if (r.i != text.length()) {
      throw r.error(r.i, "unexpected " + r.describe(r.i) + " after the value");
    }
    return v;
  }

  /**
   * Malformed JSON: the message names the line and column (both from 1), the offset (from 0) and
   * what was wrong there.
   */
  public static final class ParseException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final int offset;
    private final int line;
    private final int column;

    ParseException(String message, int offset, int line, int column) {
      super(message);
      this.offset = offset;
      this.line = line;
      this.column = column;
    }

    /** Where the error is, in characters from the start (0-based). */
    public int offset() {
      return offset;
    }

    /** The line of the error, from 1. */
    public int line() {
      return line;
    }

    /** The column of the error, from 1. */
    public int column() {
      return column;
    }
  }

  private static final class Reader {
    private final String s;
    private final int maxDepth;
    private int i;

    Reader(String s, int maxDepth) {
      this.s = s;
      this.maxDepth = maxDepth;
    }

    Object value(int depth) {
      if (i >= s.length()) {
        throw error(i, "unexpected end of input, expected a value");
      }
      char c = s.charAt(i);
      switch (c) {
        case '{':
          return object(depth + 1);
        case '[':
          return array(depth + 1);
        case '"':
          return string();
        case 't':
          return literal("true", Boolean.TRUE);
        case 'f':
          return literal("false", Boolean.FALSE);
        case 'n':
          return literal("null", null);
        default:
          if (c == '-' || (c >= '0' && c <= '9')) {
            return number();
          }
          throw error(i, "unexpected " + describe(i) + ", expected a value");
      }
    }

    private Map<String, Object> object(int depth) {
      checkDepth(depth);
      Map<String, Object> m = new LinkedHashMap<>();
      i++;
      ws();
      if (at('}')) {
        i++;
        return Collections.unmodifiableMap(m);
      }
      while (true) {
        ws();
        if (!at('"')) {
          throw error(i, "unexpected " + describe(i) + ", expected a member name in quotes");
        }
        int nameAt = i;
        String k = string();
        ws();
        expect(':');
        ws();
        Object v = value(depth);
        if (m.containsKey(k)) {
          throw error(nameAt, "duplicate member name " + quote(k));
        }
        m.put(k, v);
        ws();
        if (at('}')) {
          i++;
          return Collections.unmodifiableMap(m);
        }
        if (!at(',')) {
          throw error(i, "unexpected " + describe(i) + ", expected ',' or '}'");
        }
        i++;
      }
    }

    private List<Object> array(int depth) {
      checkDepth(depth);
      List<Object> a = new ArrayList<>();
      i++;
      ws();
      if (at(']')) {
        i++;
        return Collections.unmodifiableList(a);
      }
      while (true) {
        ws();
        a.add(value(depth));
        ws();
        if (at(']')) {
          i++;
          return Collections.unmodifiableList(a);
        }
        if (!at(',')) {
          throw error(i, "unexpected " + describe(i) + ", expected ',' or ']'");
        }
        i++;
      }
    }

    private void checkDepth(int depth) {
      if (depth > maxDepth) {
        throw error(i, "nested deeper than the limit of " + maxDepth);
      }
    }

    private String string() {
      int start = i;
      i++; // the opening quote
      StringBuilder b = null;
      int run = i;
      while (true) {
        if (i >= s.length()) {
          throw error(start, "unterminated string");
        }
        char c = s.charAt(i);
        if (c == '"') {
          String out = b == null ? s.substring(run, i) : b.append(s, run, i).toString();
          i++;
          return out;
        }
        if (c < 0x20) {
          throw error(
              i, "raw control character " + printable(c) + " in a string (write it escaped)");
        }
        if (c != '\\') {
          i++;
          continue;
        }
        if (b == null) {
          b = new StringBuilder();
        }
        b.append(s, run, i);
        int escAt = i;
        i++;
        if (i >= s.length()) {
          throw error(start, "unterminated string");
        }
        char e = s.charAt(i++);
        switch (e) {
          case '"':
          case '\\':
          case '/':
            b.append(e);
            break;
          case 'b':
            b.append('\b');
            break;
          case 'f':
            b.append('\f');
            break;
          case 'n':
            b.append('\n');
            break;
          case 'r':
            b.append('\r');
            break;
          case 't':
            b.append('\t');
            break;
          case 'u':
            int v = 0;
            for (int k = 0; k < 4; k++) {
              int d = i < s.length() ? Character.digit(s.charAt(i), 16) : -1;
              if (d < 0) {
                throw error(escAt, "a \\u escape needs four hex digits");
              }
              v = v * 16 + d;
              i++;
            }
            b.append((char) v);
            break;
          default:
            throw error(escAt, "unknown escape \\" + printable(e));
        }
        run = i;
      }
    }

    private Object number() {
      int start = i;
      boolean whole = true;
      if (at('-')) {
        i++;
      }
      if (at('0')) {
        i++;
        if (digit()) {
          throw error(start, "a number must not have a leading zero");
        }
      } else if (digit()) {
        while (digit()) {
          i++;
        }
      } else {
        throw error(i, "unexpected " + describe(i) + ", expected a digit");
      }
      if (at('.')) {
        whole = false;
        i++;
        if (!digit()) {
          throw error(i, "unexpected " + describe(i) + ", expected a digit after '.'");
        }
        while (digit()) {
          i++;
        }
      }
      if (at('e') || at('E')) {
        whole = false;
        i++;
        if (at('+') || at('-')) {
          i++;
        }
        if (!digit()) {
          throw error(i, "unexpected " + describe(i) + ", expected a digit in the exponent");
        }
        while (digit()) {
          i++;
        }
      }
      String text = s.substring(start, i);
      if (whole) {
        try {
          return Long.parseLong(text);
        } catch (NumberFormatException e) {
          // beyond a long: read as a double below
        }
      }
      double d = Double.parseDouble(text);
      if (Double.isInfinite(d)) {
        throw error(start, "number " + abbreviate(text) + " is beyond the range of a double");
      }
      return d;
    }

    private boolean digit() {
      return i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9';
    }

    private Object literal(String word, Object v) {
      if (!s.startsWith(word, i)) {
        throw error(i, "unexpected " + describe(i) + ", expected " + word);
      }
      i += word.length();
      return v;
    }

    void ws() {
      while (i < s.length()) {
        char c = s.charAt(i);
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
          return;
        }
        i++;
      }
    }

    private boolean at(char c) {
      return i < s.length() && s.charAt(i) == c;
    }

    private void expect(char c) {
      if (!at(c)) {
        throw error(i, "unexpected " + describe(i) + ", expected '" + c + "'");
      }
      i++;
    }

    String describe(int at) {
      return at >= s.length() ? "end of input" : "character " + printable(s.charAt(at));
    }

    private static String printable(char c) {
      if (c >= 0x20 && c < 0x7f) {
        return "'" + c + "'";
      }
      StringBuilder b = new StringBuilder("U+");
      String hex = Integer.toHexString(c).toUpperCase(java.util.Locale.ROOT);
      for (int k = hex.length(); k < 4; k++) {
        b.append('0');
      }
      return b.append(hex).toString();
    }

    private static String abbreviate(String text) {
      return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }

    ParseException error(int at, String what) {
      int line = 1;
      int lineStart = 0;
      for (int k = 0; k < at && k < s.length(); k++) {
        if (s.charAt(k) == '\n') {
          line++;
          lineStart = k + 1;
        }
      }
      int column = at - lineStart + 1;
      return new ParseException(
          "malformed JSON at line " + line + ", column " + column + " (offset " + at + "): " + what,
          at,
          line,
          column);
    }
  }
}
