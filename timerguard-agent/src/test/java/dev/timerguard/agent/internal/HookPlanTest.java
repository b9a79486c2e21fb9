package dev.timerguard.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The instrumentation plan, row by row: every row's hook exists as a public static method with the
 * descriptor the row computes (a wrong row would make rewritten classes fail to link), and every
 * call a row describes is matched by that row and no earlier one.
 */
class HookPlanTest {

  private static final HookPlan.Hierarchy NO_SUBCLASSES = (owner, type) -> false;

  /** A concrete call descriptor the row stands for (rows with a partial descriptor need one). */
  private static String example(HookPlan.Row row) {
    if (!row.descPartial) {
      return row.desc;
    }
    return row.shape == HookPlan.Shape.CONSTRUCTOR
        ? "(I)V"
        : "(I)Ljava/util/concurrent/ExecutorService;";
  }

  private static String exampleName(HookPlan.Row row) {
    return row.namePrefix ? row.name + "FixedThreadPool" : row.name;
  }

  @TestFactory
  List<DynamicTest> everyRowsHookExistsWithTheDescriptorTheRowComputes() {
    List<DynamicTest> tests = new ArrayList<>();
    for (HookPlan.Row row : HookPlan.ROWS) {
      tests.add(
          DynamicTest.dynamicTest(
              row.toString(),
              () -> {
                Class<?> hooks = Class.forName(row.hookClass.replace('/', '.'));
                String wanted = row.hookDesc(example(row));
                List<String> found = new ArrayList<>();
                for (Method m : hooks.getDeclaredMethods()) {
                  if (m.getName().equals(row.hook)) {
                    String d =
                        MethodType.methodType(m.getReturnType(), m.getParameterTypes())
                            .toMethodDescriptorString();
                    found.add(d);
                    if (d.equals(wanted)) {
                      assertThat(
                              Modifier.isStatic(m.getModifiers())
                                  && Modifier.isPublic(m.getModifiers()))
                          .as("hook %s%s must be public static", row.hook, d)
                          .isTrue();
                    }
                  }
                }
                assertThat(found)
                    .as("hook %s in %s", row.hook, hooks.getSimpleName())
                    .contains(wanted);
              }));
    }
    return tests;
  }

  @TestFactory
  List<DynamicTest> everyCallARowDescribesIsMatchedByThatRow() {
    List<DynamicTest> tests = new ArrayList<>();
    for (HookPlan.Row row : HookPlan.ROWS) {
      for (String owner : row.owners) {
        tests.add(
            DynamicTest.dynamicTest(
                owner + "." + exampleName(row) + example(row),
                () ->
                    assertThat(
                            HookPlan.match(
                                row.isStatic, owner, exampleName(row), example(row), NO_SUBCLASSES))
                        .isSameAs(row)));
      }
    }
    return tests;
  }

  @Test
  void callsOutsideThePlanAreNotMatched() {
    assertThat(
            HookPlan.match(
                false,
                "java/util/concurrent/ExecutorService",
                "submit",
                "(Ljava/lang/Runnable;)Ljava/util/concurrent/Future;",
                NO_SUBCLASSES))
        .isNull();
    assertThat(
            HookPlan.match(
                false,
                "com/acme/Scheduler",
                "schedule",
                "(Ljava/lang/Runnable;JLjava/util/concurrent/TimeUnit;)Ljava/util/concurrent/ScheduledFuture;",
                NO_SUBCLASSES))
        .isNull();
    assertThat(
            HookPlan.match(false, "java/util/concurrent/Future", "cancel", "(Z)Z", NO_SUBCLASSES))
        .isNull();
    assertThat(
            HookPlan.match(
                true,
                "java/util/concurrent/ScheduledExecutorService",
                "schedule",
                "(Ljava/lang/Runnable;JLjava/util/concurrent/TimeUnit;)Ljava/util/concurrent/ScheduledFuture;",
                NO_SUBCLASSES))
        .isNull();
    assertThat(
            HookPlan.match(
                true,
                "java/util/concurrent/Executors",
                "newVirtualThreadPerTaskExecutorX",
                "()Ljava/lang/Object;",
                NO_SUBCLASSES))
        .isNull();
  }

  @Test
  void applicationSubclassesAreMatchedOnlyWhereTheRowSaysSo() {
    HookPlan.Hierarchy everything = (owner, type) -> true;
    assertThat(HookPlan.match(false, "com/acme/MyTask", "cancel", "()Z", everything).hook)
        .isEqualTo("timerTaskCancel");
    assertThat(HookPlan.match(false, "com/acme/MyThread", "start", "()V", everything).hook)
        .isEqualTo("threadStarted");
    assertThat(HookPlan.match(false, "com/acme/MyTask", "cancel", "()Z", NO_SUBCLASSES)).isNull();
    // a JDK subclass is never taken for an application one (its own calls are not rewritten)
    assertThat(
            HookPlan.match(false, "java/util/concurrent/ForkJoinTask", "cancel", "()Z", everything))
        .isNull();
    // receivers of exact rows are exact: an application scheduler's schedule() is its own business
    assertThat(
            HookPlan.match(
                false,
                "com/acme/Pool",
                "schedule",
                "(Ljava/lang/Runnable;JLjava/util/concurrent/TimeUnit;)Ljava/util/concurrent/ScheduledFuture;",
                everything))
        .isNull();
  }

  @Test
  void onlyEndCallsRewriteMethodReferences() {
    for (HookPlan.Row row : HookPlan.ROWS) {
      assertThat(row.rewritesMethodReferences()).as(row.toString()).isEqualTo(row.kind == null);
    }
  }
}
