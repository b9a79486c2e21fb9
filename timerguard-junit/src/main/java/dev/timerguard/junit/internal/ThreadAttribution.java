package dev.timerguard.junit.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingStream;

/**
 * Which test started which thread, through the chain of starting threads, without an agent: one
 * process-wide JFR {@link RecordingStream} of {@code jdk.ThreadStart} events (they name the
 * starting thread and carry the stack of {@code start()}) and of {@link ScopeEvent}s that mark
 * where each test scope begins and ends on the thread that runs it. Both are stamped by the same
 * JFR clock, so a thread started by thread P at time t belongs to the innermost scope open on P at
 * t; if none was open on P, it belongs to whatever P belongs to (a pool thread that a test started
 * keeps working for that test); a thread started by a thread that belongs to no test (a shared
 * worker that existed before, a JVM thread) belongs to no test.
 *
 * <p><b>Delivery delay.</b> JFR hands events to the stream in batches, about once a second. {@link
 * #origin} answers {@code null} for a thread whose start event has not arrived yet; {@link
 * #awaitOrigins} waits for given threads (and asks JFR for an early batch by starting and stopping
 * an empty recording, which cuts the wait to about 0.1 s on JDK 17 and 25), and gives up once a
 * marker event committed after the threads started has arrived and 5 s have passed without them:
 * then the thread has no start event (started before the stream, or attached from native code), and
 * the caller treats it as belonging to no test.
 *
 * <p>Virtual threads are not covered: their start event names no parent.
 *
 * <p>One per JVM ({@link #shared()}), started on first use; when JFR is not available (a runtime
 * without the {@code jdk.jfr} module, or JFR disabled) {@link #available()} is false and {@link
 * #unavailableReason()} says why. Thread-safe. Cost: starting JFR once (about 1 s), a JFR event per
 * scope boundary and per thread start; memory: one small record per live thread started since.
 */
public final class ThreadAttribution {

  /** A test, test class or other piece of code that threads are attributed to. */
  public static final class Scope {
    private final long id;
    private final String uniqueId;
    private final String name;
    private final Scope parent;
    private volatile boolean overlapped;
    private volatile boolean verified;
    private int refs; // guarded by the attribution
    private int recordedOpen; // touched only by the stream's thread

    Scope(long id, String uniqueId, String name, Scope parent) {
      this.id = id;
      this.uniqueId = uniqueId;
      this.name = name;
      this.parent = parent;
    }

    /** What the scope is, for messages: e.g. "test com.acme.FooTest.bar()". */
    public String name() {
      return name;
    }

    /** Whether {@code other} is this scope or one of its enclosing scopes. */
    public boolean within(Scope other) {
      for (Scope s = this; s != null; s = s.parent) {
        if (s == other) {
          return true;
        }
      }
      return false;
    }

    /** Whether another, unrelated scope was open at some time while this one was. */
    public boolean overlapped() {
      return overlapped;
    }

    /** Marks that a verifier has judged this scope, so that another one need not. */
    public void markVerified() {
      verified = true;
    }

