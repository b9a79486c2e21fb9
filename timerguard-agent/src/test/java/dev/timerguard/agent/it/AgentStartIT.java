package dev.timerguard.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a child JVM prints when the agent's options or its endpoint fail: one line, and the
 * application runs on.
 */
class AgentStartIT {

  @TempDir Path dir;

  private static List<String> agentLines(ChildJvm c) {
    return c.stderr()
        .lines()
        .filter(l -> l.startsWith("[timerguard]"))
        .collect(Collectors.toList());
  }

  @Test
  void aBadHttpValueStopsTheAgentWithOneLineNamingTheOption() throws Exception {
    try (ChildJvm c =
        new ChildJvm(
            List.of("-javaagent:" + ChildJvm.agentJar() + "=http=nohost:"),
            LeakySample.class.getName(),
            "10",
            "100")) {
      c.await("done", 60);
      assertThat(agentLines(c))
          .containsExactly(
              "[timerguard] agent not started, application unaffected: java.lang.IllegalArgumentException:"
                  + " agent option http must be PORT or HOST:PORT (IPv6: [ADDRESS]:PORT) with PORT in"
                  + " [0,65535], was 'nohost:'");
    }
  }

  @Test
  void aPortFileThatCannotBeWrittenClosesTheEndpointSaysSoAndLeavesNoTemporaryFile()
      throws Exception {
    Path portFile = dir.resolve("port");
    Files.createDirectories(portFile.resolve("occupied")); // a non-empty directory: the move fails
    try (ChildJvm c =
        new ChildJvm(
            List.of("-javaagent:" + ChildJvm.agentJar() + "=http=0,portFile=" + portFile),
            LeakySample.class.getName(),
            "10",
            "100")) {
      c.await("done", 60);
      List<String> lines = agentLines(c);
      assertThat(lines).hasSize(1);
      assertThat(lines.get(0))
          .startsWith(
              "[timerguard] HTTP endpoint closed again (not serving): cannot write the port file "
                  + portFile)
          .endsWith("; the agent runs on (JMX, JFR)");
      try (Stream<Path> files = Files.list(dir)) {
        assertThat(files).containsExactly(portFile);
      }
    }
  }
}
