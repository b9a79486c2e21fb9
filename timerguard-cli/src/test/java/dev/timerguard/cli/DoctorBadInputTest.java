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
  void neitherPidNorDemo() {
    assertOneLineError(CliRun.of("doctor"), "give either a pid or --demo");
  }

  /**
   * Every bad --duration, --interval or --attach-timeout is refused before anything is attached:
   * the pid given is this JVM's own, which the doctor would otherwise refuse with another message.
   */
  @Test
  void badDurationsAreRefusedBeforeAttachingWithTheOptionAndItsRange() {
    String self = Long.toString(ProcessHandle.current().pid());
    String duration = "--duration must be from 1s to 24h";
    String interval = "--interval must be from 100ms to 1h";
    String timeout = "--attach-timeout must be from 1s to 10m";
    assertOneLineError(CliRun.of("doctor", self, "--duration", "99999999999999999999s"), duration);
    assertOneLineError(CliRun.of("doctor", self, "--duration", "9999999999999999h"), duration);
    assertOneLineError(CliRun.of("doctor", self, "--duration", "25h"), duration);
    assertOneLineError(CliRun.of("doctor", self, "--duration=-5s"), duration);
    assertOneLineError(CliRun.of("doctor", self, "--duration", "-5s"), duration);
    assertOneLineError(CliRun.of("doctor", self, "--duration", "0"), duration);
    assertOneLineError(CliRun.of("doctor", self, "--duration", "soon"), duration);
    assertOneLineError(CliRun.of("doctor", self, "--duration", ""), duration);
    assertOneLineError(CliRun.of("doctor", self, "--interval", "0s"), interval);
    assertOneLineError(CliRun.of("doctor", self, "--interval", "-1ms"), interval);
    assertOneLineError(CliRun.of("doctor", self, "--interval", "1.5s"), interval);
    assertOneLineError(CliRun.of("doctor", self, "--interval", "9223372036854775807ms"), interval);
    assertOneLineError(CliRun.of("doctor", self, "--attach-timeout", "0s"), timeout);
    assertOneLineError(CliRun.of("doctor", self, "--attach-timeout", "forever"), timeout);
    assertOneLineError(
        CliRun.of("doctor", self, "--duration", "1s", "--interval", "5s"),
        "--interval (5s) must not be longer than --duration (1s)");
    assertOneLineError(
        CliRun.of("doctor", self, "--duration", "24h", "--interval", "100ms"),
        "at most 1000 samples");
    // the same options, valid, reach the next check
    assertOneLineError(
        CliRun.of(
            "doctor", self, "--duration", "24h", "--interval", "90s", "--attach-timeout", "10m"),
        "doctor cannot diagnose itself");
  }

  @Test
  void aPidThatIsNotANumberIsOneLine() {
    CliRun r = CliRun.of("doctor", "abc");
    assertOneLineError(r, "'abc'");
    assertThat(r.err()).contains("doctor --help");
  }

  /**
   * A process that is not a JVM must not get the attach signal (SIGQUIT kills any process that
   * keeps the default action): the doctor refuses it and the process lives on.
   */
  @Test
  void aProcessThatIsNotAJvmIsRefusedWithoutASignal() throws Exception {
    Process sleep = new ProcessBuilder("sleep", "60").start();
    try {
      assertOneLineError(
          CliRun.of("doctor", Long.toString(sleep.pid()), "--duration", "1s"),
          "pid " + sleep.pid() + " is not a Java VM this user can attach to");
      assertThat(sleep.waitFor(1, TimeUnit.SECONDS)).as("sleep still running").isFalse();
      assertThat(sleep.isAlive()).isTrue();
    } finally {
      sleep.destroyForcibly();
    }
  }

  /** A JVM stopped with SIGSTOP before the doctor attaches: attach and agent load are bounded. */
  @Test
  void aStoppedJvmTimesOutWhileAttaching() throws Exception {
    for (boolean listenerUp : new boolean[] {false, true}) {
      try (DemoTarget t = LeakyService.start("1")) {
        if (listenerUp) {
          // the attach listener already runs: attach connects at once, then waits for an answer
          VirtualMachine.attach(Long.toString(t.pid())).detach();
        }
        signal("STOP", t.pid());
        try {
          CliRun r =
              CliRun.of(
                  "doctor", Long.toString(t.pid()), "--duration", "1s", "--attach-timeout", "1s");
          assertOneLineError(r, "JVM " + t.pid() + " did not respond within 1s");
          assertThat(r.err()).contains("attaching").contains("--attach-timeout");
        } finally {
          signal("CONT", t.pid());
        }
      }
    }
  }

  /** A JVM stopped with SIGSTOP while the doctor samples it: every read is bounded. */
  @Test
  void aJvmStoppedMidSampleTimesOut() throws Exception {
    try (DemoTarget t = LeakyService.start("20")) {
      CompletableFuture<CliRun> run =
          CompletableFuture.supplyAsync(
              () ->
                  CliRun.of(
                      "doctor",
                      Long.toString(t.pid()),
                      "--duration",
                      "60s",
                      "--interval",
                      "200ms",
                      "--attach-timeout",
                      "2s"));
      awaitAgentLoaded(t.pid());
      signal("STOP", t.pid());
      try {
        CliRun r = run.get(60, TimeUnit.SECONDS);
        assertOneLineError(r, "JVM " + t.pid() + " did not respond within 2s");
      } finally {
        signal("CONT", t.pid());
      }
    }
  }

  private static void signal(String name, long pid) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(kill.exitValue()).as("kill -" + name + " " + pid).isZero();
  }

  @Test
  void aJvmOfAnotherUser() throws Exception {
    assumeTrue(
        "root".equals(System.getProperty("user.name")), "needs root to start a JVM as nobody");
    assumeTrue(Path.of("/usr/sbin/runuser").toFile().canExecute(), "needs runuser");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p =
        new ProcessBuilder(
                "/usr/sbin/runuser",
                "-u",
                "nobody",
                "--",
                java,
                "-Xmx64m",
                "-cp",
                Path.of("target/test-classes").toAbsolutePath().toString(),
                LeakyService.class.getName(),
                "1")
            .redirectErrorStream(true)
            .start();
    try {
      BufferedReader r =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String line = r.readLine();
      assumeTrue("ready".equals(line), "the nobody JVM did not start: " + line);
      long jvmPid =
          ProcessHandle.of(p.pid())
              .orElseThrow()
              .children()
              .findFirst()
              .map(ProcessHandle::pid)
              .orElse(p.pid());
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
    DemoTarget t = LeakyService.start("20");
    CompletableFuture<CliRun> run =
        CompletableFuture.supplyAsync(
            () ->
                CliRun.of(
                    "doctor", Long.toString(t.pid()), "--duration", "20s", "--interval", "200ms"));
    awaitAgentLoaded(t.pid());
    Thread.sleep(1500); // now sampling
    t.close();
    CliRun r = run.get(30, TimeUnit.SECONDS);
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err())
        .contains("JVM " + t.pid())
        .containsAnyOf("exited during sampling", "lost JVM");
    assertThat(r.err().strip().lines().count()).isEqualTo(1);
  }

  /** Waits (bounded) until the doctor's agent has registered its MBean in {@code pid}. */
  private static void awaitAgentLoaded(long pid) throws Exception {
    VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
    try (JMXConnector c =
        JMXConnectorFactory.connect(new JMXServiceURL(vm.startLocalManagementAgent()))) {
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
    Process p =
        new ProcessBuilder(
                java,
                "-Xmx64m",
                "-XX:-EnableDynamicAgentLoading",
                "-cp",
                System.getProperty("java.class.path"),
                LeakyService.class.getName(),
                "1")
            .start();
    try {
      BufferedReader r =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      assertThat(r.readLine()).isEqualTo("ready");
      assertOneLineError(
          CliRun.of("doctor", Long.toString(p.pid()), "--duration", "1s"),
          "EnableDynamicAgentLoading");
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  void aJdkWithoutTheAttachModule() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p =
        new ProcessBuilder(
                List.of(
                    java,
                    "-Xmx64m",
                    "--limit-modules",
                    "java.base,java.management,java.logging",
                    "-cp",
                    System.getProperty("java.class.path"),
                    TimerGuardCli.class.getName(),
                    "doctor",
                    "12345"))
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isEqualTo(2);
    assertThat(out.strip()).contains("no jdk.attach module");
    assertThat(out.strip().lines().count()).as(out).isEqualTo(1);
  }
}
