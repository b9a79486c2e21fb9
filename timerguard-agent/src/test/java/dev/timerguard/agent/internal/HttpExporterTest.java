package dev.timerguard.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starting the agent's endpoint: the port file, its failure, and the warning for a non-loopback
 * bind.
 */
class HttpExporterTest {

  @TempDir Path dir;

  @AfterEach
  void stop() {
    HttpExporter.stop();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static String stderrOf(ThrowingRunnable r) throws Exception {
    PrintStream old = System.err;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      r.run();
    } finally {
      System.setErr(old);
    }
    return buf.toString(StandardCharsets.UTF_8);
  }

  interface ThrowingRunnable {
    void run() throws Exception;
  }

  @Test
  void thePortFileHoldsTheBoundPort() throws Exception {
    Path portFile = dir.resolve("port");
    int port = HttpExporter.start(AgentOptions.parse("http=0,portFile=" + portFile));
    assertThat(Files.readString(portFile)).isEqualTo(Integer.toString(port));
    assertThat(HttpExporter.port()).isEqualTo(port);
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).containsExactly(portFile);
    }
  }

  @Test
  void aPortFileThatCannotBeWrittenClosesTheEndpointAndLeavesNoTemporaryFile() throws Exception {
    Path portFile = dir.resolve("taken");
    Files.createDirectories(
        portFile.resolve("not-empty")); // a non-empty directory cannot be replaced
    int port = freePort();
    assertThatThrownBy(
            () -> HttpExporter.start(AgentOptions.parse("http=" + port + ",portFile=" + portFile)))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith(
            "HTTP endpoint closed again (not serving): cannot write the port file " + portFile);
    assertThat(HttpExporter.port()).isEqualTo(-1);
    assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), port).close())
        .isInstanceOf(ConnectException.class);
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).containsExactly(portFile);
    }
  }

  @Test
  void aPortFileFailureOnALaterLoadSaysTheEndpointStillServes() throws Exception {
    int port = HttpExporter.start(AgentOptions.parse("http=0"));
    Path portFile = dir.resolve("missing-dir").resolve("port");
    assertThatThrownBy(() -> HttpExporter.start(AgentOptions.parse("http=0,portFile=" + portFile)))
        .hasMessageStartingWith(
            "HTTP endpoint still serving on port " + port + ", but cannot write the port file");
    assertThat(HttpExporter.port()).isEqualTo(port);
  }

  @Test
  void aNonLoopbackBindPrintsExactlyOneWarningNamingTheAddress() throws Exception {
    int[] port = new int[1];
    String err = stderrOf(() -> port[0] = HttpExporter.start(AgentOptions.parse("http=0.0.0.0:0")));
    assertThat(err.lines()).hasSize(1);
    assertThat(err)
        .startsWith(
            "[timerguard] warning: the HTTP endpoint listens on 0.0.0.0:"
                + port[0]
                + ", not on loopback")
        .contains("set token= or tokenFile=");
  }

  @Test
  void theLoopbackDefaultPrintsNothing() throws Exception {
    assertThat(stderrOf(() -> HttpExporter.start(AgentOptions.parse("http=0")))).isEmpty();
    assertThat(stderrOf(() -> HttpExporter.start(AgentOptions.parse("http=localhost:0"))))
        .isEmpty();
  }
}
