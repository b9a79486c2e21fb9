package dev.timerguard.agent.boot;

import dev.timerguard.live.CallSite;
import dev.timerguard.live.internal.SiteCounter;
import dev.timerguard.live.internal.SiteRegistry;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The agent's call-site ids. The rewriter {@link #define defines} an id for each rewritten call
 * when it instruments a class, and bakes it into the code as a constant; the site is registered in
 * the {@link SiteRegistry} only when the call first runs ({@link #counter}), so code that is loaded
 * but never creates a timer takes no place under the registry's site cap and shows in no export.
 *
 * <p>Defining the same site twice (a class retransformed, or loaded by two class loaders) gives the
 * same id. At most {@value #MAX} distinct call sites get their own id; later ones share one
 * overflow id per kind. Thread-safe: {@code counter} is two array reads once the site ran.
 */
public final class SiteTable {

  /** The most distinct call sites with their own id. */
  public static final int MAX = 1 << 18;

  private static final Object LOCK = new Object();
  private static final Map<CallSite, Integer> IDS = new HashMap<>();
  private static CallSite[] sites = new CallSite[256];
  private static volatile SiteCounter[] counters = new SiteCounter[256];
  private static int size;

  private SiteTable() {}

  /** The id of {@code site}, defining it if new. */
  public static int define(CallSite site) {
    synchronized (LOCK) {
      Integer id = IDS.get(site);
      if (id != null) {
        return id;
      }
      if (size >= MAX) {
        return define(CallSite.OVERFLOW.withKind(site.kind()));
      }
      if (size == sites.length) {
        sites = Arrays.copyOf(sites, size * 2);
        counters = Arrays.copyOf(counters, size * 2);
      }
      sites[size] = site;
      IDS.put(site, size);
      return size++;
    }
  }

  /** The call site with that id. @throws IllegalArgumentException if no such id was defined */
  public static CallSite site(int id) {
    synchronized (LOCK) {
      if (id < 0 || id >= size) {
        throw new IllegalArgumentException("no call site with id " + id);
      }
      return sites[id];
    }
  }

  /**
   * The counter of the site with that id in {@link Hooks#registry()}, registering the site on first
   * use.
   *
   * @throws IllegalArgumentException if no such id was defined
   */
  public static SiteCounter counter(int id) {
    SiteCounter[] c = counters;
    SiteCounter k;
    if (id >= 0 && id < c.length && (k = c[id]) != null) {
      return k;
    }
    return register(id);
  }

  private static SiteCounter register(int id) {
    synchronized (LOCK) {
      if (id < 0 || id >= size) {
        throw new IllegalArgumentException("no call site with id " + id);
      }
      SiteCounter[] c = counters;
      if (c[id] == null) {
        SiteCounter[] copy = c.clone();
        copy[id] = Hooks.registry().register(sites[id]);
        counters = copy;
      }
      return counters[id];
    }
  }

  /** Forgets registered counters (not ids), after the registry was replaced. For tests. */
  static void registryChanged() {
    synchronized (LOCK) {
      counters = new SiteCounter[counters.length];
    }
  }
}
