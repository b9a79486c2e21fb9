package dev.timerguard.cli.soak;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One parsed Prometheus text scrape of the agent's {@code /metrics}: rows of name, labels and
 * value. Immutable. A line that is not a comment and not a sample row fails the parse with the line
 * quoted (the agent's output is contract-tested, so a bad line is a real regression).
 */
final class Scrape {

  record Row(String name, Map<String, String> labels, double value) {}

  private static final Pattern ROW =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})? (\\S+)$");
  private static final Pattern LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  private final List<Row> rows;

  private Scrape(List<Row> rows) {
    this.rows = rows;
  }

  static Scrape parse(String text) {
    List<Row> rows = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      Matcher m = ROW.matcher(line);
      if (!m.matches()) {
        throw new IllegalArgumentException("not a Prometheus sample row: '" + line + "'");
      }
      Map<String, String> labels = new LinkedHashMap<>();
      if (m.group(2) != null) {
        Matcher l = LABEL.matcher(m.group(2));
        while (l.find()) {
          labels.put(l.group(1), l.group(2));
        }
      }
      rows.add(
          new Row(m.group(1), Collections.unmodifiableMap(labels), Double.parseDouble(m.group(3))));
    }
    return new Scrape(List.copyOf(rows));
  }

  /** The value of an unlabelled metric, or the sum over its label sets; 0 when absent. */
  double total(String name) {
    double sum = 0;
    for (Row r : rows) {
      if (r.name().equals(name)) {
        sum += r.value();
      }
    }
    return sum;
  }

  /** The {@code site} labels of rows of {@code name} whose value is at least {@code min}. */
  List<String> sitesAtLeast(String name, double min) {
    List<String> out = new ArrayList<>();
    for (Row r : rows) {
      if (r.name().equals(name) && r.value() >= min) {
        out.add(r.labels().get("kind") + " " + r.labels().get("site"));
      }
    }
    return out;
  }

  /**
   * The value of {@code name} at the site of {@code className} line {@code line} (summed over
   * kinds), or 0 when the site has no such row.
   */
  double atSite(String name, String className, int line) {
    String l = Integer.toString(line);
    double sum = 0;
    for (Row r : rows) {
      if (r.name().equals(name)
          && className.equals(r.labels().get("class"))
          && l.equals(r.labels().get("line"))) {
        sum += r.value();
      }
    }
    return sum;
  }

  /** The {@code kind} labels of rows of {@code name} at a site. */
  List<String> kindsAt(String name, String className, int line) {
    List<String> out = new ArrayList<>();
    for (Row r : rows) {
      if (r.name().equals(name)
          && className.equals(r.labels().get("class"))
          && Integer.toString(line).equals(r.labels().get("line"))) {
        out.add(r.labels().get("kind"));
      }
    }
    return out;
  }
}
