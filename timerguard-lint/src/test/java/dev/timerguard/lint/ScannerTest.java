package dev.timerguard.lint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.timerguard.lint.report.ReportFormat;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScannerTest {
  static final String LEAKY =
      "package app;\n"
          + "import java.util.List;\n"
          + "import java.util.concurrent.*;\n"
          + "class Leaky {\n"
          + "  void run(ScheduledExecutorService ses, List<CompletableFuture<?>> rs) {\n"
          + "    for (CompletableFuture<?> r : rs) {\n"
          + "      r.orTimeout(1, TimeUnit.SECONDS);\n"
          + "    }\n"
          + "  }\n"
          + "  void pool(Runnable r) {\n"
          + "    ExecutorService p = Executors.newFixedThreadPool(2);\n"
          + "    p.submit(r);\n"
          + "  }\n"
          + "}\n";

  @TempDir Path dir;

  private Path write(String rel, String content) throws Exception {
    Path p = dir.resolve(rel);
    Files.createDirectories(p.getParent());
    Files.writeString(p, content);
    return p;
  }

  @Test
  void findsRuleViolationsWithRelativePathsAndProgress() throws Exception {
    write("src/app/Leaky.java", LEAKY);
    ByteArrayOutputStream progress = new ByteArrayOutputStream();
    ScanResult r =
        Scanner.builder()
            .paths(List.of(dir))
            .progress(new PrintStream(progress, true, StandardCharsets.UTF_8))
            .build()
            .scan();
    assertThat(r.filesScanned()).isEqualTo(1);
    assertThat(r.errors()).isEmpty();
    assertThat(r.findings())
        .extracting(f -> f.file() + ":" + f.line() + ":" + f.ruleId())
        .containsExactly("src/app/Leaky.java:7:TG101", "src/app/Leaky.java:11:TG103");
    assertThat(progress.toString(StandardCharsets.UTF_8)).contains("1/1 files");
  }

  @Test
  void unresolvedThirdPartyTypesDoNotStopAnalysisAndJdkTypesResolve() throws Exception {
    write(
        "Mixed.java",
        "import com.example.missing.Client;\n"
            + "import java.util.concurrent.*;\n"
            + "class Mixed {\n"
            + "  Client client;\n"
            + "  void run(ScheduledExecutorService ses, java.util.List<Runnable> rs) {\n"
            + "    client.doSomething();\n"
            + "    for (Runnable r : rs) { ses.schedule(r, 1, TimeUnit.SECONDS).cancel(false); }\n"
            + "  }\n"
            + "}\n");
    ScanResult r = Scanner.builder().paths(List.of(dir)).build().scan();
    assertThat(r.findings()).extracting(Finding::ruleId).containsExactly("TG101");
    assertThat(r.filesWithUnresolvedTypes()).isEqualTo(1);
  }

  @Test
  void classpathResolvesThirdPartyTypes() throws Exception {
    Path lib = dir.resolve("lib");
    Path libSrc =
        write(
            "libsrc/com/example/missing/Client.java",
            "package com.example.missing;\npublic class Client { public void doSomething() {} }\n");
    javax.tools.JavaCompiler javac = javax.tools.ToolProvider.getSystemJavaCompiler();
    Files.createDirectories(lib);
    assertThat(javac.run(null, null, null, "-d", lib.toString(), libSrc.toString())).isZero();
    Path src =
        write(
            "app/Mixed.java",
            "import com.example.missing.Client;\n"
                + "import java.util.concurrent.*;\n"
                + "class Mixed {\n"
                + "  Client client;\n"
                + "  void run(ScheduledExecutorService ses) { client.doSomething(); ses.schedule(() -> {}, 1, TimeUnit.SECONDS); }\n"
                + "}\n");
    ScanResult without = Scanner.builder().paths(List.of(src)).build().scan();
    ScanResult with = Scanner.builder().paths(List.of(src)).classpath(List.of(lib)).build().scan();
    assertThat(without.filesWithUnresolvedTypes()).isEqualTo(1);
    assertThat(with.filesWithUnresolvedTypes()).isZero();
  }

  @Test
  void malformedTruncatedAndRandomFilesGetPerFileErrorsAndTheScanGoesOn() throws Exception {
    write("a/Leaky.java", LEAKY);
    write("b/Truncated.java", LEAKY.substring(0, LEAKY.length() / 2));
    write(
        "c/Template.java",
        "package ${project.groupId};\nclass Template { String v = \"${version}\"; }\n");
    Random random = new Random(42);
    for (int i = 0; i < 5; i++) {
      byte[] junk = new byte[200 + random.nextInt(2000)];
      random.nextBytes(junk);
      Files.write(dir.resolve("Random" + i + ".java"), junk);
    }
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 300; i++) {
      text.append((char) (' ' + random.nextInt(95)));
    }
    write("d/Ascii.java", text.toString());
    write("e/Empty.java", "");
    write(
        "f/Deep.java", "class Deep { int x = " + "(".repeat(3000) + "1" + ")".repeat(3000) + "; }");
    ScanResult r = Scanner.builder().paths(List.of(dir)).batchSize(4).build().scan();
    assertThat(r.filesScanned()).isEqualTo(11);
    assertThat(r.findings()).extracting(Finding::file).contains("a/Leaky.java");
    List<String> errored =
        r.errors().stream().map(ScanResult.FileError::file).collect(Collectors.toList());
    assertThat(errored)
        .contains("b/Truncated.java", "c/Template.java", "d/Ascii.java", "Random0.java");
    assertThat(errored).doesNotContain("a/Leaky.java", "e/Empty.java");
    assertThat(r.errors()).allSatisfy(e -> assertThat(e.message()).isNotBlank());
  }

  @Test
  void brokenSymlinksAndDirectoriesNamedLikeSourcesAreHandled() throws Exception {
    write("ok/Leaky.java", LEAKY);
    Files.createSymbolicLink(dir.resolve("Gone.java"), dir.resolve("does-not-exist.java"));
    Files.createDirectories(dir.resolve("Weird.java"));
    ScanResult r = Scanner.builder().paths(List.of(dir)).build().scan();
    assertThat(r.filesScanned()).isEqualTo(1);
    assertThat(r.errors())
        .extracting(e -> e.file() + ": " + e.message())
        .containsExactly("Gone.java: cannot read: broken symbolic link");
  }

  @Test
  void badInputIsRejectedClearly() {
    assertThatThrownBy(() -> Scanner.builder().build()).hasMessageContaining("no paths");
    assertThatThrownBy(() -> Scanner.builder().paths(List.of(dir.resolve("nope"))).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no such file or directory");
    assertThatThrownBy(() -> Scanner.builder().paths(null))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(
            () ->
                Scanner.builder()
                    .paths(List.of(dir))
                    .classpath(List.of(dir.resolve("x.jar")))
                    .build())
        .hasMessageContaining("class path entry does not exist");
    assertThatThrownBy(() -> Scanner.builder().threads(0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void baselineKeepsMatchingAfterLinesShiftAndReportsOnlyNewFindings() throws Exception {
    Path file = write("Leaky.java", LEAKY);
    ScanResult before = Scanner.builder().paths(List.of(dir)).build().scan();
    Path baselineFile = dir.resolve("baseline.txt");
    Baseline.of(before.findings()).write(baselineFile);
    // shift every line by three and add one new leak
    String shifted =
        LEAKY
            .replace("class Leaky {", "\n\n\nclass Leaky {")
            .replace(
                "  void pool(",
                "  void more(ScheduledExecutorService ses, List<CompletableFuture<?>> rs) {\n"
                    + "    while (!rs.isEmpty()) { rs.remove(0).orTimeout(2, TimeUnit.SECONDS); }\n  }\n  void pool(");
    Files.writeString(file, shifted);
    ScanResult after = Scanner.builder().paths(List.of(file)).build().scan();
    assertThat(after.findings()).hasSize(3);
    List<Finding> fresh = Baseline.read(baselineFile).newFindings(after.findings());
    assertThat(fresh).extracting(f -> f.ruleId() + "@" + f.line()).containsExactly("TG101@14");
  }

  @Test
  void badBaselineFilesAreRejected() throws Exception {
    assertThatThrownBy(() -> Baseline.read(dir.resolve("missing.txt")))
        .hasMessageContaining("does not exist");
    Path bad = write("bad.txt", "hello\n");
    assertThatThrownBy(() -> Baseline.read(bad)).hasMessageContaining("not a timerguard baseline");
  }

  @Test
  void reportsRenderTextJsonAndSarif() throws Exception {
    write("Leaky.java", LEAKY);
    write("Broken.java", "class Broken {");
    ScanResult r = Scanner.builder().paths(List.of(dir)).build().scan();
    StringBuilder text = new StringBuilder();
    ReportFormat.TEXT.write(r, text);
    assertThat(text.toString())
        .contains("Leaky.java:7:7: warning: [TG101] timer-in-loop:")
        .contains("    fix: ")
        .contains("Broken.java: error: unparsable")
        .contains("2 finding(s) in 2 file(s), 1 file(s) not analysed");
    StringBuilder json = new StringBuilder();
    ReportFormat.JSON.write(r, json);
    assertThat(json.toString())
        .contains(
            "\"ruleId\": \"TG101\"",
            "\"line\": 7",
            "\"column\": 7",
            "\"fingerprint\": \"",
            "\"errors\": [")
        .contains("\"file\": \"Broken.java\"");
    assertThat(JsonCheck.isWellFormed(json.toString())).isTrue();
    StringBuilder sarif = new StringBuilder();
    ReportFormat.SARIF.write(r, sarif);
    assertThat(sarif.toString())
        .contains("\"version\": \"2.1.0\"", "\"name\": \"TimerGuard\"", "\"id\": \"TG108\"")
        .contains("\"uri\": \"Leaky.java\"", "\"startLine\": 7", "\"partialFingerprints\"")
        .contains("\"toolExecutionNotifications\"");
    assertThat(JsonCheck.isWellFormed(sarif.toString())).isTrue();
  }

  @Test
  void ruleSelectionAndSeverity() throws Exception {
    write("Leaky.java", LEAKY);
    ScanResult r =
        Scanner.builder()
            .paths(List.of(dir))
            .options(LintOptions.defaults().withOnly(List.of("tg103")).withSeverity(Severity.ERROR))
            .build()
            .scan();
    assertThat(r.findings())
        .extracting(f -> f.ruleId() + ":" + f.severity())
        .containsExactly("TG103:ERROR");
    assertThat(r.countAtOrAbove(Severity.ERROR)).isEqualTo(1);
  }

  private static List<String> located(ScanResult r) {
    return r.findings().stream()
        .map(f -> f.file() + ":" + f.line() + ":" + f.ruleId())
        .collect(Collectors.toList());
  }

  @Test
  void filesDeclaringTheSameClassAreAllAnalysed() throws Exception {
    write("a/Leaky.java", LEAKY);
    write("b/Leaky.java", LEAKY);
    write("c/Leaky.java", LEAKY.replace("  void pool(", "  void pad() {}\n  void pool("));
    ScanResult r = Scanner.builder().paths(List.of(dir)).build().scan();
    assertThat(r.errors()).isEmpty();
    assertThat(located(r))
        .containsExactly(
            "a/Leaky.java:7:TG101", "a/Leaky.java:11:TG103",
            "b/Leaky.java:7:TG101", "b/Leaky.java:11:TG103",
            "c/Leaky.java:7:TG101", "c/Leaky.java:12:TG103");
  }

  @Test
  void aFileAboveTheSizeLimitIsNamedAndTheRestOfItsBatchIsAnalysed() throws Exception {
    write("a/Leaky.java", LEAKY);
    write("b/Huge.java", "class Huge { String s = \"" + "x".repeat(5000) + "\"; }\n");
    write("c/Leaky.java", LEAKY);
    ScanResult r = Scanner.builder().paths(List.of(dir)).maxFileBytes(4096).build().scan();
    assertThat(located(r))
        .containsExactly(
            "a/Leaky.java:7:TG101",
            "a/Leaky.java:11:TG103",
            "c/Leaky.java:7:TG101",
            "c/Leaky.java:11:TG103");
    assertThat(r.errors())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.file()).isEqualTo("b/Huge.java");
              assertThat(e.message())
                  .contains("too large to analyse")
                  .contains("5030 bytes")
                  .contains("4096");
            });
    assertThatThrownBy(() -> Scanner.builder().maxFileBytes(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxFileBytes must be 1");
  }

  @Test
  void packagesNamedBuildOrTargetAreScannedButBuildOutputOfAModuleIsNot() throws Exception {
    write("src/com/acme/build/Foo.java", LEAKY.replace("package app;", "package com.acme.build;"));
    write(
        "src/com/acme/target/Bar.java", LEAKY.replace("package app;", "package com.acme.target;"));
    write("maven/pom.xml", "<project/>\n");
    write("maven/target/generated-sources/Gen.java", LEAKY);
    write("maven/src/main/java/target/Kept.java", LEAKY.replace("package app;", "package target;"));
    write("gradle/build.gradle.kts", "\n");
    write("gradle/build/generated/Gen.java", LEAKY);
    write("ant/build/Kept.java", LEAKY); // no pom.xml or build.gradle next to it: a source folder
    ScanResult r = Scanner.builder().paths(List.of(dir)).build().scan();
    assertThat(r.filesScanned()).isEqualTo(4);
    assertThat(r.findings())
        .extracting(Finding::file)
        .containsOnly(
            "ant/build/Kept.java", "maven/src/main/java/target/Kept.java",
            "src/com/acme/build/Foo.java", "src/com/acme/target/Bar.java");
  }

  @Test
  void symbolicLinksToFoldersAreFollowedOnceWithoutLooping() throws Exception {
    Path real = dir.resolve("real");
    write("real/app/Leaky.java", LEAKY);
    Files.createSymbolicLink(dir.resolve("link"), real);
    // a symlinked subfolder (followed), a link back up the tree (a cycle), a second link to a
    // folder
    // already scanned (each file once)
    write("tree/own/Own.java", LEAKY.replace("class Leaky", "class Own"));
    Files.createSymbolicLink(dir.resolve("tree/linked"), dir.resolve("other"));
    write("other/Other.java", LEAKY.replace("class Leaky", "class Other"));
    Files.createSymbolicLink(dir.resolve("tree/own/loop"), dir.resolve("tree"));
    Files.createSymbolicLink(dir.resolve("tree/again"), dir.resolve("tree/own"));

    ScanResult viaLink = Scanner.builder().paths(List.of(dir.resolve("link"))).build().scan();
    assertThat(viaLink.filesScanned()).isEqualTo(1);
    assertThat(viaLink.findings()).extracting(Finding::ruleId).containsExactly("TG101", "TG103");

    ScanResult tree = Scanner.builder().paths(List.of(dir.resolve("tree"))).build().scan();
    assertThat(tree.errors()).isEmpty();
    assertThat(tree.filesScanned()).isEqualTo(2);
    assertThat(tree.findings())
        .extracting(f -> Path.of(f.file()).getFileName().toString())
        .containsExactlyInAnyOrder("Other.java", "Other.java", "Own.java", "Own.java");
  }

  /**
   * Files whose only timer is a Reactor/RxJava scheduler, worker or timed publisher pass the
   * candidate filter and are attributed; a class merely named like a scheduler is only parsed.
   */
  @Test
  void reactiveTimersAreCandidatesForAttribution(@TempDir Path dir) throws Exception {
    Files.writeString(
        dir.resolve("A.java"),
        "class A { Object s = reactor.core.scheduler.Schedulers.newSingle(\"a\"); }\n");
    Files.writeString(
        dir.resolve("B.java"),
        "class B { void f(java.time.Duration d) { reactor.core.publisher.Mono.delay(d).subscribe(); } }\n");
    Files.writeString(
        dir.resolve("C.java"),
        "class C { void f(Sched s) { s.createWorker(); } interface Sched { Object createWorker(); } }\n");
    Files.writeString(dir.resolve("D.java"), "class D { class CapacityScheduler {} }\n");
    ScanResult r = Scanner.builder().paths(List.of(dir)).build().scan();
    assertThat(r.errors()).isEmpty();
    assertThat(r.filesScanned()).isEqualTo(4);
    assertThat(r.filesAttributed()).isEqualTo(3);
  }
}
