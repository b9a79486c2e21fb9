package dev.timerguard.cli;

import dev.timerguard.internal.Json;
import dev.timerguard.live.CallSite;
import dev.timerguard.samples.incidents.Incident;
import dev.timerguard.samples.incidents.Incidents;
import dev.timerguard.samples.incidents.Outcome;
import dev.timerguard.samples.incidents.Variant;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code timerguard demo}: runs the incident reproducers, leaky and fixed side by side, and prints
 * per incident what each variant still holds (live timers, retained cancelled tasks, threads, heap
 * after GC), the growth verdict of the shared detector, a one-line explanation and the line of code
 * at fault, as recorded while the leaky variant ran.
 *
 * <p>The table (or, with {@code --json}, one JSON document) goes to standard output; progress goes
 * to standard error. Exit codes: {@code 0} done, {@code 2} bad usage (e.g. an unknown incident).
 * Runs one incident at a time, so measurements do not disturb each other.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description =
        "Run the reproducers of real timer and thread leak incidents, leaky and fixed side by"
            + " side, and show what each still holds: live timers, retained cancelled tasks,"
            + " threads, heap after GC, the growth verdict, and the line of code at fault."
            + " Progress goes to stderr; the whole demo takes well under a minute.",
    footer = {
      "",
      "Examples:",
      "  timerguard demo                   all incidents",
      "  timerguard demo --incident 3      one incident",
      "  timerguard demo --json            machine-readable",
      "  timerguard demo --no-live         the table only, no live diagnosis"
    })
final class DemoCommand implements Callable<Integer> {

  @Option(
      names = "--incident",
      paramLabel = "N",
      description = "Run only incident N, from 1 to 11.")
  Integer incident;

  @Option(names = "--json", description = "Print one JSON document instead of the table.")
  boolean json;

  @Option(
      names = "--live",
      negatable = true,
      description =
          "Then start the bundled leaky service and diagnose it live with the agent, as"
              + " 'timerguard doctor --demo' does (about 15 s). On by default for the full demo"
              + " in table form; --no-live skips it.")
  Boolean live;

  @Spec CommandSpec spec;

  /** One incident's two runs. */
  record Result(Incident incident, Outcome leaky, Outcome fixed) {}

