package dev.timerguard.agent.internal;

import dev.timerguard.agent.boot.ExecutorTracker;
import dev.timerguard.agent.boot.HookGuard;
import dev.timerguard.agent.boot.Hooks;
import dev.timerguard.live.CallSite;
import dev.timerguard.live.SiteCounter;
import dev.timerguard.live.SiteStats;
import dev.timerguard.live.Snapshot;
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
 * Renders the registry for the exporters: Prometheus text ({@code /metrics}), JSON ({@code
 * /timers}, {@code /threads}) and the tab-separated rows the MBean gives the doctor. Every render
 * first samples the trackers ({@link Hooks#poll()}) and then takes one {@link Snapshot}, so all
 * figures of one answer come from one snapshot. Stateless and thread-safe.
 */
final class Render {

  private Render() {}

  static Snapshot snapshot() {
    Hooks.poll();
    return Hooks.registry().snapshot();
  }

  static long queue(Map<Integer, Long> queues, SiteStats s) {
    SiteCounter c = Hooks.registry().register(s.site());
    Long q = queues.get(c.id());
    return q == null ? 0 : q;
  }

  // ----------------------------------------------------------------------------- rows for JMX

  /** The columns of {@link #rows}. */
  static final String ROW_HEADER =
      "kind\tclass\tmethod\tfile\tline\tcreated\tfired\tcancelled\tlive\tpeak\toldestLiveAgeNanos\tretained\tqueue";

  /** One tab-separated row per site, then a last row {@code #nanoTime\tepochMillis}. */
  static String[] rows() {
    Snapshot snap = snapshot();
    Map<Integer, Long> queues = ExecutorTracker.queueSizes();
    List<String> out = new ArrayList<>();
    out.add(ROW_HEADER);
    for (SiteStats s : snap.sites()) {
      CallSite c = s.site();
      out.add(
          String.join(
              "\t",
              c.kind().name(),
              clean(c.className()),
              clean(c.methodName()),
              clean(c.fileName()),
              Integer.toString(c.line()),
              Long.toString(s.created()),
              Long.toString(s.fired()),
              Long.toString(s.cancelled()),
              Long.toString(s.live()),
              Long.toString(s.peak()),
              Long.toString(s.oldestLiveAgeNanos()),
              Long.toString(s.retained()),
              Long.toString(queue(queues, s))));
    }
    out.add("#" + snap.nanoTime() + "\t" + snap.epochMillis());
    return out.toArray(new String[0]);
  }

  private static String clean(String s) {
    return s.replace('\t', ' ').replace('\n', ' ');
  }

  // ----------------------------------------------------------------------------- Prometheus

  static String prometheus() {
    Snapshot snap = snapshot();
    Map<Integer, Long> queues = ExecutorTracker.queueSizes();
    StringBuilder b = new StringBuilder(4096);
    head(b, "timerguard_live_timers", "gauge",
        "Live timers and tickers over all sites (scheduled, not yet fired, cancelled or stopped).");
    b.append("timerguard_live_timers ").append(snap.totalLiveTimers()).append('\n');
    head(b, "timerguard_retained_cancelled_tasks", "gauge",
        "Cancelled tasks still held in executor queues, over all executor sites.");
    b.append("timerguard_retained_cancelled_tasks ").append(snap.totalRetained()).append('\n');
    head(b, "timerguard_live_threads", "gauge", "Live threads started at instrumented sites.");
    b.append("timerguard_live_threads ").append(snap.totalLive(CallSite.Kind.THREAD)).append('\n');

    head(b, "timerguard_site_live", "gauge",
        "Live timers, tickers, executors or threads created at a call site.");
    for (SiteStats s : snap.sites()) {
      b.append("timerguard_site_live").append(labels(s.site())).append(' ').append(s.live()).append('\n');
    }
    counter(b, snap, "timerguard_site_created_total", "Created at a call site since the agent started.", SiteStats::created);
    counter(b, snap, "timerguard_site_fired_total", "Timers fired (threads terminated) per call site.", SiteStats::fired);
    counter(b, snap, "timerguard_site_cancelled_total", "Timers cancelled or stopped (executors shut down) per call site.", SiteStats::cancelled);
    head(b, "timerguard_executor_retained_cancelled_tasks", "gauge",
        "Cancelled tasks still queued, per executor creation site (removeOnCancelPolicy(false)).");
    for (SiteStats s : snap.sites()) {
      if (s.site().kind() == CallSite.Kind.EXECUTOR) {
        b.append("timerguard_executor_retained_cancelled_tasks").append(labels(s.site())).append(' ')
            .append(s.retained()).append('\n');
      }
    }
    head(b, "timerguard_executor_queue_size", "gauge", "Queued tasks, per executor creation site.");
    for (SiteStats s : snap.sites()) {
      if (s.site().kind() == CallSite.Kind.EXECUTOR) {
        b.append("timerguard_executor_queue_size").append(labels(s.site())).append(' ')
            .append(queue(queues, s)).append('\n');
      }
    }
    head(b, "timerguard_threads_live", "gauge", "Live threads per thread-creation site.");
    for (SiteStats s : snap.sites()) {
      if (s.site().kind() == CallSite.Kind.THREAD) {
        b.append("timerguard_threads_live").append(labels(s.site())).append(' ').append(s.live()).append('\n');
      }
    }
    head(b, "timerguard_agent_disabled_hooks", "gauge", "Agent hooks disabled after an internal error.");
    b.append("timerguard_agent_disabled_hooks ").append(HookGuard.disabled().size()).append('\n');

    head(b, "jvm_heap_after_gc_bytes", "gauge", "Heap used right after the last collection, per pool.");
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      MemoryUsage u = p.getCollectionUsage();
      if (p.getType() == MemoryType.HEAP && u != null) {
        b.append("jvm_heap_after_gc_bytes{pool=\"").append(esc(p.getName())).append("\"} ")
            .append(u.getUsed()).append('\n');
      }
    }
    head(b, "jvm_gc_pause_seconds_total", "counter", "Accumulated collection time, per collector.");
    for (GarbageCollectorMXBean g : ManagementFactory.getGarbageCollectorMXBeans()) {
      b.append("jvm_gc_pause_seconds_total{gc=\"").append(esc(g.getName())).append("\"} ")
          .append(String.format(Locale.ROOT, "%.3f", g.getCollectionTime() / 1000.0)).append('\n');
    }
    head(b, "jvm_gc_collections_total", "counter", "Collections, per collector.");
    for (GarbageCollectorMXBean g : ManagementFactory.getGarbageCollectorMXBeans()) {
      b.append("jvm_gc_collections_total{gc=\"").append(esc(g.getName())).append("\"} ")
          .append(g.getCollectionCount()).append('\n');
    }
    return b.toString();
  }

  private interface Field {
    long get(SiteStats s);
  }

  private static void counter(StringBuilder b, Snapshot snap, String name, String help, Field f) {
    head(b, name, "counter", help);
    for (SiteStats s : snap.sites()) {
      b.append(name).append(labels(s.site())).append(' ').append(f.get(s)).append('\n');
    }
  }

  private static void head(StringBuilder b, String name, String type, String help) {
    b.append("# HELP ").append(name).append(' ').append(help).append('\n');
    b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  private static String labels(CallSite c) {
    return "{kind=\"" + c.kind().name().toLowerCase(Locale.ROOT)
        + "\",site=\"" + esc(c.location())
        + "\",class=\"" + esc(c.className())
        + "\",line=\"" + c.line() + "\"}";
  }

  private static String esc(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  // ----------------------------------------------------------------------------- JSON

  static String timersJson() {
    Snapshot snap = snapshot();
    Map<Integer, Long> queues = ExecutorTracker.queueSizes();
    StringBuilder b = new StringBuilder(4096);
    b.append("{\"epochMillis\":").append(snap.epochMillis())
        .append(",\"nanoTime\":").append(snap.nanoTime())
        .append(",\"liveTimers\":").append(snap.totalLiveTimers())
        .append(",\"retainedCancelledTasks\":").append(snap.totalRetained())
        .append(",\"disabledHooks\":").append(HookGuard.disabled().size())
        .append(",\"sites\":[");
    boolean first = true;
    for (SiteStats s : snap.sites()) {
      if (!first) {
        b.append(',');
      }
      first = false;
      CallSite c = s.site();
      b.append("{\"kind\":").append(str(c.kind().name()))
          .append(",\"class\":").append(str(c.className()))
          .append(",\"method\":").append(str(c.methodName()))
          .append(",\"file\":").append(str(c.fileName()))
          .append(",\"line\":").append(c.line())
          .append(",\"location\":").append(str(c.location()))
          .append(",\"created\":").append(s.created())
          .append(",\"fired\":").append(s.fired())
          .append(",\"cancelled\":").append(s.cancelled())
          .append(",\"live\":").append(s.live())
          .append(",\"peak\":").append(s.peak())
          .append(",\"oldestLiveAgeNanos\":").append(s.oldestLiveAgeNanos())
          .append(",\"retained\":").append(s.retained())
          .append(",\"queue\":").append(queue(queues, s))
          .append('}');
    }
    return b.append("]}").toString();
  }

  /** Threads grouped by identical stacks, largest group first, plus the thread-creation sites. */
  static String threadsJson() {
    Snapshot snap = snapshot();
    Map<List<StackTraceElement>, List<Thread>> groups = new LinkedHashMap<>();
    Map<Thread, StackTraceElement[]> all = Thread.getAllStackTraces();
    for (Map.Entry<Thread, StackTraceElement[]> e : all.entrySet()) {
      groups.computeIfAbsent(List.of(e.getValue()), k -> new ArrayList<>()).add(e.getKey());
    }
    List<Map.Entry<List<StackTraceElement>, List<Thread>>> sorted = new ArrayList<>(groups.entrySet());
    sorted.sort((a, c) -> Integer.compare(c.getValue().size(), a.getValue().size()));
    StringBuilder b = new StringBuilder(8192);
    b.append("{\"threads\":").append(all.size()).append(",\"groups\":[");
    boolean first = true;
    for (Map.Entry<List<StackTraceElement>, List<Thread>> g : sorted) {
      if (!first) {
        b.append(',');
      }
      first = false;
      Thread t = g.getValue().get(0);
      b.append("{\"count\":").append(g.getValue().size())
          .append(",\"state\":").append(str(t.getState().name()))
          .append(",\"example\":").append(str(t.getName()))
          .append(",\"stack\":[");
      boolean f2 = true;
      for (StackTraceElement el : g.getKey()) {
        if (!f2) {
          b.append(',');
        }
        f2 = false;
        b.append(str(el.toString()));
      }
      b.append("]}");
    }
    b.append("],\"sites\":[");
    first = true;
    for (SiteStats s : snap.sites()) {
      if (s.site().kind() != CallSite.Kind.THREAD) {
        continue;
      }
      if (!first) {
        b.append(',');
      }
      first = false;
      b.append("{\"location\":").append(str(s.site().location()))
          .append(",\"live\":").append(s.live())
          .append(",\"created\":").append(s.created()).append('}');
    }
    return b.append("]}").toString();
  }

  static String str(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      switch (ch) {
        case '"': b.append("\\\""); break;
        case '\\': b.append("\\\\"); break;
        case '\n': b.append("\\n"); break;
        case '\r': b.append("\\r"); break;
        case '\t': b.append("\\t"); break;
        default:
          if (ch < 0x20) {
            b.append(String.format(Locale.ROOT, "\\u%04x", (int) ch));
          } else {
            b.append(ch);
          }
      }
    }
    return b.append('"').toString();
  }
}
