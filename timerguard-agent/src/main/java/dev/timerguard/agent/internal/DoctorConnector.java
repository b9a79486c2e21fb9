package dev.timerguard.agent.internal;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.rmi.server.RMIServerSocketFactory;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.management.Notification;
import javax.management.NotificationListener;
import javax.management.remote.JMXAuthenticator;
import javax.management.remote.JMXConnectionNotification;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXConnectorServerFactory;
import javax.management.remote.JMXServiceURL;
import javax.management.remote.rmi.RMIConnectorServer;
import javax.security.auth.Subject;

/**
 * A JMX connector for one {@code timerguard doctor} session, in place of the JDK's local management
 * agent ({@code VirtualMachine.startLocalManagementAgent()}), which listens on every interface for
 * the rest of the target's life and cannot be stopped.
 *
 * <p>Contract: the RMI connector listens on the loopback address only, on a free port (chosen
 * first, because RMI closes the listening socket of an explicit port once nothing is exported on
 * it, but keeps an anonymous one open for the life of the JVM); the one client it accepts presents
 * the credentials {@code {"timerguard-doctor", SECRET}} (compared in constant time; the secret
 * reached the agent through the attach socket, which only the target's user can open); its address
 * is published in the system property {@code timerguard.doctor.ID}. It stops itself, closes its
 * port and clears the property when that client's connection closes or fails (a doctor killed
 * without closing: when RMI's lease expires, 10 minutes by default), or when no client connected
 * within {@code connectWithin}. Thread-safe; one per session.
 */
final class DoctorConnector {

  /** The prefix of the system property holding a session's address. */
  static final String PROPERTY = "timerguard.doctor.";

  /** The user name a doctor presents with its secret. */
  static final String USER = "timerguard-doctor";

  private final String property;
  private final JMXConnectorServer server;
  private final AtomicBoolean stopping = new AtomicBoolean();
  private volatile boolean stopped;
  private volatile boolean connected;
  private volatile Thread deadline;

  private DoctorConnector(String id, byte[] secret, int port) throws IOException {
    this.property = PROPERTY + id;
    Map<String, Object> env = new HashMap<>();
    env.put(RMIConnectorServer.RMI_SERVER_SOCKET_FACTORY_ATTRIBUTE, LoopbackSockets.INSTANCE);
    env.put(
        JMXConnectorServer.AUTHENTICATOR,
        (JMXAuthenticator) credentials -> authenticate(credentials, secret));
    // Export the connector's remote objects as permanent, as the JDK's own management agent
    // does: an exported object otherwise keeps a JVM alive that would have exited (a target whose
    // main thread ends while a doctor is connected must still end).
    env.put("jmx.remote.x.daemon", "true");
    String host = InetAddress.getLoopbackAddress().getHostAddress();
    server =
        JMXConnectorServerFactory.newJMXConnectorServer(
            new JMXServiceURL("rmi", host, port), env, ManagementFactory.getPlatformMBeanServer());
  }

  /**
   * Starts the connector for session {@code id} and publishes its address.
   *
   * @throws IOException if it cannot listen
   */
  static DoctorConnector start(String id, String secret, Duration connectWithin)
      throws IOException {
    DoctorConnector started = null;
    for (int attempt = 1; started == null; attempt++) {
      // RMI closes a listening socket when its last object is unexported only if the port was
      // given (an anonymous port stays open for later exports): so pick a free port first
      DoctorConnector candidate =
          new DoctorConnector(id, secret.getBytes(StandardCharsets.US_ASCII), freeLoopbackPort());
      candidate.server.addNotificationListener(candidate.new Closer(), null, null);
      try {
        candidate.server.start();
        started = candidate;
      } catch (IOException e) {
        if (attempt == 3) {
          throw e; // the free port was taken in between, three times
        }
      }
    }
    DoctorConnector c = started;
    System.setProperty(c.property, c.server.getAddress().toString());
    Thread t =
        new Thread(
            () -> {
              try {
                Thread.sleep(connectWithin.toMillis());
              } catch (InterruptedException e) {
                return;
              }
              if (!c.connected) {
                c.stop();
              }
            },
            "timerguard-doctor-connect-deadline");
    t.setDaemon(true);
    c.deadline = t;
    t.start();
    return c;
  }

  private static int freeLoopbackPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static Subject authenticate(Object credentials, byte[] secret) {
    if (credentials instanceof String[]) {
      String[] c = (String[]) credentials;
      if (c.length == 2
          && USER.equals(c[0])
          && c[1] != null
          && MessageDigest.isEqual(c[1].getBytes(StandardCharsets.US_ASCII), secret)) {
        // No subject: the session runs its operations as the target's own code. With a subject,
        // JMX runs them under a domain combiner whose first use can fail inside the JDK
        // (MissingResourceException from Subject's null checks while the security resource
        // bundle loads), which broke FlightRecorderMXBean.newRecording for the evidence bundle.
        return null;
      }
    }
    throw new SecurityException("not the timerguard doctor of this session");
  }

  /** The connector's address ({@code service:jmx:rmi://127.0.0.1/stub/...}). */
  String address() {
    return server.getAddress().toString();
  }

  /** Whether it has stopped (its port closed). */
  boolean stopped() {
    return stopped;
  }

  /** Stops the connector (closing its port) and clears the property; idempotent. */
  void stop() {
    if (stopping.compareAndSet(false, true)) {
      System.clearProperty(property);
      try {
        server.stop();
      } catch (IOException | RuntimeException e) {
        System.err.println("[timerguard] could not stop the doctor's JMX connector: " + e);
      }
      stopped = true;
      Thread t = deadline;
      if (t != null && t != Thread.currentThread()) {
        t.interrupt(); // its wait is over
      }
    }
  }

  /**
   * Stops the connector when its client's connection ends (on a thread of its own: not inside RMI).
   */
  private final class Closer implements NotificationListener {
    @Override
    public void handleNotification(Notification n, Object handback) {
      String type = n.getType();
      if (JMXConnectionNotification.OPENED.equals(type)) {
        connected = true;
      } else if (JMXConnectionNotification.CLOSED.equals(type)
          || JMXConnectionNotification.FAILED.equals(type)) {
        Thread t = new Thread(DoctorConnector.this::stop, "timerguard-doctor-connector-stop");
        t.setDaemon(true);
        t.start();
      }
    }
  }

  /** Server sockets on the loopback address only; equal instances let RMI share one port. */
  static final class LoopbackSockets implements RMIServerSocketFactory {
    static final LoopbackSockets INSTANCE = new LoopbackSockets();

    @Override
    public ServerSocket createServerSocket(int port) throws IOException {
      return new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof LoopbackSockets;
    }

    @Override
    public int hashCode() {
      return LoopbackSockets.class.hashCode();
    }
  }
}
