package dev.timerguard.lint.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.source.util.JavacTask;
import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.lang.model.element.Element;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.PackageElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.util.Elements;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * The analyzer's idea of TimerGuard's API comes from core: the methods core marks with
 * {@code @CreatesTimer}, read through the compiler's model of core's class files exactly as the
 * rules read them. The fallback table must equal that set, so adding a mark in core without
 * teaching the analyzer fails here.
 */
class TimerGuardApiTest {

  private static Path core() throws Exception {
    return Paths.get(
        dev.timerguard.Timers.class.getProtectionDomain().getCodeSource().getLocation().toURI());
  }

  private static JavaFileObject source(String path, String text) {
    return new SimpleJavaFileObject(
        URI.create("string:///" + path + ".java"), JavaFileObject.Kind.SOURCE) {
      @Override
      public CharSequence getCharContent(boolean ignoreEncodingErrors) {
        return text;
      }
    };
  }

  /** A javac task over {@code sources} with {@code classpath}, entered and ready for lookups. */
  private static Elements elements(List<JavaFileObject> sources, String classpath)
      throws IOException {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    StandardJavaFileManager fm = javac.getStandardFileManager(null, Locale.ROOT, null);
    JavacTask task =
        (JavacTask)
            javac.getTask(
                new StringWriter(),
                fm,
                null,
                List.of("-proc:none", "-classpath", classpath),
                null,
                sources);
    task.analyze();
    return task.getElements();
  }

  /**
   * {@code owner#method} to kind, for every method in package {@code dev.timerguard} that is
   * marked.
   */
  private static Map<String, TimerGuardApi.Kind> marked(
      Elements elements, boolean annotationOnPath) {
    Map<String, TimerGuardApi.Kind> out = new TreeMap<>();
    PackageElement pkg = elements.getPackageElement("dev.timerguard");
    Deque<Element> todo = new ArrayDeque<>(pkg.getEnclosedElements());
    while (!todo.isEmpty()) {
      Element e = todo.pop();
      if (e instanceof TypeElement) {
        todo.addAll(e.getEnclosedElements());
      } else if (e instanceof ExecutableElement) {
        TimerGuardApi.Kind k = TimerGuardApi.kindOf((ExecutableElement) e, annotationOnPath);
        if (k != null) {
          out.put(
              ((TypeElement) e.getEnclosingElement()).getQualifiedName() + "#" + e.getSimpleName(),
              k);
        }
      }
    }
    return out;
  }

  @Test
  void fallbackTableEqualsTheMethodsCoreMarks() throws Exception {
    Elements elements = elements(List.of(source("Probe", "class Probe {}")), core().toString());
    assertThat(elements.getTypeElement(TimerGuardApi.ANNOTATION))
        .as("annotation on the class path")
        .isNotNull();
    Map<String, TimerGuardApi.Kind> fromCore = marked(elements, true);
    assertThat(fromCore)
        .as("methods of timerguard-core marked @CreatesTimer (read from its class files)")
        .containsEntry("dev.timerguard.TimerSource#schedule", TimerGuardApi.Kind.ONE_SHOT)
        .containsEntry("dev.timerguard.Timers#create", TimerGuardApi.Kind.ENGINE)
        .isEqualTo(new TreeMap<>(TimerGuardApi.KNOWN));
  }

  @Test
  void everyKindOfCoreIsAKindOfTheAnalyzer() {
    assertThat(java.util.Arrays.stream(dev.timerguard.CreatesTimer.Kind.values()).map(Enum::name))
        .containsExactlyElementsOf(
            java.util.Arrays.stream(TimerGuardApi.Kind.values()).map(Enum::name).toList());
  }

  @Test
  void fallbackTableStandsInOnlyWhenTheAnnotationIsAbsent() throws Exception {
    // a core built before the annotation existed: same names, no marks, no annotation type
    JavaFileObject oldCore =
        source(
            "dev/timerguard/TimerSource",
            "package dev.timerguard; public abstract class TimerSource {"
                + " public final Object schedule(java.time.Duration d, Runnable r) { return null; }"
                + " public final Object scope() { return null; } }");
    Elements elements = elements(List.of(oldCore), "");
    assertThat(elements.getTypeElement(TimerGuardApi.ANNOTATION)).isNull();
    assertThat(marked(elements, false))
        .isEqualTo(Map.of("dev.timerguard.TimerSource#schedule", TimerGuardApi.Kind.ONE_SHOT));
    assertThat(marked(elements, true))
        .as("with the annotation on the path, only marks count")
        .isEmpty();
  }
}
