package dev.timerguard.agent.internal;

import dev.timerguard.agent.boot.HookGuard;
import dev.timerguard.agent.boot.Hooks;
import dev.timerguard.live.GrowthWatch;
import dev.timerguard.live.internal.SiteRegistry;
import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import javax.management.ObjectName;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.utility.JavaModule;

/**
 * Installs the agent once per JVM: opens {@code java.util.concurrent} to the hooks (to see through
 * {@code Executors}' wrappers), installs the Byte Buddy transformation plan (one {@link
 * CallSiteRewriter} per application or library class, retransforming classes already loaded on a
 * dynamic attach), starts the sampler thread, registers the MBean, starts the shared {@link
 * GrowthWatch} (unless {@code watch=false}; its samples first poll the trackers, so executor
 * shutdowns and thread ends are current), and starts the HTTP endpoint if asked. A second load (a
 * second attach, or attach after {@code -javaagent}) instruments nothing again, so nothing is
 * counted twice; it only starts the watch and the HTTP endpoint if asked and not running. An
 * endpoint that cannot start (port taken, port file not writable) is reported in one line and the
 * agent runs on without it.
 *
 * <p>Called reflectively by {@code AgentBoot} after the boot jar is on the bootstrap class path.
 */
public final class Installer {

  private static final AtomicBoolean INSTALLED = new AtomicBoolean();
  private static final AtomicInteger TRANSFORMED = new AtomicInteger();
  private static final AtomicLong SITES_REWRITTEN = new AtomicLong();
  private static final AtomicBoolean TRANSFORM_ERROR_REPORTED = new AtomicBoolean();

  /** Never instrumented: the JDK, the agent, the live model, and Byte Buddy. */
  static final List<String> ALWAYS_EXCLUDED =
      List.of(
          "java.",
          "javax.",
          "jdk.",
          "sun.",
          "com.sun.",
          "net.bytebuddy.",
          "dev.timerguard.agent.boot.",
          "dev.timerguard.agent.internal.",
          "dev.timerguard.agent.shaded.",
          "dev.timerguard.agent.AgentBoot",
          "dev.timerguard.live.",
          "dev.timerguard.wheel.");

  private Installer() {}

  /**
   * Installs the agent (see the class comment).
   *
   * @param args the agent options string
   * @param inst the JVM's instrumentation
   * @param dynamic whether loaded by attach rather than {@code -javaagent}
   * @throws Exception if the options (or the {@code timerguard.watch.*} properties) are invalid
   */
  public static void install(String args, Instrumentation inst, boolean dynamic) throws Exception {
    AgentOptions o = AgentOptions.parse(args);
    // checked before anything is installed: a bad watch setting stops the agent as a bad option
    // does
    GrowthWatch.Builder watch = o.watch ? watchSettings(o) : null;
    if (INSTALLED.compareAndSet(false, true)) {
      if (o.maxSites != null) {
        System.setProperty("timerguard.registry.maxSites", Integer.toString(o.maxSites));
      }
      Render.maxSeriesSites(o.maxSeriesSites);
      warnIfSecondRegistry();
      openConcurrentPackage(inst);
      instrument(inst, o);
      startSampler(o.sampleMillis);
      if (o.jmx) {
        ManagementFactory.getPlatformMBeanServer()
            .registerMBean(new AgentMBean(inst), new ObjectName(TimerGuardAgentMXBean.NAME));
      }
    }
    if (watch != null) {
      // the first start wins: a watch the application (or the Spring Boot starter) started first is
      // kept
      GrowthWatch.startShared(watch);
    }
    if (o.doctorId != null) {
      try {
        DoctorConnector.start(o.doctorId, o.doctorSecret, DOCTOR_CONNECT_WITHIN);
      } catch (IOException | RuntimeException e) {
        System.err.println("[timerguard] the doctor's JMX connector did not start: " + e);
      }
    }
    if (o.httpPort != null) {
      try {
        HttpExporter.start(o);
      } catch (IOException e) {
        // the agent itself is installed and counting; only the endpoint failed
        System.err.println("[timerguard] " + e.getMessage() + "; the agent runs on (JMX, JFR)");
      }
    }
  }

  private static GrowthWatch.Builder watchSettings(AgentOptions o) {
    try {
      return o.watchSettings().beforeSample(Hooks::poll);
    } catch (LinkageError e) {
      // the application's own, older dev.timerguard.live (dynamic attach beside it) has no watch
      System.err.println(
          "[timerguard] growth watch not started: the application's dev.timerguard.live has no"
              + " GrowthWatch ("
              + e
              + "); /metrics goes without the growth figures");
      return null;
    }
  }

  private static void warnIfSecondRegistry() {
    try {
      Class<?> seen =
          Class.forName(
              "dev.timerguard.live.internal.SiteRegistry",
              false,
              ClassLoader.getSystemClassLoader());
      if (seen.getClassLoader() != null && seen.getClassLoader() != Hooks.class.getClassLoader()) {
        System.err.println(
            "[timerguard] the application loaded dev.timerguard.live before the agent; its own"
                + " timers are counted in a separate registry from the agent's");
      }
    } catch (ClassNotFoundException ignored) {
      // expected: the bootstrap copy is the only one
    }
  }

