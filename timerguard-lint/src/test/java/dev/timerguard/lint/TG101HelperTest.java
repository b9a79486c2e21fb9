package dev.timerguard.lint;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TG101's helper form through the scanner: the finding is at the call in the loop and names the
 * helper, what it creates and where; a helper whose body may be overridden is not looked through.
 */
class TG101HelperTest {
  @TempDir Path dir;

  private List<Finding> scan(String rel, String source) throws Exception {
    Path p = dir.resolve(rel);
    Files.createDirectories(p.getParent());
    Files.writeString(p, source);
    ScanResult r = Scanner.builder().paths(List.of(dir)).build().scan();
    assertThat(r.errors()).isEmpty();
    return r.findings().stream().filter(f -> f.ruleId().equals("TG101")).toList();
  }

  private static String chunks(String helperModifiers) {
    return "package app;\n"
        + "import java.util.Iterator;\n"
        + "import java.util.Timer;\n"
        + "import java.util.TimerTask;\n"
        + "class Chunks {\n"
        + "  volatile boolean expired;\n"
        + "  void readAll(Iterator<String> reader) {\n"
        + "    while (reader.hasNext()) {\n"
        + "      beginCheckpoint(30);\n"
        + "      reader.next();\n"
        + "    }\n"
        + "  }\n"
        + "  "
        + helperModifiers
        + "void beginCheckpoint(long seconds) {\n"
        + "    Timer timer = new Timer(\"chunk-checkpoint-timer\", true);\n"
        + "    timer.schedule(new TimerTask() {\n"
        + "      @Override public void run() { expired = true; }\n"
        + "    }, seconds * 1000);\n"
        + "  }\n"
        + "}\n";
  }

  @Test
  void reportsTheCallInTheLoopNamingHelperTimerAndLine() throws Exception {
    List<Finding> found = scan("src/app/Chunks.java", chunks("private "));
    assertThat(found).extracting(Finding::line).containsExactly(9L);
    assertThat(found.get(0).message())
        .contains("beginCheckpoint(..) creates a java.util.Timer (line 14)")
        .contains("on every iteration of this loop");
  }

  @Test
  void anOverridableHelperIsNotLookedThrough() throws Exception {
    assertThat(scan("src/app/Chunks.java", chunks("protected "))).isEmpty();
  }

  @Test
  void aHelperThatCancelsItsTimerIsSilent() throws Exception {
    String owned =
        chunks("private ")
            .replace("}, seconds * 1000);\n", "}, seconds * 1000);\n    timer.cancel();\n");
    assertThat(scan("src/app/Chunks.java", owned)).isEmpty();
  }
}
