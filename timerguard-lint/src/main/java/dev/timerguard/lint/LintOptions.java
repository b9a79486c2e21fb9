package dev.timerguard.lint;

import dev.timerguard.lint.rules.Rules;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Which rules run and at which severity. Immutable and thread-safe; every {@code with...} method
 * returns a new instance.
 *
 * <p>Plugin syntax ({@link #parse}): {@code -Xplugin:TimerGuard rules=TG101,TG103 disable=TG104
 * severity=error TG106=info TG107=off}. Unknown rule ids, unknown keys and bad severities are
 * rejected with an {@link IllegalArgumentException} whose message names the bad token; nothing is
 * silently ignored.
 */
public final class LintOptions {
  private final Set<String> only; // empty = all
  private final Set<String> disabled;
  private final Severity global; // null = each rule's default
  private final Map<String, Severity> perRule;

  private LintOptions(
      Set<String> only, Set<String> disabled, Severity global, Map<String, Severity> perRule) {
    this.only = Set.copyOf(only);
    this.disabled = Set.copyOf(disabled);
    this.global = global;
    this.perRule = Map.copyOf(perRule);
  }

  /** Every rule enabled at its default severity. */
  public static LintOptions defaults() {
    return new LintOptions(Set.of(), Set.of(), null, Map.of());
  }

  /**
   * Parses plugin arguments ({@code key=value} tokens, see class doc).
   *
   * @throws NullPointerException if {@code args} or an element is null
   * @throws IllegalArgumentException naming the first bad token
   */
  public static LintOptions parse(String... args) {
    Objects.requireNonNull(args, "args");
    LintOptions o = defaults();
    for (String raw : args) {
      Objects.requireNonNull(raw, "args element");
      for (String arg : raw.trim().split("\\s+")) {
        if (arg.isEmpty()) {
          continue;
        }
        int eq = arg.indexOf('=');
        if (eq <= 0) {
          throw new IllegalArgumentException(
              "bad TimerGuard option '" + arg + "' (expected key=value, e.g. rules=TG101,TG102)");
        }
        String key = arg.substring(0, eq);
        String value = arg.substring(eq + 1);
        switch (key.toLowerCase(Locale.ROOT)) {
          case "rules":
            o = o.withOnly(split(value));
            break;
          case "disable":
            o = o.withDisabled(split(value));
            break;
          case "severity":
            o = o.withSeverity(Severity.parse(value));
            break;
          default:
            String id = key.toUpperCase(Locale.ROOT);
            checkIds(Set.of(id));
            if (value.equalsIgnoreCase("off")) {
              o = o.withDisabled(Set.of(id));
            } else {
              o = o.withSeverity(id, Severity.parse(value));
            }
        }
      }
    }
    return o;
  }

  private static Set<String> split(String list) {
    Set<String> ids = new LinkedHashSet<>();
    for (String s : list.split(",")) {
      if (!s.isBlank()) {
        ids.add(s.trim().toUpperCase(Locale.ROOT));
      }
    }
    return ids;
  }

  private static void checkIds(Collection<String> ids) {
    for (String id : ids) {
      if (Rules.byId(id) == null) {
        throw new IllegalArgumentException(
            "unknown TimerGuard rule '" + id + "' (known: " + Rules.ids() + ")");
      }
    }
  }

  /**
   * Only these rule ids run (empty collection: all). @throws IllegalArgumentException on unknown
   * ids
   */
  public LintOptions withOnly(Collection<String> ids) {
    Set<String> s = normalise(ids);
    return new LintOptions(s, disabled, global, perRule);
  }

  /** These rule ids do not run. @throws IllegalArgumentException on unknown ids */
  public LintOptions withDisabled(Collection<String> ids) {
    Set<String> s = new LinkedHashSet<>(disabled);
    s.addAll(normalise(ids));
    return new LintOptions(only, s, global, perRule);
  }

  /** Every finding gets this severity unless a per-rule severity is set. */
  public LintOptions withSeverity(Severity severity) {
    return new LintOptions(only, disabled, Objects.requireNonNull(severity, "severity"), perRule);
  }

  /**
   * Findings of {@code ruleId} get this severity. @throws IllegalArgumentException on unknown id
   */
  public LintOptions withSeverity(String ruleId, Severity severity) {
    Objects.requireNonNull(severity, "severity");
    String id = normalise(Set.of(Objects.requireNonNull(ruleId, "ruleId"))).iterator().next();
    Map<String, Severity> m = new LinkedHashMap<>(perRule);
    m.put(id, severity);
    return new LintOptions(only, disabled, global, m);
  }

  private static Set<String> normalise(Collection<String> ids) {
    Objects.requireNonNull(ids, "ids");
    Set<String> s = new LinkedHashSet<>();
    for (String id : ids) {
      s.add(Objects.requireNonNull(id, "rule id").trim().toUpperCase(Locale.ROOT));
    }
    checkIds(s);
    return s;
  }

  /** Whether {@code rule} runs under these options. */
  public boolean isEnabled(Rule rule) {
    return (only.isEmpty() || only.contains(rule.id())) && !disabled.contains(rule.id());
  }

  /** The severity findings of {@code rule} get under these options. */
  public Severity severityOf(Rule rule) {
    Severity s = perRule.get(rule.id());
    if (s != null) {
      return s;
    }
    return global != null ? global : rule.defaultSeverity();
  }

  @Override
  public String toString() {
    return "LintOptions[only="
        + only
        + ", disabled="
        + disabled
        + ", severity="
        + global
        + ", perRule="
        + perRule
        + "]";
  }
}
