package dev.timerguard.junit.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the verifications of a run saw but did not blame on a test, to be reported once at the end
 * of the run as information: resources of the test framework and build tool, process-wide resources
 * created in static initializers, and what could not be attributed to one test. Entries are kept
 * once per key (the first text wins). One per JVM; thread-safe; at most 1,000 entries (later ones
 * are counted, not kept).
 */
public final class RunLedger {

  /** What kind of information an entry is. */
  public enum Kind {
    /** Started by the test framework or build tool: ignored by the default list. */
    FRAMEWORK("test framework and build tool resources (ignored by default)"),
    /** Created in a static initializer or a configured singleton: process-wide by design. */
    SINGLETON("process-wide resources created in static initializers (fail no test unless strict)"),
    /** Could not be attributed to a test, so no test was blamed. */
    UNATTRIBUTED("not attributable to one test (blamed on none)");

    private final String title;

    Kind(String title) {
      this.title = title;
    }

    /** A heading for the entries of this kind. */
    public String title() {
      return title;
    }
  }

  /** One entry. */
  public record Entry(Kind kind, String key, String text) {}

  private static final int MAX = 1000;
  private static final RunLedger GLOBAL = new RunLedger();

  private final Map<String, Entry> entries = new LinkedHashMap<>();
  private int dropped;

  /** The JVM's ledger. */
  public static RunLedger global() {
    return GLOBAL;
  }

  /** Adds an entry unless one with the same key is there. */
  public synchronized void add(Kind kind, String key, String text) {
    if (entries.containsKey(key)) {
      return;
    }
    if (entries.size() >= MAX) {
      dropped++;
      return;
    }
    entries.put(key, new Entry(kind, key, text));
  }

  /** The entries so far, in the order added (they stay). */
  public synchronized List<Entry> entries() {
    return new ArrayList<>(entries.values());
  }

  /** Takes every entry out, in the order added. */
  public synchronized List<Entry> drain() {
    List<Entry> out = new ArrayList<>(entries.values());
    entries.clear();
    dropped = 0;
    return out;
  }

  /** The number of entries not kept since the last drain because the ledger was full. */
  public synchronized int dropped() {
    return dropped;
  }

  /** Renders entries grouped by kind; empty when there are none. */
  public static String format(List<Entry> entries, int dropped) {
    if (entries.isEmpty()) {
      return "";
    }
    StringBuilder b = new StringBuilder("TimerGuard, information for this run (not failures):\n");
    for (Kind k : Kind.values()) {
      boolean head = false;
      for (Entry e : entries) {
        if (e.kind() != k) {
          continue;
        }
        if (!head) {
          b.append("\n  ").append(k.title()).append(":\n");
          head = true;
        }
        b.append("    - ").append(e.text().replace("\n", "\n      ")).append('\n');
      }
    }
    if (dropped > 0) {
      b.append("\n  (").append(dropped).append(" more entries not kept)\n");
    }
    return b.toString();
  }
}
