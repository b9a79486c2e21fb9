package dev.timerguard.junit.internal;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Lists live platform threads cheaply (no stacks), and reads the JVM's thread-id counter.
 *
 * <p>Listing walks the root thread group ({@link ThreadGroup#enumerate(Thread[], boolean)}), which
 * costs microseconds and, unlike {@link Thread#getAllStackTraces()}, takes no stacks. Virtual
 * threads are never listed; see {@link VirtualThreadDump}.
 */
public final class ThreadScan {

  private static final AtomicLong PROBES = new AtomicLong();
  private static volatile int sizeHint = 64;

  private ThreadScan() {}

  /** The live platform threads of the JVM. */
  public static Thread[] platformThreads() {
    ThreadGroup g = Thread.currentThread().getThreadGroup();
    if (g == null) { // a terminated thread has no group; cannot happen for the caller, but be safe
      g = new Thread((Runnable) null).getThreadGroup();
    }
    while (g.getParent() != null) {
      g = g.getParent();
    }
    // No activeCount(): on JDK 19+ it lists every thread just like enumerate() does.
    Thread[] a = new Thread[sizeHint];
    int n;
    while ((n = g.enumerate(a, true)) == a.length) {
      a = new Thread[a.length * 2];
    }
    sizeHint = Math.max(64, n + n / 2 + 16);
    return Arrays.copyOf(a, n);
  }

  /** The thread's id ({@code getId()}, which is {@code threadId()} on JDK 19+). */
  @SuppressWarnings("deprecation")
  public static long id(Thread t) {
    return t.getId();
  }

  /** Whether the thread is a carrier thread of the JDK's virtual-thread scheduler. */
  public static boolean isCarrier(Thread t) {
    return t.getClass().getName().equals("jdk.internal.misc.CarrierThread");
  }

  /**
   * A reading of the thread-id counter: {@code [next id, probes made so far]}. Every thread the JVM
   * creates, platform or virtual, takes the next id; so if between two readings the id moved by
   * more than the probes made in between, some thread was created. Costs one unstarted {@link
   * Thread} object.
   */
  public static long[] idMark() {
    long probes = PROBES.incrementAndGet();
    @SuppressWarnings("deprecation") // Thread.threadId() is JDK 19+; getId() is the same on 17
    long id = new Thread(null, null, "timerguard-id-probe", 0, false).getId();
    return new long[] {id, probes};
  }

  /** Whether any thread other than our probes was created between two {@link #idMark()}s. */
  public static boolean threadsCreatedBetween(long[] earlier, long[] later) {
    return (later[0] - earlier[0]) > (later[1] - earlier[1]);
  }
}
