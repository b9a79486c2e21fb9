package dev.timerguard.cli;

import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import com.sun.tools.attach.VirtualMachineDescriptor;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * A doctor's connection to one running JVM: attaches with the attach API, loads the TimerGuard
 * agent with a fresh session id and secret, and reads everything over JMX through the connector the
 * agent starts for this session (loopback only, the secret required, stopped by the agent when this
 * session disconnects; the JDK's local management agent is never started, as it would listen on
 * every interface for the rest of the target's life). Only this class touches {@code
 * com.sun.tools.attach}, so a runtime without the {@code jdk.attach} module fails with a clear
 * message before it is loaded.
 *
 * <p>Every step in the target runs on a daemon thread of its own and is waited for at most the
 * session's timeout: a stopped, frozen or swapping JVM makes a step fail with a {@link
 * DoctorException} ("did not respond within ..."), never hang the doctor. A step that is given up
 * on is left to finish (or not) on its daemon thread; a connection it opens late is closed.
 *
 * <p>Not thread-safe; one per diagnosis. {@link #close()} disconnects, which stops the session's
 * connector in the target; the agent stays loaded.
 */
final class AttachSession implements DoctorTarget, AutoCloseable {

  static final String AGENT_MBEAN = "dev.timerguard:type=Agent";

  /** The agent publishes the address of a session's connector in this property + the session id. */
  static final String CONNECTOR_PROPERTY = "timerguard.doctor.";

  /** The user name of the connector's credentials (the password is the session's secret). */
  static final String CONNECTOR_USER = "timerguard-doctor";

  private static final SecureRandom RANDOM = new SecureRandom();

  private final long pid;
  private final Duration timeout;
  private final JMXConnector connector;
  private final MBeanServerConnection mbs;
  private final ObjectName agent;

  private AttachSession(long pid, Duration timeout, JMXConnector connector) throws IOException {
    this.pid = pid;
    this.timeout = timeout;
    this.connector = connector;
    this.mbs = connector.getMBeanServerConnection();
    try {
      this.agent = new ObjectName(AGENT_MBEAN);
    } catch (javax.management.MalformedObjectNameException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Whether {@code pid} is in the JDK's list of JVMs this user can attach to ({@link
   * VirtualMachine#list()}, read from the JVMs' performance-data files: no process is signalled).
   */
  static boolean isAttachableJvm(long pid) {
    String id = Long.toString(pid);
    for (VirtualMachineDescriptor d : VirtualMachine.list()) {
      if (d.id().equals(id)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Attaches to {@code pid}, loads the agent jar and connects over JMX, waiting at most {@code
   * timeout} for all of it.
   *
   * @throws DoctorException with a one-line reason when any step fails or does not finish in time
   */
  static AttachSession open(long pid, Path agentJar, Duration timeout) {
    CompletableFuture<AttachSession> f = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              try {
                AttachSession s = attach(pid, agentJar, timeout);
                if (!f.complete(s)) {
                  s.close(); // the doctor gave up waiting
                }
              } catch (Throwable e) {
                f.completeExceptionally(e);
              }
            },
            "timerguard-attach-" + pid);
    t.setDaemon(true);
    t.start();
    try {
      return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      // given up: a session that still opens later is closed at once
      f.completeExceptionally(e);
      throw notResponding(pid, timeout, "attaching and loading the agent");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DoctorException("interrupted while attaching to JVM " + pid);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof DoctorException) {
        throw (DoctorException) e.getCause();
      }
      throw new DoctorException("cannot attach to JVM " + pid + ": " + oneLine(e.getCause()));
    }
  }

  /** {@code bytes} random bytes as lowercase hex. */
  private static String hex(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    StringBuilder s = new StringBuilder(bytes * 2);
    for (byte x : b) {
      s.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
    }
    return s.toString();
  }

  static DoctorException notResponding(long pid, Duration timeout, String step) {
    return new DoctorException(
        "JVM "
            + pid
            + " did not respond within "
            + DoctorCommand.format(timeout)
            + " while "
            + step
            + " (stopped, frozen or swapping? 'kill -CONT "
            + pid
            + "' resumes a stopped"
            + " process); give it longer with --attach-timeout");
  }

  /** The steps themselves, on the attach thread. */
  private static AttachSession attach(long pid, Path agentJar, Duration timeout) {
    VirtualMachine vm;
    try {
      vm = VirtualMachine.attach(Long.toString(pid));
    } catch (AttachNotSupportedException e) {
      throw new DoctorException(
          "process " + pid + " is not a JVM that accepts attach (" + oneLine(e) + ")");
    } catch (IOException e) {
      throw new DoctorException("cannot attach to JVM " + pid + ": " + oneLine(e));
    }
    try {
      // a JMX connector of the agent's for this session only, in place of the JDK's local
      // management agent, which would listen on every interface for the rest of the target's life
      String id = hex(8);
      String secret = hex(32);
      try {
        vm.loadAgent(agentJar.toString(), "doctor=" + id + ":" + secret);
      } finally {
        // the target holds the jar open once loaded; remove it now so a killed doctor leaves no
        // file
        agentJar.toFile().delete();
      }
      String address = vm.getSystemProperties().getProperty(CONNECTOR_PROPERTY + id);
      if (address == null) {
        throw new DoctorException(
            "the agent in JVM "
                + pid
                + " did not start the doctor's JMX connector (its standard"
                + " error says why)");
      }
      JMXConnector c =
          JMXConnectorFactory.connect(
              new JMXServiceURL(address),
              Map.of(JMXConnector.CREDENTIALS, new String[] {CONNECTOR_USER, secret}));
      return new AttachSession(pid, timeout, c);
    } catch (DoctorException e) {
      throw e;
    } catch (Exception e) {
      String hint = "";
      try {
        String spec = vm.getSystemProperties().getProperty("java.specification.version", "17");
        if (Runtime.Version.parse(spec).feature() >= 21
            && !oneLine(e).contains("EnableDynamicAgentLoading")) {
          hint = " (a JDK 21+ JVM that refuses agents needs -XX:+EnableDynamicAgentLoading)";
        }
      } catch (Exception | Error ignored) {
        // no hint
      }
      throw new DoctorException("cannot load the agent into JVM " + pid + ": " + oneLine(e) + hint);
    } finally {
      try {
        vm.detach();
      } catch (IOException ignored) {
        // the JMX connection is what we keep
      }
    }
  }

  /**
   * Runs one read in the target on a daemon thread and waits at most the session's timeout.
   *
   * @throws DoctorException if it does not finish in time
   */
  <T> T bounded(String step, Callable<T> read) throws Exception {
    CompletableFuture<T> f = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              try {
                f.complete(read.call());
              } catch (Throwable e) {
                f.completeExceptionally(e);
              }
            },
            "timerguard-read-" + pid);
    t.setDaemon(true);
    t.start();
    try {
      return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw notResponding(pid, timeout, step);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof Exception) {
        throw (Exception) c;
      }
      throw e;
    }
  }

  private static void closeQuietly(JMXConnector c) {
    try {
      c.close();
    } catch (IOException | RuntimeException ignored) {
      // target may be gone
    }
  }

  static String oneLine(Throwable e) {
    // a JMX proxy wraps a checked failure it may not throw: name the failure, not the wrapper
    while ((e instanceof java.lang.reflect.UndeclaredThrowableException
            || e instanceof java.lang.reflect.InvocationTargetException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    String m = e.getMessage();
    if (m == null || m.isBlank()) {
      m = e.getClass().getSimpleName();
    }
    return m.replace('\n', ' ').trim();
  }

  long pid() {
    return pid;
  }

  /** The JMX connection to the target; reads through it go through {@link #bounded}. */
  MBeanServerConnection connection() {
    return mbs;
  }

  /** The agent's snapshot document (the agent MBean's SnapshotJson, see SnapshotCodec). */
  @Override
  public String snapshotJson() throws Exception {
    return bounded(
        "reading the agent's snapshot", () -> (String) mbs.getAttribute(agent, "SnapshotJson"));
  }

  /** Loaded {@code TimerTask} subclasses in the target. */
  @Override
  public String[] timerTaskClasses() throws Exception {
    return bounded(
        "reading the TimerTask classes",
        () -> (String[]) mbs.getAttribute(agent, "TimerTaskClassNames"));
  }

  /** Every platform thread with its stack. */
  @Override
  public ThreadInfo[] threads() throws Exception {
    return bounded(
        "dumping its threads",
        () -> {
          ThreadMXBean t =
              ManagementFactory.newPlatformMXBeanProxy(
                  mbs, ManagementFactory.THREAD_MXBEAN_NAME, ThreadMXBean.class);
          return t.dumpAllThreads(false, false);
        });
  }

  /** Heap in use now, in bytes. */
  @Override
  public long heapUsed() throws Exception {
    return bounded(
        "reading its heap use",
        () -> {
          MemoryMXBean m =
              ManagementFactory.newPlatformMXBeanProxy(
                  mbs, ManagementFactory.MEMORY_MXBEAN_NAME, MemoryMXBean.class);
          return m.getHeapMemoryUsage().getUsed();
        });
  }

  /** {@code jcmd GC.class_histogram} through the DiagnosticCommand MBean (runs a full GC). */
  @Override
  public String classHistogram() throws Exception {
    ObjectName dcmd = new ObjectName("com.sun.management:type=DiagnosticCommand");
    return bounded(
        "taking a class histogram (a full GC)",
        () ->
            (String)
                mbs.invoke(
                    dcmd,
                    "gcClassHistogram",
                    new Object[] {new String[0]},
                    new String[] {String[].class.getName()}));
  }

  /**
   * Disconnects on a daemon thread and waits for that at most the timeout: closing may hang on a
   * frozen JVM too.
   */
  @Override
  public void close() {
    Thread t = new Thread(() -> closeQuietly(connector), "timerguard-close-" + pid);
    t.setDaemon(true);
    t.start();
    try {
      t.join(timeout.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
