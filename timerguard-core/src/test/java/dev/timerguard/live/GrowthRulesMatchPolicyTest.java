package dev.timerguard.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Prometheus growth alerts ({@code ops/prometheus/timerguard-rules.yml}) use the same
 * thresholds as {@link GrowthPolicy#defaults()} and the same severity levels as {@link
 * GrowthWatch#level}: the rate, the window of the slope, the {@code for:}, the recent-half window,
 * the full-window {@code offset} and the watch level, read from the rule text. Changing either side
 * alone fails here.
 */
class GrowthRulesMatchPolicyTest {

  private static final Path RULES = Path.of("..", "ops", "prometheus", "timerguard-rules.yml");
  private static final Pattern PROM_DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d|w|y)");

  private static Map<String, String> recordExpr;
  private static Map<String, Rule> alerts;

  record Rule(String expr, Duration forDuration) {}

  @BeforeAll
  static void read() throws IOException {
    assertThat(RULES)
        .as(
            "the rule file, read relative to timerguard-core (run the build from the repository"
                + " root): "
                + RULES.toAbsolutePath().normalize())
        .isRegularFile();
    parse(Files.readString(RULES, StandardCharsets.UTF_8));
  }

  /** Splits the file into rules: each "- record:" or "- alert:" item with its expr and for. */
  static void parse(String yaml) {
    recordExpr = new LinkedHashMap<>();
    alerts = new LinkedHashMap<>();
    Matcher item = Pattern.compile("(?m)^\\s*- (record|alert): *(\\S+)\\s*$").matcher(yaml);
    List<int[]> starts = new ArrayList<>();
    List<String[]> heads = new ArrayList<>();
    while (item.find()) {
      starts.add(new int[] {item.start(), item.end()});
      heads.add(new String[] {item.group(1), item.group(2)});
    }
    for (int i = 0; i < starts.size(); i++) {
      int end = i + 1 < starts.size() ? starts.get(i + 1)[0] : yaml.length();
      String body = yaml.substring(starts.get(i)[1], end);
      String expr = expr(body);
      if (heads.get(i)[0].equals("record")) {
        recordExpr.put(heads.get(i)[1], expr);
      } else {
        Matcher f = Pattern.compile("(?m)^\\s*for: *(\\S+)\\s*$").matcher(body);
        alerts.put(
            heads.get(i)[1], new Rule(expr, f.find() ? duration(f.group(1)) : Duration.ZERO));
      }
    }
  }

  /** The expr of one rule: a block scalar (|, >-) or a plain one-line value, comments removed. */
  private static String expr(String body) {
    Matcher m = Pattern.compile("(?m)^(\\s*)expr: *(.*)$").matcher(body);
    assertThat(m.find()).as("an expr in " + body).isTrue();
    String first = m.group(2).strip();
    if (!first.startsWith("|") && !first.startsWith(">")) {
      return first;
    }
    int indent = m.group(1).length();
    StringBuilder b = new StringBuilder();
    for (String line : body.substring(m.end()).split("\n", -1)) {
      if (line.isBlank()) {
        continue;
      }
      int lead = line.length() - line.stripLeading().length();
      if (lead <= indent) {
        break;
      }
      b.append(line.strip().replaceAll("\\s+#.*$", "")).append(' ');
    }
    return b.toString().strip();
  }

  static Duration duration(String prom) {
    Matcher m = PROM_DURATION.matcher(prom);
    Duration d = Duration.ZERO;
    int at = 0;
    while (m.find()) {
      assertThat(m.start()).as("Prometheus duration " + prom).isEqualTo(at);
      at = m.end();
      long n = Long.parseLong(m.group(1));
      switch (m.group(2)) {
        case "ms":
          d = d.plusMillis(n);
          break;
        case "s":
          d = d.plusSeconds(n);
          break;
        case "m":
          d = d.plusMinutes(n);
          break;
        case "h":
          d = d.plusHours(n);
          break;
        case "d":
          d = d.plusDays(n);
          break;
        case "w":
          d = d.plusDays(7 * n);
          break;
        default:
          d = d.plusDays(365 * n);
          break;
      }
    }
    assertThat(at).as("Prometheus duration " + prom).isEqualTo(prom.length()).isPositive();
    return d;
  }

  /** The one {@code deriv(timerguard_site_live{kind=~"timer|ticker"}[W])} of a recording rule. */
  private static Duration derivWindow(String recordName) {
    String e = recordExpr.get(recordName);
    assertThat(e).as("recording rule " + recordName).isNotNull();
    Matcher m =
        Pattern.compile(
                "^deriv\\(timerguard_site_live\\{kind=~\"timer\\|ticker\"\\}\\[(\\w+)\\]\\)$")
            .matcher(e);
    assertThat(m.matches())
        .as(
            recordName
                + " must be deriv(timerguard_site_live{kind=~\"timer|ticker\"}[window]), was "
                + e)
        .isTrue();
    return duration(m.group(1));
  }

  private static void assertGrowthAlert(
      String name, double rate, Duration window, String watchComparison, int watchLevel) {
    Rule rule = alerts.get(name);
    assertThat(rule).as("alert " + name + " in " + RULES).isNotNull();
    String e = rule.expr();

    // deriv over the window above the policy's rate
    Matcher main =
        Pattern.compile("(site:timerguard_site_live_timers:deriv\\w+) > ([0-9.]+)(?!\\d)")
            .matcher(e);
    List<String[]> slopes = new ArrayList<>();
    while (main.find()) {
      slopes.add(new String[] {main.group(1), main.group(2)});
    }
    assertThat(slopes).as(name + ": two slope conditions (window, recent half) in " + e).hasSize(2);
    assertThat(Double.parseDouble(slopes.get(0)[1]))
        .as(name + ": rate threshold vs GrowthPolicy.defaults()")
        .isEqualTo(rate);
    assertThat(derivWindow(slopes.get(0)[0]))
        .as(name + ": slope window vs GrowthPolicy.defaults()")
        .isEqualTo(window);

    // still rising in the recent half
    assertThat(Double.parseDouble(slopes.get(1)[1])).as(name + ": recent-half threshold").isZero();
    assertThat(derivWindow(slopes.get(1)[0]))
        .as(name + ": recent-half window is half the policy window")
        .isEqualTo(window.dividedBy(2));

    // a full window of history
    Matcher offset = Pattern.compile("timerguard_site_live offset (\\w+)").matcher(e);
    assertThat(offset.find()).as(name + ": full-window offset term in " + e).isTrue();
    assertThat(duration(offset.group(1))).as(name + ": offset vs window").isEqualTo(window);

    // sustained for the window
    assertThat(rule.forDuration()).as(name + ": for: vs GrowthPolicy.defaults()").isEqualTo(window);

    // or the watch's own verdict at the policy's level
    Matcher watch =
        Pattern.compile(
                "timerguard_site_growth_severity\\{kind=~\"timer\\|ticker\"\\} (==|>=) (\\d+)")
            .matcher(e);
    assertThat(watch.find()).as(name + ": the watch verdict term in " + e).isTrue();
    assertThat(watch.group(1) + " " + watch.group(2))
        .as(name + ": watch level")
        .isEqualTo(watchComparison + " " + watchLevel);
  }

  @Test
  void rapidGrowthAlertMatchesThePolicy() {
    GrowthPolicy p = GrowthPolicy.defaults();
    assertGrowthAlert(
        "TimerGuardRapidTimerGrowth",
        p.rapidRatePerSecond(),
        p.rapidWindow(),
        "==",
        GrowthWatch.level(GrowthVerdict.Severity.RAPID));
  }

  @Test
  void slowGrowthAlertMatchesThePolicy() {
    GrowthPolicy p = GrowthPolicy.defaults();
    assertGrowthAlert(
        "TimerGuardSlowTimerGrowth",
        p.slowRatePerSecond(),
        p.slowWindow(),
        ">=",
        GrowthWatch.level(GrowthVerdict.Severity.SLOW));
  }

  @Test
  void theParserSeesEveryRuleAndRejectsAnEditedThreshold() throws IOException {
    assertThat(alerts.keySet())
        .contains(
            "TimerGuardRapidTimerGrowth",
            "TimerGuardSlowTimerGrowth",
            "TimerGuardRetainedCancelledTasks",
            "TimerGuardThreadGrowth",
            "TimerGuardLiveTimerCeiling",
            "TimerGuardHeapAfterGcDrift");
    String original = Files.readString(RULES, StandardCharsets.UTF_8);
    try {
      parse(
          original.replace(
              "site:timerguard_site_live_timers:deriv10m > 100",
              "site:timerguard_site_live_timers:deriv10m > 120"));
      GrowthPolicy p = GrowthPolicy.defaults();
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () ->
                  assertGrowthAlert(
                      "TimerGuardRapidTimerGrowth",
                      p.rapidRatePerSecond(),
                      p.rapidWindow(),
                      "==",
                      2))
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("rate threshold");
      parse(original.replace("for: 6h", "for: 3h"));
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () ->
                  assertGrowthAlert(
                      "TimerGuardSlowTimerGrowth", p.slowRatePerSecond(), p.slowWindow(), ">=", 1))
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("for:");
    } finally {
      parse(original);
    }
  }

  @Test
  void prometheusDurations() {
    assertThat(duration("10m")).isEqualTo(Duration.ofMinutes(10));
    assertThat(duration("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(duration("6h")).isEqualTo(Duration.ofHours(6));
  }
}
