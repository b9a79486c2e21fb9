package dev.timerguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operations pack stays consistent: every PromQL expression of the Grafana dashboard and of the
 * Prometheus rules parses (by {@code promtool check rules} on a temporary rule file: promtool 2.42
 * has no "parse this query" command), uses only metric names of the contract ({@code
 * docs/operations/metrics.md}), Prometheus's own series or the rule file's recording rules; the
 * dashboard has the panels, variables and annotations the runbooks refer to; every alert's runbook
 * link resolves to a section of {@code docs/operations/runbooks.md}.
 *
 * <p>Runs from timerguard-cli and reads {@code ../ops} and {@code ../docs}. The promtool check is
 * skipped (with a message) when promtool is not installed; everything else always runs.
 */
class OpsQueriesTest {

  private static final Path ROOT = Path.of("..");
  private static final Path DASHBOARD = ROOT.resolve("ops/grafana/timerguard-dashboard.json");
  private static final Path RULES = ROOT.resolve("ops/prometheus/timerguard-rules.yml");
  private static final Path METRICS_DOC = ROOT.resolve("docs/operations/metrics.md");
  private static final Path RUNBOOKS = ROOT.resolve("docs/operations/runbooks.md");

  /** Series that Prometheus itself provides. */
  private static final Set<String> BUILT_IN = Set.of("ALERTS", "ALERTS_FOR_STATE", "up");

  private static final Set<String> KEYWORDS =
      Set.of(
          "and",
          "or",
          "unless",
          "by",
          "without",
          "on",
          "ignoring",
          "group_left",
          "group_right",
          "offset",
          "bool",
          "inf",
          "nan",
          "atan2");

  private static JsonNode dashboard;
  private static JsonNode rules;

  /** Source (where the expression was found) to expression. */
  private static Map<String, String> dashboardExprs;

  private static Map<String, String> ruleExprs;
  private static Set<String> recorded;
  private static Set<String> contract;

  @BeforeAll
  static void load() throws IOException {
    for (Path p : List.of(DASHBOARD, RULES, METRICS_DOC, RUNBOOKS)) {
      assertThat(p)
          .as("read relative to timerguard-cli: " + p.toAbsolutePath().normalize())
          .isRegularFile();
    }
    dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
    rules = new YAMLMapper().readTree(RULES.toFile());
    dashboardExprs = new LinkedHashMap<>();
    collectDashboardExprs(dashboard, "dashboard", dashboardExprs);
    ruleExprs = new LinkedHashMap<>();
    recorded = new TreeSet<>();
    for (JsonNode g : rules.get("groups")) {
      for (JsonNode r : g.get("rules")) {
        String name = r.has("alert") ? r.get("alert").asText() : r.get("record").asText();
        ruleExprs.put("rule " + name, r.get("expr").asText());
        if (r.has("record")) {
          recorded.add(name);
        }
      }
    }
    contract = new TreeSet<>();
    Matcher m =
        Pattern.compile("(?m)^\\| `(timerguard_\\w+)` \\|")
            .matcher(Files.readString(METRICS_DOC, StandardCharsets.UTF_8));
    while (m.find()) {
      contract.add(m.group(1));
    }
  }

  /** Every "expr" string, and the selector inside every label_values(...) variable query. */
  private static void collectDashboardExprs(JsonNode n, String path, Map<String, String> out) {
    if (n.isObject()) {
      String where = path;
      if (n.has("title") && n.get("title").isTextual()) {
        where = path + " > " + n.get("title").asText();
      } else if (n.has("name") && n.get("name").isTextual()) {
        where = path + " > " + n.get("name").asText();
      }
      if (n.has("refId") && n.get("refId").isTextual()) {
        where = where + " [" + n.get("refId").asText() + "]";
      }
      var fields = n.fields();
      while (fields.hasNext()) {
        var f = fields.next();
        if (f.getKey().equals("expr") && f.getValue().isTextual()) {
          out.put(where, f.getValue().asText());
        } else if (f.getKey().equals("definition") && f.getValue().isTextual()) {
          Matcher lv =
              Pattern.compile("^label_values\\((.*),\\s*\\w+\\)$").matcher(f.getValue().asText());
          assertThat(lv.matches())
              .as(where + ": a label_values(selector, label) query, was " + f.getValue().asText())
              .isTrue();
          out.put(where + " (variable)", lv.group(1));
        } else {
          collectDashboardExprs(f.getValue(), where, out);
        }
      }
    } else if (n.isArray()) {
      for (JsonNode c : n) {
        collectDashboardExprs(c, path, out);
      }
    }
  }

