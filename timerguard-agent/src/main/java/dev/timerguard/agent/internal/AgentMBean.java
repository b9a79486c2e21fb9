package dev.timerguard.agent.internal;

import dev.timerguard.agent.boot.HookGuard;
import dev.timerguard.agent.boot.Hooks;
import dev.timerguard.live.CallSite;
import dev.timerguard.live.Snapshot;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;
import java.util.TimerTask;

/** The MXBean implementation; see {@link TimerGuardAgentMXBean}. Thread-safe. */
final class AgentMBean implements TimerGuardAgentMXBean {

  private final Instrumentation inst;

  AgentMBean(Instrumentation inst) {
    this.inst = inst;
  }

  @Override
  public long getLiveTimers() {
    return Render.snapshot().totalLiveTimers();
  }

  @Override
  public long getRetainedCancelledTasks() {
    return Render.snapshot().totalRetained();
  }

  @Override
  public long getLiveThreads() {
    Snapshot s = Render.snapshot();
    return s.totalLive(CallSite.Kind.THREAD);
  }

  @Override
  public int getSiteCount() {
    return Hooks.registry().siteCount();
  }

  @Override
  public String[] getDisabledHooks() {
    return HookGuard.disabled().toArray(new String[0]);
  }

  @Override
  public String getSnapshotJson() {
    return Render.snapshotJson();
  }

  @Override
  public String getPrometheusText() {
    return Render.prometheus();
  }

  @Override
  public String getTimersJson() {
    return Render.timersJson();
  }

  @Override
  public String getThreadsJson() {
    return Render.threadsJson();
  }

  @Override
  public String[] getTimerTaskClassNames() {
    List<String> out = new ArrayList<>();
    for (Class<?> c : inst.getAllLoadedClasses()) {
      try {
        if (c != TimerTask.class && TimerTask.class.isAssignableFrom(c)) {
          out.add(c.getName());
        }
      } catch (Throwable ignored) {
        // a class that cannot be inspected is simply not listed
      }
    }
    return out.toArray(new String[0]);
  }

  @Override
  public int getHttpPort() {
    return HttpExporter.port();
  }
}
