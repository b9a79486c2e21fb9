package dev.timerguard.agent;

import java.io.File;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.jar.JarFile;

/**
 * The agent's entry point, for {@code -javaagent:timerguard-agent.jar[=options]} ({@link #premain})
 * and for dynamic attach ({@link #agentmain}); options are described in {@code docs/agent.md}.
 *
 * <p>This class is deliberately tiny and references nothing but the JDK: it first appends the
 * agent's boot jar (the core's {@code dev.timerguard.live} model and the hooks) to the bootstrap
 * class path, so that the one registry is shared by every class loader, and only then loads the
 * installer. When the agent is attached to an application that already loaded the live model from
 * its own class path (it uses TimerGuard's library), the boot jar goes on the system class path
 * instead, so the hooks and the application share the application's registry rather than creating a
 * second one. Loading twice (a second attach, or attach after {@code -javaagent}) installs nothing
 * twice. It never throws: a failure to start is printed as one line and the application runs on.
 */
public final class AgentBoot {

  private static final String BOOT_JAR = "META-INF/timerguard/timerguard-agent-boot.jar";
  private static final String INSTALLER = "dev.timerguard.agent.internal.Installer";

  private AgentBoot() {}

  /** Called by the JVM for {@code -javaagent}. */
  public static void premain(String options, Instrumentation inst) {
    start(options, inst, false);
  }

  /** Called by the JVM when the agent is loaded into a running JVM. */
  public static void agentmain(String options, Instrumentation inst) {
    start(options, inst, true);
  }

  private static synchronized void start(String options, Instrumentation inst, boolean dynamic) {
    try {
      if (!hooksLoaded(inst)) {
        File boot = extractBootJar();
        boolean beside = dynamic && systemLoaderHasLiveModel(inst);
        if (beside) {
          // The application already uses TimerGuard's core from its class path: its registry
          // must stay the one registry. Load the hooks beside it (the system class loader finds
          // dev.timerguard.live on the application's class path first) instead of defining a
          // second copy of the model in the bootstrap loader.
          inst.appendToSystemClassLoaderSearch(new JarFile(boot));
        } else {
          inst.appendToBootstrapClassLoaderSearch(new JarFile(boot));
        }
        // The JVM holds the jar open from here on; remove the file now so that a JVM that is
        // killed (no shutdown hooks) leaves nothing behind. Where an open file cannot be
        // deleted, it goes at exit instead.
        // (The system class loader opens appended jars lazily: that copy stays until exit.)
        if (beside || !boot.delete()) {
          boot.deleteOnExit();
        }
      }
      Class<?> installer = Class.forName(INSTALLER, true, AgentBoot.class.getClassLoader());
      installer
          .getMethod("install", String.class, Instrumentation.class, boolean.class)
          .invoke(null, options, inst, dynamic);
    } catch (Throwable t) {
      Throwable cause = t.getCause() != null ? t.getCause() : t;
      System.err.println("[timerguard] agent not started, application unaffected: " + cause);
    }
  }

  /** True if an earlier load already put the hooks in the bootstrap or the system loader. */
  private static boolean hooksLoaded(Instrumentation inst) {
    try {
      Class.forName("dev.timerguard.agent.boot.Hooks", false, null);
      return true;
    } catch (ClassNotFoundException e) {
      return isLoaded(inst, "dev.timerguard.agent.boot.Hooks", ClassLoader.getSystemClassLoader());
    }
  }

  /** True if the application loaded TimerGuard's live model from its own class path. */
  private static boolean systemLoaderHasLiveModel(Instrumentation inst) {
    return isLoaded(inst, "dev.timerguard.live.LiveRegistry", ClassLoader.getSystemClassLoader());
  }

  private static boolean isLoaded(Instrumentation inst, String name, ClassLoader loader) {
    for (Class<?> c : inst.getAllLoadedClasses()) {
      if (c.getName().equals(name) && c.getClassLoader() == loader) {
        return true;
      }
    }
    return false;
  }

  private static File extractBootJar() throws Exception {
    Path tmp = Files.createTempFile("timerguard-agent-boot", ".jar");
    try (InputStream in = AgentBoot.class.getClassLoader().getResourceAsStream(BOOT_JAR)) {
      if (in == null) {
        throw new IllegalStateException(BOOT_JAR + " missing from the agent jar");
      }
      Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
    }
    return tmp.toFile();
  }
}