  /** Grafana's variables replaced by values of the right kind, so the text is plain PromQL. */
  static String substituteGrafanaVariables(String expr) {
    return expr.replace("$__rate_interval", "5m")
        .replace("$__interval", "1m")
        .replace("$__range", "6h")
        .replace("$top", "10")
        .replaceAll("\\$\\{?(job|instance)\\}?", ".*");
  }

  /**
   * The metric names an expression selects: identifiers that are not functions, keywords, labels.
   */
  static Set<String> metricNames(String promql) {
    String s = promql.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"");
    s = s.replaceAll("\\{[^}]*\\}", " ");
    s = s.replaceAll("\\[[^\\]]*\\]", " ");
    s = s.replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
    Set<String> names = new TreeSet<>();
    Matcher m = Pattern.compile("(?<![\\w.$:])([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?").matcher(s);
    while (m.find()) {
      String id = m.group(1);
      if (m.group(2) != null || KEYWORDS.contains(id.toLowerCase(Locale.ROOT))) {
        continue;
      }
      names.add(id);
    }
    return names;
  }

  @Test
  void theNameExtractorFindsSelectorsOnly() {
    assertThat(
            metricNames(
                "topk(10, sum by (instance, site) (rate(timerguard_site_creations_total{kind=~\"timer|x\","
                    + "site=\"a.B(C.java:1)\"}[5m]))) > 1e3 and on (job) ALERTS offset 10m"
                    + " or max without (pool) (timerguard_jvm_heap_after_gc_bytes) unless bogus_name"))
        .containsExactly(
            "ALERTS",
            "bogus_name",
            "timerguard_jvm_heap_after_gc_bytes",
            "timerguard_site_creations_total");
    assertThat(
            metricNames(
                substituteGrafanaVariables(
                    "topk($top, timerguard_site_live{job=~\"$job\"}[$__rate_interval])")))
        .containsExactly("timerguard_site_live");
  }

  @Test
  void theContractTableIsRead() {
    assertThat(contract)
        .hasSize(18)
        .contains(
            "timerguard_site_live",
            "timerguard_site_growth_severity",
            "timerguard_jvm_gc_pause_seconds_total",
            "timerguard_executor_queue_size");
  }

  @Test
  void everyMetricNameIsInTheContract() {
    Set<String> allowed = new HashSet<>(contract);
    allowed.addAll(BUILT_IN);
    allowed.addAll(recorded);
    Map<String, String> all = new LinkedHashMap<>(dashboardExprs);
    all.putAll(ruleExprs);
    List<String> unknown = new ArrayList<>();
    for (Map.Entry<String, String> e : all.entrySet()) {
      for (String name : metricNames(substituteGrafanaVariables(e.getValue()))) {
        if (!allowed.contains(name)) {
          unknown.add(e.getKey() + ": " + name);
        }
      }
    }
    assertThat(unknown)
        .as("metric names outside docs/operations/metrics.md, ALERTS/up and the recording rules")
        .isEmpty();
  }

  @Test
  void everyContractSignalTheRunbooksUseIsOnTheDashboard() {
    Set<String> used = new TreeSet<>();
    for (String e : dashboardExprs.values()) {
      used.addAll(metricNames(substituteGrafanaVariables(e)));
    }
    assertThat(used)
        .contains(
            "timerguard_site_live",
            "timerguard_site_growth_rate",
            "timerguard_site_growth_severity",
            "timerguard_executor_retained_cancelled_tasks",
            "timerguard_threads_live",
            "timerguard_jvm_heap_after_gc_bytes",
            "timerguard_jvm_gc_pause_seconds_total",
            "ALERTS",
            "timerguard_live_timers");
    assertThat(dashboardExprs.values())
        .anyMatch(e -> e.contains("rate(timerguard_jvm_gc_pause_seconds_total"))
        .anyMatch(e -> e.contains("ALERTS{alertname=~\"TimerGuard.*\""))
        .anyMatch(
            e -> e.startsWith("topk($top, sum by (instance, kind, site) (timerguard_site_live"));
  }

  @Test
  void everyExpressionParses(@TempDir Path tmp) throws Exception {
    String promtool = promtool();
    assumeTrue(
        promtool != null,
        "SKIPPED: promtool is not installed (apt-get install prometheus); PromQL not parsed");
    StringBuilder file = new StringBuilder("groups:\n  - name: parse-check\n    rules:\n");
    Map<String, String> all = new LinkedHashMap<>(dashboardExprs);
    all.putAll(ruleExprs);
    int i = 0;
    List<String> index = new ArrayList<>();
    for (Map.Entry<String, String> e : all.entrySet()) {
      String expr = substituteGrafanaVariables(e.getValue());
      file.append("      - record: parse_check_").append(i).append('\n');
      file.append("        expr: |\n");
      for (String line : expr.split("\n")) {
        file.append("          ").append(line).append('\n');
      }
      index.add("parse_check_" + i + " = " + e.getKey());
      i++;
    }
    assertThat(i).as("expressions found").isGreaterThan(30);
    Path f = tmp.resolve("exprs.yml");
    Files.writeString(f, file, StandardCharsets.UTF_8);
    Process p =
        new ProcessBuilder(promtool, "check", "rules", f.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue())
        .as("promtool check rules on every expression:%n%s%n%s", out, String.join("\n", index))
        .isZero();
    assertThat(out).contains("SUCCESS: " + i + " rules found");
  }

  @Test
  void theParseCheckCatchesABrokenExpression(@TempDir Path tmp) throws Exception {
    String promtool = promtool();
    assumeTrue(promtool != null, "SKIPPED: promtool is not installed");
    Path f = tmp.resolve("bad.yml");
    Files.writeString(
        f,
        "groups:\n  - name: g\n    rules:\n      - record: r\n"
            + "        expr: sum by (instance (timerguard_live_timers)\n");
    Process p =
        new ProcessBuilder(promtool, "check", "rules", f.toString())
            .redirectErrorStream(true)
            .start();
    p.getInputStream().readAllBytes();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isNotZero();
  }

  @Test
  void theDashboardIsAnImportableGrafanaDashboard() {
    assertThat(dashboard.get("schemaVersion").asInt()).isGreaterThanOrEqualTo(39);
    assertThat(dashboard.get("uid").asText()).isEqualTo("timerguard-overview");
    assertThat(dashboard.get("__inputs").get(0).get("name").asText()).isEqualTo("DS_PROMETHEUS");
    Map<String, JsonNode> vars = new LinkedHashMap<>();
    for (JsonNode v : dashboard.get("templating").get("list")) {
      vars.put(v.get("name").asText(), v);
    }
    assertThat(vars).containsKeys("datasource", "job", "instance");
    assertThat(vars.get("datasource").get("type").asText()).isEqualTo("datasource");
    assertThat(vars.get("datasource").get("query").asText()).isEqualTo("prometheus");
    assertThat(vars.get("job").get("definition").asText())
        .contains("label_values(")
        .endsWith(", job)");
    assertThat(vars.get("instance").get("definition").asText())
        .contains("$job")
        .endsWith(", instance)");

    Set<Integer> ids = new HashSet<>();
    int queries = 0;
    for (JsonNode panel : dashboard.get("panels")) {
      assertThat(ids.add(panel.get("id").asInt())).as("panel id " + panel.get("id")).isTrue();
      if (panel.get("type").asText().equals("row")) {
        continue;
      }
      assertThat(panel.get("datasource").get("uid").asText())
          .as(panel.get("title").asText())
          .isEqualTo("${datasource}");
      for (JsonNode t : panel.get("targets")) {
        assertThat(t.get("datasource").get("uid").asText()).isEqualTo("${datasource}");
        String expr = t.get("expr").asText();
        assertThat(expr)
            .as(panel.get("title").asText() + " filters by the variables")
            .contains("job=~\"$job\"", "instance=~\"$instance\"");
        queries++;
      }
    }
    assertThat(queries).isGreaterThanOrEqualTo(15);

    List<String> annotations = new ArrayList<>();
    for (JsonNode a : dashboard.get("annotations").get("list")) {
      annotations.add(a.get("name").asText());
    }
    assertThat(annotations).contains("Deploys", "JVM restarts");
    JsonNode deploys = dashboard.get("annotations").get("list").get(annotations.indexOf("Deploys"));
    assertThat(deploys.get("target").get("tags").get(0).asText()).isEqualTo("deploy");
  }

  @Test
  void everyAlertHasASeverityAndARunbookSectionThatExists() throws IOException {
    Set<String> anchors = anchorsOf(RUNBOOKS);
    int alerts = 0;
    for (JsonNode g : rules.get("groups")) {
      for (JsonNode r : g.get("rules")) {
        if (!r.has("alert")) {
          continue;
        }
        alerts++;
        String name = r.get("alert").asText();
        assertThat(r.get("labels").get("severity").asText()).as(name).isIn("page", "ticket");
        String url = r.get("annotations").get("runbook_url").asText();
        assertThat(url).as(name).startsWith("docs/operations/runbooks.md#");
        String anchor = url.substring(url.indexOf('#') + 1);
        assertThat(anchor).as(name).isEqualTo(name.toLowerCase(Locale.ROOT));
        assertThat(anchors)
            .as(name + ": a section '" + anchor + "' in runbooks.md")
            .contains(anchor);
        assertThat(r.get("annotations").get("summary").asText()).as(name).isNotBlank();
      }
    }
    assertThat(alerts).isEqualTo(6);
  }

  @Test
  void everyLinkOfTheOperationsDocsResolves() throws IOException {
    List<Path> docs = new ArrayList<>();
    try (var files = Files.list(ROOT.resolve("docs/operations"))) {
      files.filter(f -> f.toString().endsWith(".md")).forEach(docs::add);
    }
    assertThat(docs).hasSizeGreaterThanOrEqualTo(8);
    Pattern link = Pattern.compile("\\]\\(([^)\\s]+)\\)");
    List<String> broken = new ArrayList<>();
    int checked = 0;
    for (Path doc : docs) {
      String text = Files.readString(doc, StandardCharsets.UTF_8).replaceAll("(?s)```.*?```", "");
      Matcher m = link.matcher(text);
      while (m.find()) {
        String target = m.group(1);
        if (target.startsWith("http")) {
          continue;
        }
        checked++;
        int hash = target.indexOf('#');
        String file = hash < 0 ? target : target.substring(0, hash);
        Path resolved = file.isEmpty() ? doc : doc.getParent().resolve(file).normalize();
        if (!Files.exists(resolved)) {
          broken.add(doc.getFileName() + ": " + target + " (no such file)");
        } else if (hash >= 0 && Files.isRegularFile(resolved)) {
          if (!anchorsOf(resolved).contains(target.substring(hash + 1))) {
            broken.add(doc.getFileName() + ": " + target + " (no such section)");
          }
        }
      }
    }
    assertThat(checked).isGreaterThan(50);
    assertThat(broken).isEmpty();
  }

  /** The anchors of a markdown file's headings (not of lines in code blocks). */
  static Set<String> anchorsOf(Path markdown) throws IOException {
    Set<String> anchors = new HashSet<>();
    boolean code = false;
    for (String line : Files.readAllLines(markdown, StandardCharsets.UTF_8)) {
      if (line.startsWith("```")) {
        code = !code;
      } else if (!code && line.startsWith("#")) {
        anchors.add(githubAnchor(line.replaceFirst("^#+\\s*", "")));
      }
    }
    return anchors;
  }

  /** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
  static String githubAnchor(String heading) {
    return heading
        .strip()
        .toLowerCase(Locale.ROOT)
        .replaceAll("[^a-z0-9 _-]", "")
        .replace(' ', '-');
  }

  private static String promtool() {
    String env = System.getenv("PROMTOOL");
    if (env != null && new File(env).canExecute()) {
      return env;
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      File f = new File(dir, "promtool");
      if (f.canExecute()) {
        return f.getPath();
      }
    }
    return null;
  }
}
