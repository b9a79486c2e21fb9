package dev.timerguard.spring.boot;

import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * {@code timerguard.enabled}, read strictly: absent or {@code true} matches, {@code false} does
 * not, anything else stops the application (a typo must not silently turn TimerGuard off).
 */
final class EnabledCondition implements Condition {
  @Override
  public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
    String v =
        Binder.get(context.getEnvironment())
            .bind("timerguard.enabled", Bindable.of(String.class))
            .orElse("true")
            .trim();
    if (v.equalsIgnoreCase("true")) {
      return true;
    }
    if (v.equalsIgnoreCase("false")) {
      return false;
    }
    throw new InvalidConfigurationPropertyValueException(
        "timerguard.enabled", v, "must be true or false");
  }
}