    /** Whether {@link #markVerified()} was called. */
    public boolean verified() {
      return verified;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /**
   * Where a platform thread came from.
   *
   * @param threadId the started thread's id
   * @param parentName the starting thread's name, or {@code null} when unknown
   * @param owner the scope the thread belongs to, or {@code null} for none
   * @param parent the starting thread's own origin, when it was started since attribution began
   * @param stack the stack of {@code start()} in the starting thread, top frame first (JFR frames
   *     carry no file name; it is inferred from the class name); empty when unknown
   * @param recorded false when no start event was seen for the thread
   */
  public record Origin(
      long threadId,
      String parentName,
      Scope owner,
      Origin parent,
      List<StackTraceElement> stack,
      boolean recorded) {}

  /** How long after its marker came back a start event is given up for. */
  static final long SETTLE_MILLIS = 5000;

  /** The name of the daemon thread that reads the JFR stream. */
  public static final String THREAD_NAME = "timerguard-attribution";

  private static final Object START_LOCK = new Object();
  private static volatile ThreadAttribution shared;

  private final RecordingStream stream;
  private final String unavailable;
  private final AtomicLong ids = new AtomicLong();
  private final Map<Long, Origin> origins = new ConcurrentHashMap<>();
  private final Set<Long> scopeThreads = ConcurrentHashMap.newKeySet();

  /** The scopes open on each thread, innermost last. */
  private final ThreadLocal<ArrayDeque<Scope>> onThread = ThreadLocal.withInitial(ArrayDeque::new);

  // guarded by this
  private final Map<String, Scope> openById = new HashMap<>();
  private final Set<Scope> open = Collections.newSetFromMap(new IdentityHashMap<>());
  // scopes whose begin or end events the stream has still to see
  private final Map<Long, Scope> pending = new ConcurrentHashMap<>();
  // touched only by the stream's thread
  private final Map<Long, ArrayDeque<Interval>> intervals = new HashMap<>();
  private Instant watermark = Instant.EPOCH;
  private long added;
  // flush progress, guarded by flushLock
  private final Object flushLock = new Object();
  private long flushes;
  private long markerSeen;
  private final AtomicLong markers = new AtomicLong();
  private long lastNudge;
  private final Object nudgeLock = new Object();

  private static final class Interval {
    final Instant begin;
    final Scope scope;
    Instant end;

    Interval(Instant begin, Scope scope) {
      this.begin = begin;
      this.scope = scope;
    }
  }

  private ThreadAttribution(RecordingStream stream, String unavailable) {
    this.stream = stream;
    this.unavailable = unavailable;
  }

  /**
   * The JVM's attribution, started on the first call, which waits until the stream delivers events
   * (about 1 s: JFR's start and its first batch).
   */
  public static ThreadAttribution shared() {
    ThreadAttribution a = shared;
    if (a != null) {
      return a;
    }
    synchronized (START_LOCK) {
      if (shared == null) {
        shared = start();
      }
      return shared;
    }
  }

  /** The JVM's attribution if it was started, else {@code null}. */
  public static ThreadAttribution sharedIfRunning() {
    return shared;
  }

  private static ThreadAttribution start() {
    RecordingStream rs = null;
    try {
      rs = new RecordingStream();
      ThreadAttribution a = new ThreadAttribution(rs, null);
      rs.enable("jdk.ThreadStart").withStackTrace();
      rs.enable(ScopeEvent.class);
      rs.setMaxAge(Duration.ofSeconds(30));
      rs.setReuse(true);
      rs.onEvent("jdk.ThreadStart", a::onThreadStart);
      rs.onEvent("dev.timerguard.junit.TestScope", a::onScope);
      rs.onFlush(a::onFlush);
      // startAsync() would run the stream on a non-daemon thread that keeps the JVM alive after
      // main() returns: run it on a daemon thread of ours instead.
      RecordingStream stream = rs;
      Thread t = new Thread(stream::start, THREAD_NAME);
      t.setDaemon(true);
      t.start();
      // The recording starts on that thread: wait until a marker committed now comes back, so
      // that no thread started after this method returns is missed.
      if (!a.awaitStarted(Duration.ofSeconds(10))) {
        rs.close();
        return new ThreadAttribution(null, "the JFR stream did not start within 10 s");
      }
      return a;
    } catch (Throwable e) { // NoClassDefFoundError without jdk.jfr, IllegalStateException, ...
      if (rs != null) {
        try {
          rs.close();
        } catch (Throwable ignored) {
          // the reason below is what matters
        }
      }
      return new ThreadAttribution(null, "JFR is not available (" + e + ")");
    }
  }

  private boolean awaitStarted(Duration max) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    long marker = 0;
    long nextMarker = 0;
    synchronized (flushLock) {
      while (marker == 0 || markerSeen < marker) {
        if (markerSeen > 0) {
          return true;
        }
        long now = System.nanoTime();
        if (now - deadline > 0) {
          return false;
        }
        if (now - nextMarker > 0) {
          marker = markers.incrementAndGet();
          ScopeEvent.commit(-marker, false);
          nextMarker = now + 20_000_000L;
        }
        flushLock.wait(5);
      }
      return true;
    }
  }

  /** Whether threads can be attributed in this JVM. */
  public boolean available() {
    return unavailable == null;
  }

  /** Why {@link #available()} is false, or {@code null}. */
  public String unavailableReason() {
    return unavailable;
  }

