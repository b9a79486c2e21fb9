package dev.timerguard.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class JsonTest {

  // ------------------------------------------------------------------ escaping

  @Test
  void quoteEscapesQuoteBackslashAndEveryControlCharacter() {
    assertThat(Json.quote("a\"b\\c")).isEqualTo("\"a\\\"b\\\\c\"");
    assertThat(Json.quote("\n\r\t")).isEqualTo("\"\\n\\r\\t\"");
    assertThat(Json.quote("\u0000\u0001\u001b\u001f"))
        .isEqualTo("\"\\u0000\\u0001\\u001b\\u001f\"");
    assertThat(Json.quote("\b\f")).isEqualTo("\"\\u0008\\u000c\"");
    assertThat(Json.quote("x\u2028y\u2029")).isEqualTo("\"x\\u2028y\\u2029\"");
    assertThat(Json.quote("/é\u007f")).isEqualTo("\"/é\u007f\"");
  }

  @Test
  void quoteKeepsSurrogatePairsAndEscapesUnpairedHalves() {
    String grin = new String(Character.toChars(0x1F600));
    assertThat(Json.quote(grin)).isEqualTo("\"" + grin + "\"");
    assertThat(Json.quote("a\uD83Db")).isEqualTo("\"a\\ud83db\"");
    assertThat(Json.quote("\uDE00x")).isEqualTo("\"\\ude00x\"");
    assertThat(Json.quote("\uDE00\uD83D")).isEqualTo("\"\\ude00\\ud83d\"");
    assertThat(Json.quote("\uD83D")).isEqualTo("\"\\ud83d\"");
  }

  @Test
  void anEscapedStringSurvivesUtf8() {
    String lone = "a\uD83D";
    String wire =
        new String(
            Json.quote(lone).getBytes(java.nio.charset.StandardCharsets.UTF_8),
            java.nio.charset.StandardCharsets.UTF_8);
    assertThat(Json.parse(wire)).isEqualTo(lone);
  }

  @Property(tries = 500)
  void everyStringReadsBackExactly(@ForAll @StringLength(max = 40) String s) {
    assertThat(Json.parse(Json.quote(s))).isEqualTo(s);
  }

  @Property(tries = 300)
  void everyStringOfAnyUtf16UnitReadsBackExactly(
      @ForAll @CharRange(from = '\u0000', to = '\uffff') @StringLength(max = 20) String s) {
    String q = Json.quote(s);
    assertThat(Json.parse(q)).isEqualTo(s);
    for (char c : q.toCharArray()) {
      assertThat(c).as("no raw control character in %s", q).isGreaterThanOrEqualTo(' ');
    }
  }

  // ------------------------------------------------------------------ writer

  @Test
  void writerBuildsCompactDocuments() {
    String doc =
        Json.writer()
            .beginObject()
            .field("s", "x\ny")
            .field("n", -7L)
            .field("d", 0.25)
            .field("whole", 3.0)
            .field("b", true)
            .name("nothing")
            .nullValue()
            .name("a")
            .beginArray()
            .value(1)
            .beginObject()
            .endObject()
            .beginArray()
            .endArray()
            .endArray()
            .endObject()
            .toString();
    assertThat(doc)
        .isEqualTo(
            "{\"s\":\"x\\ny\",\"n\":-7,\"d\":0.25,\"whole\":3.0,\"b\":true,\"nothing\":null,"
                + "\"a\":[1,{},[]]}");
    assertThat(Json.parse(doc)).isInstanceOf(Map.class);
  }

  @Test
  void writerRefusesMisplacedNamesAndValuesAndUnfinishedDocuments() {
    assertThatThrownBy(() -> Json.writer().name("a"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("name(\"a\") where no member name is due");
    assertThatThrownBy(() -> Json.writer().beginObject().value(1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("a number in an object where a member name is due");
    assertThatThrownBy(() -> Json.writer().beginObject().name("a").endObject())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("after a name without its value");
    assertThatThrownBy(() -> Json.writer().beginArray().endObject())
        .hasMessageContaining("endObject() outside an object");
    assertThatThrownBy(() -> Json.writer().beginObject().endArray())
        .hasMessageContaining("endArray() outside an array");
    assertThatThrownBy(() -> Json.writer().value(1).value(2))
        .hasMessageContaining("a second top-level value");
    assertThatThrownBy(() -> Json.writer().beginArray().toString())
        .hasMessageContaining("1 array(s) or object(s) still open");
    assertThatThrownBy(() -> Json.writer().toString()).hasMessageContaining("nothing was written");
    assertThatThrownBy(() -> Json.writer().value(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("JSON has no NaN or infinity");
  }

  @Test
  void numbersAreWrittenSoTheyReadBack() {
    assertThat(Json.number(3.0)).isEqualTo("3.0");
    assertThat(Json.parse(Json.number(3.0))).isEqualTo(3.0);
    assertThat(Json.number(-0.5)).isEqualTo("-0.5");
    assertThat(Json.number(1e20)).isEqualTo("1.0E20");
    assertThat(Json.parse(Json.number(1e20))).isEqualTo(1e20);
    assertThat(Json.parse(Json.number(-0.0))).isEqualTo(-0.0);
  }

  @Property(tries = 300)
  void everyFiniteDoubleReadsBackExactly(@ForAll double d) {
    assertThat(Json.parse(Json.number(d))).isEqualTo(d);
  }

  @Property(tries = 300)
  void everyLongReadsBackAsALong(@ForAll long n) {
    assertThat(Json.parse(Json.writer().value(n).toString())).isEqualTo(n);
  }

  @Property(tries = 200)
  void randomDocumentsReadBackAsWritten(@ForAll("values") Object v) {
    Json.Writer w = Json.writer();
    write(w, v);
    assertThat(Json.parse(w.toString())).isEqualTo(v);
  }

  @Provide
  Arbitrary<Object> values() {
    return Arbitraries.recursive(
        () ->
            Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(8).map(s -> (Object) s),
                Arbitraries.longs().map(n -> (Object) n),
                Arbitraries.of(Boolean.TRUE, Boolean.FALSE).map(b -> (Object) b)),
        inner ->
            Arbitraries.oneOf(
                inner.list().ofMaxSize(4).map(l -> (Object) l),
                Arbitraries.maps(Arbitraries.strings().ofMaxLength(5), inner)
                    .ofMaxSize(4)
                    .map(m -> (Object) new LinkedHashMap<>(m))),
        3);
  }

  @SuppressWarnings("unchecked")
  private static void write(Json.Writer w, Object v) {
    if (v instanceof String) {
      w.value((String) v);
    } else if (v instanceof Long) {
      w.value((long) (Long) v);
    } else if (v instanceof Boolean) {
      w.value((boolean) (Boolean) v);
    } else if (v instanceof List) {
      w.beginArray();
      for (Object o : (List<Object>) v) {
        write(w, o);
      }
      w.endArray();
    } else {
      w.beginObject();
      for (Map.Entry<String, Object> e : ((Map<String, Object>) v).entrySet()) {
        w.name(e.getKey());
        write(w, e.getValue());
      }
      w.endObject();
    }
  }

  // ------------------------------------------------------------------ reader

  @Test
  void readsEveryKindOfValue() {
    Object v = Json.parse(" {\"a\": [1, -2.5e1, 0.0] }\r\n\t");
    assertThat(v).isEqualTo(Map.of("a", List.of(1L, -25.0, 0.0)));
    assertThat(Json.parse("\"\\u00e9\\/\\b\\f\\ud83d\\ude00\""))
        .isEqualTo("é/\b\f" + new String(Character.toChars(0x1F600)));
    assertThat(Json.parse("null")).isNull();
    assertThat(Json.parse("[true,false,null]"))
        .isEqualTo(java.util.Arrays.asList(true, false, null));
    assertThat(Json.parse("9223372036854775807")).isEqualTo(Long.MAX_VALUE);
    assertThat(Json.parse("-9223372036854775808")).isEqualTo(Long.MIN_VALUE);
    assertThat(Json.parse("9223372036854775808")).isEqualTo(9.223372036854775808e18);
  }

  @Test
  void parsedContainersAreUnmodifiable() {
    @SuppressWarnings("unchecked")
    Map<String, Object> m = (Map<String, Object>) Json.parse("{\"a\":[]}");
    assertThatThrownBy(() -> m.put("b", 1)).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> ((List<?>) m.get("a")).clear())
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void malformedInputFailsWithLineColumnAndWhatWasExpected() {
    bad("{\"a\": }", 1, 7, "unexpected character '}', expected a value");
    bad("{\"a\":1,}", 1, 8, "expected a member name in quotes");
    bad("[1,]", 1, 4, "unexpected character ']', expected a value");
    bad("[1 2]", 1, 4, "expected ',' or ']'");
    bad("{'a':1}", 1, 2, "expected a member name in quotes");
    bad("{\n  \"a\": tru\n}", 2, 8, "expected true");
    bad("01", 1, 1, "leading zero");
    bad("1.", 1, 3, "expected a digit after '.'");
    bad("-", 1, 2, "expected a digit");
    bad("1e", 1, 3, "expected a digit in the exponent");
    bad("1e999", 1, 1, "beyond the range of a double");
    bad("NaN", 1, 1, "unexpected character 'N', expected a value");
    bad("\"ab", 1, 1, "unterminated string");
    bad("\"a\\", 1, 1, "unterminated string");
    bad("\"a\u0001b\"", 1, 3, "raw control character U+0001 in a string");
    bad("\"a\nb\"", 1, 3, "raw control character U+000A");
    bad("\"\\x\"", 1, 2, "unknown escape \\'x'");
    bad("\"\\u12g4\"", 1, 2, "a \\u escape needs four hex digits");
    bad("\"\\u12", 1, 2, "a \\u escape needs four hex digits");
    bad("{\"a\":1,\"a\":2}", 1, 8, "duplicate member name \"a\"");
    bad("{} {}", 1, 4, "unexpected character '{' after the value");
    bad("", 1, 1, "unexpected end of input, expected a value");
    bad("   ", 1, 4, "unexpected end of input");
    bad("[", 1, 2, "unexpected end of input, expected a value");
    bad("{\"a\"", 1, 5, "unexpected end of input, expected ':'");
    bad("\u00a0 1", 1, 1, "unexpected character U+00A0, expected a value");
  }

  private static void bad(String text, int line, int column, String what) {
    assertThatThrownBy(() -> Json.parse(text))
        .as("%s", text)
        .isInstanceOfSatisfying(
            Json.ParseException.class,
            e -> {
              assertThat(e.line()).as("line of %s", text).isEqualTo(line);
              assertThat(e.column()).as("column of %s", text).isEqualTo(column);
              assertThat(e.getMessage())
                  .startsWith("malformed JSON at line " + line + ", column " + column + " (offset ")
                  .contains(what);
            });
  }

  @Test
  void depthAndSizeLimitsAreEnforcedBeforeTheyCostStack() {
    String deep = "[".repeat(100_000) + "]".repeat(100_000);
    assertThatThrownBy(() -> Json.parse(deep))
        .isInstanceOf(Json.ParseException.class)
        .hasMessageContaining("nested deeper than the limit of 64")
        .hasMessageContaining("offset 64)");
    assertThat(Json.parse("[[[1]]]", 100, 3)).isEqualTo(List.of(List.of(List.of(1L))));
    assertThatThrownBy(() -> Json.parse("[[[[1]]]]", 100, 3))
        .hasMessageContaining("nested deeper than the limit of 3");
    assertThatThrownBy(() -> Json.parse("\"" + "x".repeat(100) + "\"", 50, 3))
        .isInstanceOf(Json.ParseException.class)
        .hasMessageContaining("the text has 102 characters, more than the limit of 50");
    assertThatThrownBy(() -> Json.parse("1", 0, 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxChars and maxDepth must be at least 1, were 0 and 3");
    assertThatThrownBy(() -> Json.parse(null)).isInstanceOf(NullPointerException.class);
  }

  @Property(tries = 1000)
  void arbitraryTextIsReadOrRefusedWithAParseExceptionNeverAnythingElse(
      @ForAll("noise") String text) {
    try {
      Object v = Json.parse(text);
      // what was read writes back to something that reads the same
      Json.Writer w = Json.writer();
      writeAny(w, v);
      assertThat(Json.parse(w.toString())).isEqualTo(v);
    } catch (Json.ParseException e) {
      assertThat(e.getMessage()).startsWith("malformed JSON at line ");
      assertThat(e.offset()).isBetween(0, text.length());
    }
  }

  @Provide
  Arbitrary<String> noise() {
    Arbitrary<String> fromTokens =
        Arbitraries.of(
                "{", "}", "[", "]", ",", ":", "\"a\"", "\"", "\\", "1", "-", "0", ".", "e", "true",
                "nul", "null", " ", "\n", "\\u00", "\u0001", "\uD83D", "1e5", "\"k\":")
            .list()
            .ofMaxSize(20)
            .map(l -> String.join("", l));
    return Arbitraries.oneOf(fromTokens, Arbitraries.strings().ofMaxLength(20));
  }

  @SuppressWarnings("unchecked")
  private static void writeAny(Json.Writer w, Object v) {
    if (v == null) {
      w.nullValue();
    } else if (v instanceof Double) {
      w.value((double) (Double) v);
    } else if (v instanceof Map) {
      w.beginObject();
      for (Map.Entry<String, Object> e : ((Map<String, Object>) v).entrySet()) {
        w.name(e.getKey());
        writeAny(w, e.getValue());
      }
      w.endObject();
    } else if (v instanceof List) {
      w.beginArray();
      for (Object o : new ArrayList<>((List<Object>) v)) {
        writeAny(w, o);
      }
      w.endArray();
    } else {
      write(w, v);
    }
  }
}
