package dev.timerguard.live;

import dev.timerguard.internal.Json;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The one wire format of a {@link Snapshot}: what the agent serves (JMX attribute {@code
 * SnapshotJson}, HTTP {@code /snapshot}) and the doctor reads. A JSON object:
 *
 * <pre>{@code
 * {"format":"timerguard-snapshot","version":1,"nanoTime":123,"epochMillis":1700000000000,
 *  "sites":[{"kind":"EXECUTOR","class":"com.acme.Rpc","method":"read","file":"Rpc.java",
 *            "line":88,"created":5,"fired":0,"cancelled":1,"live":4,"peak":4,
 *            "oldestLiveAgeNanos":2000000000,"retained":0,"queued":12}]}
 * }</pre>
 *
 * <p><b>Fields (version 1).</b> {@code format} is always {@value #FORMAT}; {@code version} the
 * format's major version ({@value #VERSION}); {@code nanoTime} and {@code epochMillis} are the
 * snapshot's {@link Snapshot#nanoTime()} and {@link Snapshot#epochMillis()}; {@code sites} lists
 * the {@link SiteStats} in the snapshot's order: {@code kind} one of {@link CallSite.Kind}'s names,
 * {@code class}, {@code method} and {@code file} strings ({@code class} and {@code method} not
 * empty), {@code line} a whole number, -1 when unknown, and the counters as whole numbers, all
 * non-negative except {@code retained} (a gauge), with {@code live} at most {@code created} and
 * {@code peak}. The sites {@link CallSite#other(CallSite.Kind)} stands for are written with {@code
 * "other"} names and line -1 and read back as those very sites. No site appears twice.
 *
 * <p><b>Compatibility.</b> A reader ignores members it does not know, at the top and in a site, so
 * a writer of the same major version may add fields; a field added later is optional and its
 * absence has a stated default. A reader refuses a document of a newer major version with a message
 * saying which version it read and which it understands; a change a reader of this version could
 * misread (a field removed, renamed or meaning something else) needs a new major version. The
 * format is described for people in {@code docs/snapshot-format.md}.
 *
 * <p><b>Bad input.</b> {@link #decode(String)} refuses malformed JSON (with its line and column),
 * documents beyond {@value #MAX_CHARS} characters or nested deeper than {@value #MAX_DEPTH}, and
 * documents that break the rules above, with one {@link IllegalArgumentException} naming the site
 * (by its index from 0) and the field. Stateless and thread-safe.
 */
public final class SnapshotCodec {

  /** The value of the {@code format} member. */
  public static final String FORMAT = "timerguard-snapshot";

  /** The major version this class writes and the newest it reads. */
  public static final int VERSION = 1;

  /**
   * The largest document {@link #decode(String)} reads, in characters: 16 Mi (a registry full of
   * sites with long names takes a few Mi).
   */
  public static final int MAX_CHARS = 16 * 1024 * 1024;

  /** The deepest nesting {@link #decode(String)} reads (a site sits at depth 3). */
  public static final int MAX_DEPTH = 16;

  private SnapshotCodec() {}

  /**
   * {@code snapshot} as a version-{@value #VERSION} document.
   *
   * @throws NullPointerException if {@code snapshot} is null
   */
  public static String encode(Snapshot snapshot) {
    Objects.requireNonNull(snapshot, "snapshot");
    Json.Writer w = Json.writer();
    w.beginObject()
        .field("format", FORMAT)
        .field("version", VERSION)
        .field("nanoTime", snapshot.nanoTime())
        .field("epochMillis", snapshot.epochMillis())
        .name("sites")
        .beginArray();
    for (SiteStats s : snapshot.sites()) {
      CallSite c = s.site();
      w.beginObject()
          .field("kind", c.kind().name())
          .field("class", c.className())
          .field("method", c.methodName())
          .field("file", c.fileName())
          .field("line", c.line())
          .field("created", s.created())
          .field("fired", s.fired())
          .field("cancelled", s.cancelled())
          .field("live", s.live())
          .field("peak", s.peak())
          .field("oldestLiveAgeNanos", s.oldestLiveAgeNanos())
          .field("retained", s.retained())
          .field("queued", s.queued())
          .endObject();
    }
    return w.endArray().endObject().toString();
  }

  /**
   * Reads a document written by {@link #encode(Snapshot)} of this or an older writer of the same
   * major version.
   *
   * @throws NullPointerException if {@code json} is null
   * @throws IllegalArgumentException naming the line and column of malformed JSON, or the member
   *     (and site) that breaks the format, or the newer version it cannot read
   */
  public static Snapshot decode(String json) {
    Objects.requireNonNull(json, "json");
    Object root;
    try {
      root = Json.parse(json, MAX_CHARS, MAX_DEPTH);
    } catch (Json.ParseException e) {
      throw new IllegalArgumentException("not a TimerGuard snapshot: " + e.getMessage(), e);
    }
    if (!(root instanceof Map)) {
      throw bad("the document must be a JSON object, was " + type(root));
    }
    Map<?, ?> top = (Map<?, ?>) root;
    Object format = top.get("format");
    if (!FORMAT.equals(format)) {
      throw bad(
          "\"format\" must be \""
              + FORMAT
              + "\", was "
              + (format == null && !top.containsKey("format") ? "missing" : show(format)));
    }
    long version = whole(top, "version", "");
    if (version > VERSION) {
      throw new IllegalArgumentException(
          "this TimerGuard snapshot has format version "
              + version
              + ", newer than the version "
              + VERSION
              + " this reader understands: use a TimerGuard of the same version as the agent");
    }
    if (version < 1) {
      throw bad("\"version\" must be 1 or more, was " + version);
    }
    long nanoTime = whole(top, "nanoTime", "");
    long epochMillis = whole(top, "epochMillis", "");
    Object sitesValue = top.get("sites");
    if (!(sitesValue instanceof List)) {
      throw bad("\"sites\" must be an array, was " + type(sitesValue));
    }
    List<?> list = (List<?>) sitesValue;
    List<SiteStats> sites = new ArrayList<>(list.size());
    Set<CallSite> seen = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      SiteStats s = site(list.get(i), "site " + i + ": ");
      if (!seen.add(s.site())) {
        throw bad(
            "site " + i + ": " + s.site().kind() + " " + s.site().location() + " is listed twice");
      }
      sites.add(s);
    }
    return new Snapshot(nanoTime, epochMillis, sites);
  }

  private static SiteStats site(Object value, String where) {
    if (!(value instanceof Map)) {
      throw bad(where + "must be a JSON object, was " + type(value));
    }
    Map<?, ?> m = (Map<?, ?>) value;
    String kindName = text(m, "kind", where);
    CallSite.Kind kind;
    try {
      kind = CallSite.Kind.valueOf(kindName);
    } catch (IllegalArgumentException e) {
      throw bad(
          where
              + "\"kind\" "
              + show(kindName)
              + " is not one of "
              + Arrays.toString(CallSite.Kind.values()));
    }
    String cls = text(m, "class", where);
    String method = text(m, "method", where);
    if (cls.isEmpty() || method.isEmpty()) {
      throw bad(where + "\"class\" and \"method\" must not be empty");
    }
    String file = text(m, "file", where);
    long line = whole(m, "line", where);
    if (line < -1 || line > Integer.MAX_VALUE) {
      throw bad(where + "\"line\" must be -1 (unknown) or a line number, was " + line);
    }
    CallSite other = CallSite.other(kind);
    CallSite site =
        cls.equals(other.className())
                && method.equals(other.methodName())
                && file.equals(other.fileName())
                && line == other.line()
            ? other
            : CallSite.of(kind, cls, method, file, (int) line);
    long created = count(m, "created", where);
    long fired = count(m, "fired", where);
    long cancelled = count(m, "cancelled", where);
    long live = count(m, "live", where);
    long peak = count(m, "peak", where);
    long age = count(m, "oldestLiveAgeNanos", where);
    long retained = whole(m, "retained", where);
    long queued = count(m, "queued", where);
    if (live > created || live > peak) {
      throw bad(
          where
              + "\"live\" ("
              + live
              + ") is above \"created\" ("
              + created
              + ") or \"peak\" ("
              + peak
              + ")");
    }
    return new SiteStats(site, created, fired, cancelled, live, peak, age, retained, queued);
  }

  private static String text(Map<?, ?> m, String name, String where) {
    Object v = m.get(name);
    if (!(v instanceof String)) {
      throw bad(where + "\"" + name + "\" must be a string, was " + present(m, name, v));
    }
    return (String) v;
  }

  private static long whole(Map<?, ?> m, String name, String where) {
    Object v = m.get(name);
    if (!(v instanceof Long)) {
      throw bad(
          where + "\"" + name + "\" must be a whole number (a long), was " + present(m, name, v));
    }
    return (Long) v;
  }

  private static long count(Map<?, ?> m, String name, String where) {
    long n = whole(m, name, where);
    if (n < 0) {
      throw bad(where + "\"" + name + "\" must not be negative, was " + n);
    }
    return n;
  }

  private static String present(Map<?, ?> m, String name, Object v) {
    return v == null && !m.containsKey(name) ? "missing" : show(v);
  }

  private static String show(Object v) {
    if (v instanceof String) {
      String s = (String) v;
      return Json.quote(s.length() > 60 ? s.substring(0, 60) + "..." : s);
    }
    if (v instanceof Map || v instanceof List) {
      return type(v);
    }
    return String.valueOf(v);
  }

  private static String type(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof Map) {
      return "an object";
    }
    if (v instanceof List) {
      return "an array";
    }
    if (v instanceof String) {
      return "a string";
    }
    if (v instanceof Boolean) {
      return "a boolean";
    }
    return "a number";
  }

  private static IllegalArgumentException bad(String why) {
    return new IllegalArgumentException("not a valid TimerGuard snapshot: " + why);
  }
}
