package dev.timerguard.agent.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The agent's options, from {@code -javaagent:timerguard-agent.jar=key=value,key=value} or the
 * options string of a dynamic attach. Unknown keys and malformed values are rejected with an
 * {@link IllegalArgumentException} naming them (the agent then does not start).
 *
 * <ul>
 *   <li>{@code http=PORT}: serve /metrics, /timers, /threads on 127.0.0.1:PORT ({@code 0}: any free
 *       port); off unless given;
 *   <li>{@code portFile=PATH}: write the bound HTTP port to PATH once listening;
 *   <li>{@code jmx=true|false}: register the MBean {@code dev.timerguard:type=Agent} (default true);
 *   <li>{@code sampleMillis=N}: how often executors, threads and Netty timeouts are sampled
 *       (default 1000);
 *   <li>{@code maxSites=N}: the registry's site cap, only before the registry is first used;
 *   <li>{@code exclude=a.b.;c.d.}: class-name prefixes not to instrument, separated by {@code ;};
 *   <li>{@code debug=true}: print every instrumented class and every instrumentation error.
 * </ul>
 *
 * <p>Immutable.
 */
public final class AgentOptions {

  final Integer httpPort;
  final String portFile;
  final boolean jmx;
  final long sampleMillis;
  final Integer maxSites;
  final List<String> excludes;
  final boolean debug;

  private AgentOptions(
      Integer httpPort,
      String portFile,
      boolean jmx,
      long sampleMillis,
      Integer maxSites,
      List<String> excludes,
      boolean debug) {
    this.debug = debug;
    this.httpPort = httpPort;
    this.portFile = portFile;
    this.jmx = jmx;
    this.sampleMillis = sampleMillis;
    this.maxSites = maxSites;
    this.excludes = excludes;
  }

  /**
   * Parses an options string; {@code null} or blank gives the defaults.
   *
   * @throws IllegalArgumentException naming the bad key or value
   */
  public static AgentOptions parse(String s) {
    Integer http = null;
    String portFile = null;
    boolean jmx = true;
    long sample = 1000;
    Integer maxSites = null;
    List<String> excludes = new ArrayList<>();
    boolean debug = false;
    if (s != null && !s.isBlank()) {
      for (String part : s.split(",")) {
        if (part.isBlank()) {
          continue;
        }
        int eq = part.indexOf('=');
        if (eq <= 0) {
          throw new IllegalArgumentException("agent option '" + part + "' is not key=value");
        }
        String k = part.substring(0, eq).trim();
        String v = part.substring(eq + 1).trim();
        switch (k) {
          case "http":
            http = intIn(k, v, 0, 65535);
            break;
          case "portFile":
            portFile = v;
            break;
          case "jmx":
            if (!v.equals("true") && !v.equals("false")) {
              throw new IllegalArgumentException("agent option jmx must be true or false, was " + v);
            }
            jmx = Boolean.parseBoolean(v);
            break;
          case "sampleMillis":
            sample = intIn(k, v, 10, 3_600_000);
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
            debug = Boolean.parseBoolean(v);
            break;
          default:
            throw new IllegalArgumentException("unknown agent option '" + k + "'");
        }
      }
    }
    return new AgentOptions(
        http, portFile, jmx, sample, maxSites, Collections.unmodifiableList(excludes), debug);
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
          "agent option " + k + " must be an integer in [" + lo + "," + hi + "], was '" + v + "'");
    }
  }
}
