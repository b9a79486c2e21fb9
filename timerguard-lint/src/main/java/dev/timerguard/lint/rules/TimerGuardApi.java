package dev.timerguard.lint.rules;

import java.util.List;
import java.util.Map;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;

/**
 * TimerGuard's own safe timer API as the rules see it: a method creates a timer when it carries
 * {@code @dev.timerguard.CreatesTimer}, read by name from the compiler's model of the called method
 * (so it works on the javac plugin's resolved types and on the scanner, which puts core on its
 * class path). No list of method names decides it.
 *
 * <p>{@link #KNOWN} is the fallback for one case only: the called method resolves to a type of the
 * {@code dev.timerguard} package but the annotation type itself is absent (a core built before the
 * annotation existed). A test keeps it equal to the set of annotated methods of the core this
 * module is built with, so it cannot drift. Stateless and thread-safe.
 */
final class TimerGuardApi {
  /** The marker annotation's name, as the rules look it up. */
  static final String ANNOTATION = "dev.timerguard.CreatesTimer";

  /** What a marked method creates; the names mirror {@code CreatesTimer.Kind}. */
  enum Kind {
    ONE_SHOT,
    PERIODIC,
    FUTURE_TIMEOUT,
    REUSABLE,
    ENGINE
  }

  /** {@code owner#method} of every annotated core method, with its kind (see the class comment). */
  static final Map<String, Kind> KNOWN =
      Map.ofEntries(
          Map.entry("dev.timerguard.TimerSource#schedule", Kind.ONE_SHOT),
          Map.entry("dev.timerguard.TimerSource#tickAtFixedRate", Kind.PERIODIC),
          Map.entry("dev.timerguard.TimerSource#tickWithFixedDelay", Kind.PERIODIC),
          Map.entry("dev.timerguard.TimerSource#after", Kind.ONE_SHOT),
          Map.entry("dev.timerguard.TimerSource#withTimeout", Kind.FUTURE_TIMEOUT),
          Map.entry("dev.timerguard.TimerSource#watchdog", Kind.REUSABLE),
          Map.entry("dev.timerguard.TimerSource#throttle", Kind.REUSABLE),
          Map.entry("dev.timerguard.TimerSource#coalescer", Kind.REUSABLE),
          Map.entry("dev.timerguard.TimerSource#backoff", Kind.REUSABLE),
          Map.entry("dev.timerguard.Timers#create", Kind.ENGINE),
          Map.entry("dev.timerguard.Timers.Builder#build", Kind.ENGINE));

  private TimerGuardApi() {}

  /**
   * The kind that {@code m} is marked with, or null when it is not marked.
   *
   * @param annotationOnPath whether {@link #ANNOTATION} resolves in this compilation (else the
   *     {@link #KNOWN} table stands in for it)
   */
  static Kind kindOf(ExecutableElement m, boolean annotationOnPath) {
    if (m == null) {
      return null;
    }
    List<? extends AnnotationMirror> marks = m.getAnnotationMirrors();
    if (!marks.isEmpty()) {
      for (AnnotationMirror a : marks) {
        Element type = a.getAnnotationType().asElement();
        if (type instanceof TypeElement
            && ((TypeElement) type).getQualifiedName().contentEquals(ANNOTATION)) {
          return kindValue(a);
        }
      }
    }
    if (annotationOnPath) {
      return null;
    }
    Element owner = m.getEnclosingElement();
    if (!(owner instanceof TypeElement)) {
      return null;
    }
    String name = ((TypeElement) owner).getQualifiedName().toString();
    if (!name.startsWith("dev.timerguard.")) {
      return null;
    }
    return KNOWN.get(name + "#" + m.getSimpleName());
  }

  private static Kind kindValue(AnnotationMirror a) {
    for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> e :
        a.getElementValues().entrySet()) {
      if (e.getKey().getSimpleName().contentEquals("value")
          && e.getValue().getValue() instanceof VariableElement) {
        String constant = ((VariableElement) e.getValue().getValue()).getSimpleName().toString();
        for (Kind k : Kind.values()) {
          if (k.name().equals(constant)) {
            return k;
          }
        }
      }
    }
    return null; // a kind this analyzer does not know yet: stay silent rather than guess
  }
}
