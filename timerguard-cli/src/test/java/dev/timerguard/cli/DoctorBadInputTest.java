package dev.timerguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.tools.attach.VirtualMachine;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.jupiter.api.Test;

/** Each kind of bad input: one clear line on standard error and exit code 2. */
class DoctorBadInputTest {

  private static void assertOneLineError(CliRun r, String expected) {
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err().strip()).contains(expected);
    assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
  }

  @Test
  void aPidThatDoesNotExist() {
    long pid = 4_000_000;
    while (ProcessHandle.of(pid).isPresent()) {
      pid--;
    }
    assertOneLineError(CliRun.of("doctor", Long.toString(pid)), "no process with pid " + pid);
  }

  @Test
  void neitherPidNorDemoAndBadDurations() {
    assertOneLineError(CliRun.of("doctor"), "give either a pid or --demo");
    assertOneLineError(CliRun.of("doctor", "1", "--interval", "0s"), "must be positive");
    assertOneLineError(CliRun.of("doctor", "1", "--duration", "1s", "--interval", "5s"), "longer than --duration");
    assertThat(CliRun.of("doctor", "1", "--duration", "soon").exit()).isEqualTo(2);
  }

  @Test
  void aProcessThatIsNotAJvm() throws Exception {
    Process sleep = new ProcessBuilder("sleep", "30").start();
    try {
      assertOneLineError(CliRun.of("doctor", Long.toString(sleep.pid()), "--duration", "1s"),
          "is not a JVM that accepts attach");
    } finally {
      sleep.destroyForcibly();
    }
  }

  @Test
  void aJvmOfAnotherUser() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "needs root to start a JVM as nobody");
    assumeTrue(Path.of("/usr/sbin/runuser").toFile().canExecute(), "needs runuser");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder("/usr/sbin/runuser", "-u", "nobody", "--", java, "-Xmx64m",
        "-cp", Path.of("target/classes").toAbsolutePath().toString(), LeakyService.class.getName(), "1")
        .redirectErrorStream(true).start();
    try {
      BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String line = r.readLine();
      assumeTrue("ready".equals(line), "the nobody JVM did not start: " + line);
      long jvmPid = ProcessHandle.of(p.pid()).orElseThrow().children().findFirst()
          .map(ProcessHandle::pid).orElse(p.pid());
      for (ProcessHandle h : ProcessHandle.of(p.pid()).orElseThrow().descendants().toList()) {
        if (h.info().command().orElse("").endsWith("java")) {
          jvmPid = h.pid();
        }
      }
      assertOneLineError(CliRun.of("doctor", Long.toString(jvmPid)), "belongs to user nobody");
    } finally {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
  }

  @Test
  void aJvmThatExitsMidSample() throws Exception {
    DemoTarget t = DemoTarget.start("20");
    CompletableFuture<CliRun> run = CompletableFuture.supplyAsync(
        () -> CliRun.of("doctor", Long.toString(t.pid()), "--duration", "20s", "--interval", "200ms"));
    awaitAgentLoaded(t.pid());
    Thread.sleep(1500); // now sampling
    t.close();
    CliRun r = run.get(30, TimeUnit.SECONDS);
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("JVM " + t.pid()).containsAnyOf("exited during sampling", "lost JVM");
    assertThat(r.err().strip().lines().count()).isEqualTo(1);
  }

  /** Waits (bounded) until the doctor's agent has registered its MBean in {@code pid}. */
  private static void awaitAgentLoaded(long pid) throws Exception {
    VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
    try (JMXConnector c = JMXConnectorFactory.connect(new JMXServiceURL(vm.startLocalManagementAgent()))) {
      ObjectName agent = new ObjectName(AttachSession.AGENT_MBEAN);
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!c.getMBeanServerConnection().isRegistered(agent)) {
        assertThat(System.nanoTime()).as("agent loaded in time").isLessThan(end);
        Thread.sleep(100);
      }
    } finally {
      vm.detach();
    }
  }

  @Test
  void aJvmThatRefusesDynamicAgents() throws Exception {
    assumeTrue(Runtime.version().feature() >= 21, "-XX:-EnableDynamicAgentLoading is JDK 21+");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-Xmx64m", "-XX:-EnableDynamicAgentLoading",
        "-cp", System.getProperty("java.class.path"), LeakyService.class.getName(), "1").start();
    try {
      BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      assertThat(r.readLine()).isEqualTo("ready");
      assertOneLineError(CliRun.of("doctor", Long.toString(p.pid()), "--duration", "1s"),
          "EnableDynamicAgentLoading");
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  void aJdkWithoutTheAttachModule() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(List.of(java, "-Xmx64m", "--limit-modules", "java.base,java.management,java.logging",
        "-cp", System.getProperty("java.class.path"), TimerGuardCli.class.getName(), "doctor", "12345"))
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isEqualTo(2);
    assertThat(out.strip()).contains("no jdk.attach module");
    assertThat(out.strip().lines().count()).as(out).isEqualTo(1);
  }
}
