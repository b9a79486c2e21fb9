package dev.timerguard.cli;

import dev.timerguard.internal.Json;
import dev.timerguard.live.GrowthVerdict;
import java.util.Locale;

/**
 * Renders a {@link Diagnosis.Report} as text for people or JSON for machines. Stateless.
 *
 * <p>Names that come from the target JVM (thread names, class, method and file names, stack frames)
 * may hold any character: the text report shows control characters escaped ({@link #safe}), so a
 * thread whose name holds an ESC [2J sequence cannot clear the reader's terminal or forge a report
 * line; the JSON report escapes them as JSON does.
 */
final class ReportWriter {

  private ReportWriter() {}

  static String text(Diagnosis.Report r) {
    StringBuilder b = new StringBuilder();
    b.append("timerguard doctor: JVM ")
        .append(r.pid())
        .append(", ")
        .append(r.samples())
        .append(" samples over ")
        .append(r.duration().toSeconds())
        .append(" s\n\n");
    b.append("Decision tree (Is heap growing? Is it timers? Are threads growing?)\n");
    int i = 1;
    for (Diagnosis.Step s : r.tree()) {
      b.append(
          String.format(
              Locale.ROOT,
              "  %d. %-22s %-4s %s%n",
              i++,
              s.question(),
              s.yes() ? "yes" : "no",
              s.evidence()));
    }
    b.append("  Branch taken: ").append(r.branch()).append("\n");

    b.append("\nTimer sites whose live timers grow")
        .append(r.timerSites().isEmpty() ? ": none\n" : "\n");
    for (Diagnosis.SiteFinding f : r.timerSites()) {
      site(b, f);
    }
    long histoGrowth = 0;
    for (Diagnosis.HistoFinding h : r.histogram()) {
      histoGrowth += Math.max(0, h.after() - h.before());
    }
    if (r.timerSites().isEmpty() && r.executors().isEmpty() && histoGrowth > 0) {
      b.append("      note: pending timer objects grow (+")
          .append(histoGrowth)
          .append(
              " in the class histogram below) but no instrumented site does: they come from a\n")
          .append(
              "      method that was already running when the agent attached (instrumented code\n")
          .append(
              "      takes effect on the next call), from the JDK or from an excluded library.\n")
          .append("      For their lines, start the JVM with -javaagent:timerguard-agent.jar\n");
    }
    b.append("\nExecutors")
        .append(r.executors().isEmpty() ? ": none growing or retaining cancelled tasks\n" : "\n");
    for (Diagnosis.SiteFinding f : r.executors()) {
      site(b, f);
      b.append("      queue now: ").append(f.queue()).append('\n');
    }
    b.append("\nThread groups that grow (by identical stack)")
        .append(r.threadGroups().isEmpty() ? ": none\n" : "\n");
    for (Diagnosis.ThreadFinding t : r.threadGroups()) {
      b.append(
          String.format(
              Locale.ROOT,
              "  %-6s %+.1f threads/s  %d -> %d  %s  at %s%n",
              t.growth().severity(),
              t.growth().ratePerSecond(),
              t.first(),
              t.last(),
              safe(t.state()),
              safe(t.label())));
      for (String f : t.stack()) {
        b.append("        ").append(safe(f)).append('\n');
      }
    }
    b.append(
            "\nPending timer objects, class histogram at start and end (includes timers created before attach)")
        .append(r.histogram().isEmpty() ? ": none\n" : "\n");
    for (Diagnosis.HistoFinding h : r.histogram()) {
      b.append(
          String.format(
              Locale.ROOT,
              "  %10d -> %10d  (%+d)  %s%n",
              h.before(),
              h.after(),
              h.after() - h.before(),
              safe(h.className())));
    }
    b.append(r.leak() ? "\nResult: LEAK (exit 1)\n" : "\nResult: no leak found (exit 0)\n");
    return b.toString();
  }

