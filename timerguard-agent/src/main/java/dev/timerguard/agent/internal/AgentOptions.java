package dev.timerguard.agent.internal;

import dev.timerguard.live.GrowthWatch;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The agent's options, from {@code -javaagent:timerguard-agent.jar=key=value,key=value} or the
 * options string of a dynamic attach. Unknown keys and malformed values are rejected with an {@link
 * IllegalArgumentException} whose one-line message names the option and its accepted values (the
 * agent then does not start). Every option is described in {@code docs/agent.md}:
 *
 * <ul>
 *   <li>{@code http=[HOST:]PORT}: serve /metrics, /timers, /threads on HOST:PORT ({@code 0}: any
 *       free port); HOST defaults to 127.0.0.1; off unless given. The host is resolved here, so an
 *       unresolvable host is a bad option;
 *   <li>{@code portFile=PATH}: write the bound HTTP port to PATH once listening;
 *   <li>{@code token=SECRET} or {@code tokenFile=PATH}: every HTTP request needs {@code
 *       Authorization: Bearer SECRET}; the file is read once, here (surrounding white space
 *       trimmed);
 *   <li>{@code maxSeriesSites=N}: per-site series in /metrics for at most N sites (default 200),
 *       the rest summed per kind as {@code site="other"};
 *   <li>{@code watch=true|false}: start the always-on growth watch (default true); {@code
 *       watchInterval=DURATION}, {@code watchCompression=N}: its sampling interval and time
 *       compression (the latter for tests, demos and end-to-end checks);
 *   <li>{@code jmx=true|false}: register the MBean {@code dev.timerguard:type=Agent} (default
 *       true);
 *   <li>{@code sampleMillis=N}: how often executors, threads and Netty timeouts are sampled
 *       (default 1000);
 *   <li>{@code maxSites=N}: the registry's site cap, only before the registry is first used;
 *   <li>{@code exclude=a.b.;c.d.}: class-name prefixes not to instrument, separated by {@code ;};
 *   <li>{@code debug=true}: print every instrumented class and every instrumentation error;
 *   <li>{@code doctor=ID:SECRET}: start a {@link DoctorConnector} for one {@code timerguard doctor}
 *       session (its address in the system property {@code timerguard.doctor.ID}).
 * </ul>
 *
 * <p>Immutable.
 */
public final class AgentOptions {

  /** The default of {@code maxSeriesSites}. */
  static final int DEFAULT_MAX_SERIES_SITES = 200;

  final InetAddress httpHost;
  final String httpHostName;
  final Integer httpPort;
  final String portFile;
  final String token;
  final int maxSeriesSites;
  final boolean watch;
  final Duration watchInterval;
  final Double watchCompression;
  final boolean jmx;
  final long sampleMillis;
  final Integer maxSites;
  final List<String> excludes;
  final boolean debug;
  final String doctorId;
  final String doctorSecret;

  private AgentOptions(Parser p) {
    this.httpHost = p.httpHost;
    this.httpHostName = p.httpHostName;
    this.httpPort = p.httpPort;
    this.portFile = p.portFile;
    this.token = p.token != null ? p.token : p.tokenFromFile;
    this.maxSeriesSites = p.maxSeriesSites;
    this.watch = p.watch;
    this.watchInterval = p.watchInterval;
    this.watchCompression = p.watchCompression;
    this.jmx = p.jmx;
    this.sampleMillis = p.sampleMillis;
    this.maxSites = p.maxSites;
    this.excludes = Collections.unmodifiableList(p.excludes);
    this.debug = p.debug;
    this.doctorId = p.doctorId;
    this.doctorSecret = p.doctorSecret;
  }

  /**
   * Parses an options string; {@code null} or blank gives the defaults.
   *
   * @throws IllegalArgumentException naming the bad key or value
   */
  public static AgentOptions parse(String s) {
    Parser p = new Parser();
    if (s != null && !s.isBlank()) {
      for (String part : s.split(",")) {
        if (!part.isBlank()) {
          p.option(part);
        }
      }
    }
    if (p.token != null && p.tokenFromFile != null) {
      throw new IllegalArgumentException(
          "agent options token and tokenFile exclude each other: give one");
    }
    return new AgentOptions(p);
  }

