package dev.timerguard.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The TimerGuard agent jar bundled in this CLI (resource {@value #RESOURCE}, copied there by the
 * build), extracted to a temporary file for the attach API, which needs a path.
 */
final class AgentJar {

  static final String RESOURCE = "/timerguard-agent.jar";

  private AgentJar() {}

  /**
   * Extracts the agent jar; the caller deletes it once loaded (else it goes when this JVM exits).
   *
   * @throws IOException if the jar is missing from the CLI or cannot be written
   */
  static Path extract() throws IOException {
    try (InputStream in = AgentJar.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IOException(
            "the agent jar is missing from this build of timerguard (rebuild with"
                + " 'mvn -pl timerguard-cli -am package')");
      }
      Path tmp = Files.createTempFile("timerguard-agent", ".jar");
      tmp.toFile().deleteOnExit();
      Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
      return tmp;
    }
  }
}
