package dev.timerguard.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An application whose executor decorates its tasks gets back exactly the future its executor made:
 * the agent must not wrap it (a cast to the application's own type failed with a ClassCastException
 * when it did). Such calls are not counted rather than miscounted.
 */
class DecoratedFutureIT {

  @TempDir Path dir;

  @Test
  void scheduleOnAnExecutorThatDecoratesTasksReturnsTheExecutorsOwnFuture() throws Exception {
    Path portFile = dir.resolve("port");
    try (ChildJvm c =
        new ChildJvm(
            List.of(
                "-javaagent:" + ChildJvm.agentJar() + "=http=0,portFile=" + portFile,
                "-Dsample.linger=60000"),
            DecoratingSample.class.getName())) {
      assertThat(c.await("", 60)).isEqualTo("cast ok schedule");
      assertThat(c.await("", 10)).isEqualTo("cast ok scheduleCallable");
      assertThat(c.await("", 10)).isEqualTo("cast ok scheduleAtFixedRate");
      assertThat(c.await("", 10)).isEqualTo("cast ok scheduleWithFixedDelay");
      assertThat(c.await("", 10))
          .isEqualTo("queue 4"); // removeOnCancel false: all four stay queued
      // a subclass that overrides schedule itself with its own return type
      assertThat(c.await("", 10)).isEqualTo("cast ok overriddenSchedule");
      c.await("done", 30);
      int port = ChildJvm.awaitPort(portFile, 30);
      List<Sites.Site> sites =
          Sites.parse(ChildJvm.get(port, "/timers")).all().stream()
              .filter(s -> s.className().equals(DecoratingSample.class.getName()))
              .collect(Collectors.toList());
      // the agent is counting: the plain pool's timer is live at its line
      assertThat(sites)
          .anySatisfy(
              s -> {
                assertThat(s.kind()).isEqualTo("TIMER");
                assertThat(s.line()).isEqualTo(DecoratingSample.PLAIN_LINE);
                assertThat(s.live()).isEqualTo(1);
              });
      // the decorated calls (all cancelled) leave no live timer behind
      assertThat(sites)
          .filteredOn(s -> !s.kind().equals("EXECUTOR") && s.line() != DecoratingSample.PLAIN_LINE)
          .allSatisfy(s -> assertThat(s.live()).as(s.toString()).isZero());
      assertThat(c.stderr()).doesNotContain("ClassCastException").doesNotContain("internal error");
    }
  }
}
