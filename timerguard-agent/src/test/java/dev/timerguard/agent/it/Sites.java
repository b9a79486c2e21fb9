package dev.timerguard.agent.it;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The site objects of the agent's /timers JSON, read with one pattern (the format is fixed). */
record Sites(List<Site> all) {

  record Site(String kind, String className, String method, int line, long created, long fired,
      long cancelled, long live, long retained, long queue) {}

  private static final Pattern SITE = Pattern.compile(
      "\\{\"kind\":\"(\\w+)\",\"class\":\"([^\"]+)\",\"method\":\"([^\"]+)\",\"file\":\"[^\"]*\","
          + "\"line\":(-?\\d+),\"location\":\"[^\"]*\",\"created\":(\\d+),\"fired\":(\\d+),"
          + "\"cancelled\":(\\d+),\"live\":(-?\\d+),\"peak\":\\d+,\"oldestLiveAgeNanos\":\\d+,"
          + "\"retained\":(-?\\d+),\"queue\":(\\d+)\\}");

  static Sites parse(String json) {
    List<Site> out = new ArrayList<>();
    Matcher m = SITE.matcher(json);
    while (m.find()) {
      out.add(new Site(m.group(1), m.group(2), m.group(3), Integer.parseInt(m.group(4)),
          Long.parseLong(m.group(5)), Long.parseLong(m.group(6)), Long.parseLong(m.group(7)),
          Long.parseLong(m.group(8)), Long.parseLong(m.group(9)), Long.parseLong(m.group(10))));
    }
    return new Sites(out);
  }

  Site at(String kind, int line) {
    return all.stream()
        .filter(s -> s.kind().equals(kind) && s.line() == line
            && s.className().equals(LeakySample.class.getName()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " site at line " + line + " in " + all));
  }
}
