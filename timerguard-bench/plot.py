#!/usr/bin/env python3
"""Turns the JSON results of run-load-benchmarks.sh into SVG charts (standard library only).

Usage: python3 timerguard-bench/plot.py [results-dir] [svg-dir]
  results-dir  default timerguard-bench/target/load-results (GcCost, LoadLateness and CoalesceCost
               JSON, JMH -rf json of PendingThroughputBenchmark and ReArmBenchmark)
  svg-dir      default docs/benchmarks

Writes, for every JDK found (a full-mode result wins over a quick one):
  throughput-jdk<N>.svg   schedule+cancel ops/us vs pending timers, 1 and 2 threads
  gc-jdk<N>-<gc>.svg      p99 GC pause, GC share of CPU and live heap vs pending timers
  gc-<P>-jdk<N>-<gc>.svg  the same as bars per engine, for a run of one pending count P (pending=N)
  lateness-jdk<N>.svg     p50/p99/p99.9/max lateness of 10 ms and 1 s timers under load
  rearm-jdk<N>.svg        re-arm cost: the safe API in place vs cancel+schedule per engine
and prints the markdown tables of docs/benchmarks.md for the same results.
Absolute numbers are the measuring machine's: compare within one chart.
"""
import glob
import html
import json
import math
import os
import re
import sys

ENGINES = ["stpe", "stpeRemove", "fjp", "netty", "agrona", "kafka", "wheel", "wheelCounted",
           "wheelDeadlines"]
COLORS = {
    "stpe": "#d62728", "stpeRemove": "#ff9896", "fjp": "#9467bd", "netty": "#1f77b4",
    "agrona": "#17becf", "kafka": "#8c564b", "wheel": "#2ca02c", "wheelCounted": "#98df8a",
    "wheelDeadlines": "#006400",
    "p50": "#9ecae1", "p99": "#4292c6", "p99.9": "#08519c", "max": "#08306b",
    "api": "#2ca02c", "peer": "#7f7f7f",
}
PW, PH = 430, 300          # one panel
ML, MR, MT, MB = 64, 12, 34, 46


def esc(s):
    return html.escape(str(s), quote=True)


def nice_ticks(lo, hi, log):
    if log:
        a, b = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
        return [10 ** e for e in range(a, b + 1)], 10 ** a, 10 ** b
    if hi <= lo:
        hi = lo + 1
    raw = (hi - lo) / 5
    mag = 10 ** math.floor(math.log10(raw))
    step = min((m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw), default=10 * mag)
    top = math.ceil(hi / step) * step
    ticks, t = [], 0.0
    while t <= top + step / 2:
        ticks.append(t)
        t += step
    return ticks, 0.0, top


def fmt_tick(v):
    if v == 0:
        return "0"
    if abs(v) >= 1e6:
        return "%gM" % (v / 1e6)
    if abs(v) >= 1e3:
        return "%gk" % (v / 1e3)
    return "%g" % v


