package dev.timerguard.agent.internal;

import dev.timerguard.agent.boot.HookGuard;
import dev.timerguard.agent.boot.Hooks;
import dev.timerguard.internal.Json;
import dev.timerguard.live.CallSite;
import dev.timerguard.live.GrowthWatch;
import dev.timerguard.live.SiteStats;
import dev.timerguard.live.Snapshot;
import dev.timerguard.live.SnapshotCodec;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders the registry for the exporters: the snapshot in its wire format ({@link SnapshotCodec},
 * {@code /snapshot} and the MBean's {@code SnapshotJson}, what the doctor reads), Prometheus text
 * ({@code /metrics}) and JSON for people ({@code /timers}, {@code /threads}). Every render first
 * samples the trackers ({@link Hooks#poll()}) and then takes one {@link Snapshot}, so all figures
 * of one answer come from one snapshot. Stateless and thread-safe.
 */
final class Render {

  private Render() {}

  static Snapshot snapshot() {
    Hooks.poll();
    return Hooks.registry().snapshot();
  }

  /** The current snapshot in the one wire format ({@link SnapshotCodec}): {@code /snapshot}. */
  static String snapshotJson() {
    return SnapshotCodec.encode(snapshot());
  }

  // ----------------------------------------------------------------------------- Prometheus

  /** Per-site series in {@code /metrics} for at most this many sites; set once at install. */
  private static volatile int maxSeriesSites = AgentOptions.DEFAULT_MAX_SERIES_SITES;

  static void maxSeriesSites(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("maxSeriesSites must be at least 1, was " + n);
    }
    maxSeriesSites = n;
  }

  /**
   * The {@code /metrics} text, per the metric contract shared with the Micrometer binder: names,
   * types, and the label keys {@code kind, site, class, line} in that order. Per-site series are
   * bounded by {@link Snapshot#limitSites(int)}; the growth families come from the running shared
   * {@link GrowthWatch} and are left out when none runs.
   */
  static String prometheus() {
    Snapshot snap = snapshot();
    GrowthWatch.Report report;
    try {
      GrowthWatch watch = GrowthWatch.sharedIfRunning();
      report = watch == null ? null : watch.report();
    } catch (LinkageError e) {
      report = null; // an application's older dev.timerguard.live without the watch
    }
    return prometheus(snap, report, maxSeriesSites);
  }

  /**
   * Renders {@code snap} and the watch's report ({@code null}: no growth families). Package-private
   * for tests.
   */
  static String prometheus(Snapshot snap, GrowthWatch.Report report, int maxSites) {
    Snapshot limited = snap.limitSites(maxSites);
    StringBuilder b = new StringBuilder(4096);
    head(
        b,
        "timerguard_live_timers",
        "gauge",
        "Live timers and tickers over all sites (scheduled, not yet fired, cancelled or stopped).");
    b.append("timerguard_live_timers ").append(snap.totalLiveTimers()).append('\n');
    head(
        b,
        "timerguard_retained_cancelled_tasks",
        "gauge",
        "Cancelled tasks still held in executor queues, over all executor sites.");
    b.append("timerguard_retained_cancelled_tasks ").append(snap.totalRetained()).append('\n');
    head(b, "timerguard_live_threads", "gauge", "Live threads started at instrumented sites.");
    b.append("timerguard_live_threads ").append(snap.totalLive(CallSite.Kind.THREAD)).append('\n');

    head(
        b,
        "timerguard_site_live",
        "gauge",
        "Live timers, tickers, executors or threads created at a call site.");
    for (SiteStats s : limited.sites()) {
      sample(b, "timerguard_site_live", s.site(), s.live());
    }
    counter(
        b,
        limited,
        "timerguard_site_creations_total",
        "Created at a call site since the agent started.",
        SiteStats::created);
    counter(
        b,
        limited,
        "timerguard_site_fired_total",
        "Timers fired (threads terminated) per call site.",
        SiteStats::fired);
    counter(
        b,
        limited,
        "timerguard_site_cancelled_total",
        "Timers cancelled or stopped (executors shut down) per call site.",
        SiteStats::cancelled);
    head(
        b,
        "timerguard_executor_retained_cancelled_tasks",
        "gauge",
        "Cancelled tasks still queued, per executor creation site (removeOnCancelPolicy(false)).");
    for (SiteStats s : limited.sites()) {
      if (s.site().kind() == CallSite.Kind.EXECUTOR) {
        sample(b, "timerguard_executor_retained_cancelled_tasks", s.site(), s.retained());
      }
    }
    head(b, "timerguard_executor_queue_size", "gauge", "Queued tasks, per executor creation site.");
    for (SiteStats s : limited.sites()) {
      if (s.site().kind() == CallSite.Kind.EXECUTOR) {
        sample(b, "timerguard_executor_queue_size", s.site(), s.queued());
      }
    }
    head(b, "timerguard_threads_live", "gauge", "Live threads per thread-creation site.");
    for (SiteStats s : limited.sites()) {
      if (s.site().kind() == CallSite.Kind.THREAD) {
        sample(b, "timerguard_threads_live", s.site(), s.live());
      }
    }
    if (report != null) {
      growth(b, limited, report);
    }
    head(
        b,
        "timerguard_agent_disabled_hooks",
        "gauge",
        "Agent hooks disabled after an internal error.");
    b.append("timerguard_agent_disabled_hooks ").append(HookGuard.disabled().size()).append('\n');
    jvm(b);
    return b.toString();
  }

  /**
   * The watch's rate and level per series site; the sites summed into {@code other} give their
   * kind's {@code other} series the sum of their rates and the highest of their levels.
   */
  private static void growth(StringBuilder b, Snapshot limited, GrowthWatch.Report report) {
    List<GrowthWatch.SiteStatus> statuses = report.statusesFor(limited);
    head(
        b,
        "timerguard_site_growth_rate",
        "gauge",
        "Growth of the live count per call site, per second, over the watch's rapid window.");
    for (GrowthWatch.SiteStatus st : statuses) {
      b.append("timerguard_site_growth_rate")
          .append(labels(st.site()))
          .append(' ')
          .append(number(st.ratePerSecond()))
          .append('\n');
    }
    head(
        b,
        "timerguard_site_growth_severity",
        "gauge",
        "Growth alert level per call site: 0 none, 1 slow, 2 rapid.");
    for (GrowthWatch.SiteStatus st : statuses) {
      sample(b, "timerguard_site_growth_severity", st.site(), st.level());
    }
    head(
        b,
        "timerguard_growth_worst_severity",
        "gauge",
        "Highest growth alert level over all call sites: 0 none, 1 slow, 2 rapid.");
    b.append("timerguard_growth_worst_severity ").append(report.worstLevel()).append('\n');
  }

  private static void jvm(StringBuilder b) {
    head(
        b,
        "timerguard_jvm_heap_after_gc_bytes",
        "gauge",
        "Heap used right after the last collection, per heap pool.");
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      MemoryUsage u = p.getCollectionUsage();
      if (p.getType() == MemoryType.HEAP && u != null) {
        b.append("timerguard_jvm_heap_after_gc_bytes{pool=\"")
            .append(esc(p.getName()))
            .append("\"} ")
            .append(u.getUsed())
            .append('\n');
      }
    }
    List<GarbageCollectorMXBean> gcs = ManagementFactory.getGarbageCollectorMXBeans();
    head(
        b,
        "timerguard_jvm_gc_pause_seconds_total",
        "counter",
        "Accumulated collection time, per collector.");
    for (GarbageCollectorMXBean g : gcs) {
      long ms = g.getCollectionTime();
      if (ms >= 0) {
        b.append("timerguard_jvm_gc_pause_seconds_total{gc=\"")
            .append(esc(g.getName()))
            .append("\"} ")
            .append(number(ms / 1000.0))
            .append('\n');
      }
    }
    head(b, "timerguard_jvm_gc_collections_total", "counter", "Collections, per collector.");
    for (GarbageCollectorMXBean g : gcs) {
      long n = g.getCollectionCount();
      if (n >= 0) {
        b.append("timerguard_jvm_gc_collections_total{gc=\"")
            .append(esc(g.getName()))
            .append("\"} ")
            .append(n)
            .append('\n');
      }
    }
    head(
        b,
        "timerguard_jvm_threads_live",
        "gauge",
        "Live platform threads in the JVM, daemons included.");
    b.append("timerguard_jvm_threads_live ")
        .append(ManagementFactory.getThreadMXBean().getThreadCount())
        .append('\n');
  }

  /** A sample value as the exposition format spells it. */
  static String number(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return Double.toString(v);
  }

  private static void sample(StringBuilder b, String name, CallSite site, long value) {
    b.append(name).append(labels(site)).append(' ').append(value).append('\n');
  }

  private interface Field {
    long get(SiteStats s);
  }

  private static void counter(StringBuilder b, Snapshot snap, String name, String help, Field f) {
    head(b, name, "counter", help);
    for (SiteStats s : snap.sites()) {
      sample(b, name, s.site(), f.get(s));
    }
  }

  private static void head(StringBuilder b, String name, String type, String help) {
    b.append("# HELP ").append(name).append(' ').append(help).append('\n');
    b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  /** The contract's label set, in its order: kind, site, class, line. */
  static String labels(CallSite c) {
    return "{kind=\""
        + c.kind().name().toLowerCase(Locale.ROOT)
        + "\",site=\""
        + esc(c.location())
        + "\",class=\""
        + esc(c.className())
        + "\",line=\""
        + c.line()
        + "\"}";
  }

  /** A label value escaped per the exposition format: backslash, double quote, line feed. */
  static String esc(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  // ----------------------------------------------------------------------------- JSON

  static String timersJson() {
    Snapshot snap = snapshot();
    Json.Writer w = Json.writer();
    w.beginObject()
        .field("epochMillis", snap.epochMillis())
        .field("nanoTime", snap.nanoTime())
        .field("liveTimers", snap.totalLiveTimers())
        .field("retainedCancelledTasks", snap.totalRetained())
        .field("disabledHooks", HookGuard.disabled().size())
        .name("sites")
        .beginArray();
    for (SiteStats s : snap.sites()) {
      CallSite c = s.site();
      w.beginObject()
          .field("kind", c.kind().name())
          .field("class", c.className())
          .field("method", c.methodName())
          .field("file", c.fileName())
          .field("line", c.line())
          .field("location", c.location())
          .field("created", s.created())
          .field("fired", s.fired())
          .field("cancelled", s.cancelled())
          .field("live", s.live())
          .field("peak", s.peak())
          .field("oldestLiveAgeNanos", s.oldestLiveAgeNanos())
          .field("retained", s.retained())
          .field("queue", s.queued())
          .endObject();
    }
    return w.endArray().endObject().toString();
  }

  /** Threads grouped by identical stacks, largest group first, plus the thread-creation sites. */
  static String threadsJson() {
    Snapshot snap = snapshot();
    Map<List<StackTraceElement>, List<Thread>> groups = new LinkedHashMap<>();
    Map<Thread, StackTraceElement[]> all = Thread.getAllStackTraces();
    for (Map.Entry<Thread, StackTraceElement[]> e : all.entrySet()) {
      groups.computeIfAbsent(List.of(e.getValue()), k -> new ArrayList<>()).add(e.getKey());
    }
    List<Map.Entry<List<StackTraceElement>, List<Thread>>> sorted =
        new ArrayList<>(groups.entrySet());
    sorted.sort((a, c) -> Integer.compare(c.getValue().size(), a.getValue().size()));
    Json.Writer w = Json.writer();
    w.beginObject().field("threads", all.size()).name("groups").beginArray();
    for (Map.Entry<List<StackTraceElement>, List<Thread>> g : sorted) {
      Thread t = g.getValue().get(0);
      w.beginObject()
          .field("count", g.getValue().size())
          .field("state", t.getState().name())
          .field("example", t.getName())
          .name("stack")
          .beginArray();
      for (StackTraceElement el : g.getKey()) {
        w.value(el.toString());
      }
      w.endArray().endObject();
    }
    w.endArray().name("sites").beginArray();
    for (SiteStats s : snap.sites()) {
      if (s.site().kind() == CallSite.Kind.THREAD) {
        w.beginObject()
            .field("location", s.site().location())
            .field("live", s.live())
            .field("created", s.created())
            .endObject();
      }
    }
    return w.endArray().endObject().toString();
  }
}
