package dev.timerguard.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The endpoint against hostile and careless clients, over real sockets. Reads carry a socket
 * timeout, so a test that would hang fails instead; no test sleeps.
 */
class HttpEndpointTest {

  /**
   * Deadlines far beyond any socket timeout below: answers never come from a deadline by accident.
   */
  private static final HttpEndpoint.Limits PATIENT =
      new HttpEndpoint.Limits(8192, 600_000, 600_000, 64, 2, 16);

  private static final byte[] BIG = new byte[8 << 20];

  private final List<Socket> sockets = new ArrayList<>();
  private HttpEndpoint endpoint;

  private static Map<String, Supplier<HttpEndpoint.Response>> routes() {
    return Map.of(
        "/metrics", () -> HttpEndpoint.Response.text(200, "metrics body"),
        "/threads", () -> HttpEndpoint.Response.text(200, "threads body"),
        "/big", () -> new HttpEndpoint.Response(200, "application/octet-stream", BIG),
        "/boom",
            () -> {
              throw new IllegalStateException("kaput");
            });
  }

  private int start(String bindHost, String token, HttpEndpoint.Limits limits) throws IOException {
    endpoint =
        new HttpEndpoint(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                bindHost,
                token,
                routes(),
                limits)
            .start();
    return endpoint.port();
  }

  @AfterEach
  void close() throws IOException {
    for (Socket s : sockets) {
      s.close();
    }
    if (endpoint != null) {
      endpoint.close();
    }
  }

  private Socket connect(int port) throws IOException {
    Socket s = new Socket();
    sockets.add(s);
    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
    s.setSoTimeout(10_000);
    return s;
  }

  /** Sends {@code head} and reads the whole answer (the server closes after it). */
  private String exchange(int port, String head) throws IOException {
    Socket s = connect(port);
    s.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
    return readAll(s.getInputStream());
  }

  private static String readAll(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    in.transferTo(out);
    return out.toString(StandardCharsets.ISO_8859_1);
  }

  private static String get(String path, String... headers) {
    StringBuilder b = new StringBuilder("GET " + path + " HTTP/1.1\r\n");
    for (String h : headers) {
      b.append(h).append("\r\n");
    }
    return b.append("\r\n").toString();
  }

  private static int status(String response) {
    assertThat(response).as("an HTTP answer").startsWith("HTTP/1.1 ");
    return Integer.parseInt(response.substring(9, 12));
  }

