package dev.timerguard.cli.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.timerguard.lint.ScanResult;
import dev.timerguard.lint.Scanner;
import dev.timerguard.lint.Severity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The project's own analyzer on the core's sources. Every other module runs {@code
 * timerguard:check} in its build (root pom); the core cannot, because the analyzer depends on the
 * core to know its API and the plugin would close a cycle in the reactor. So the core is scanned
 * here, with the same threshold: no finding at warning or above, and every file analysed.
 */
class CoreSelfScanTest {

  @Test
  void theCoresOwnSourcesAreClean() {
    Path core =
        Path.of("..", "timerguard-core", "src", "main", "java").toAbsolutePath().normalize();
    assertThat(Files.isDirectory(core)).as(core.toString()).isTrue();
    ScanResult r = Scanner.builder().paths(List.of(core)).pathBase(core).build().scan();
    assertThat(r.filesScanned()).isGreaterThan(40);
    assertThat(r.errors()).isEmpty();
    assertThat(r.findings().stream().filter(f -> f.severity().compareTo(Severity.WARNING) >= 0))
        .as("findings at warning or above in timerguard-core")
        .isEmpty();
  }
}
