package dev.timerguard.cli;

import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * A doctor's connection to one running JVM: attaches with the attach API, loads the TimerGuard
 * agent, and reads everything over JMX through the attach API's local connector (no port is
 * opened). Only this class touches {@code com.sun.tools.attach}, so a runtime without the {@code
 * jdk.attach} module fails with a clear message before it is loaded.
 *
 * <p>Not thread-safe; one per diagnosis. {@link #close()} disconnects; the agent stays loaded.
 */
final class AttachSession implements DoctorTarget, AutoCloseable {

  static final String AGENT_MBEAN = "dev.timerguard:type=Agent";

  private final long pid;
  private final JMXConnector connector;
  private final MBeanServerConnection mbs;
  private final ObjectName agent;

  private AttachSession(long pid, JMXConnector connector) throws IOException {
    this.pid = pid;
    this.connector = connector;
    this.mbs = connector.getMBeanServerConnection();
    try {
      this.agent = new ObjectName(AGENT_MBEAN);
    } catch (javax.management.MalformedObjectNameException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Attaches to {@code pid}, loads the agent jar and connects over JMX.
   *
   * @throws DoctorException with a one-line reason when any step fails
   */
  static AttachSession open(long pid, Path agentJar) {
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
      try {
        vm.loadAgent(agentJar.toString(), "");
      } finally {
        // the target holds the jar open once loaded; remove it now so a killed doctor leaves no file
        agentJar.toFile().delete();
      }
      String address = vm.startLocalManagementAgent();
      JMXConnector c = JMXConnectorFactory.connect(new JMXServiceURL(address));
      return new AttachSession(pid, c);
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

  static String oneLine(Throwable e) {
    String m = e.getMessage();
    if (m == null || m.isBlank()) {
      m = e.getClass().getSimpleName();
    }
    return m.replace('\n', ' ').trim();
  }

  long pid() {
    return pid;
  }

  /** The agent's snapshot rows (see the agent MBean's SnapshotRows). */
  @Override
  public String[] snapshotRows() throws Exception {
    return (String[]) mbs.getAttribute(agent, "SnapshotRows");
  }

  /** Loaded {@code TimerTask} subclasses in the target. */
  @Override
  public String[] timerTaskClasses() throws Exception {
    return (String[]) mbs.getAttribute(agent, "TimerTaskClassNames");
  }

  /** Every platform thread with its stack. */
  @Override
  public ThreadInfo[] threads() throws IOException {
    ThreadMXBean t =
        ManagementFactory.newPlatformMXBeanProxy(
            mbs, ManagementFactory.THREAD_MXBEAN_NAME, ThreadMXBean.class);
    return t.dumpAllThreads(false, false);
  }

  /** Heap in use now, in bytes. */
  @Override
  public long heapUsed() throws IOException {
    MemoryMXBean m =
        ManagementFactory.newPlatformMXBeanProxy(
            mbs, ManagementFactory.MEMORY_MXBEAN_NAME, MemoryMXBean.class);
    return m.getHeapMemoryUsage().getUsed();
  }

  /** {@code jcmd GC.class_histogram} through the DiagnosticCommand MBean (runs a full GC). */
  @Override
  public String classHistogram() throws Exception {
    return (String)
        mbs.invoke(
            new ObjectName("com.sun.management:type=DiagnosticCommand"),
            "gcClassHistogram",
            new Object[] {new String[0]},
            new String[] {String[].class.getName()});
  }

  @Override
  public void close() {
    try {
      connector.close();
    } catch (IOException ignored) {
      // target may be gone
    }
  }
}