  @Test
  void halfOpenAndSilentClientsDoNotBlockOtherClients() throws Exception {
    int port = start(null, null, PATIENT);
    // more stalled clients than there are workers: half a request line, a head without its end,
    // nothing
    for (int i = 0; i < 5; i++) {
      connect(port).getOutputStream().write("GET /metr".getBytes(StandardCharsets.US_ASCII));
    }
    connect(port)
        .getOutputStream()
        .write("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.US_ASCII));
    connect(port);
    for (int i = 0; i < 3; i++) {
      String r = exchange(port, get("/metrics", "Host: 127.0.0.1:" + port));
      assertThat(status(r)).isEqualTo(200);
      assertThat(r).endsWith("metrics body\n").contains("Connection: close");
    }
  }

  @Test
  void aClientThatNeverReadsItsAnswerDoesNotBlockOthers() throws Exception {
    int port = start(null, null, PATIENT);
    for (int i = 0; i < 3; i++) {
      // asks for 8 MiB and never reads: the answer cannot all be written
      connect(port)
          .getOutputStream()
          .write(get("/big", "Host: localhost").getBytes(StandardCharsets.US_ASCII));
    }
    assertThat(status(exchange(port, get("/metrics", "Host: localhost")))).isEqualTo(200);
  }

  @Test
  void aRequestHeadNotCompleteBeforeItsDeadlineGets408AndIsClosed() throws Exception {
    int port = start(null, null, new HttpEndpoint.Limits(8192, 200, 600_000, 64, 2, 16));
    Socket s = connect(port);
    s.getOutputStream()
        .write("GET /metrics HTTP/1.1\r\nHost: loc".getBytes(StandardCharsets.US_ASCII));
    String r = readAll(s.getInputStream()); // returns once the server closes
    assertThat(status(r)).isEqualTo(408);
  }

  @Test
  void aConnectionStillOpenAtTheExchangeDeadlineIsClosed() throws Exception {
    int port = start(null, null, new HttpEndpoint.Limits(8192, 600_000, 200, 64, 2, 16));
    Socket s = connect(port);
    s.getOutputStream().write("GET /metr".getBytes(StandardCharsets.US_ASCII));
    assertThat(s.getInputStream().read()).isEqualTo(-1);
  }

  @Test
  void anOversizedRequestHeadGets431() throws Exception {
    int port = start(null, null, PATIENT);
    String r =
        exchange(
            port,
            "GET /metrics HTTP/1.1\r\nHost: localhost\r\nX-Pad: " + "a".repeat(9000) + "\r\n\r\n");
    assertThat(status(r)).isEqualTo(431);
  }

  @Test
  void connectionsBeyondTheCapAreClosedAtOnce() throws Exception {
    int port = start(null, null, new HttpEndpoint.Limits(8192, 600_000, 600_000, 2, 2, 16));
    connect(port);
    connect(port);
    Socket third = connect(port);
    assertThat(third.getInputStream().read()).isEqualTo(-1);
  }

  @Test
  void aHostThatIsNotLoopbackAnAddressOrTheBindHostIsForbidden() throws Exception {
    int port = start("metrics.internal", null, PATIENT);
    assertThat(status(exchange(port, get("/metrics", "Host: rebind.attacker.example:" + port))))
        .isEqualTo(403);
    assertThat(status(exchange(port, get("/metrics", "Host: localhost.attacker.example"))))
        .isEqualTo(403);
    assertThat(status(exchange(port, get("/metrics", "Host: 127.0.0.1:" + port)))).isEqualTo(200);
    assertThat(status(exchange(port, get("/metrics", "Host: localhost:" + port)))).isEqualTo(200);
    assertThat(status(exchange(port, get("/metrics", "Host: [::1]:" + port)))).isEqualTo(200);
    assertThat(status(exchange(port, get("/metrics", "Host: Metrics.Internal:" + port))))
        .isEqualTo(200);
    assertThat(status(exchange(port, get("/metrics")))).as("HTTP/1.1 without Host").isEqualTo(400);
    assertThat(status(exchange(port, get("/metrics", "Host: localhost", "Host: evil.example"))))
        .isEqualTo(400);
    assertThat(status(exchange(port, "GET /metrics HTTP/1.0\r\n\r\n")))
        .as("HTTP/1.0 without Host")
        .isEqualTo(200);
  }

  @Test
  void hostNamesAreCheckedByTheirHostPart() {
    HttpEndpoint e = new HttpEndpoint(new InetSocketAddress(0), null, null, Map.of(), PATIENT);
    assertThat(e.hostAllowed("10.1.2.3:9464")).isTrue();
    assertThat(e.hostAllowed("[fe80::1]:9464")).isTrue();
    assertThat(e.hostAllowed("localhost.")).isTrue();
    assertThat(e.hostAllowed("LOCALHOST")).isTrue();
    assertThat(e.hostAllowed("1.2.3.4.nip.io")).isFalse();
    assertThat(e.hostAllowed("999.1.1.1")).isFalse();
    assertThat(e.hostAllowed("localhost:abc")).isFalse();
    assertThat(e.hostAllowed("[::1")).isFalse();
    assertThat(e.hostAllowed("")).isFalse();
  }

  @Test
  void withATokenEveryPathNeedsTheBearerToken() throws Exception {
    int port = start(null, "s3cret-Token", PATIENT);
    for (String path : List.of("/metrics", "/threads", "/nope")) {
      String none = exchange(port, get(path, "Host: localhost"));
      assertThat(status(none)).as(path).isEqualTo(401);
      assertThat(none).contains("WWW-Authenticate: Bearer").doesNotContain("body");
      assertThat(
              status(
                  exchange(
                      port, get(path, "Host: localhost", "Authorization: Bearer s3cret-Tokex"))))
          .isEqualTo(401);
      assertThat(
              status(
                  exchange(
                      port, get(path, "Host: localhost", "Authorization: Basic czNjcmV0LVRva2Vu"))))
          .isEqualTo(401);
    }
    String ok =
        exchange(port, get("/threads", "Host: localhost", "authorization: bearer s3cret-Token"));
    assertThat(status(ok)).isEqualTo(200);
    assertThat(ok).endsWith("threads body\n");
    assertThat(
            status(
                exchange(
                    port, get("/nope", "Host: localhost", "Authorization: Bearer s3cret-Token"))))
        .isEqualTo(404);
  }

  @Test
  void otherMethodsPathsAndFailingRoutesGetTheirStatus() throws Exception {
    int port = start(null, null, PATIENT);
    String post =
        exchange(port, "POST /metrics HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n");
    assertThat(status(post)).isEqualTo(405);
    assertThat(post).contains("Allow: GET");
    assertThat(status(exchange(port, get("/", "Host: localhost")))).isEqualTo(404);
    assertThat(status(exchange(port, get("/metrics?x=1", "Host: localhost")))).isEqualTo(200);
    String boom = exchange(port, get("/boom", "Host: localhost"));
    assertThat(status(boom)).isEqualTo(500);
    assertThat(boom).contains("kaput");
    assertThat(status(exchange(port, "GARBAGE\r\n\r\n"))).isEqualTo(400);
  }

  @Test
  void closeStopsListening() throws Exception {
    int port = start(null, null, PATIENT);
    endpoint.close();
    assertThat(endpoint.port()).isEqualTo(-1);
    assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), port).close())
        .isInstanceOf(ConnectException.class);
  }

  static {
    Arrays.fill(BIG, (byte) 'x');
  }
}
