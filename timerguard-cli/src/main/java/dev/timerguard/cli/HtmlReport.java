package dev.timerguard.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code report.html} of the evidence bundle: one self-contained page (inline CSS, inline SVG drawn
 * here, no script, nothing fetched) with the verdict, the leaking lines, a plot of live timers per
 * growing site over the sampling window (one {@code <polyline data-site=...>} per finding: live
 * timers for a timer site or an executor created per call, retained cancelled tasks for an executor
 * that keeps them), the class-histogram diff and the growing thread groups.
 *
 * <p>Stateless. Every name from the target (sites, classes, thread stacks) is escaped for HTML
 * after its control characters are made visible ({@link ReportWriter#safe}), so a hostile thread or
 * class name can neither inject markup nor forge a line.
 */
final class HtmlReport {

  /** Rows of the class-histogram diff beyond the timer classes, by instance growth. */
  static final int TOP_CLASSES = 20;

  private static final String[] COLORS = {
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2",
    "#7f7f7f", "#bcbd22"
  };

  /** Dash patterns, so series with the same values stay told apart. */
  private static final String[] DASHES = {"none", "8 4", "2 3", "12 3 2 3"};

  private static final Pattern HISTO_LINE =
      Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");
  private static final int W = 960;
  private static final int H = 380;
  private static final int LEFT = 70;
  private static final int RIGHT = 170;
  private static final int TOP = 20;
  private static final int BOTTOM = 50;

  private HtmlReport() {}

  /** One plotted finding: its values at the seconds since the first sample. */
  record Series(Diagnosis.SiteFinding finding, String metric, double[] seconds, long[] values) {}

  /** Whether an executor finding is about retained cancelled tasks (not live executors). */
  static boolean retained(Diagnosis.SiteFinding f) {
    return f.kind() == Diagnosis.FindingKind.CANCELLED_TASKS_RETAINED;
  }

  /** Every growing finding of {@code r}, in report order. */
  static List<Diagnosis.SiteFinding> growing(Diagnosis.Report r) {
    List<Diagnosis.SiteFinding> all = new ArrayList<>(r.timerSites());
    all.addAll(r.executors());
    return all;
  }

  /**
   * Reads the series of {@code r}'s growing findings back from the bundle's samples CSV.
   *
   * @throws IOException if the CSV cannot be read
   */
  static List<Series> series(Diagnosis.Report r, Path csv) throws IOException {
    List<Diagnosis.SiteFinding> findings = growing(r);
    Map<String, List<long[]>> bySite =
        new HashMap<>(); // kind + location -> (epochMillis, live, retained)
    Set<String> wanted = new TreeSet<>();
    for (Diagnosis.SiteFinding f : findings) {
      wanted.add(f.site().kind() + "\t" + f.site().location());
    }
    long first = Long.MAX_VALUE;
    try (BufferedReader in = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
      String line = in.readLine(); // header
      while ((line = in.readLine()) != null) {
        int a = line.indexOf(',');
        int b = line.indexOf(',', a + 1);
        int[] tail = new int[5];
        int end = line.length();
        for (int i = 4; i >= 0; i--) {
          end = line.lastIndexOf(',', end - 1);
          tail[i] = end;
        }
        long t = Instant.parse(line.substring(0, a)).toEpochMilli();
        first = Math.min(first, t);
        String site = line.substring(b + 1, tail[0]);
        if (site.startsWith("\"")) {
          site = site.substring(1, site.length() - 1).replace("\"\"", "\"");
        }
        String key = line.substring(a + 1, b) + "\t" + site;
        if (!wanted.contains(key)) {
          continue;
        }
        long live = Long.parseLong(line.substring(tail[0] + 1, tail[1]));
        long retained = Long.parseLong(line.substring(tail[4] + 1));
        bySite.computeIfAbsent(key, k -> new ArrayList<>()).add(new long[] {t, live, retained});
      }
    }
    List<Series> out = new ArrayList<>();
    for (Diagnosis.SiteFinding f : findings) {
      List<long[]> rows =
          bySite.getOrDefault(f.site().kind() + "\t" + f.site().location(), List.of());
      boolean ret = retained(f);
      double[] x = new double[rows.size()];
      long[] y = new long[rows.size()];
      for (int i = 0; i < rows.size(); i++) {
        x[i] = (rows.get(i)[0] - first) / 1000.0;
        y[i] = rows.get(i)[ret ? 2 : 1];
      }
      out.add(new Series(f, ret ? "retained" : "live", x, y));
    }
    return out;
  }

  /** The page. {@code histoStart}/{@code histoEnd} may be null (not captured). */
  static String render(
      Diagnosis.Report r, String histoStart, String histoEnd, List<Series> series) {
    StringBuilder b = new StringBuilder(16_384);
    b.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<title>TimerGuard doctor: JVM ")
        .append(r.pid())
        .append("</title>\n")
        .append("<style>\n")
        .append(
            "body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1000px;color:#222}\n")
        .append(
            "h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}\n")
        .append(
            "table{border-collapse:collapse;width:100%}td,th{border:1px solid #ddd;padding:3px 6px;")
        .append("text-align:left;vertical-align:top}th{background:#f4f4f4}td.n{text-align:right;")
        .append("font-variant-numeric:tabular-nums}code{font:12px ui-monospace,monospace}")
        .append(
            ".verdict{padding:8px 12px;border-radius:4px}.leak{background:#fde2e1}.ok{background:#e3f5e1}")
        .append(".sev{font-weight:bold}.timer{color:#b00}svg text{font:11px sans-serif}")
        .append("pre{font:11px ui-monospace,monospace;margin:4px 0;white-space:pre-wrap}")
        .append("td code{overflow-wrap:anywhere}\n")
        .append("</style>\n</head>\n<body>\n");
    b.append("<h1>TimerGuard doctor: JVM ").append(r.pid()).append("</h1>\n");
    b.append("<p>")
        .append(r.samples())
        .append(" samples over ")
        .append(r.duration().toSeconds())
        .append(" s.</p>\n");
    b.append("<p class=\"verdict ")
        .append(r.leak() ? "leak" : "ok")
        .append("\" id=\"verdict\">")
        .append(r.leak() ? "LEAK" : "No leak found")
        .append(": ")
        .append(html(r.branch()))
        .append("</p>\n");

    b.append(
        "<h2>Decision tree</h2>\n<table><tr><th>question</th><th>answer</th><th>evidence</th></tr>\n");
    for (Diagnosis.Step s : r.tree()) {
      b.append("<tr><td>")
          .append(html(s.question()))
          .append("</td><td>")
          .append(s.yes() ? "yes" : "no")
          .append("</td><td>")
          .append(html(s.evidence()))
          .append("</td></tr>\n");
    }
    b.append("</table>\n");

    b.append("<h2>Leaking lines</h2>\n");
    List<Diagnosis.SiteFinding> findings = growing(r);
    if (findings.isEmpty()) {
      b.append("<p>No timer site or executor grew in this window.</p>\n");
    } else {
      b.append(
          "<table id=\"leaking-lines\"><tr><th>severity</th><th>growth</th><th>site</th><th>fix</th></tr>\n");
      for (Diagnosis.SiteFinding f : findings) {
        String what =
            f.site().kind() == dev.timerguard.live.CallSite.Kind.EXECUTOR
                ? (retained(f) ? "retained" : "live executors")
                : "live";
        b.append("<tr><td class=\"sev\">")
            .append(f.growth().severity())
            .append("</td><td class=\"n\">")
            .append(
                String.format(
                    Locale.ROOT,
                    "%+.1f %s/s<br>%d &rarr; %d",
                    f.growth().ratePerSecond(),
                    what,
                    f.growth().first(),
                    f.growth().last()))
            .append("</td><td>")
            .append(f.site().kind())
            .append(" <code class=\"site\">")
            .append(html(f.site().location()))
            .append("</code></td><td>")
            .append(html(f.fix()))
            .append("</td></tr>\n");
      }
      b.append("</table>\n");
    }

    b.append("<h2>Live timers per growing site</h2>\n");
    plot(b, series);

    b.append("<h2>Class histogram, start and end of sampling</h2>\n");
    histogramTable(b, r, histoStart, histoEnd);

    b.append("<h2>Thread groups that grow (by identical stack)</h2>\n");
    if (r.threadGroups().isEmpty()) {
      b.append("<p>None.</p>\n");
    } else {
      b.append(
          "<table id=\"thread-groups\"><tr><th>severity</th><th>threads</th><th>state</th><th>where</th></tr>\n");
      for (Diagnosis.ThreadFinding t : r.threadGroups()) {
        b.append("<tr><td class=\"sev\">")
            .append(t.growth().severity())
            .append("</td><td class=\"n\">")
            .append(
                String.format(
                    Locale.ROOT,
                    "%d &rarr; %d<br>%+.1f/s",
                    t.first(),
                    t.last(),
                    t.growth().ratePerSecond()))
            .append("</td><td>")
            .append(html(t.state()))
            .append("</td><td><code>")
            .append(html(t.label()))
            .append("</code>");
        if (!t.stack().isEmpty()) {
          b.append("<details><summary>stack</summary><pre>");
          for (String f : t.stack()) {
            b.append(html(f)).append('\n');
          }
          b.append("</pre></details>");
        }
        b.append("</td></tr>\n");
      }
      b.append("</table>\n");
    }
    b.append(
        "<p>The raw material is beside this page: <code>samples.csv</code>, <code>histogram-start.txt</code>,"
            + " <code>histogram-end.txt</code>, the thread dump and <code>recording.jfr</code>;"
            + " <code>README.txt</code> lists them.</p>\n");
    return b.append("</body>\n</html>\n").toString();
  }

  private static void plot(StringBuilder b, List<Series> series) {
    double maxX = 1;
    long maxY = 1;
    for (Series s : series) {
      for (double x : s.seconds()) {
        maxX = Math.max(maxX, x);
      }
      for (long y : s.values()) {
        maxY = Math.max(maxY, y);
      }
    }
    long step = niceStep(maxY);
    long top = ((maxY + step - 1) / step) * step;
    int pw = W - LEFT - RIGHT;
    int ph = H - TOP - BOTTOM;
    b.append("<svg id=\"plot\" xmlns=\"http://www.w3.org/2000/svg\" width=\"")
        .append(W)
        .append("\" height=\"")
        .append(H)
        .append("\" viewBox=\"0 0 ")
        .append(W)
        .append(' ')
        .append(H)
        .append(
            "\" role=\"img\" aria-label=\"live timers per growing site over the sampling window\">\n");
    b.append("<rect x=\"")
        .append(LEFT)
        .append("\" y=\"")
        .append(TOP)
        .append("\" width=\"")
        .append(pw)
        .append("\" height=\"")
        .append(ph)
        .append("\" fill=\"#fff\" stroke=\"#999\"/>\n");
    for (long v = 0; v <= top; v += step) {
      double y = TOP + ph - (double) v / top * ph;
      b.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>"
                  + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%d</text>%n",
              LEFT,
              y,
              LEFT + pw,
              y,
              LEFT - 6,
              y + 4,
              v));
    }
    double xStep = niceStep((long) Math.ceil(maxX));
    for (double v = 0; v <= maxX + 1e-9; v += xStep) {
      double x = LEFT + v / maxX * pw;
      b.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#999\"/>"
                  + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
              x,
              TOP + ph,
              x,
              TOP + ph + 5,
              x,
              TOP + ph + 18,
              trim(v)));
    }
    b.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">seconds since the first sample</text>%n",
            LEFT + pw / 2,
            H - 8));
    b.append(
        String.format(
            Locale.ROOT,
            "<text transform=\"translate(16 %d) rotate(-90)\" text-anchor=\"middle\">live timers"
                + " (retained: cancelled tasks kept)</text>%n",
            TOP + ph / 2));
    if (series.isEmpty()) {
      b.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">no site grew in this window</text>%n",
              LEFT + pw / 2,
              TOP + ph / 2));
    }
    double[] labelY = new double[series.size()];
    double[] labelX = new double[series.size()];
    int i = 0;
    for (Series s : series) {
      String color = COLORS[i % COLORS.length];
      String site = html(s.finding().site().location());
      StringBuilder pts = new StringBuilder();
      double lastX = LEFT;
      double lastY = TOP + ph;
      for (int k = 0; k < s.values().length; k++) {
        lastX = LEFT + s.seconds()[k] / maxX * pw;
        lastY = TOP + ph - (double) s.values()[k] / top * ph;
        pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", lastX, lastY));
      }
      labelX[i] = lastX + 4;
      labelY[i] = lastY + 4;
      b.append("<polyline class=\"series\" data-site=\"")
          .append(site)
          .append("\" data-kind=\"")
          .append(s.finding().site().kind())
          .append("\" data-metric=\"")
          .append(s.metric())
          .append("\" fill=\"none\" stroke=\"")
          .append(color)
          .append("\" stroke-width=\"2\"")
          .append(" stroke-dasharray=\"")
          .append(DASHES[(i / COLORS.length + i) % DASHES.length])
          .append("\" points=\"")
          .append(pts.toString().trim())
          .append("\"><title>")
          .append(site)
          .append(" (")
          .append(s.metric())
          .append(")</title></polyline>\n");
      i++;
    }
    // labels at the lines' ends, pushed apart so that lines ending together stay readable
    Integer[] order = new Integer[series.size()];
    for (int k = 0; k < order.length; k++) {
      order[k] = k;
    }
    java.util.Arrays.sort(order, (x, y) -> Double.compare(labelY[x], labelY[y]));
    double previous = Double.NEGATIVE_INFINITY;
    for (int k : order) {
      labelY[k] = Math.max(labelY[k], previous + 13);
      previous = labelY[k];
      Series s = series.get(k);
      b.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%.1f\" y=\"%.1f\" fill=\"%s\">%s</text>%n",
              labelX[k],
              labelY[k],
              COLORS[k % COLORS.length],
              html(shortLabel(s.finding().site()) + " " + s.metric())));
    }
    b.append("</svg>\n");
    if (!series.isEmpty()) {
      b.append("<table id=\"legend\"><tr><th></th><th>site</th><th>plotted</th></tr>\n");
      i = 0;
      for (Series s : series) {
        b.append(
                "<tr><td><svg width=\"32\" height=\"10\"><line x1=\"0\" y1=\"5\" x2=\"32\" y2=\"5\" stroke=\"")
            .append(COLORS[i % COLORS.length])
            .append("\" stroke-dasharray=\"")
            .append(DASHES[(i / COLORS.length + i) % DASHES.length])
            .append("\" stroke-width=\"3\"/></svg></td><td><code>")
            .append(html(s.finding().site().location()))
            .append("</code></td><td>")
            .append(
                s.metric().equals("retained")
                    ? "cancelled tasks retained by the executor"
                    : s.finding().site().kind() == dev.timerguard.live.CallSite.Kind.EXECUTOR
                        ? "live executors"
                        : "live timers")
            .append("</td></tr>\n");
        i++;
      }
      b.append("</table>\n");
    }
  }

  private static void histogramTable(
      StringBuilder b, Diagnosis.Report r, String start, String end) {
    if (start == null || end == null) {
      b.append("<p>Not captured: ")
          .append(start == null ? "histogram-start.txt" : "histogram-end.txt")
          .append(" is missing.</p>\n");
      return;
    }
    Map<String, long[]> before = parse(start);
    Map<String, long[]> after = parse(end);
    Set<String> timerClasses = new TreeSet<>(DecisionTree.TIMER_CLASSES);
    for (Diagnosis.HistoFinding h : r.histogram()) {
      timerClasses.add(h.className());
    }
    Set<String> names = new TreeSet<>(before.keySet());
    names.addAll(after.keySet());
    List<Object[]> all = new ArrayList<>();
    for (String c : names) {
      long[] bf = before.getOrDefault(c, new long[2]);
      long[] af = after.getOrDefault(c, new long[2]);
      all.add(new Object[] {c, bf, af, af[0] - bf[0]});
    }
    all.sort((x, y) -> Long.compare((long) y[3], (long) x[3]));
    Map<String, Object[]> shown = new LinkedHashMap<>();
    for (Object[] o : all) {
      String c = (String) o[0];
      boolean timer = timerClasses.contains(c);
      if (timer || (shown.size() < TOP_CLASSES + timerClasses.size() && (long) o[3] != 0)) {
        shown.put(c, o);
      }
    }
    b.append(
            "<p>Instances after a full GC at the start and at the end; the timer classes (marked)"
                + " and the ")
        .append(TOP_CLASSES)
        .append(" classes that changed most.</p>\n");
    b.append(
        "<table id=\"histogram\"><tr><th>class</th><th>instances at start</th><th>at end</th>"
            + "<th>change</th><th>bytes at end</th></tr>\n");
    for (Object[] o : shown.values()) {
      String c = (String) o[0];
      long[] bf = (long[]) o[1];
      long[] af = (long[]) o[2];
      boolean timer = timerClasses.contains(c);
      b.append("<tr")
          .append(timer ? " class=\"timer\"" : "")
          .append("><td><code>")
          .append(html(c))
          .append("</code>")
          .append(timer ? " (timer)" : "")
          .append("</td><td class=\"n\">")
          .append(bf[0])
          .append("</td><td class=\"n\">")
          .append(af[0])
          .append("</td><td class=\"n\">")
          .append(String.format(Locale.ROOT, "%+d", af[0] - bf[0]))
          .append("</td><td class=\"n\">")
          .append(af[1])
          .append("</td></tr>\n");
    }
    b.append("</table>\n");
  }

  /** Class name to {instances, bytes}. */
  private static Map<String, long[]> parse(String text) {
    Map<String, long[]> out = new HashMap<>();
    for (String line : text.split("\n")) {
      Matcher m = HISTO_LINE.matcher(line);
      if (m.find()) {
        long[] v = out.computeIfAbsent(m.group(3), k -> new long[2]);
        v[0] += Long.parseLong(m.group(1));
        v[1] += Long.parseLong(m.group(2));
      }
    }
    return out;
  }

  private static String shortLabel(dev.timerguard.live.CallSite s) {
    return s.fileName() + (s.line() >= 0 ? ":" + s.line() : "");
  }

  /** 1, 2 or 5 times a power of ten, giving at most about six ticks up to {@code max}. */
  static long niceStep(long max) {
    long step = 1;
    while (true) {
      for (long m : new long[] {1, 2, 5}) {
        if (max / (step * m) <= 6) {
          return step * m;
        }
      }
      step *= 10;
    }
  }

  private static String trim(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v);
  }

  /** Text for HTML content or a quoted attribute. */
  static String html(String s) {
    String t = ReportWriter.safe(s);
    StringBuilder b = new StringBuilder(t.length() + 16);
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      switch (c) {
        case '&':
          b.append("&amp;");
          break;
        case '<':
          b.append("&lt;");
          break;
        case '>':
          b.append("&gt;");
          break;
        case '"':
          b.append("&quot;");
          break;
        case '\'':
          b.append("&#39;");
          break;
        default:
          b.append(c);
      }
    }
    return b.toString();
  }
}
