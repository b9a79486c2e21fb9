package dev.timerguard.junit.internal;

import dev.timerguard.internal.Json;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.PlatformManagedObject;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Lists every thread, virtual ones included, through the supported JDK 21+ API {@code
 * com.sun.management.HotSpotDiagnosticMXBean.dumpThreads(file, ThreadDumpFormat.JSON)} (called
 * reflectively: this module is compiled for Java 17). {@link Thread#getAllStackTraces()} does not
 * list virtual threads; this dump does, when they are tracked (the JDK default, {@code
 * jdk.trackAllThreads=true}).
 *
 * <p>Costs a full thread dump (milliseconds) and a temporary file that is deleted at once; callers
 * take it only when a thread was created.
 */
public final class VirtualThreadDump {

  /** One thread of the dump. {@code state} and {@code virtual} are null when the JDK omits them. */
  public record Entry(
      long tid, String name, String state, Boolean virtual, List<StackTraceElement> stack) {}

  private static final AtomicLong FILES = new AtomicLong();
  private static volatile Path dir;

  private VirtualThreadDump() {}

  /** Whether this JDK can list virtual threads (21 or later). */
  public static boolean supported() {
    return Runtime.version().feature() >= 21;
  }

  /**
   * Dumps all threads.
   *
   * @throws IllegalStateException on JDK 17-20, or when the dump fails (with the cause)
   */
  public static List<Entry> dump() {
    if (!supported()) {
      throw new IllegalStateException(
          "virtual threads cannot be listed on JDK "
              + Runtime.version().feature()
              + " (needs 21+)");
    }
    Path file = null;
    try {
      Class<?> beanType = Class.forName("com.sun.management.HotSpotDiagnosticMXBean");
      Object bean =
          ManagementFactory.getPlatformMXBean(beanType.asSubclass(PlatformManagedObject.class));
      @SuppressWarnings({"unchecked", "rawtypes"})
      Class<Enum> fmt =
          (Class<Enum>)
              Class.forName("com.sun.management.HotSpotDiagnosticMXBean$ThreadDumpFormat");
      @SuppressWarnings("unchecked")
      Object json = Enum.valueOf(fmt, "JSON");
      Method m = beanType.getMethod("dumpThreads", String.class, fmt);
      file = directory().resolve("threads-" + FILES.incrementAndGet() + ".json");
      m.invoke(bean, file.toString(), json);
      return parse(Files.readString(file, StandardCharsets.UTF_8));
    } catch (InvocationTargetException e) {
      throw new IllegalStateException("thread dump failed: " + e.getCause(), e.getCause());
    } catch (ReflectiveOperationException | IOException | RuntimeException e) {
      throw new IllegalStateException("thread dump failed: " + e, e);
    } finally {
      if (file != null) {
        try {
          Files.deleteIfExists(file);
        } catch (IOException ignored) {
          // a temp file in a temp directory; nothing else to do
        }
      }
    }
  }

  private static Path directory() throws IOException {
    Path d = dir;
    if (d == null) {
      synchronized (VirtualThreadDump.class) {
        d = dir;
        if (d == null) {
          d = Files.createTempDirectory("timerguard-threads");
          d.toFile().deleteOnExit();
          dir = d;
        }
      }
    }
    return d;
  }

  /**
   * Parses the JDK's JSON thread dump format (any size: the JDK wrote it).
   *
   * @throws IllegalArgumentException naming the line and column, if {@code text} is not JSON
   */
  @SuppressWarnings("unchecked")
  public static List<Entry> parse(String text) {
    Map<String, Object> root =
        (Map<String, Object>) Json.parse(text, Integer.MAX_VALUE, Json.DEFAULT_MAX_DEPTH);
    Map<String, Object> dump = (Map<String, Object>) root.get("threadDump");
    List<Entry> out = new ArrayList<>();
    if (dump == null) {
      return out;
    }
    List<Object> containers = (List<Object>) dump.getOrDefault("threadContainers", List.of());
    for (Object c : containers) {
      List<Object> threads =
          (List<Object>) ((Map<String, Object>) c).getOrDefault("threads", List.of());
      for (Object o : threads) {
        Map<String, Object> t = (Map<String, Object>) o;
        Object tid = t.get("tid");
        long id =
            tid instanceof Number
                ? ((Number) tid).longValue()
                : Long.parseLong(String.valueOf(tid));
        List<StackTraceElement> stack = new ArrayList<>();
        for (Object f : (List<Object>) t.getOrDefault("stack", List.of())) {
          stack.add(frame(String.valueOf(f)));
        }
        Object virtual = t.get("virtual");
        Object state = t.get("state");
        out.add(
            new Entry(
                id,
                String.valueOf(t.getOrDefault("name", "")),
                state == null ? null : String.valueOf(state).toUpperCase(Locale.ROOT),
                virtual instanceof Boolean ? (Boolean) virtual : null,
                stack));
      }
    }
    return out;
  }

  /** Parses one {@link StackTraceElement#toString()} text back into an element. */
  public static StackTraceElement frame(String f) {
    int paren = f.lastIndexOf('(');
    String head = paren >= 0 ? f.substring(0, paren) : f;
    String src = paren >= 0 && f.endsWith(")") ? f.substring(paren + 1, f.length() - 1) : "";
    int slash = head.lastIndexOf('/');
    String prefix = slash >= 0 ? head.substring(0, slash) : null;
    String cm = head.substring(slash + 1);
    int dot = cm.lastIndexOf('.');
    String cls = dot > 0 ? cm.substring(0, dot) : cm;
    String method = dot > 0 ? cm.substring(dot + 1) : "?";
    String loader = null;
    String module = null;
    String version = null;
    if (prefix != null) {
      String[] p = prefix.split("/", -1);
      String mod = p.length >= 2 ? p[1] : p[0];
      if (p.length >= 2 && !p[0].isEmpty()) {
        loader = p[0];
      }
      if (!mod.isEmpty()) {
        int at = mod.indexOf('@');
        module = at >= 0 ? mod.substring(0, at) : mod;
        version = at >= 0 ? mod.substring(at + 1) : null;
      }
    }
    String file = null;
    int line = -1;
    if (src.equals("Native Method")) {
      line = -2;
    } else if (!src.isEmpty() && !src.equals("Unknown Source")) {
      int colon = src.lastIndexOf(':');
      if (colon > 0) {
        file = src.substring(0, colon);
        try {
          line = Integer.parseInt(src.substring(colon + 1));
        } catch (NumberFormatException e) {
          line = -1;
        }
      } else {
        file = src;
      }
    }
    return new StackTraceElement(loader, module, version, cls, method, file, line);
  }
}
