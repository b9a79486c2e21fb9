package dev.timerguard.spring.boot;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.core.env.Environment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * Checks the raw {@code timerguard.*} values before Spring binds them, so that bad input fails with
 * one line naming the property and the accepted values (an {@link
 * InvalidConfigurationPropertyValueException}, which Spring Boot's failure analysis prints as such)
 * instead of a conversion stack. Unknown keys are reported from the application's own configuration
 * (files, command line, system properties), not from environment variables.
 */
final class PropertiesCheck {

  static final String PREFIX = "timerguard";

  /** The starter's keys and, for each, the accepted values (null: accepted). */
  private static final Map<String, Function<String, String>> KEYS = new LinkedHashMap<>();

  /** Groups under {@code timerguard.} of the other TimerGuard parts (core, JUnit, agent). */
  private static final Set<String> OTHER_GROUPS = Set.of("registry", "leaks", "agent");

  static {
    KEYS.put("timerguard.enabled", PropertiesCheck::bool);
    KEYS.put("timerguard.metrics.max-sites", v -> wholeAtLeast(v, 1));
    KEYS.put("timerguard.watch.interval", PropertiesCheck::positiveDuration);
    KEYS.put("timerguard.watch.time-compression", PropertiesCheck::compression);
    KEYS.put("timerguard.watch.rapid-rate-per-second", PropertiesCheck::positiveNumber);
    KEYS.put("timerguard.watch.rapid-window", PropertiesCheck::positiveDuration);
    KEYS.put("timerguard.watch.slow-rate-per-second", PropertiesCheck::positiveNumber);
    KEYS.put("timerguard.watch.slow-window", PropertiesCheck::positiveDuration);
    KEYS.put("timerguard.health.down-on-rapid", PropertiesCheck::bool);
  }

  private PropertiesCheck() {}

  /**
   * Checks every {@code timerguard.*} key and value of the environment.
   *
   * @throws InvalidConfigurationPropertyValueException for the first unknown key or malformed value
   */
  static void check(Environment env) {
    Map<ConfigurationPropertyName, String> known = new LinkedHashMap<>();
    for (String k : KEYS.keySet()) {
      known.put(ConfigurationPropertyName.of(k), k);
    }
    ConfigurationPropertyName root = ConfigurationPropertyName.of(PREFIX);
    for (ConfigurationPropertySource source : ConfigurationPropertySources.get(env)) {
      if (!(source instanceof IterableConfigurationPropertySource)
          || source.getUnderlyingSource() instanceof SystemEnvironmentPropertySource) {
        // Environment variables are shared by every tool on the host (TIMERGUARD_HOME, a CI
        // script's TIMERGUARD_E2E_...): an unknown one is not a typo in this application's
        // configuration. Known keys set there are still checked below.
        continue;
      }
      for (ConfigurationPropertyName name : (IterableConfigurationPropertySource) source) {
        if (!root.isAncestorOf(name) || known.containsKey(name)) {
          continue;
        }
        if (OTHER_GROUPS.contains(name.getElement(1, ConfigurationPropertyName.Form.UNIFORM))) {
          continue;
        }
        ConfigurationProperty p = source.getConfigurationProperty(name);
        throw new InvalidConfigurationPropertyValueException(
            name.toString(),
            p == null ? null : p.getValue(),
            "not a TimerGuard property; accepted: " + String.join(", ", KEYS.keySet()));
      }
    }
    Binder binder = Binder.get(env);
    for (Map.Entry<String, Function<String, String>> e : KEYS.entrySet()) {
      String value = binder.bind(e.getKey(), Bindable.of(String.class)).orElse(null);
      if (value == null) {
        continue;
      }
      String accepted = e.getValue().apply(value.trim());
      if (accepted != null) {
        throw new InvalidConfigurationPropertyValueException(
            e.getKey(), value, "must be " + accepted);
      }
    }
  }

  // each returns null when the value is accepted, else what is accepted

  private static String bool(String v) {
    String l = v.toLowerCase(Locale.ROOT);
    return l.equals("true") || l.equals("false") ? null : "true or false";
  }

  private static String wholeAtLeast(String v, int min) {
    try {
      return Integer.parseInt(v) >= min ? null : "a whole number >= " + min;
    } catch (NumberFormatException e) {
      return "a whole number >= " + min;
    }
  }

  private static final String DURATION =
      "a positive duration such as 500ms, 10s, 5m, 6h, 1d or PT10S";

  private static String positiveDuration(String v) {
    try {
      Duration d = DurationStyle.detectAndParse(v);
      return d.isNegative() || d.isZero() ? DURATION : null;
    } catch (RuntimeException e) {
      return DURATION;
    }
  }

  private static String positiveNumber(String v) {
    Double d = number(v);
    return d != null && d > 0 ? null : "a positive number";
  }

  private static String compression(String v) {
    Double d = number(v);
    return d != null && d >= 1 ? null : "a number >= 1 (1: real time, 600: 10 minutes in a second)";
  }

  private static Double number(String v) {
    try {
      double d = Double.parseDouble(v);
      return Double.isNaN(d) || Double.isInfinite(d) ? null : d;
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