  /**
   * Opens the scope {@code uniqueId} on the calling thread (or enters it again if it is open: the
   * launcher listener and the extension share the scope of a test).
   *
   * @param parentUniqueId the enclosing scope's id, or {@code null}; when that scope is not open,
   *     the enclosing scope is the innermost one open on the calling thread (a test run by a test)
   */
  public Scope open(String uniqueId, String name, String parentUniqueId) {
    Scope s;
    ArrayDeque<Scope> mine = onThread.get();
    synchronized (this) {
      s = openById.get(uniqueId);
      if (s == null) {
        Scope parent = parentUniqueId == null ? null : openById.get(parentUniqueId);
        if (parent == null) {
          parent = mine.peekLast();
        }
        s = new Scope(ids.incrementAndGet(), uniqueId, name, parent);
        for (Scope o : open) {
          if (!s.within(o) && !o.within(s)) {
            s.overlapped = true;
            o.overlapped = true;
          }
        }
        open.add(s);
        openById.put(uniqueId, s);
        pending.put(s.id, s);
      }
      s.refs++;
    }
    mine.addLast(s);
    scopeThreads.add(ThreadScan.id(Thread.currentThread()));
    if (available()) {
      ScopeEvent.commit(s.id, true);
    }
    return s;
  }

  /** The open scope with this id, or {@code null}. */
  public synchronized Scope openScope(String uniqueId) {
    return openById.get(uniqueId);
  }

  /** Leaves {@code scope} on the calling thread; closes it when every opener has left. */
  public void close(Scope scope) {
    onThread.get().removeLastOccurrence(scope);
    if (available()) {
      ScopeEvent.commit(scope.id, false);
    }
    synchronized (this) {
      if (--scope.refs == 0) {
        open.remove(scope);
        openById.remove(scope.uniqueId, scope);
      }
    }
  }

  /** Whether the thread ever ran a scope (a test worker: never a leak of the scopes it ran). */
  public boolean isScopeThread(long threadId) {
    return scopeThreads.contains(threadId);
  }

  /** The origin of a platform thread, or {@code null} while its start event has not arrived. */
  public Origin origin(long threadId) {
    return origins.get(threadId);
  }

