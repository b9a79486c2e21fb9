package dev.timerguard.agent.it;

import dev.timerguard.internal.Json;
import dev.timerguard.live.SiteStats;
import dev.timerguard.live.SnapshotCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The sites of the agent's {@code /snapshot} document or of its {@code /timers} JSON. */
record Sites(List<Site> all) {

  record Site(
      String kind,
      String className,
      String method,
      int line,
      long created,
      long fired,
      long cancelled,
      long live,
      long retained,
      long queue) {}

  /** The sites of a {@code /snapshot} document (or the MBean's SnapshotJson), read by the codec. */
  static Sites fromSnapshot(String json) {
    List<Site> out = new ArrayList<>();
    for (SiteStats s : SnapshotCodec.decode(json).sites()) {
      out.add(
          new Site(
              s.site().kind().name(),
              s.site().className(),
              s.site().methodName(),
              s.site().line(),
              s.created(),
              s.fired(),
              s.cancelled(),
              s.live(),
              s.retained(),
              s.queued()));
    }
    return new Sites(out);
  }

  /** The sites of the {@code /timers} JSON. */
  static Sites parse(String json) {
    List<Site> out = new ArrayList<>();
    Map<?, ?> root = (Map<?, ?>) Json.parse(json);
    for (Object o : (List<?>) root.get("sites")) {
      Map<?, ?> m = (Map<?, ?>) o;
      out.add(
          new Site(
              (String) m.get("kind"),
              (String) m.get("class"),
              (String) m.get("method"),
              (int) (long) (Long) m.get("line"),
              (Long) m.get("created"),
              (Long) m.get("fired"),
              (Long) m.get("cancelled"),
              (Long) m.get("live"),
              (Long) m.get("retained"),
              (Long) m.get("queue")));
    }
    return new Sites(out);
  }

  Site at(String kind, int line) {
    return all.stream()
        .filter(
            s ->
                s.kind().equals(kind)
                    && s.line() == line
                    && s.className().equals(LeakySample.class.getName()))
        .findFirst()
        .orElseThrow(
            () -> new AssertionError("no " + kind + " site at line " + line + " in " + all));
  }
}
