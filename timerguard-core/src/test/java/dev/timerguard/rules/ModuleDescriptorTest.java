package dev.timerguard.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.timerguard.Timers;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * The core's module descriptor keeps applications out of the live model's write side: on the module
 * path only TimerGuard's writing modules may read {@code dev.timerguard.live.internal}, and only
 * TimerGuard's faces read {@code dev.timerguard.internal}.
 */
class ModuleDescriptorTest {

  /** The descriptor compiled with the core's classes (a directory in the build, else the jar). */
  private static ModuleDescriptor descriptor() throws Exception {
    Path where = Path.of(Timers.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    if (Files.isDirectory(where)) {
      try (InputStream in = Files.newInputStream(where.resolve("module-info.class"))) {
        return ModuleDescriptor.read(in);
      }
    }
    try (ZipFile jar = new ZipFile(where.toFile())) {
      ZipEntry e = jar.getEntry("module-info.class");
      assertThat(e).as("module-info.class in " + where).isNotNull();
      try (InputStream in = jar.getInputStream(e)) {
        return ModuleDescriptor.read(in);
      }
    }
  }

  @Test
  void theReadSideAndTheApiAreExportedToEveryone() throws Exception {
    ModuleDescriptor d = descriptor();
    assertThat(d.name()).isEqualTo("dev.timerguard.core");
    Set<String> open =
        d.exports().stream()
            .filter(e -> !e.isQualified())
            .map(ModuleDescriptor.Exports::source)
            .collect(Collectors.toSet());
    assertThat(open)
        .containsExactlyInAnyOrder("dev.timerguard", "dev.timerguard.wheel", "dev.timerguard.live");
  }

  @Test
  void theWriteSideIsExportedOnlyToTimerGuardsWriters() throws Exception {
    Map<String, Set<String>> qualified =
        descriptor().exports().stream()
            .filter(ModuleDescriptor.Exports::isQualified)
            .collect(
                Collectors.toMap(
                    ModuleDescriptor.Exports::source, ModuleDescriptor.Exports::targets));
    assertThat(qualified)
        .containsOnlyKeys("dev.timerguard.live.internal", "dev.timerguard.internal")
        .containsEntry(
            "dev.timerguard.live.internal", Set.of("dev.timerguard.agent", "dev.timerguard.bench"))
        // the core's plumbing (attribution, the one JSON reader/writer) only to TimerGuard's faces
        .containsEntry(
            "dev.timerguard.internal",
            Set.of(
                "dev.timerguard.agent",
                "dev.timerguard.junit",
                "dev.timerguard.lint",
                "dev.timerguard.cli"));
  }

  @Test
  void theCoreRequiresNothingButTheJdksOwnModules() throws Exception {
    assertThat(descriptor().requires())
        .extracting(ModuleDescriptor.Requires::name)
        .containsExactlyInAnyOrder("java.base", "jdk.jfr");
  }
}
