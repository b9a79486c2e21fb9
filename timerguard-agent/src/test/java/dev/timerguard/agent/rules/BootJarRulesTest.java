package dev.timerguard.agent.rules;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import dev.timerguard.agent.boot.Hooks;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The agent's package rules, on its compiled classes (tests excluded). The boot-jar rule: what the
 * agent appends to the bootstrap class path ({@code dev.timerguard.agent.boot}, with the core's
 * {@code dev.timerguard.live} and {@code dev.timerguard.live.internal}; see the dependency and jar
 * plugins in this module's pom) is loaded by the bootstrap loader, which sees only the JDK and that
 * jar: it may import {@code java.*}, {@code jdk.jfr} and those three packages, nothing of Byte
 * Buddy, the exporters or the rest of the core.
 */
class BootJarRulesTest {

  private static final String BOOT = "dev.timerguard.agent.boot";

  private static final JavaClasses AGENT = importAgent();

  private static JavaClasses importAgent() {
    try {
      return new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPath(
              Path.of(Hooks.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void theRulesSeeTheAgent() {
    assertThat(AGENT.containPackage(BOOT)).isTrue();
    assertThat(AGENT.containPackage("dev.timerguard.agent.internal")).isTrue();
  }

  @Test
  void bootClassesImportOnlyJavaJfrAndTheLiveModel() {
    check(
        classes()
            .that()
            .resideInAPackage(BOOT)
            .should()
            .onlyDependOnClassesThat()
            .resideInAnyPackage(
                "java..", "jdk.jfr..", "dev.timerguard.live", "dev.timerguard.live.internal", BOOT)
            .because("the bootstrap loader sees only the JDK and the boot jar"));
  }

  @Test
  void theAgentUsesTheCoreOnlyThroughTheLiveModel() {
    check(
        noClasses()
            .should()
            .dependOnClassesThat(
                com.tngtech.archunit.base.DescribedPredicate.describe(
                    "belong to the core outside the live model and its JSON reader/writer",
                    (com.tngtech.archunit.core.domain.JavaClass c) ->
                        c.getPackageName().equals("dev.timerguard")
                            || c.getPackageName().equals("dev.timerguard.wheel")
                            || (c.getPackageName().equals("dev.timerguard.internal")
                                && !c.getName().startsWith("dev.timerguard.internal.Json"))))
            .because(
                "the agent is shaded without the core: only the live model and the JSON classes"
                    + " its snapshot codec uses travel with it, in the boot jar"));
  }

  private static void check(ArchRule rule) {
    EvaluationResult r = rule.evaluate(AGENT);
    assertThat(r.hasViolation()).as(r.getFailureReport().toString()).isFalse();
  }
}