  private static void openConcurrentPackage(Instrumentation inst) {
    try {
      Module javaBase = Object.class.getModule();
      inst.redefineModule(
          javaBase,
          Set.of(),
          Map.of(),
          Map.of("java.util.concurrent", Set.of(Hooks.class.getModule())),
          Set.of(),
          Map.of());
    } catch (RuntimeException e) {
      System.err.println(
          "[timerguard] cannot look inside Executors' wrappers, queue figures of"
              + " newSingleThreadScheduledExecutor() pools will be missing: "
              + e);
    }
  }

  private static void instrument(Instrumentation inst, AgentOptions o) {
    ClassLoader platform = ClassLoader.getPlatformClassLoader();
    AgentBuilder b = new AgentBuilder.Default();
    if (o.debug) {
      b = b.with(AgentBuilder.Listener.StreamWriting.toSystemError().withErrorsOnly());
      b = b.with(AgentBuilder.InstallationListener.StreamWriting.toSystemError());
    }
    b.disableClassFormatChanges()
        .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
        .with(AgentBuilder.TypeStrategy.Default.DECORATE)
        .with(AgentBuilder.Listener.ModuleReadEdgeCompleting.of(inst, false, Hooks.class))
        .with(
            new AgentBuilder.Listener.Adapter() {
              @Override
              public void onTransformation(
                  TypeDescription type,
                  ClassLoader loader,
                  JavaModule module,
                  boolean loaded,
                  DynamicType dynamicType) {
                TRANSFORMED.incrementAndGet();
                if (o.debug) {
                  System.err.println("[timerguard] instrumented " + type.getName());
                }
              }

              @Override
              public void onError(
                  String typeName,
                  ClassLoader loader,
                  JavaModule module,
                  boolean loaded,
                  Throwable throwable) {
                if (o.debug) {
                  throwable.printStackTrace();
                }
                if (TRANSFORM_ERROR_REPORTED.compareAndSet(false, true)) {
                  System.err.println(
                      "[timerguard] could not instrument "
                          + typeName
                          + " (left unchanged; further"
                          + " such errors are not shown): "
                          + throwable);
                }
              }
            })
        .ignore(
            (type, loader, module, redefined, domain) ->
                loader == null || loader == platform || excluded(type.getName(), o.excludes))
        .type((type, loader, module, redefined, domain) -> true)
        .transform((builder, type, loader, module, domain) -> builder.visit(new CallSiteRewriter()))
        .installOn(inst);
  }

  static boolean excluded(String name, List<String> extra) {
    for (String p : ALWAYS_EXCLUDED) {
      if (name.startsWith(p)) {
        return true;
      }
    }
    // the library's own API in package dev.timerguard counts its timers itself
    if (name.startsWith("dev.timerguard.") && name.indexOf('.', "dev.timerguard.".length()) < 0) {
      return true;
    }
    for (String p : extra) {
      if (name.startsWith(p)) {
        return true;
      }
    }
    return false;
  }

  /** How often the registry's coarse clock is refreshed: creation stamps are at most this stale. */
  private static final long CLOCK_MILLIS = 10;

  /** How long a doctor's connector waits for the doctor to connect before it stops. */
  static final Duration DOCTOR_CONNECT_WITHIN = Duration.ofMinutes(2);

  private static void startSampler(long millis) {
    SiteRegistry registry = SiteRegistry.global();
    registry.useCoarseStamps();
    Thread t = new Thread(() -> sample(registry, millis), "timerguard-sampler");
    t.setDaemon(true);
    t.start();
  }

  /**
   * The sampler thread's loop. Hooks stamp creations with the registry's coarse clock (no clock
   * read on the hot path), which this thread refreshes every {@value #CLOCK_MILLIS} ms while
   * anything is created; it samples what has no event every {@code millis}. A sampling period in
   * which nothing was created makes it idle: it stops refreshing ({@link
   * SiteRegistry#idleCoarseClock}) and wakes only to sample, until the next creation (which reads
   * the clock itself) unparks it. An idle application thus sees the agent wake once per {@code
   * millis}, not a hundred times a second.
   */
  private static void sample(SiteRegistry registry, long millis) {
    Thread self = Thread.currentThread();
    Runnable wake = () -> LockSupport.unpark(self);
    long period = millis * 1_000_000L;
    long tick = Math.min(CLOCK_MILLIS, millis) * 1_000_000L;
    long nextPoll = System.nanoTime() + period;
    boolean idle = false;
    registry.idleCoarseClock(wake); // armed: a creation in this period clears it
    while (true) {
      LockSupport.parkNanos(idle ? Math.max(1, nextPoll - System.nanoTime()) : tick);
      if (Thread.interrupted()) {
        return;
      }
      if (idle && !registry.coarseClockIdle()) {
        idle = false; // a creation woke us
      }
      if (!idle) {
        registry.refreshCoarseClock();
      }
      if (System.nanoTime() - nextPoll >= 0) {
        nextPoll = System.nanoTime() + period;
        Hooks.poll();
        if (!idle) {
          if (registry.coarseClockIdle()) {
            idle = true; // nothing created for a whole period: stop refreshing
          } else {
            registry.idleCoarseClock(wake); // re-armed for the next period
          }
        }
      }
    }
  }

  /** Classes transformed so far (for diagnostics). */
  static int transformed() {
    return TRANSFORMED.get();
  }

  /** Whether any hook has been disabled (for diagnostics). */
  static boolean degraded() {
    return !HookGuard.disabled().isEmpty();
  }
}
