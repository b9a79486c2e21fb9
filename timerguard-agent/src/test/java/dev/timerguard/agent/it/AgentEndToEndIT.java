package dev.timerguard.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged agent in child JVMs running {@link LeakySample}: -javaagent and dynamic attach. */
class AgentEndToEndIT {

  @TempDir Path dir;

  private static final String SAMPLE = LeakySample.class.getName();

  private static Sites waitForLeak(int port, long atLeast) throws Exception {
    Sites s = null;
    for (int i = 0; i < 200; i++) {
      s = Sites.fromSnapshot(ChildJvm.get(port, "/snapshot"));
      if (s.all().stream()
          .anyMatch(x -> x.line() == LeakySample.LEAK_LINE && x.live() >= atLeast)) {
        return s;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("leak never reached " + atLeast + ": " + s);
  }

  private static long metric(String metrics, String name, int line) {
    Matcher m =
        Pattern.compile(
                "(?m)^"
                    + name
                    + "\\{[^}]*class=\""
                    + Pattern.quote(SAMPLE)
                    + "\",line=\""
                    + line
                    + "\"} (\\d+)$")
            .matcher(metrics);
    assertThat(m.find()).as(name + " at line " + line + " in\n" + metrics).isTrue();
    return Long.parseLong(m.group(1));
  }

  @Test
  void metricsAndTimersReportTheLeakingSiteAndNotTheHealthyOnes() throws Exception {
    Path portFile = dir.resolve("port");
    try (ChildJvm c =
        new ChildJvm(
            List.of(
                "-javaagent:"
                    + ChildJvm.agentJar()
                    + "=http=0,portFile="
                    + portFile
                    + ",sampleMillis=100"),
            SAMPLE,
            "100000",
            "50")) {
      c.await("ready", 30);
      int port = ChildJvm.awaitPort(portFile, 30);
      Sites s = waitForLeak(port, 20);

      assertThat(s.at("TIMER", LeakySample.LEAK_LINE).live()).isGreaterThanOrEqualTo(20);
      Sites.Site cancelled = s.at("TIMER", LeakySample.CANCELLED_LINE);
      assertThat(cancelled.live()).isZero();
      assertThat(cancelled.cancelled()).isGreaterThan(0);
      Sites.Site fired = s.at("TIMER", LeakySample.FIRED_LINE);
      assertThat(fired.live()).isLessThanOrEqualTo(2);
      assertThat(fired.fired()).isGreaterThan(0);
      assertThat(s.at("THREAD", LeakySample.THREAD_LINE).live()).isLessThanOrEqualTo(2);
      assertThat(s.at("EXECUTOR", LeakySample.POOL_LINE).retained()).isGreaterThan(0);
      assertThat(s.at("EXECUTOR", LeakySample.POOL_LINE).queue()).isGreaterThan(0);

      String metrics = ChildJvm.get(port, "/metrics");
      assertThat(metric(metrics, "timerguard_site_live", LeakySample.LEAK_LINE))
          .isGreaterThanOrEqualTo(20);
      assertThat(metric(metrics, "timerguard_site_live", LeakySample.CANCELLED_LINE)).isZero();
      assertThat(
              metric(
                  metrics, "timerguard_executor_retained_cancelled_tasks", LeakySample.POOL_LINE))
          .isGreaterThan(0);
      assertThat(metric(metrics, "timerguard_threads_live", LeakySample.THREAD_LINE))
          .isLessThanOrEqualTo(2);
      assertThat(metrics)
          .contains(
              "timerguard_live_timers ",
              "timerguard_jvm_heap_after_gc_bytes{pool=",
              "timerguard_jvm_gc_pause_seconds_total{gc=",
              "timerguard_jvm_gc_collections_total{gc=",
              "timerguard_jvm_threads_live ",
              "# TYPE timerguard_site_creations_total counter");

      assertOnlyLoopback(port);

      String threads = ChildJvm.get(port, "/threads");
      assertThat(threads)
          .contains("\"groups\":[{\"count\":")
          .contains("LeakySample.request(LeakySample.java:52)");
      assertThat(c.stderr()).doesNotContain("[timerguard] internal error");
    }
  }

  @Test
  void dynamicAttachCountsFromTheAttachOnAndAttachingTwiceDoesNotDoubleCount() throws Exception {
    Path portFile = dir.resolve("port2");
    int requests = 200; // 10 s at 20/s: the attach lands well before the end even on a busy machine
    try (ChildJvm c =
        new ChildJvm(List.of("-Dsample.linger=60000"), SAMPLE, Integer.toString(requests), "20")) {
      c.await("ready", 30);
      VirtualMachine vm = VirtualMachine.attach(Long.toString(c.pid()));
      try {
        vm.loadAgent(ChildJvm.agentJar().toString(), "http=0,portFile=" + portFile);
        vm.loadAgent(ChildJvm.agentJar().toString(), ""); // second load: no second instrumentation
      } finally {
        vm.detach();
      }
      int port = ChildJvm.awaitPort(portFile, 30);
      c.await("done", 60);
      Sites s = Sites.fromSnapshot(ChildJvm.get(port, "/snapshot"));
      assertJmxAgrees(c.pid(), s);
      Sites.Site leak = s.at("TIMER", LeakySample.LEAK_LINE);
      // requests before the attach are not counted, and none is counted twice
      assertThat(leak.created()).isBetween(1L, (long) requests - 5);
      assertThat(leak.live()).isEqualTo(leak.created());
      Sites.Site cancelled = s.at("TIMER", LeakySample.CANCELLED_LINE);
      assertThat(cancelled.created()).isEqualTo(leak.created());
      assertThat(cancelled.live()).isZero();
      // the pool was created before the attach: registered where it was first used
      assertThat(s.all())
          .anySatisfy(
              x -> {
                assertThat(x.kind()).isEqualTo("EXECUTOR");
                assertThat(x.method()).contains("first used here");
                assertThat(x.retained())
                    .isEqualTo((long) requests); // every cancelled task, old ones too
              });
    }
  }

  /** The endpoint answers on 127.0.0.1 and refuses connections on the machine's other addresses. */
  private static void assertOnlyLoopback(int port) throws Exception {
    for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      for (InetAddress a : Collections.list(nif.getInetAddresses())) {
        if (a.isLoopbackAddress() || a.isLinkLocalAddress()) {
          continue;
        }
        try (Socket sock = new Socket()) {
          sock.connect(new InetSocketAddress(a, port), 1000);
          throw new AssertionError("the endpoint answered on " + a);
        } catch (IOException expected) {
          // refused: bound to loopback only
        }
      }
    }
  }

  /** The MBean gives the same figures as /snapshot (the run is over, so nothing moves). */
  private static void assertJmxAgrees(long pid, Sites s) throws Exception {
    VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
    try (JMXConnector c =
        JMXConnectorFactory.connect(new JMXServiceURL(vm.startLocalManagementAgent()))) {
      MBeanServerConnection mbs = c.getMBeanServerConnection();
      ObjectName name = new ObjectName("dev.timerguard:type=Agent");
      long live =
          s.all().stream()
              .filter(x -> x.kind().equals("TIMER") || x.kind().equals("TICKER"))
              .mapToLong(Sites.Site::live)
              .sum();
      assertThat((Long) mbs.getAttribute(name, "LiveTimers")).isEqualTo(live);
      assertThat((Long) mbs.getAttribute(name, "RetainedCancelledTasks"))
          .isEqualTo(s.all().stream().mapToLong(Sites.Site::retained).sum());
      assertThat((String[]) mbs.getAttribute(name, "DisabledHooks")).isEmpty();
      assertThat(Sites.fromSnapshot((String) mbs.getAttribute(name, "SnapshotJson"))).isEqualTo(s);
      assertThat((String) mbs.getAttribute(name, "PrometheusText"))
          .contains("timerguard_live_timers " + live);
    } finally {
      vm.detach();
    }
  }

  @Test
  void coexistsWithAnotherAgent() throws Exception {
    Path other = dir.resolve("other-agent.jar");
    Manifest mf = new Manifest();
    mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    mf.getMainAttributes().putValue("Premain-Class", OtherAgent.class.getName());
    mf.getMainAttributes().putValue("Can-Retransform-Classes", "true");
    try (JarOutputStream j = new JarOutputStream(Files.newOutputStream(other), mf)) {
      String entry = OtherAgent.class.getName().replace('.', '/') + ".class";
      j.putNextEntry(new JarEntry(entry));
      Files.copy(Path.of("target/test-classes").resolve(entry), j);
      j.closeEntry();
    }
    Path portFile = dir.resolve("port3");
    try (ChildJvm c =
        new ChildJvm(
            List.of(
                "-javaagent:" + other,
                "-javaagent:" + ChildJvm.agentJar() + "=http=0,portFile=" + portFile),
            SAMPLE,
            "100000",
            "50")) {
      c.await("other agent loaded", 30);
      c.await("ready", 30);
      Sites s = waitForLeak(ChildJvm.awaitPort(portFile, 30), 10);
      assertThat(s.at("TIMER", LeakySample.CANCELLED_LINE).live()).isZero();
    }
  }
}
