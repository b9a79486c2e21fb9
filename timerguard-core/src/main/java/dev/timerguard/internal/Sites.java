package dev.timerguard.internal;

import dev.timerguard.live.CallSite;
import dev.timerguard.live.internal.SiteCounter;
import dev.timerguard.live.internal.SiteRegistry;
import java.security.CodeSource;
import java.util.Objects;
import java.util.Optional;

/**
 * Call-site attribution for timers created through TimerGuard's own API and engine.
 *
 * <p>Not public API. The site of a timer is the first stack frame outside TimerGuard's core library
 * (frames of the core's packages loaded from the same code source as this class are skipped).
 * Walking the stack costs microseconds, so it is cached: a lambda, method reference, anonymous or
 * local class is written at exactly one place in the source, so its class identifies the call site
 * and the walk happens once per class. For ordinary named task classes, which may be scheduled from
 * many places, the stack is walked on every creation to keep counts exact; hot paths that use named
 * classes should pass an explicit {@code TimerSite}.
 */
public final class Sites {

  private static final StackWalker WALKER =
      StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

  private static final CodeSource CORE = codeSource(Sites.class);

  private static final ClassValue<SiteCounter[]> BY_CLASS =
      new ClassValue<>() {
        @Override
        protected SiteCounter[] computeValue(Class<?> type) {
          return new SiteCounter[CallSite.Kind.values().length];
        }
      };

  private Sites() {}

  /**
   * The counter of the caller's site in {@code registry}, cached per task class where the class
   * pins down one source location.
   */
  public static SiteCounter counterFor(SiteRegistry registry, CallSite.Kind kind, Object task) {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(kind, "kind");
    if (task != null && registry == SiteRegistry.global()) {
      Class<?> c = task.getClass();
      if (pinsOneLocation(c)) {
        SiteCounter[] cache = BY_CLASS.get(c);
        SiteCounter s = cache[kind.ordinal()];
        if (s == null) {
          s = registry.register(caller(kind));
          cache[kind.ordinal()] = s; // benign race: every writer stores the same counter
        }
        return s;
      }
    }
    return registry.register(caller(kind));
  }

  /**
   * True if every instance of {@code c} is created at one place in the source: then {@link
   * #counterFor} answers by class for the global registry.
   */
  public static boolean pinsOneLocation(Class<?> c) {
    return c.isSynthetic()
        || c.isHidden()
        || c.isAnonymousClass()
        || c.isLocalClass()
        || c.getName().contains("$$Lambda");
  }

  /** Walks the stack to the first frame outside TimerGuard's core library. */
  public static CallSite caller(CallSite.Kind kind) {
    Optional<StackWalker.StackFrame> f =
        WALKER.walk(s -> s.filter(fr -> !isCoreFrame(fr.getDeclaringClass())).findFirst());
    return f.map(fr -> CallSite.of(kind, fr))
        .orElse(CallSite.of(kind, "<unknown>", "<unknown>", "?", -1));
  }

  private static boolean isCoreFrame(Class<?> c) {
    // both: a core package (so samples or apps shaded into one jar with the core still count as
    // callers) and the core's code source (so tests living in a core package count as callers)
    if (!c.getName().startsWith("dev.timerguard.") || !isCorePackage(c)) {
      return false;
    }
    CodeSource cs = codeSource(c);
    return CORE == null || Objects.equals(cs == null ? null : cs.getLocation(), CORE.getLocation());
  }

  private static boolean isCorePackage(Class<?> c) {
    String p = c.getPackageName();
    return p.equals("dev.timerguard")
        || p.equals("dev.timerguard.internal")
        || p.equals("dev.timerguard.wheel")
        || p.equals("dev.timerguard.live");
  }

  private static CodeSource codeSource(Class<?> c) {
    try {
      return c.getProtectionDomain().getCodeSource();
    } catch (SecurityException e) {
      return null;
    }
  }
}