  /** The address the HTTP endpoint binds: the given host, else the loopback address. */
  InetAddress httpBindAddress() {
    return httpHost != null ? httpHost : InetAddress.getLoopbackAddress();
  }

  /**
   * The settings of the shared growth watch: the {@code timerguard.watch.*} system properties, then
   * {@code watchInterval} and {@code watchCompression} on top, checked as the watch would.
   *
   * @throws IllegalArgumentException naming the bad property or option
   */
  GrowthWatch.Builder watchSettings() {
    GrowthWatch.Builder b = GrowthWatch.builder().properties(System.getProperties());
    if (watchCompression != null) {
      b.timeCompression(watchCompression);
    }
    if (watchInterval != null) {
      b.interval(watchInterval);
    }
    try {
      b.build(); // checks the interval against the (compressed) rapid window; starts nothing
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          (watchInterval != null ? "agent option watchInterval: " : "") + e.getMessage(), e);
    }
    return b;
  }

  private static final class Parser {
    InetAddress httpHost;
    String httpHostName;
    Integer httpPort;
    String portFile;
    String token;
    String tokenFromFile;
    int maxSeriesSites = DEFAULT_MAX_SERIES_SITES;
    boolean watch = true;
    Duration watchInterval;
    Double watchCompression;
    boolean jmx = true;
    long sampleMillis = 1000;
    Integer maxSites;
    final List<String> excludes = new ArrayList<>();
    boolean debug;
    String doctorId;
    String doctorSecret;

    void option(String part) {
      int eq = part.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("agent option '" + part.trim() + "' is not key=value");
      }
      String k = part.substring(0, eq).trim();
      String v = part.substring(eq + 1).trim();
      switch (k) {
        case "http":
          http(v);
          break;
        case "portFile":
          portFile = nonEmpty(k, v, "a file path");
          break;
        case "token":
          token = token(k, v);
          break;
        case "tokenFile":
          tokenFromFile = tokenFile(v);
          break;
        case "maxSeriesSites":
          maxSeriesSites = intIn(k, v, 1, 1 << 20);
          break;
        case "watch":
          watch = bool(k, v);
          break;
        case "watchInterval":
          try {
            watchInterval = GrowthWatch.Builder.duration("interval", v);
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                "agent option watchInterval must be a positive duration such as 500ms, 10s, 5m,"
                    + " 1h or PT10S, was '"
                    + v
                    + "'");
          }
          break;
        case "watchCompression":
          watchCompression = compression(v);
          break;
        case "jmx":
          jmx = bool(k, v);
          break;
        case "sampleMillis":
          sampleMillis = intIn(k, v, 10, 3_600_000);
          break;
        case "maxSites":
          maxSites = intIn(k, v, 1, 1 << 20);
          break;
        case "exclude":
          for (String p : v.split(";")) {
            if (!p.isBlank()) {
              excludes.add(p.trim());
            }
          }
          break;
        case "debug":
          debug = bool(k, v);
          break;
        case "doctor":
          doctor(v);
          break;
        default:
          throw new IllegalArgumentException(
              "unknown agent option '"
                  + k
                  + "' (accepted: http, portFile, token, tokenFile,"
                  + " maxSeriesSites, watch, watchInterval, watchCompression, jmx, sampleMillis,"
                  + " maxSites, exclude, debug, doctor)");
      }
    }

    /** {@code ID:SECRET}, as {@code timerguard doctor} passes it; the value is not echoed. */
    private void doctor(String v) {
      int colon = v.indexOf(':');
      String id = colon < 0 ? v : v.substring(0, colon);
      String secret = colon < 0 ? "" : v.substring(colon + 1);
      if (!id.matches("[0-9a-f]{16}") || !secret.matches("[0-9a-f]{32,128}")) {
        throw new IllegalArgumentException(
            "agent option doctor must be ID:SECRET with ID 16 and SECRET 32 to 128 lowercase hex"
                + " digits (what timerguard doctor passes), was a value of "
                + v.length()
                + " characters");
      }
      doctorId = id;
      doctorSecret = secret;
    }

    /** {@code PORT}, {@code HOST:PORT} or {@code [IPV6]:PORT}. */
    private void http(String v) {
      String accepted =
          "agent option http must be PORT or HOST:PORT (IPv6: [ADDRESS]:PORT) with PORT in"
              + " [0,65535], was '"
              + v
              + "'";
      String host = null;
      String port = v;
      int colon = v.lastIndexOf(':');
      if (v.startsWith("[")) {
        int close = v.indexOf(']');
        if (close < 0 || close + 1 >= v.length() || v.charAt(close + 1) != ':') {
          throw new IllegalArgumentException(accepted);
        }
        host = v.substring(1, close);
        port = v.substring(close + 2);
      } else if (colon >= 0) {
        host = v.substring(0, colon);
        port = v.substring(colon + 1);
        if (host.indexOf(':') >= 0) {
          throw new IllegalArgumentException(accepted); // a bare IPv6 address needs brackets
        }
      }
      int n;
      try {
        n = Integer.parseInt(port);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(accepted);
      }
      if (n < 0 || n > 65535 || (host != null && host.isBlank())) {
        throw new IllegalArgumentException(accepted);
      }
      if (host != null) {
        try {
          httpHost = InetAddress.getByName(host);
          httpHostName = host;
        } catch (UnknownHostException | SecurityException e) {
          throw new IllegalArgumentException(
              "agent option http: cannot resolve host '" + host + "' (was '" + v + "')");
        }
      }
      httpPort = n;
    }

    private static String token(String k, String v) {
      if (v.isEmpty()) {
        throw new IllegalArgumentException("agent option " + k + " must not be empty");
      }
      for (int i = 0; i < v.length(); i++) {
        char c = v.charAt(i);
        if (c <= 0x20 || c >= 0x7f) {
          throw new IllegalArgumentException(
              "agent option "
                  + k
                  + " must be printable ASCII without spaces (it is sent as"
                  + " 'Authorization: Bearer <token>')");
        }
      }
      return v;
    }

    private static String tokenFile(String v) {
      nonEmpty("tokenFile", v, "a file path");
      String s;
      try {
        s = Files.readString(Path.of(v), StandardCharsets.UTF_8).trim();
      } catch (IOException | RuntimeException e) {
        throw new IllegalArgumentException(
            "agent option tokenFile: cannot read '" + v + "': " + e.getClass().getSimpleName());
      }
      try {
        return token("tokenFile", s);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            e.getMessage()
                .replace(
                    "agent option tokenFile", "agent option tokenFile: the token in '" + v + "'"));
      }
    }

    private static double compression(String v) {
      try {
        double d = Double.parseDouble(v);
        if (d >= 1 && !Double.isInfinite(d)) {
          return d;
        }
      } catch (NumberFormatException e) {
        // below
      }
      throw new IllegalArgumentException(
          "agent option watchCompression must be a finite number >= 1, was '" + v + "'");
    }

    private static String nonEmpty(String k, String v, String what) {
      if (v.isEmpty()) {
        throw new IllegalArgumentException(
            "agent option " + k + " must be " + what + ", was empty");
      }
      return v;
    }

    private static boolean bool(String k, String v) {
      if (!v.equals("true") && !v.equals("false")) {
        throw new IllegalArgumentException(
            "agent option " + k + " must be true or false, was '" + v + "'");
      }
      return Boolean.parseBoolean(v);
    }

    private static int intIn(String k, String v, int lo, int hi) {
      try {
        int n = Integer.parseInt(v);
        if (n < lo || n > hi) {
          throw new NumberFormatException();
        }
        return n;
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "agent option "
                + k
                + " must be an integer in ["
                + lo
                + ","
                + hi
                + "], was '"
                + v
                + "'");
      }
    }
  }
}
