package dev.timerguard.cli.rules;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import dev.timerguard.Timers;
import dev.timerguard.cli.TimerGuardCli;
import dev.timerguard.lint.Rule;
import dev.timerguard.samples.probe.LeakProbe;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The module rules of the repository, checked where every module can be seen (this module depends
 * on the most of them):
 *
 * <ul>
 *   <li>each module's TimerGuard dependencies (its pom, test scope aside) are arrows of the module
 *       table in the architecture documentation ({@link #ARROWS});
 *   <li>the live model's write package ({@code dev.timerguard.live.internal}) is used by the main
 *       code of the agent and the benchmarks only, the modules its module descriptor exports it to,
 *       and outside the core only the faces the descriptor exports {@code dev.timerguard.internal}
 *       to use it, and only its one JSON reader/writer (the plumbing every face shares): checked on
 *       every module's sources (imports), and on the compiled classes of core, lint, samples and
 *       the CLI (the agent's own classes are checked by its boot-jar rule test; here it is a shaded
 *       jar).
 * </ul>
 */
class ModuleRulesTest {

  private static final Path ROOT = Path.of("..");

  /** The module table: which TimerGuard modules each module may depend on. */
  static final Map<String, Set<String>> ARROWS =
      Map.ofEntries(
          Map.entry("timerguard-core", Set.of()),
          Map.entry("timerguard-samples", Set.of("timerguard-core")),
          Map.entry("timerguard-junit", Set.of("timerguard-core")),
          Map.entry("timerguard-lint", Set.of("timerguard-core")),
          Map.entry("timerguard-agent", Set.of("timerguard-core")),
          Map.entry("timerguard-micrometer", Set.of("timerguard-core")),
          Map.entry(
              "timerguard-spring-boot-starter", Set.of("timerguard-core", "timerguard-micrometer")),
          Map.entry("timerguard-maven-plugin", Set.of("timerguard-core", "timerguard-lint")),
          Map.entry(
              "timerguard-cli",
              Set.of(
                  "timerguard-core",
                  "timerguard-samples",
                  "timerguard-junit",
                  "timerguard-lint",
                  "timerguard-agent",
                  "timerguard-micrometer",
                  "timerguard-spring-boot-starter",
                  "timerguard-maven-plugin")),
          Map.entry("timerguard-bench", Set.of("timerguard-core", "timerguard-agent")),
          // the example application of the starter (not a library)
          Map.entry(
              "timerguard-spring-boot-sample",
              Set.of(
                  "timerguard-core", "timerguard-micrometer", "timerguard-spring-boot-starter")));

  /** Modules whose main code writes counts: the targets of the core's qualified export. */
  private static final Set<String> WRITERS = Set.of("timerguard-agent", "timerguard-bench");

  private static final Pattern IMPORT =
      Pattern.compile("^import\\s+(?:static\\s+)?([\\w.]+)\\s*;", Pattern.MULTILINE);

  private static List<Path> modules() throws IOException {
    try (Stream<Path> s = Files.list(ROOT)) {
      return s.filter(p -> p.getFileName().toString().startsWith("timerguard-"))
          .filter(p -> Files.isRegularFile(p.resolve("pom.xml")))
          .sorted()
          .collect(Collectors.toList());
    }
  }

  @Test
  void everyModulesDependenciesAreArrowsOfTheModuleTable() throws Exception {
    List<Path> modules = modules();
    assertThat(modules)
        .extracting(p -> p.getFileName().toString())
        .contains("timerguard-core", "timerguard-agent", "timerguard-cli");
    Map<String, Set<String>> wrong = new TreeMap<>();
    for (Path m : modules) {
      String name = m.getFileName().toString();
      assertThat(ARROWS)
          .as("module %s is not in the module table of %s: add its arrows", name, getClass())
          .containsKey(name);
      Set<String> extra = new TreeSet<>(timerGuardDependencies(m.resolve("pom.xml")));
      extra.removeAll(ARROWS.get(name));
      if (!extra.isEmpty()) {
        wrong.put(name, extra);
      }
    }
    assertThat(wrong).as("dependencies against the module table").isEmpty();
  }

  @Test
  void onlyTheWritersImportTheLiveModelsWritePackage() throws Exception {
    Map<String, List<String>> users = importersOf("dev.timerguard.live.internal.");
    users.keySet().removeAll(WRITERS);
    users.remove("timerguard-core");
    assertThat(users).as("main code importing dev.timerguard.live.internal").isEmpty();
  }

  /** The faces the core's module descriptor exports its plumbing package to. */
  static final Set<String> JSON_USERS =
      Set.of("timerguard-agent", "timerguard-junit", "timerguard-lint", "timerguard-cli");

  @Test
  void outsideTheCoreOnlyTheFacesUseTheCoresJsonAndNothingElseOfItsInternals() throws Exception {
    Map<String, List<String>> users = importersOf("dev.timerguard.internal.");
    users.remove("timerguard-core");
    Map<String, List<String>> json = importersOf("dev.timerguard.internal.Json");
    json.remove("timerguard-core");
    assertThat(json.keySet()).as("modules using the core's JSON").isSubsetOf(JSON_USERS);
    Map<String, List<String>> other =
        importersOfExcept("dev.timerguard.internal.", "dev.timerguard.internal.Json");
    other.remove("timerguard-core");
    assertThat(other).as("main code importing dev.timerguard.internal other than Json").isEmpty();
    assertThat(users.keySet()).isEqualTo(json.keySet());
  }

  @Test
  void theCompiledModulesOnThisClassPathKeepTheSameRules() throws Exception {
    JavaClasses readers =
        importClasses(Timers.class, LeakProbe.class, Rule.class, TimerGuardCli.class);
    assertThat(readers.containPackage("dev.timerguard.samples.probe")).isTrue();
    assertThat(readers.containPackage("dev.timerguard.lint")).isTrue();
    check(
        noClasses()
            .that()
            .resideOutsideOfPackages(
                "dev.timerguard",
                "dev.timerguard.wheel",
                "dev.timerguard.live..",
                "dev.timerguard.internal")
            .should()
            .dependOnClassesThat(
                com.tngtech.archunit.base.DescribedPredicate.describe(
                    "are the live model's writers or the core's internals other than its JSON",
                    (com.tngtech.archunit.core.domain.JavaClass c) ->
                        c.getPackageName().equals("dev.timerguard.live.internal")
                            || (c.getPackageName().equals("dev.timerguard.internal")
                                && !c.getName().startsWith("dev.timerguard.internal.Json")))),
        readers);
  }

  /** For each module, its main source files that import a class of {@code prefix}. */
  private static Map<String, List<String>> importersOf(String prefix) throws IOException {
    return importersOfExcept(prefix, null);
  }

  /** Like {@link #importersOf}, leaving out imports that start with {@code except}. */
  private static Map<String, List<String>> importersOfExcept(String prefix, String except)
      throws IOException {
    Map<String, List<String>> out = new TreeMap<>();
    int files = 0;
    for (Path m : modules()) {
      Path src = m.resolve("src/main/java");
      if (!Files.isDirectory(src)) {
        continue;
      }
      List<Path> java;
      try (Stream<Path> s = Files.walk(src)) {
        java = s.filter(p -> p.toString().endsWith(".java")).collect(Collectors.toList());
      }
      for (Path f : java) {
        files++;
        Matcher x = IMPORT.matcher(Files.readString(f));
        while (x.find()) {
          if (x.group(1).startsWith(prefix) && (except == null || !x.group(1).startsWith(except))) {
            out.computeIfAbsent(m.getFileName().toString(), k -> new ArrayList<>())
                .add(src.relativize(f).toString());
            break;
          }
        }
      }
    }
    assertThat(files).as("main sources found under %s", ROOT.toAbsolutePath()).isGreaterThan(100);
    return out;
  }

  /** The TimerGuard artifacts {@code pom} depends on outside the test scope. */
  static Set<String> timerGuardDependencies(Path pom) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    Document d = f.newDocumentBuilder().parse(pom.toFile());
    Set<String> out = new TreeSet<>();
    NodeList deps = d.getElementsByTagName("dependency");
    for (int i = 0; i < deps.getLength(); i++) {
      Element e = (Element) deps.item(i);
      // only the project's own dependencies, not dependencyManagement or a plugin's
      if (!"dependencies".equals(e.getParentNode().getNodeName())
          || !"project".equals(e.getParentNode().getParentNode().getNodeName())) {
        continue;
      }
      if ("dev.timerguard".equals(child(e, "groupId")) && !"test".equals(child(e, "scope"))) {
        out.add(child(e, "artifactId"));
      }
    }
    return out;
  }

  private static String child(Element e, String tag) {
    NodeList n = e.getElementsByTagName(tag);
    return n.getLength() == 0 ? null : n.item(0).getTextContent().trim();
  }

  /** The classes of the jars or build directories that hold {@code anchors}. */
  private static JavaClasses importClasses(Class<?>... anchors) throws URISyntaxException {
    Set<Location> where = new HashSet<>();
    for (Class<?> c : anchors) {
      URI u = c.getProtectionDomain().getCodeSource().getLocation().toURI();
      where.add(Location.of(u.toString().endsWith(".jar") ? URI.create("jar:" + u + "!/") : u));
    }
    return new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importLocations(where);
  }

  private static void check(ArchRule rule, JavaClasses classes) {
    EvaluationResult r = rule.evaluate(classes);
    assertThat(r.hasViolation()).as(r.getFailureReport().toString()).isFalse();
  }
}
