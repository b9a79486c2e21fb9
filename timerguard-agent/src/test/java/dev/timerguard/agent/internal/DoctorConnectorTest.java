package dev.timerguard.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.jupiter.api.Test;

/**
 * The doctor's connector: loopback only, the session's secret required, gone when the doctor
 * leaves.
 */
class DoctorConnectorTest {

  private static final String SECRET = "00112233445566778899aabbccddeeff";

  private static JMXConnector connect(String address, String secret) throws IOException {
    return JMXConnectorFactory.connect(
        new JMXServiceURL(address),
        Map.of(JMXConnector.CREDENTIALS, new String[] {DoctorConnector.USER, secret}));
  }

  private static int port(String address) throws Exception {
    // the connector listens on the explicit port its address names
    return new JMXServiceURL(address).getPort();
  }

  /**
   * Whether nothing listens on {@code port} any more, within 5 s: RMI closes the listening socket
   * of an unexported connector on its own transport thread, a moment after the connector reports
   * stopped.
   */
  private static boolean closedSoon(int port) throws InterruptedException {
    for (int i = 0; i < 100; i++) {
      try {
        new Socket(InetAddress.getLoopbackAddress(), port).close();
      } catch (IOException refused) {
        return true;
      }
      Thread.sleep(50);
    }
    return false;
  }

  private static void awaitStopped(DoctorConnector c) throws InterruptedException {
    for (int i = 0; i < 100 && !c.stopped(); i++) {
      Thread.sleep(50);
    }
  }

  @Test
  void servesTheDoctorWithTheSecretOnlyAndStopsWhenItDisconnects() throws Exception {
    DoctorConnector c = DoctorConnector.start("0000000000000001", SECRET, Duration.ofMinutes(1));
    String address = System.getProperty(DoctorConnector.PROPERTY + "0000000000000001");
    assertThat(address).isEqualTo(c.address()).startsWith("service:jmx:rmi://127.0.0.1:");
    int port = port(address);
    assertThat(port).isPositive();
    // loopback only: the port answers on 127.0.0.1 and nowhere else
    new Socket(InetAddress.getLoopbackAddress(), port).close();
    InetAddress other = InetAddress.getLocalHost();
    if (!other.isLoopbackAddress()) {
      assertThatThrownBy(
              () -> {
                try (Socket s = new Socket()) {
                  s.connect(new InetSocketAddress(other, port), 2000);
                }
              })
          .isInstanceOf(IOException.class);
    }
    assertThatThrownBy(() -> connect(address, "ffffffffffffffffffffffffffffffff"))
        .isInstanceOf(SecurityException.class);
    try (JMXConnector j = connect(address, SECRET)) {
      assertThat(j.getMBeanServerConnection().getMBeanCount()).isPositive();
    }
    awaitStopped(c);
    assertThat(c.stopped()).isTrue();
    assertThat(System.getProperty(DoctorConnector.PROPERTY + "0000000000000001")).isNull();
    assertThat(closedSoon(port)).as("port %d closed after the connector stopped", port).isTrue();
  }

  @Test
  void stopsWhenNoDoctorConnectsInTime() throws Exception {
    DoctorConnector c = DoctorConnector.start("0000000000000002", SECRET, Duration.ofMillis(200));
    int port = port(c.address());
    awaitStopped(c);
    assertThat(c.stopped()).isTrue();
    assertThat(System.getProperty(DoctorConnector.PROPERTY + "0000000000000002")).isNull();
    assertThat(closedSoon(port)).as("port %d closed after the connector stopped", port).isTrue();
  }
}