  /**
   * Waits until the origins of all {@code threadIds} are known, or {@code max} passed, and says
   * whether they all are. It commits a marker event after the threads are running: a start event is
   * not lost, only late, so a thread still unknown once the marker has come back and another
   * {@value #SETTLE_MILLIS} ms (more than one periodic batch) have passed has no start event
   * (started before the stream, or attached from native code); this method does not wait beyond
   * that. Returns at once if interrupted (keeping the flag).
   */
  public boolean awaitOrigins(Collection<Long> threadIds, Duration max) {
    if (!available() || threadIds.isEmpty() || allKnown(threadIds)) {
      return available() && allKnown(threadIds);
    }
    long deadline = System.nanoTime() + max.toNanos();
    // A started thread is listed before it runs, and it posts its start event when it begins to
    // run: wait until each one has a stack (is running) before placing the marker after it.
    List<Thread> waiting = new ArrayList<>();
    for (Thread t : ThreadScan.platformThreads()) {
      if (threadIds.contains(ThreadScan.id(t))) {
        waiting.add(t);
      }
    }
    long runDeadline = System.nanoTime() + 200_000_000L;
    for (Thread t : waiting) {
      while (t.isAlive() && t.getStackTrace().length == 0 && System.nanoTime() - runDeadline < 0) {
        Thread.yield();
      }
    }
    long marker = markers.incrementAndGet();
    long settled = System.nanoTime() + SETTLE_MILLIS * 1_000_000L;
    ScopeEvent.commit(-marker, false);
    nudge();
    synchronized (flushLock) {
      while (!allKnown(threadIds)) {
        long now = System.nanoTime();
        if (markerSeen >= marker && now - settled >= 0) {
          return false;
        }
        long left = deadline - now;
        if (left <= 0) {
          return false;
        }
        try {
          flushLock.wait(Math.max(1, Math.min(50, left / 1_000_000)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
    }
    return true;
  }

  private boolean allKnown(Collection<Long> threadIds) {
    for (Long id : threadIds) {
      if (!origins.containsKey(id)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Asks JFR for an early batch: starting and stopping an empty recording makes it write out what
   * its threads buffered. At most one at a time and ten a second; costs 10-25 ms.
   */
  private void nudge() {
    synchronized (nudgeLock) {
      long now = System.nanoTime();
      if (now - lastNudge < 100_000_000L) {
        return;
      }
      lastNudge = now;
      try (Recording r = new Recording()) {
        r.setName("timerguard-junit flush");
        r.start();
        r.stop();
      } catch (RuntimeException e) {
        // only a speed-up; the periodic batch still comes
      }
    }
  }

  // ------------------------------------------------------------------ the stream's thread

  private void onFlush() {
    synchronized (flushLock) {
      flushes++;
      flushLock.notifyAll();
    }
  }

  private void onScope(RecordedEvent e) {
    RecordedThread t = e.getThread();
    if (t == null) {
      return;
    }
    long tid = t.getJavaThreadId();
    long id = e.getLong("scope");
    if (id < 0) {
      synchronized (flushLock) {
        markerSeen = Math.max(markerSeen, -id);
        flushLock.notifyAll();
      }
      return;
    }
    Instant at = e.getStartTime();
    advance(at);
    Scope s = pending.get(id);
    if (s == null) {
      return;
    }
    if (e.getBoolean("begin")) {
      s.recordedOpen++;
      intervals.computeIfAbsent(tid, k -> new ArrayDeque<>()).addLast(new Interval(at, s));
      return;
    }
    ArrayDeque<Interval> q = intervals.get(tid);
    if (q != null) {
      for (Iterator<Interval> it = q.descendingIterator(); it.hasNext(); ) {
        Interval i = it.next();
        if (i.scope == s && i.end == null) {
          i.end = at;
          break;
        }
      }
    }
    if (--s.recordedOpen <= 0) {
      boolean closed;
      synchronized (this) {
        closed = s.refs == 0;
      }
      if (closed) {
        pending.remove(id, s);
      }
    }
  }

  private void onThreadStart(RecordedEvent e) {
    RecordedThread child = e.getThread("thread");
    if (child == null || child.getJavaThreadId() <= 0) {
      return;
    }
    RecordedThread parent = e.hasField("parentThread") ? e.getThread("parentThread") : null;
    long ptid = parent == null ? -1 : parent.getJavaThreadId();
    Instant at = e.getStartTime();
    advance(at);
    Scope owner = scopeAt(ptid, at);
    Origin parentOrigin = ptid < 0 ? null : origins.get(ptid);
    if (owner == null && parentOrigin != null) {
      owner = parentOrigin.owner();
    }
    origins.put(
        child.getJavaThreadId(),
        new Origin(
            child.getJavaThreadId(),
            parent == null ? null : parent.getJavaName(),
            owner,
            parentOrigin,
            frames(e.getStackTrace()),
            true));
    if (++added % 4096 == 0) {
      prune();
    }
  }

  private Scope scopeAt(long tid, Instant at) {
    ArrayDeque<Interval> q = intervals.get(tid);
    if (q == null) {
      return null;
    }
    Interval best = null;
    for (Interval i : q) {
      if (!i.begin.isAfter(at)
          && (i.end == null || i.end.isAfter(at))
          && (best == null || !i.begin.isBefore(best.begin))) {
        best = i;
      }
    }
    return best == null ? null : best.scope;
  }

  /** Drops scope intervals that ended well before the newest event. */
  private void advance(Instant at) {
    if (!at.isAfter(watermark.plusSeconds(1))) {
      if (at.isAfter(watermark)) {
        watermark = at;
      }
      return;
    }
    watermark = at;
    Instant horizon = at.minusSeconds(5);
    for (Iterator<ArrayDeque<Interval>> qs = intervals.values().iterator(); qs.hasNext(); ) {
      ArrayDeque<Interval> q = qs.next();
      q.removeIf(i -> i.end != null && i.end.isBefore(horizon));
      if (q.isEmpty()) {
        qs.remove();
      }
    }
  }

  /** Forgets origins of threads that are gone (keeps memory bounded by the live threads). */
  private void prune() {
    Set<Long> live = new HashSet<>();
    for (Thread t : ThreadScan.platformThreads()) {
      live.add(ThreadScan.id(t));
    }
    origins.keySet().removeIf(id -> !live.contains(id));
  }

  private static List<StackTraceElement> frames(RecordedStackTrace st) {
    if (st == null) {
      return List.of();
    }
    List<StackTraceElement> out = new ArrayList<>();
    for (RecordedFrame f : st.getFrames()) {
      if (!f.isJavaFrame()) {
        continue;
      }
      String cls = f.getMethod().getType().getName();
      out.add(
          new StackTraceElement(
              cls, f.getMethod().getName(), sourceFileGuess(cls), f.getLineNumber()));
    }
    return List.copyOf(out);
  }

  /** {@code com.acme.Outer$Inner} to {@code Outer.java}: JFR frames carry no file name. */
  static String sourceFileGuess(String className) {
    String simple = className.substring(className.lastIndexOf('.') + 1);
    int dollar = simple.indexOf('$');
    if (dollar > 0) {
      simple = simple.substring(0, dollar);
    }
    return simple + ".java";
  }

  @Override
  public String toString() {
    return available() ? "ThreadAttribution[JFR]" : "ThreadAttribution[" + unavailable + "]";
  }
}
