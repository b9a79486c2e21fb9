package dev.timerguard.rules;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import dev.timerguard.Timers;
import dev.timerguard.live.LiveRegistry;
import dev.timerguard.live.ThreadOrigins;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The core's package rules, checked on its compiled classes (tests excluded):
 *
 * <ul>
 *   <li>the core depends on nothing outside {@code java.*} and {@code jdk.jfr};
 *   <li>the boot-jar rule: the live model's packages ({@code dev.timerguard.live} and its write
 *       package), which the agent puts on the bootstrap class path, import only {@code java.*},
 *       {@code jdk.jfr} and each other (nothing of the API, the wheel or the core's other
 *       internals, which are not in the boot jar);
 *   <li>the read package imports the write package only where it must: {@link LiveRegistry}'s
 *       factories build the writable registry behind the view, and {@link ThreadOrigins#siteOf}
 *       reads the table its writer keeps;
 *   <li>the engines (the API, the wheel) write through the write package and never reach into the
 *       read package's place of another engine.
 * </ul>
 */
class PackageRulesTest {

  /** The core's own compiled classes (its build output or jar), nothing else on the class path. */
  private static final JavaClasses CORE = importCore();

  private static JavaClasses importCore() {
    try {
      return new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPath(
              Path.of(Timers.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final String LIVE = "dev.timerguard.live";
  private static final String WRITE = "dev.timerguard.live.internal";

  @Test
  void theRulesSeeTheWholeCore() {
    // a rule over no classes passes whatever it says: make sure each package is really there
    assertThat(CORE.containPackage("dev.timerguard")).isTrue();
    assertThat(CORE.containPackage("dev.timerguard.wheel")).isTrue();
    assertThat(CORE.containPackage(LIVE)).isTrue();
    assertThat(CORE.containPackage(WRITE)).isTrue();
    assertThat(CORE.containPackage("dev.timerguard.internal")).isTrue();
  }

  @Test
  void coreDependsOnJavaAndJfrOnly() {
    check(
        classes()
            .that()
            .resideInAPackage("dev.timerguard..")
            .should()
            .onlyDependOnClassesThat()
            .resideInAnyPackage("java..", "jdk.jfr..", "dev.timerguard..")
            .because("timerguard-core has no dependencies (DESIGN.md, module table)"));
  }

  @Test
  void theBootJarPackagesImportOnlyJavaJfrAndEachOther() {
    check(
        classes()
            .that()
            .resideInAnyPackage(LIVE, WRITE)
            .should()
            .onlyDependOnClassesThat(
                com.tngtech.archunit.base.DescribedPredicate.describe(
                    "reside in java.., jdk.jfr.., the live model's two packages, or are the core's"
                        + " JSON reader/writer (dev.timerguard.internal.Json*)",
                    (com.tngtech.archunit.core.domain.JavaClass c) ->
                        c.getPackageName().startsWith("java.")
                            || c.getPackageName().startsWith("jdk.jfr")
                            || c.getPackageName().equals(LIVE)
                            || c.getPackageName().equals(WRITE)
                            || c.getName().startsWith("dev.timerguard.internal.Json")))
            .because(
                "the agent puts dev.timerguard.live, dev.timerguard.live.internal and the JSON"
                    + " classes the snapshot codec uses, and nothing else of the core, on the"
                    + " bootstrap class path (timerguard-agent/pom.xml, boot-classes)"));
  }

  @Test
  void theReadPackageImportsTheWritePackageOnlyWhereItMust() {
    check(
        noClasses()
            .that()
            .resideInAPackage(LIVE)
            .and()
            .doNotBelongToAnyOf(LiveRegistry.class, ThreadOrigins.class)
            .should()
            .dependOnClassesThat()
            .resideInAPackage(WRITE)
            .because(
                "readers see the model through the read package; only the registry view's"
                    + " factories and the thread-origin lookup reach the writers behind them"));
  }

  @Test
  void theWritePackageDoesNotKnowTheEngines() {
    check(
        noClasses()
            .that()
            .resideInAPackage(WRITE)
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("dev.timerguard", "dev.timerguard.wheel", "dev.timerguard.internal")
            .because("the model knows nothing of the engines that write to it"));
  }

  @Test
  void theEnginesKnowNothingOfEachOthersInternals() {
    check(
        noClasses()
            .that()
            .resideInAPackage("dev.timerguard.wheel")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("dev.timerguard")
            .because("the wheel is an engine of its own; the safe API builds on it, not back"));
  }

  private static void check(ArchRule rule) {
    EvaluationResult r = rule.evaluate(CORE);
    assertThat(r.hasViolation()).as(r.getFailureReport().toString()).isFalse();
  }
}