class Panel:
    """One chart area: categorical x, linear or log y."""

    def __init__(self, title, ylabel, cats, values, log=None):
        self.title, self.ylabel, self.cats = title, ylabel, cats
        vals = [v for v in values if v is not None and v > 0]
        if not vals:
            vals = [1]
        lo, hi = min(vals), max(vals)
        self.log = (hi / lo > 30) if log is None else log
        self.ticks, self.y0, self.y1 = nice_ticks(lo, hi, self.log)

    def y(self, v):
        h = PH - MT - MB
        if self.log:
            v = max(v, self.y0)
            f = (math.log10(v) - math.log10(self.y0)) / (math.log10(self.y1) - math.log10(self.y0))
        else:
            f = (v - self.y0) / (self.y1 - self.y0)
        return MT + h - f * h

    def x(self, i):
        w = PW - ML - MR
        return ML + (i + 0.5) * w / len(self.cats)

    def frame(self):
        out = ['<text x="%d" y="20" font-size="13" font-weight="bold">%s</text>' % (ML, esc(self.title))]
        for t in self.ticks:
            yy = self.y(t)
            out.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#ddd"/>' % (ML, PW - MR, yy, yy))
            out.append('<text x="%d" y="%.1f" font-size="10" text-anchor="end">%s</text>' % (ML - 4, yy + 3, fmt_tick(t)))
        out.append('<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="#333"/>' % (ML, ML, MT, PH - MB))
        out.append('<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="#333"/>' % (ML, PW - MR, PH - MB, PH - MB))
        tilt = len(self.cats) > 6
        for i, c in enumerate(self.cats):
            if tilt:
                out.append('<text x="%.1f" y="%d" font-size="10" text-anchor="end" transform="rotate(-25 %.1f %d)">%s</text>'
                           % (self.x(i), PH - MB + 12, self.x(i), PH - MB + 12, esc(c)))
            else:
                out.append('<text x="%.1f" y="%d" font-size="10" text-anchor="middle">%s</text>' % (self.x(i), PH - MB + 14, esc(c)))
        out.append('<text x="14" y="%d" font-size="11" text-anchor="middle" transform="rotate(-90 14 %d)">%s%s</text>'
                   % ((MT + PH - MB) // 2, (MT + PH - MB) // 2, esc(self.ylabel), " (log)" if self.log else ""))
        return out


def lines(panel, series, xlabel):
    """series: [(name, [value or None per category])]."""
    out = panel.frame()
    out.append('<text x="%d" y="%d" font-size="11" text-anchor="middle">%s</text>' % ((ML + PW - MR) // 2, PH - 12, esc(xlabel)))
    for name, vals in series:
        pts = [(panel.x(i), panel.y(v)) for i, v in enumerate(vals) if v is not None and v > 0]
        col = COLORS.get(name, "#333")
        if len(pts) > 1:
            out.append('<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>'
                       % (col, " ".join("%.1f,%.1f" % p for p in pts)))
        for p in pts:
            out.append('<circle cx="%.1f" cy="%.1f" r="3" fill="%s"><title>%s</title></circle>' % (p[0], p[1], col, esc(name)))
    return out


def bars(panel, groups, keys):
    """groups: [(category, {key: value})], one bar per key inside each category."""
    out = panel.frame()
    w = (PW - ML - MR) / len(groups)
    base = PH - MB
    for i, (cat, vals) in enumerate(groups):
        present = [k for k in keys if vals.get(k) is not None and vals.get(k) > 0]
        bw = w * 0.8 / max(1, min(len(keys), max(2, len(present))))
        for j, k in enumerate(present):
            v = vals[k]
            x = ML + i * w + (w - bw * len(present)) / 2 + j * bw
            yy = panel.y(v)
            out.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s %s: %g</title></rect>'
                       % (x, yy, bw, max(0.5, base - yy), COLORS.get(k, "#555"), esc(cat), esc(k), v))
    return out


def svg(panels, legend, title, note):
    """panels: list of element lists, laid out side by side; legend: names with colours."""
    width = PW * len(panels)
    height = PH + 58
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" viewBox="0 0 %d %d">'
           % (width, height, width, height),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="8" y="14" font-size="12" fill="#555">%s</text>' % esc(title)]
    for i, p in enumerate(panels):
        out.append('<g transform="translate(%d,16)">' % (i * PW))
        out.extend(p)
        out.append('</g>')
    x, y = 8, PH + 32
    for name in legend:
        out.append('<rect x="%d" y="%d" width="10" height="10" fill="%s"/>' % (x, y - 9, COLORS.get(name, "#333")))
        out.append('<text x="%d" y="%d" font-size="11">%s</text>' % (x + 14, y, esc(name)))
        x += 22 + 7 * len(name)
    out.append('<text x="8" y="%d" font-size="10" fill="#777">%s</text>' % (height - 6, esc(note)))
    out.append('</svg>')
    return "\n".join(out) + "\n"


def pick(results, pattern):
    """{jdk feature: path}, full mode preferred over quick."""
    found = {}
    for path in sorted(glob.glob(os.path.join(results, pattern))):
        m = re.search(r"-(\d+)-(quick|full)\.json$", path)
        if not m:
            continue
        feat, mode = m.group(1), m.group(2)
        try:
            json.load(open(path))
        except ValueError:
            print("plot.py: skipping %s (not complete JSON: a run still writing it?)" % path, file=sys.stderr)
            continue
        if feat not in found or mode == "full":
            found[feat] = path
    return found


def median_run(runs):
    """The run with the median GC share of CPU (the lower middle one of an even count); None if none."""
    if not runs:
        return None
    ordered = sorted(runs, key=lambda r: r["gcCpuShare"])
    return ordered[(len(ordered) - 1) // 2]


def pending_label(n):
    return fmt_tick(n) if n else "0"


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    print("wrote", path)


def throughput(results, out):
    for feat, path in pick(results, "pending-*.json").items():
        rows = json.load(open(path))
        sizes = sorted({int(r["params"]["pending"]) for r in rows})
        engines = [e for e in ENGINES if any(r["params"]["engine"] == e for r in rows)]
        panels = []
        for bench, label in (("oneThread", "1 thread"), ("twoThreads", "2 threads")):
            series = []
            for e in engines:
                vals = []
                for n in sizes:
                    hit = [r for r in rows if r["benchmark"].endswith(bench)
                           and r["params"]["engine"] == e and int(r["params"]["pending"]) == n]
                    vals.append(hit[0]["primaryMetric"]["score"] if hit else None)
                series.append((e, vals))
            allv = [v for _, s in series for v in s]
            p = Panel("schedule+cancel, %s" % label, "ops/us", [pending_label(n) for n in sizes], allv, log=True)
            panels.append(lines(p, series, "timers already pending"))
        jvm = rows[0].get("vmVersion", "") if rows else ""
        write(os.path.join(out, "throughput-jdk%s.svg" % feat),
              svg(panels, engines, "Throughput vs pending timers, JDK %s (%s), JMH %s" % (feat, jvm, os.path.basename(path)),
                  "higher is better; this machine's numbers (2 cores): compare the ratios"))


def gc_charts(results, out):
    for feat, path in pick(results, "gc-*.json").items():
        doc = json.load(open(path))
        runs = doc["runs"]
        for gc in sorted({r["gc"] for r in runs}):
            rs = [r for r in runs if r["gc"] == gc]
            sizes = sorted({r["pending"] for r in rs})
            engines = [e for e in ENGINES if any(r["engine"] == e for r in rs)]

            def series(f):
                s = []
                for e in engines:
                    vals = []
                    for n in sizes:
                        hit = median_run([r for r in rs if r["engine"] == e and r["pending"] == n])
                        vals.append(f(hit) if hit else None)
                    s.append((e, vals))
                return s

            cats = [pending_label(n) for n in sizes]
            panels = []
            metrics = (
                ("p99 GC pause (young and old)", "ms", lambda r: r["all"]["p99"]),
                ("GC threads' share of the JVM's CPU", "%", lambda r: 100 * r["gcCpuShare"]),
                ("live heap after a full GC", "MB", lambda r: r["liveHeapMb"]))
            if len(sizes) == 1:
                # one pending count (a run with pending=N): a bar per engine, median run of each
                for title, unit, f in metrics:
                    groups = []
                    for e in engines:
                        hit = median_run([r for r in rs if r["engine"] == e])
                        groups.append((e, {e: f(hit)}))
                    p = Panel(title, unit, engines, [v for _, d in groups for v in d.values()])
                    panels.append(bars(p, groups, engines))
                write(os.path.join(out, "gc-%s-jdk%s-%s.svg" % (cats[0], feat, gc)),
                      svg(panels, engines,
                          "GC cost at %s pending timers, JDK %s, %sGC, heap %s, churn %s/s, %s MB/s garbage (%s rounds)"
                          % (cats[0], doc["jdk"], gc, doc["heap"], doc["targetRate"], doc["allocMbPerSecond"],
                             doc.get("rounds", 1)),
                          "lower is better; median run of each engine; a share of 0 has no bar (log scale);"
                          " this machine's numbers (2 cores)"))
                continue
            for title, unit, f in metrics:
                s = series(f)
                p = Panel(title, unit, cats, [v for _, x in s for v in x])
                panels.append(lines(p, s, "pending 30 s timeouts"))
            write(os.path.join(out, "gc-jdk%s-%s.svg" % (feat, gc)),
                  svg(panels, engines,
                      "GC cost vs pending timers, JDK %s, %sGC, heap %s, churn %s/s, %s MB/s garbage (%s mode)"
                      % (doc["jdk"], gc, doc["heap"], doc["targetRate"], doc["allocMbPerSecond"], doc["mode"]),
                      "lower is better; this machine's numbers (2 cores): compare the engines within one chart"))


def lateness(results, out):
    for feat, path in pick(results, "lateness-*.json").items():
        doc = json.load(open(path))
        runs = doc["runs"]
        panels = []
        keys = ["p50", "p99", "p99.9", "max"]
        for probe in ("10ms", "1s"):
            groups = []
            for r in runs:
                groups.append((r["engine"], {"p50": r[probe + ".p50"], "p99": r[probe + ".p99"],
                                             "p99.9": r[probe + ".p999"], "max": r[probe + ".max"]}))
            p = Panel("lateness of %s timers" % probe.replace("ms", " ms").replace("1s", "1 s"), "ms",
                      [g[0] for g in groups], [v for _, d in groups for v in d.values()], log=True)
            panels.append(bars(p, groups, keys))
        write(os.path.join(out, "lateness-jdk%s.svg" % feat),
              svg(panels, keys, "Lateness from the intended fire time, JDK %s, while 2 threads churn %s schedule+cancel/s (%s mode)"
                  % (doc["jdk"], "{:,}".format(doc["churnRate"]), doc["mode"]),
                  "lower is better; HdrHistogram; this machine's numbers (2 cores)"))


def rearm(results, out):
    apis = pick(results, "rearm-api-*.json")
    peers = pick(results, "rearm-peer-*.json")
    for feat in sorted(set(apis) | set(peers)):
        groups = []
        if feat in apis:
            for r in json.load(open(apis[feat])):
                name = {"apiWatchdogReset": "Watchdog.reset", "apiTickerSetPeriod": "Ticker.setPeriod",
                        "apiTimeoutCancelSchedule": "API cancel+schedule"}.get(r["benchmark"].rsplit(".", 1)[1])
                groups.append((name, {"api": r["primaryMetric"]["score"]}))
        if feat in peers:
            for r in json.load(open(peers[feat])):
                groups.append((r["params"]["engine"], {"peer": r["primaryMetric"]["score"]}))
        if not groups:
            continue
        p = Panel("re-arm a pending 30 s timer", "ns/op", [g[0] for g in groups],
                  [v for _, d in groups for v in d.values()])
        global PW
        saved, PW = PW, max(PW, 70 * len(groups) + ML)
        panel = bars(p, groups, ["api", "peer"])
        text = svg([panel], ["api", "peer"], "Re-arm cost, JDK %s: API in place (reset, setPeriod) vs cancel+schedule" % feat,
                   "lower is better; JMH average time; this machine's numbers (2 cores)")
        PW = saved
        write(os.path.join(out, "rearm-jdk%s.svg" % feat), text)


def f2(v, d=2):
    return "n/a" if v is None or (isinstance(v, float) and math.isnan(v)) else ("%." + str(d) + "f") % v


def score(row, d=2):
    """JMH score with its 99.9% error (JMH writes "NaN" as a string when it has no error)."""
    m = row["primaryMetric"]
    err = float(m["scoreError"])
    return ("%." + str(d) + "f") % m["score"] + ("" if math.isnan(err) else (" ± %." + str(d) + "f") % err)


def md_tables(results):
    for feat, path in pick(results, "gc-*.json").items():
        doc = json.load(open(path))
        for gc in sorted({r["gc"] for r in doc["runs"]}):
            rs = [r for r in doc["runs"] if r["gc"] == gc]
            sizes = sorted({r["pending"] for r in rs})
            loads = [r["loadAverage"] for r in rs]
            print("\nJDK %s, %sGC (%s, %s mode, %s to %s, load average %.1f to %.1f):\n" % (
                feat, gc, doc["jdk"], doc["mode"], doc["started"], doc.get("finished", "(unfinished)"),
                min(loads), max(loads)))
            print("| engine | pending | young pauses: n, p50 / p99 / max (ms) | old pauses: n, max (ms) | stalls | GC CPU (cores) | GC share of CPU | live heap (MB) | held at end | churn achieved (/s) |")
            print("|---|---:|---|---|---:|---:|---:|---:|---:|---:|")
            for n in sizes:
                for e in ENGINES:
                    for r in [r for r in rs if r["engine"] == e and r["pending"] == n]:
                      y, o, st = r["young"], r["old"], r["stalls"]
                      print("| %s | %s | %d: %s / %s / %s | %d: %s | %s | %s | %s%% | %s | %s | %s |" % (
                        e + (" (round %d)" % r["round"] if "round" in r else ""), "{:,}".format(n), y["count"], f2(y["p50"]), f2(y["p99"]), f2(y["max"]),
                        o["count"], f2(o["max"]), st["count"] if st["count"] else "",
                        f2(r["gcCores"], 3), f2(100 * r["gcCpuShare"], 0), f2(r["liveHeapMb"], 0),
                        "{:,}".format(int(r["held"])), "{:,}".format(int(r["achievedRate"]))))
    for feat, path in pick(results, "lateness-*.json").items():
        doc = json.load(open(path))
        print("\nLateness, JDK %s (%s mode, load %s to %s):\n" % (feat, doc["mode"], doc["loadAverageAtStart"], doc.get("loadAverageAtEnd", "(unfinished)")))
        print("| engine | 10 ms: p50 / p99 / p99.9 / max (ms) | 1 s: p50 / p99 / p99.9 / max (ms) | missing | churn achieved (/s) |")
        print("|---|---|---|---:|---:|")
        for r in doc["runs"]:
            cells = []
            for p in ("10ms", "1s"):
                cells.append(" / ".join(f2(r[p + k], 3 if r[p + k] < 10 else 1) for k in (".p50", ".p99", ".p999", ".max")))
            print("| %s | %s | %s | %d | %s |" % (r["engine"], cells[0], cells[1],
                  int(r["10ms.missing"] + r["1s.missing"]), "{:,}".format(int(r["churnAchieved"]))))
    for feat, path in pick(results, "pending-*.json").items():
        rows = json.load(open(path))
        sizes = sorted({int(r["params"]["pending"]) for r in rows})
        print("\nSchedule+cancel throughput (ops/us), JDK %s (%s):\n" % (feat, os.path.basename(path)))
        print("| engine | " + " | ".join("1 thread, %s pending" % pending_label(n) for n in sizes) + " | "
              + " | ".join("2 threads, %s" % pending_label(n) for n in sizes) + " |")
        print("|---|" + "---:|" * (2 * len(sizes)))
        for e in ENGINES:
            cells = []
            for bench in ("oneThread", "twoThreads"):
                for n in sizes:
                    hit = [r for r in rows if r["benchmark"].endswith(bench) and r["params"]["engine"] == e
                           and int(r["params"]["pending"]) == n]
                    cells.append(score(hit[0]) if hit else "n/a")
            if any(c != "n/a" for c in cells):
                print("| %s | %s |" % (e, " | ".join(cells)))
    apis, peers = pick(results, "rearm-api-*.json"), pick(results, "rearm-peer-*.json")
    for feat in sorted(set(apis) | set(peers)):
        print("\nRe-arm (ns/op), JDK %s:\n" % feat)
        print("| operation | ns/op |")
        print("|---|---:|")
        for src in (apis, peers):
            if feat in src:
                for r in json.load(open(src[feat])):
                    name = r["benchmark"].rsplit(".", 1)[1]
                    if name == "peerCancelSchedule":
                        name = "%s: cancel + schedule" % r["params"]["engine"]
                    print("| %s | %s |" % (name, score(r, 1)))
    for path in sorted(glob.glob(os.path.join(results, "coalesce-*.json"))):
        doc = json.load(open(path))
        print("\nCoalescing %s callbacks, JDK %s (load %s):\n" % ("{:,}".format(doc["callbacks"]), doc["jdk"], doc["loadAverageAtStart"]))
        print("| mode | timers pending | heap per callback (bytes) | CPU per callback (ns) | submit all (ms) | all ran after (ms) |")
        print("|---|---:|---:|---:|---:|---:|")
        for r in doc["runs"]:
            print("| %s | %s | %.1f | %.0f | %.1f | %.1f |" % (r["mode"], "{:,}".format(int(r["timersPending"])),
                  r["bytesPerCallback"], r["cpuNanosPerCallback"], r["submitMillis"], r["allRanMillis"]))


def main():
    results = sys.argv[1] if len(sys.argv) > 1 else "timerguard-bench/target/load-results"
    out = sys.argv[2] if len(sys.argv) > 2 else "docs/benchmarks"
    if not os.path.isdir(results):
        sys.exit("plot.py: no results directory %s (run timerguard-bench/run-load-benchmarks.sh first)" % results)
    os.makedirs(out, exist_ok=True)
    throughput(results, out)
    gc_charts(results, out)
    lateness(results, out)
    rearm(results, out)
    md_tables(results)


if __name__ == "__main__":
    main()