  /**
   * {@code s} with every control character (C0, DEL, C1), line or paragraph separator and
   * bidirectional-override character written as a Java escape ({@code \n}, {@code \u001b}), and
   * backslash doubled so an escape in the input cannot pass for one made here.
   */
  static String safe(String s) {
    StringBuilder b = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean bad =
          c < 0x20
              || (c >= 0x7f && c < 0xa0)
              || c == 0x2028
              || c == 0x2029
              || (c >= 0x202a && c <= 0x202e)
              || (c >= 0x2066 && c <= 0x2069);
      if (!bad && c != '\\') {
        if (b != null) {
          b.append(c);
        }
        continue;
      }
      if (b == null) {
        b = new StringBuilder(s.length() + 16).append(s, 0, i);
      }
      switch (c) {
        case '\\':
          b.append("\\\\");
          break;
        case '\n':
          b.append("\\n");
          break;
        case '\r':
          b.append("\\r");
          break;
        case '\t':
          b.append("\\t");
          break;
        default:
          b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      }
    }
    return b == null ? s : b.toString();
  }

  private static void site(StringBuilder b, Diagnosis.SiteFinding f) {
    GrowthVerdict.SiteGrowth g = f.growth();
    String what = Advice.counted(f.kind());
    b.append(
        String.format(
            Locale.ROOT,
            "  %-6s %+.1f %s/s  (%d -> %d, now %d, confidence %.2f)  %s %s%n",
            g.severity(),
            g.ratePerSecond(),
            what,
            g.first(),
            g.last(),
            f.now(),
            g.confidence(),
            f.site().kind(),
            safe(f.site().location())));
    b.append("      fix: ").append(f.fix()).append('\n');
  }

  static String json(Diagnosis.Report r) {
    Json.Writer w = Json.writer();
    w.beginObject()
        .field("pid", r.pid())
        .field("durationSeconds", r.duration().toSeconds())
        .field("samples", r.samples())
        .field("leak", r.leak())
        .field("verdict", r.verdict().name())
        .field("branch", r.branch())
        .name("tree")
        .beginArray();
    for (Diagnosis.Step s : r.tree()) {
      w.beginObject()
          .field("question", s.question())
          .field("answer", s.yes())
          .field("evidence", s.evidence())
          .endObject();
    }
    w.endArray().name("timerSites").beginArray();
    for (Diagnosis.SiteFinding f : r.timerSites()) {
      siteJson(f, w);
    }
    w.endArray().name("executors").beginArray();
    for (Diagnosis.SiteFinding f : r.executors()) {
      siteJson(f, w);
    }
    w.endArray().name("threadGroups").beginArray();
    for (Diagnosis.ThreadFinding t : r.threadGroups()) {
      w.beginObject()
          .field("label", t.label())
          .field("state", t.state())
          .field("first", t.first())
          .field("last", t.last());
      rate(w, "ratePerSecond", t.growth().ratePerSecond());
      w.field("severity", t.growth().severity().name()).name("stack").beginArray();
      for (String frame : t.stack()) {
        w.value(frame);
      }
      w.endArray().endObject();
    }
    w.endArray().name("histogram").beginArray();
    for (Diagnosis.HistoFinding h : r.histogram()) {
      w.beginObject()
          .field("class", h.className())
          .field("before", h.before())
          .field("after", h.after())
          .endObject();
    }
    return w.endArray().endObject().toString();
  }

  private static void siteJson(Diagnosis.SiteFinding f, Json.Writer w) {
    GrowthVerdict.SiteGrowth g = f.growth();
    w.beginObject()
        .field("finding", f.kind().name())
        .field("kind", f.site().kind().name())
        .field("class", f.site().className())
        .field("method", f.site().methodName())
        .field("file", f.site().fileName())
        .field("line", f.site().line())
        .field("location", f.site().location())
        .field("severity", g.severity().name());
    rate(w, "ratePerSecond", g.ratePerSecond());
    rate(w, "confidence", g.confidence());
    w.field("first", g.first())
        .field("last", g.last())
        .field("now", f.now())
        .field("queue", f.queue())
        .field("fix", f.fix())
        .endObject();
  }

  /** A rate rounded to three decimals, or null when it is not finite. */
  private static void rate(Json.Writer w, String name, double d) {
    w.name(name);
    if (Double.isFinite(d)) {
      w.value(Math.round(d * 1000) / 1000.0);
    } else {
      w.nullValue();
    }
  }
}
