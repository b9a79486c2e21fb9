package dev.timerguard.live.internal;

import dev.timerguard.live.CallSite;
import dev.timerguard.live.LiveRegistry;
import dev.timerguard.live.SiteStats;
import dev.timerguard.live.Snapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The write side of the one registry of live timers, tickers, executors and threads per call site
 * in a JVM: for TimerGuard's own engines and hooks, not for applications.
 *
 * <p>Writers (the safe timer API, the timing wheel, the agent's hooks) {@link #register} a {@link
 * CallSite} once, keep the returned {@link SiteCounter} (or its {@link SiteCounter#id id}) and call
 * {@link SiteCounter#start} and {@link SiteCounter#end} on the hot path. Readers see the same
 * object through its public face, {@link LiveRegistry}: {@link #snapshot() snapshots}, site count
 * and cap. There is no second counter anywhere: every face of TimerGuard reads this model.
 *
 * <p><b>One per JVM.</b> {@link #global()} (the same object as {@link LiveRegistry#global()}) is
 * the process-wide instance; when the TimerGuard agent is loaded it puts this package on the
 * bootstrap class path so that JDK, library and application classes all see the same instance.
 * Separate instances ({@link #create}) exist for tests; {@link #of(LiveRegistry)} gives a writer
 * the registry behind a {@link LiveRegistry} that an application handed to an engine.
 *
 * <p><b>Bounded memory.</b> At most {@link #maxSites()} distinct sites are kept (default 4096,
 * system property {@code timerguard.registry.maxSites}); later sites share the {@link
 * CallSite#OVERFLOW} counter of their kind, so counts stay exact in total. Nothing is kept per
 * timer.
 *
 * <p>Thread-safe: every method may be called from any thread.
 */
public final class SiteRegistry implements LiveRegistry {

  private static final SiteRegistry GLOBAL =
      new SiteRegistry(
          Integer.getInteger("timerguard.registry.maxSites", 4096), System::nanoTime, true);

  private final int maxSites;
  private final LongSupplier clock;
  private final ConcurrentHashMap<CallSite, SiteCounter> bySite = new ConcurrentHashMap<>();
  private final Object lock = new Object();
  private volatile SiteCounter[] byId = new SiteCounter[0];
  private final SiteCounter[] overflow = new SiteCounter[CallSite.Kind.values().length];
  private volatile boolean coarseStamps;
  private volatile long coarseNanos;
  private volatile Runnable coarseWake; // non-null while the refresher idles
  private static final java.util.concurrent.atomic.AtomicReferenceFieldUpdater<
          SiteRegistry, Runnable>
      COARSE_WAKE =
          java.util.concurrent.atomic.AtomicReferenceFieldUpdater.newUpdater(
              SiteRegistry.class, Runnable.class, "coarseWake");
  private final boolean systemClock;

  private SiteRegistry(int maxSites, LongSupplier clock, boolean systemClock) {
    this.systemClock = systemClock;
    if (maxSites < 1) {
      throw new IllegalArgumentException("maxSites must be at least 1, was " + maxSites);
    }
    this.maxSites = maxSites;
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The process-wide registry, the one {@link LiveRegistry#global()} returns. */
  public static SiteRegistry global() {
    return GLOBAL;
  }

  /**
   * The writable registry behind {@code registry}: the registry itself, since every {@link
   * LiveRegistry} TimerGuard hands out ({@link LiveRegistry#global()}, {@link LiveRegistry#create})
   * is one.
   *
   * @throws NullPointerException if {@code registry} is null
   * @throws IllegalArgumentException if {@code registry} is some other implementation of {@link
   *     LiveRegistry}, which no engine can count in
   */
  public static SiteRegistry of(LiveRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    if (registry instanceof SiteRegistry) {
      return (SiteRegistry) registry;
    }
    throw new IllegalArgumentException(
        "registry must come from LiveRegistry.global() or LiveRegistry.create(maxSites, clock), was "
            + registry.getClass().getName());
  }

  /**
   * A separate registry, for tests and embedded use.
   *
   * @param maxSites distinct sites kept before the overflow bucket is used (at least 1)
   * @param clock monotonic nanosecond clock, e.g. {@code System::nanoTime}
   */
  public static SiteRegistry create(int maxSites, LongSupplier clock) {
    return new SiteRegistry(maxSites, clock, false);
  }

  /**
   * Whether this registry's clock is known to be {@link System#nanoTime()} (true for {@link
   * #global()}), so that an engine may stamp creations with its own recent readings of it ({@link
   * SiteCounter#startAt}).
   */
  public boolean isSystemClock() {
    return systemClock;
  }

  @Override
  public int maxSites() {
    return maxSites;
  }

  @Override
  public long nanoTime() {
    return clock.getAsLong();
  }

  /**
   * Switches creation stamps to a coarse copy of the clock that the caller keeps fresh with {@link
   * #refreshCoarseClock()}: a creation then costs no clock read. For hot paths where the clock read
   * dominates the counting (the agent, which refreshes every 10 ms). Counts are not affected;
   * oldest-live ages stay upper bounds, off by at most the time since the last refresh (snapshots
   * refresh too). Irreversible for this registry.
   */
  public void useCoarseStamps() {
    coarseNanos = clock.getAsLong();
    coarseStamps = true;
  }

  /** Refreshes the coarse clock of {@link #useCoarseStamps()}; a no-op cost otherwise. */
  public void refreshCoarseClock() {
    coarseNanos = clock.getAsLong();
  }

  /**
   * Lets the refresher of {@link #useCoarseStamps()} stop refreshing while nothing is created: the
   * next creation reads the clock itself (so its stamp is exact), refreshes the coarse copy and
   * runs {@code wake} once, on the creating thread, so that the refresher resumes. {@code wake}
   * must be quick and must not throw (the agent unparks its sampler thread).
   *
   * @throws NullPointerException if {@code wake} is null
   */
  public void idleCoarseClock(Runnable wake) {
    Objects.requireNonNull(wake, "wake");
    coarseNanos = clock.getAsLong();
    coarseWake = wake;
  }

  /** Whether {@link #idleCoarseClock} is in effect: nothing was created since it was called. */
  public boolean coarseClockIdle() {
    return coarseWake != null;
  }

  /** The time a creation is stamped with. */
  long stampNow() {
    if (!coarseStamps) {
      return clock.getAsLong();
    }
    return coarseWake == null ? coarseNanos : wakeCoarseClock();
  }

  private long wakeCoarseClock() {
    long now = clock.getAsLong();
    coarseNanos = now;
    Runnable w = coarseWake;
    if (w != null && COARSE_WAKE.compareAndSet(this, w, null)) {
      w.run();
    }
    return now;
  }

  /**
   * Returns the counter of a site, registering it on first use. Idempotent: the same site always
   * gets the same counter. Past the cap, returns the overflow counter for the site's kind.
   *
   * @throws NullPointerException if {@code site} is null
   */
  public SiteCounter register(CallSite site) {
    Objects.requireNonNull(site, "site");
    SiteCounter c = bySite.get(site);
    if (c != null) {
      return c;
    }
    synchronized (lock) {
      c = bySite.get(site);
      if (c != null) {
        return c;
      }
      if (bySite.size() >= maxSites) {
        int k = site.kind().ordinal();
        if (overflow[k] == null) {
          overflow[k] = add(CallSite.OVERFLOW.withKind(site.kind()));
        }
        return overflow[k];
      }
      return add(site);
    }
  }

  private SiteCounter add(CallSite site) {
    SiteCounter[] old = byId;
    SiteCounter c = new SiteCounter(old.length, site, this);
    SiteCounter[] grown = java.util.Arrays.copyOf(old, old.length + 1);
    grown[old.length] = c;
    bySite.put(site, c);
    byId = grown;
    return c;
  }

  /**
   * The counter with the given id.
   *
   * @throws IllegalArgumentException if no site has that id
   */
  public SiteCounter counter(int id) {
    SiteCounter[] a = byId;
    if (id < 0 || id >= a.length) {
      throw new IllegalArgumentException("no call site with id " + id);
    }
    return a[id];
  }

  @Override
  public int siteCount() {
    return byId.length;
  }

  @Override
  public Snapshot snapshot() {
    SiteCounter[] a = byId;
    long now = clock.getAsLong();
    coarseNanos = now;
    List<SiteStats> out = new ArrayList<>(a.length);
    for (SiteCounter c : a) {
      out.add(c.stats(now));
    }
    return new Snapshot(now, System.currentTimeMillis(), out);
  }

  @Override
  public String toString() {
    return "LiveRegistry[" + byId.length + " sites]";
  }
}