  @Override
  public Integer call() {
    List<Incident> chosen = new ArrayList<>();
    if (incident != null) {
      try {
        chosen.add(Incidents.byId(incident));
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--incident: " + e.getMessage() + " (see timerguard demo --help)");
      }
    } else {
      chosen.addAll(Incidents.all());
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<Result> results = new ArrayList<>();
    long start = System.nanoTime();
    for (int k = 0; k < chosen.size(); k++) {
      Incident i = chosen.get(k);
      long t0 = System.nanoTime();
      err.printf(
          Locale.ROOT, "[%d/%d] incident %d, %s: leaky", k + 1, chosen.size(), i.id(), i.title());
      err.flush();
      Outcome leaky = i.run(Variant.LEAKY);
      err.print(", fixed");
      err.flush();
      Outcome fixed = i.run(Variant.FIXED);
      err.printf(Locale.ROOT, ", done in %.1f s%n", (System.nanoTime() - t0) / 1e9);
      err.flush();
      results.add(new Result(i, leaky, fixed));
    }
    err.printf(Locale.ROOT, "demo finished in %.1f s%n", (System.nanoTime() - start) / 1e9);
    err.flush();
    out.print(json ? json(results) : table(results));
    out.flush();
    boolean runLive = live != null ? live : (incident == null && !json);
    if (runLive) {
      out.println();
      out.println("Live diagnosis: the bundled leaky service in a child JVM, by dynamic attach");
      out.println("(the same as: timerguard doctor --demo --duration 10s)");
      out.println();
      out.flush();
      CommandLine doctor = new CommandLine(new DoctorCommand());
      doctor.setOut(out);
      doctor.setErr(err);
      int code = doctor.execute("--demo", "--duration", "10s");
      if (code == 2) {
        err.println("demo: the live diagnosis could not run (see above); the table stands");
      }
    }
    return 0;
  }

  // ---------------------------------------------------------------- table

  static String table(List<Result> results) {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "TimerGuard demo: %d incident%s, leaky vs fixed (Java %s)%n%n",
            results.size(),
            results.size() == 1 ? "" : "s",
            Runtime.version()));
    String row = "%3s  %-40s  %-5s  %11s  %9s  %7s  %13s  %s%n";
    b.append(
        String.format(
            Locale.ROOT,
            row,
            "#",
            "incident",
            "run",
            "live timers",
            "retained",
            "threads",
            "heap after GC",
            "verdict"));
    int grew = 0;
    int flat = 0;
    for (Result r : results) {
      b.append(line(row, String.valueOf(r.incident().id()), r.incident().title(), r.leaky()));
      b.append(line(row, "", "", r.fixed()));
      b.append("     why:  ").append(r.incident().explanation()).append('\n');
      b.append("     fix:  ").append(r.incident().fix()).append('\n');
      b.append("     at:   ").append(at(r.leaky().faultSite())).append('\n');
      Set<String> keys = new LinkedHashSet<>(r.leaky().counters().keySet());
      keys.addAll(r.fixed().counters().keySet());
      for (String key : keys) {
        b.append(
            String.format(
                Locale.ROOT,
                "     %-5s %s: leaky %,d, fixed %,d%n",
                "",
                key,
                r.leaky().counter(key),
                r.fixed().counter(key)));
      }
      if (r.leaky().skipped() != null) {
        b.append("     note: ").append(r.leaky().skipped()).append('\n');
      }
      b.append('\n');
      if (r.leaky().growing()) {
        grew++;
      }
      if (!r.fixed().growing()) {
        flat++;
      }
    }
    b.append(
        String.format(
            Locale.ROOT,
            "Leaky variants grew in %d of %d incidents; fixed variants stayed flat in %d of %d.%n",
            grew,
            results.size(),
            flat,
            results.size()));
    b.append(
        "live timers: scheduled and not cancelled; retained: cancelled but still queued;"
            + " threads: started and still alive;\nheap: after a full GC, minus before the run;"
            + " verdict: the shared growth detector on the incident's signal.\n");
    return b.toString();
  }

  private static String line(String format, String id, String title, Outcome o) {
    return String.format(
        Locale.ROOT,
        format,
        id,
        title,
        o.variant().label(),
        String.format(Locale.ROOT, "%,d", o.liveTimers()),
        String.format(Locale.ROOT, "%,d", o.retainedCancelled()),
        String.format(Locale.ROOT, "%,d", o.threads()),
        mib(o.heapAfterGcBytes()),
        o.verdict());
  }

  static String mib(long bytes) {
    return String.format(Locale.ROOT, "%+.1f MiB", bytes / (1024.0 * 1024.0));
  }

  /**
   * {@code RpcReadLoop.java:68 in RpcReadLoop$LeakyConnection.readLoop()}, from the recorded site.
   */
  static String at(CallSite site) {
    if (site == null) {
      return "(no suspect call was recorded)";
    }
    String cls = site.className();
    String simple = cls.substring(cls.lastIndexOf('.') + 1);
    return site.fileName()
        + (site.line() >= 0 ? ":" + site.line() : "")
        + " in "
        + simple
        + "."
        + site.methodName()
        + "()";
  }

  // ---------------------------------------------------------------- json

  static String json(List<Result> results) {
    StringBuilder b = new StringBuilder();
    b.append("{\n  \"java\": ").append(str(Runtime.version().toString()));
    b.append(",\n  \"incidents\": [");
    for (int k = 0; k < results.size(); k++) {
      Result r = results.get(k);
      Incident i = r.incident();
      b.append(k == 0 ? "\n" : ",\n");
      b.append("    {\"id\": ").append(i.id());
      b.append(", \"title\": ").append(str(i.title()));
      b.append(",\n     \"goOriginal\": ").append(str(i.goOriginal()));
      b.append(",\n     \"explanation\": ").append(str(i.explanation()));
      b.append(",\n     \"fix\": ").append(str(i.fix()));
      b.append(",\n     \"signal\": ").append(str(i.signalName()));
      b.append(",\n     \"faultSite\": ").append(site(r.leaky().faultSite()));
      b.append(",\n     \"leaky\": ").append(outcome(r.leaky()));
      b.append(",\n     \"fixed\": ").append(outcome(r.fixed()));
      b.append("}");
    }
    b.append("\n  ]\n}\n");
    return b.toString();
  }

  private static String site(CallSite s) {
    if (s == null) {
      return "null";
    }
    return "{\"class\": "
        + str(s.className())
        + ", \"method\": "
        + str(s.methodName())
        + ", \"file\": "
        + str(s.fileName())
        + ", \"line\": "
        + s.line()
        + ", \"location\": "
        + str(s.location())
        + "}";
  }

  private static String outcome(Outcome o) {
    StringBuilder b = new StringBuilder("{");
    b.append("\"operations\": ").append(o.operations());
    b.append(", \"liveTimers\": ").append(o.liveTimers());
    b.append(", \"retainedCancelled\": ").append(o.retainedCancelled());
    b.append(", \"threads\": ").append(o.threads());
    b.append(", \"heapAfterGcBytes\": ").append(o.heapAfterGcBytes());
    b.append(", \"signal\": ").append(o.signal());
    b.append(", \"verdict\": ").append(str(o.verdict().name()));
    b.append(", \"ratePerSecond\": ").append(String.format(Locale.ROOT, "%.1f", o.ratePerSecond()));
    b.append(", \"counters\": {");
    int n = 0;
    for (Map.Entry<String, Long> e : o.counters().entrySet()) {
      b.append(n++ == 0 ? "" : ", ").append(str(e.getKey())).append(": ").append(e.getValue());
    }
    b.append("}, \"series\": [");
    for (int k = 0; k < o.series().size(); k++) {
      b.append(k == 0 ? "" : ", ").append(o.series().get(k));
    }
    b.append("], \"skipped\": ").append(o.skipped() == null ? "null" : str(o.skipped()));
    return b.append("}").toString();
  }

  /** A JSON string literal ({@link Json#quote}). */
  static String str(String s) {
    return Json.quote(s);
  }
}
