package dev.timerguard.junit.samples;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Marks a sample class that leaks on purpose: it runs only when the configuration parameter {@value
 * #PARAMETER} is {@code true}, which the real tests (through EngineTestKit or the launcher) set.
 * Surefire excludes the samples package too, but {@code -Dtest=...} overrides excludes; this keeps
 * a direct run from failing the build.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(SampleOnly.Condition.class)
public @interface SampleOnly {

  /** The configuration parameter that enables sample classes. */
  String PARAMETER = "timerguard.junit.samples.run";

  /** Disables the class unless {@link #PARAMETER} is true. */
  final class Condition implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
      return context.getConfigurationParameter(PARAMETER).map("true"::equals).orElse(false)
          ? ConditionEvaluationResult.enabled("run through the testkit")
          : ConditionEvaluationResult.disabled(
              "leaks on purpose: runs only through the testkit (" + PARAMETER + "=true)");
    }
  }
}
