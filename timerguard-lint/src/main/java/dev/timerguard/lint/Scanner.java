package dev.timerguard.lint;

import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.util.JavacTask;
import com.sun.source.util.TreePath;
import com.sun.source.util.Trees;
import dev.timerguard.lint.internal.Analyzer;
import dev.timerguard.lint.rules.Rules;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticListener;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Scans source trees without building them: best-effort type resolution through {@code JavacTask}
 * parse + analyze with {@code -XDshould-stop.ifError=FLOW} (so analysis goes on when third-party
 * types do not resolve; JDK types always do), an optional class path, and the same rules and
 * suppressions as the javac plugin.
 *
 * <p>Only files that mention a candidate name (a timer, executor, thread, lock, sleep or wait API,
 * or a {@code timerguard:allow} comment) are attributed; the others cannot produce a finding and
 * are only parsed, so that unparsable files are still reported. Files are compiled in batches
 * (default 500 files, on up to 2 threads); a batch in which javac itself fails (an exception, a
 * stack overflow, running out of memory) is bisected until the failing file is alone, so one
 * pathological file costs only itself. Files that declare a class another file of the batch also
 * declares are analysed in a batch of their own, so both files' findings are reported.
 *
 * <p><b>Nothing is dropped silently.</b> Every file that is found but not (fully) analysed
 * (unreadable, larger than {@link Builder#maxFileBytes(long)}, unparsable, javac or a rule failed
 * on it) is named in {@link ScanResult#errors()} with the reason; the scan goes on without it.
 *
 * <p><b>What is walked.</b> Symbolic links to files and folders are followed (a path argument that
 * is a link too); a link that leads back into a folder being walked is not followed again, and a
 * file reached by two paths is scanned once. Directories named {@code .git}, {@code .hg}, {@code
 * .svn}, {@code node_modules} and Maven-filtered template roots ({@code java-templates}, {@code
 * java-filtered}, whose {@code ${...}} placeholders do not parse) are skipped; {@code target} and
 * {@code build} are skipped only where they are a module's build output, next to a {@code pom.xml},
 * {@code build.gradle} or {@code build.gradle.kts} (a package named {@code build} is scanned).
 * Progress lines go to the progress stream (stderr in the CLI).
 *
 * <p><b>Class path.</b> The given entries, then the safe timer API ({@code timerguard-core}) this
 * analyzer is built with, so calls to TimerGuard itself resolve even with no class path.
 *
 * <p>Configure with {@link #builder()}; a built scanner is immutable and {@link #scan()} may be
 * called from any thread, also concurrently.
 */
public final class Scanner {
  /** The default of {@link Builder#maxFileBytes(long)}: 16 MiB. */
  public static final long DEFAULT_MAX_FILE_BYTES = 16L * 1024 * 1024;

  private static final Set<String> SKIP_DIRS =
      Set.of(".git", ".hg", ".svn", "node_modules", "java-templates", "java-filtered");

  /** Skipped only next to one of {@link #BUILD_FILES}: a module's build output. */
  private static final Set<String> BUILD_OUTPUT_DIRS = Set.of("target", "build");

  private static final List<String> BUILD_FILES =
      List.of("pom.xml", "build.gradle", "build.gradle.kts");

  private final List<Path> paths;
  private final List<Path> classpath;
  private final LintOptions options;
  private final PrintStream progress;
  private final int batchSize;
  private final long maxFileBytes;
  private final int threads;
  private final boolean projectSourcePath;
  private final Path pathBase; // null: the working directory at scan time

  private Scanner(Builder b) {
    this.projectSourcePath = b.projectSourcePath;
    this.pathBase = b.pathBase;
    this.paths = List.copyOf(b.paths);
    this.classpath = withTimerGuardApi(b.classpath);
    this.options = b.options;
    this.progress = b.progress;
    this.batchSize = b.batchSize;
    this.maxFileBytes = b.maxFileBytes;
    this.threads = b.threads;
  }

  /** A builder with no paths, no class path, default options, no progress output. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builder for {@link Scanner}. Not thread-safe. */
  public static final class Builder {
    private final List<Path> paths = new ArrayList<>();
    private final List<Path> classpath = new ArrayList<>();
    private LintOptions options = LintOptions.defaults();
    private PrintStream progress;
    private int batchSize = 500;
    private long maxFileBytes = DEFAULT_MAX_FILE_BYTES;
    private int threads = Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors()));
    private boolean projectSourcePath;
    private Path pathBase;

    private Builder() {}

    /**
     * Reports files below {@code dir} by their path relative to it (default: relative to the
     * working directory); files outside it are reported relative to their scan root. Baselines key
     * findings by this path, so a build tool passes the module's directory to make reports and
     * baselines independent of where the build was started.
     *
     * @throws NullPointerException if {@code dir} is null
     */
    public Builder pathBase(Path dir) {
      this.pathBase = Objects.requireNonNull(dir, "pathBase").toAbsolutePath().normalize();
      return this;
    }

    /**
     * Also resolve project types defined in files of other batches, through a {@code -sourcepath}
     * inferred from package declarations, and compile with each batch (as context, never reported)
     * the project's subclasses of its classes and, when few files are scanned, the project files
     * that name them, so rules see how other classes use what a scanned class hands out. Better
     * type resolution, but several times slower (see {@code docs/benchmarks.md}); off by default.
     */
    public Builder projectSourcePath(boolean on) {
      this.projectSourcePath = on;
      return this;
    }

    /** Adds files or directories to scan. @throws NullPointerException on null */
    public Builder paths(List<Path> more) {
      for (Path p : Objects.requireNonNull(more, "paths")) {
        paths.add(Objects.requireNonNull(p, "path"));
      }
      return this;
    }

    /** Adds class path entries (jars or directories) used to resolve third-party types. */
    public Builder classpath(List<Path> entries) {
      for (Path p : Objects.requireNonNull(entries, "classpath")) {
        classpath.add(Objects.requireNonNull(p, "classpath entry"));
      }
      return this;
    }

    /** Rule selection and severities. */
    public Builder options(LintOptions o) {
      this.options = Objects.requireNonNull(o, "options");
      return this;
    }

    /** Where progress lines go (null: nowhere). */
    public Builder progress(PrintStream out) {
      this.progress = out;
      return this;
    }

    /** Files per javac task (1..10000). */
    public Builder batchSize(int n) {
      if (n < 1 || n > 10_000) {
        throw new IllegalArgumentException("batchSize must be 1..10000, was " + n);
      }
      this.batchSize = n;
      return this;
    }

    /**
     * Files larger than this are not analysed; each is reported as a {@link ScanResult.FileError}
     * naming its size and the limit (default {@value #DEFAULT_MAX_FILE_BYTES} bytes, 16 MiB).
     *
     * @throws IllegalArgumentException if {@code bytes} is below 1
     */
    public Builder maxFileBytes(long bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("maxFileBytes must be 1 or more, was " + bytes);
      }
      this.maxFileBytes = bytes;
      return this;
    }

    /** Parallel javac tasks (1..64). */
    public Builder threads(int n) {
      if (n < 1 || n > 64) {
        throw new IllegalArgumentException("threads must be 1..64, was " + n);
      }
      this.threads = n;
      return this;
    }

    /**
     * Builds the scanner.
     *
     * @throws IllegalArgumentException if no path was given or a path or class path entry does not
     *     exist (the message names it)
     */
    public Scanner build() {
      if (paths.isEmpty()) {
        throw new IllegalArgumentException("no paths to scan");
      }
      for (Path p : paths) {
        if (!Files.exists(p)) {
          throw new IllegalArgumentException("no such file or directory: " + p);
        }
      }
      for (Path p : classpath) {
        if (!Files.exists(p)) {
          throw new IllegalArgumentException("class path entry does not exist: " + p);
        }
      }
      return new Scanner(this);
    }
  }

  private static final class Source {
    final Path path;
    final String name;

    Source(Path path, String name) {
      this.path = path;
      this.name = name;
    }
  }

  /**
   * Runs the scan.
   *
   * @throws IllegalStateException if no system Java compiler is available (a JRE without
   *     jdk.compiler)
   * @throws UncheckedIOException if a directory cannot be listed at all
   */
  public ScanResult scan() {
    long start = System.nanoTime();
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    if (javac == null) {
      throw new IllegalStateException(
          "no Java compiler in this runtime: run timerguard on a JDK, not a JRE");
    }
    List<ScanResult.FileError> errors = Collections.synchronizedList(new ArrayList<>());
    List<Source> sources = collect(errors);
    String sourcepath = projectSourcePath ? sourceRoots(sources) : "";
    Project project = Project.of(sourcepath, sources);
    List<List<Source>> batches = new ArrayList<>();
    // keep both threads busy on small trees too: at least `threads` batches when possible
    int size =
        Math.max(1, Math.min(batchSize, Math.max(50, (sources.size() + threads - 1) / threads)));
    for (int i = 0; i < sources.size(); i += size) {
      batches.add(sources.subList(i, Math.min(sources.size(), i + size)));
    }
    List<Finding> findings = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger done = new AtomicInteger();
    AtomicInteger unresolved = new AtomicInteger();
    AtomicInteger attributed = new AtomicInteger();
    progress("timerguard scan: " + sources.size() + " files in " + batches.size() + " batches");
    ExecutorService pool =
        Executors.newFixedThreadPool(Math.min(threads, Math.max(1, batches.size())));
    try {
      List<Future<?>> futures = new ArrayList<>();
      List<List<Source>> submitted = new ArrayList<>();
      for (List<Source> batch : batches) {
        submitted.add(batch);
        futures.add(
            pool.submit(
                () -> {
                  runBatch(javac, batch, project, findings, errors, unresolved, attributed);
                  int n = done.addAndGet(batch.size());
                  progress(
                      "timerguard scan: "
                          + n
                          + "/"
                          + sources.size()
                          + " files, "
                          + findings.size()
                          + " findings, "
                          + String.format(
                              Locale.ROOT, "%.1f s", (System.nanoTime() - start) / 1e9));
                }));
      }
      for (int i = 0; i < futures.size(); i++) {
        try {
          futures.get(i).get();
        } catch (ExecutionException e) {
          // runBatch contains every failure it knows of; should one escape, name each file it cost
          for (Source s : submitted.get(i)) {
            errors.add(
                new ScanResult.FileError(s.name, "not analysed: internal error: " + e.getCause()));
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("scan interrupted", e);
        }
      }
    } finally {
      pool.shutdownNow();
    }
    List<Finding> sorted = new ArrayList<>(findings);
    sorted.sort(
        Comparator.comparing(Finding::file)
            .thenComparingLong(Finding::line)
            .thenComparingLong(Finding::column)
            .thenComparing(Finding::ruleId));
    List<ScanResult.FileError> sortedErrors = new ArrayList<>(errors);
    sortedErrors.sort(Comparator.comparing(ScanResult.FileError::file));
    return new ScanResult(
        sorted,
        sortedErrors,
        sources.size(),
        attributed.get(),
        unresolved.get(),
        Duration.ofNanos(System.nanoTime() - start));
  }

  /**
   * The class path to analyse with: the user's entries, then the safe timer API this analyzer is
   * built with, so that calls to TimerGuard resolve (and are checked) with no class path at all. A
   * TimerGuard jar on the user's class path comes first and wins.
   */
  private static List<Path> withTimerGuardApi(List<Path> user) {
    List<Path> out = new ArrayList<>(user);
    try {
      java.security.CodeSource cs =
          dev.timerguard.CreatesTimer.class.getProtectionDomain().getCodeSource();
      if (cs != null && cs.getLocation() != null) {
        Path core = Path.of(cs.getLocation().toURI());
        if (!out.contains(core)) {
          out.add(core);
        }
      }
    } catch (java.net.URISyntaxException | RuntimeException e) {
      // not loaded from a file (a custom class loader): TimerGuard calls resolve only with a class
      // path
    }
    return List.copyOf(out);
  }

  private static final java.util.regex.Pattern PACKAGE =
      java.util.regex.Pattern.compile("(?m)^\\s*package\\s+([\\w.]+)\\s*;");

  /** Source roots derived from each file's package declaration and location. */
  private static String sourceRoots(List<Source> sources) {
    Set<String> roots = new java.util.LinkedHashSet<>();
    for (Source s : sources) {
      String head;
      try (java.io.InputStream in = Files.newInputStream(s.path)) {
        head = new String(in.readNBytes(8192), StandardCharsets.UTF_8);
      } catch (IOException | RuntimeException e) {
        continue;
      }
      java.util.regex.Matcher m = PACKAGE.matcher(head);
      Path dir = s.path.getParent();
      if (m.find()) {
        String[] parts = m.group(1).split("\\.");
        for (int i = parts.length - 1; i >= 0 && dir != null; i--) {
          if (!String.valueOf(dir.getFileName()).equals(parts[i])) {
            dir = null; // file is not laid out by package: no reliable root
            break;
          }
          dir = dir.getParent();
        }
      }
      if (dir != null) {
        roots.add(dir.toString());
      }
    }
    return String.join(File.pathSeparator, roots);
  }

  private void progress(String line) {
    if (progress != null) {
      synchronized (progress) {
        progress.println(line);
      }
    }
  }

  private List<Source> collect(List<ScanResult.FileError> errors) {
    List<Source> out = new ArrayList<>();
    Set<Path> seen = new HashSet<>();
    for (Path root : paths) {
      Path base = Files.isDirectory(root) ? root : root.toAbsolutePath().getParent();
      if (Files.isRegularFile(root)) {
        add(out, seen, base, root, errors);
        continue;
      }
      try {
        Files.walkFileTree(
            root,
            EnumSet.of(FileVisitOption.FOLLOW_LINKS),
            Integer.MAX_VALUE,
            new SimpleFileVisitor<>() {
              @Override
              public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                return !dir.equals(root) && isSkipped(dir)
                    ? FileVisitResult.SKIP_SUBTREE
                    : FileVisitResult.CONTINUE;
              }

              @Override
              public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (!file.toString().endsWith(".java")) {
                  return FileVisitResult.CONTINUE;
                }
                if (attrs.isSymbolicLink() && !Files.isRegularFile(file)) {
                  errors.add(
                      new ScanResult.FileError(
                          rel(base, file), "cannot read: broken symbolic link"));
                } else if (attrs.isRegularFile() || attrs.isSymbolicLink()) {
                  add(out, seen, base, file, errors);
                }
                return FileVisitResult.CONTINUE;
              }

              @Override
              public FileVisitResult visitFileFailed(Path file, IOException e) {
                if (e instanceof FileSystemLoopException) {
                  return FileVisitResult.CONTINUE; // a link back into a folder being walked
                }
                errors.add(new ScanResult.FileError(rel(base, file), "cannot read: " + e));
                return FileVisitResult.CONTINUE;
              }
            });
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list " + root, e);
      }
    }
    out.sort(Comparator.comparing(s -> s.name));
    return out;
  }

  /** Version-control and dependency folders, templates, and a module's build output. */
  static boolean isSkipped(Path dir) {
    String name = String.valueOf(dir.getFileName());
    if (SKIP_DIRS.contains(name)) {
      return true;
    }
    Path parent = dir.getParent();
    if (!BUILD_OUTPUT_DIRS.contains(name) || parent == null) {
      return false;
    }
    for (String buildFile : BUILD_FILES) {
      if (Files.isRegularFile(parent.resolve(buildFile))) {
        return true;
      }
    }
    return false;
  }

  private void add(
      List<Source> out, Set<Path> seen, Path base, Path file, List<ScanResult.FileError> errors) {
    Path abs = file.toAbsolutePath().normalize();
    Path real;
    try {
      real = abs.toRealPath();
    } catch (IOException | RuntimeException e) {
      real = abs;
    }
    if (!seen.add(real)) {
      return; // the same file through another link
    }
    if (!Files.isReadable(file)) {
      errors.add(new ScanResult.FileError(rel(base, file), "cannot read: permission denied"));
      return;
    }
    String name = file.getFileName().toString();
    if (name.equals("module-info.java") || name.equals("package-info.java")) {
      return; // no code to analyse; module-info also needs a module path
    }
    out.add(new Source(abs, rel(base, file)));
  }

  /**
   * The path reported for a file: relative to the {@link Builder#pathBase path base} (by default
   * the working directory) when the file is below it (so several roots stay distinguishable and
   * SARIF's %SRCROOT% is that directory), else relative to its scan root.
   */
  private String rel(Path base, Path file) {
    Path cwd = pathBase != null ? pathBase : Path.of("").toAbsolutePath().normalize();
    Path b = base.toAbsolutePath().normalize();
    Path f = file.toAbsolutePath().normalize();
    Path r =
        f.startsWith(cwd) && !f.equals(cwd)
            ? cwd.relativize(f)
            : f.startsWith(b) ? b.relativize(f) : f;
    String s = r.toString().replace(File.separatorChar, '/');
    return s.isEmpty() ? String.valueOf(f.getFileName()) : s;
  }

  /**
   * Names that every rule needs to see before it can report anything: a file without any of them
   * cannot produce a finding, so it is only parsed (for the per-file error report), not attributed.
   */
  private static final java.util.regex.Pattern CANDIDATE =
      java.util.regex.Pattern.compile(
          "sleep|wait\\s*\\(|await|Timer|Executor|schedule|ForkJoinPool|orTimeout|completeOnTimeout"
              + "|newTimeout|timerguard|TimeUnit|Schedulers|createWorker|Mono\\.delay|\\.timer\\("
              + "|\\.interval\\(|putIfAbsent\\(");

  /** {@code Thread.start()} / {@code Thread.join(..)}: only with a {@code Thread} in the file. */
  private static final java.util.regex.Pattern THREAD_CALL =
      java.util.regex.Pattern.compile("join\\s*\\(|\\.start\\s*\\(");

  /** Whether a rule could fire on this text: the union of every rule's necessary names. */
  static boolean isCandidate(String text) {
    return CANDIDATE.matcher(text).find()
        || (text.contains("Thread") && THREAD_CALL.matcher(text).find());
  }

  private void runBatch(
      JavaCompiler javac,
      List<Source> batch,
      Project project,
      List<Finding> findings,
      List<ScanResult.FileError> errors,
      AtomicInteger unresolved,
      AtomicInteger attributed) {
    List<Source> candidates = new ArrayList<>();
    List<Source> others = new ArrayList<>();
    for (Source s : batch) {
      String text;
      long size = -1;
      try {
        size = Files.size(s.path);
        if (size > maxFileBytes) {
          errors.add(
              new ScanResult.FileError(
                  s.name,
                  "too large to analyse: "
                      + size
                      + " bytes, above the limit of "
                      + maxFileBytes
                      + " bytes"));
          continue;
        }
        text = new String(Files.readAllBytes(s.path), StandardCharsets.UTF_8);
      } catch (IOException | RuntimeException e) {
        errors.add(new ScanResult.FileError(s.name, "cannot read: " + e));
        continue;
      } catch (OutOfMemoryError e) {
        errors.add(
            new ScanResult.FileError(
                s.name, "too large to analyse: out of memory reading its " + size + " bytes"));
        continue;
      }
      (isCandidate(text) ? candidates : others).add(s);
    }
    attributed.addAndGet(candidates.size());
    if (!others.isEmpty()) {
      compileIsolating(javac, others, false, project, findings, errors, unresolved);
    }
    if (!candidates.isEmpty()) {
      compileIsolating(javac, candidates, true, project, findings, errors, unresolved);
    }
  }

  private void compileIsolating(
      JavaCompiler javac,
      List<Source> batch,
      boolean analyze,
      Project project,
      List<Finding> findings,
      List<ScanResult.FileError> errors,
      AtomicInteger unresolved) {
    List<Finding> batchFindings = new ArrayList<>();
    List<ScanResult.FileError> batchErrors = new ArrayList<>();
    AtomicInteger batchUnresolved = new AtomicInteger();
    List<Source> deferred;
    try {
      deferred =
          compileAndAnalyze(
              javac, batch, analyze, project, batchFindings, batchErrors, batchUnresolved);
    } catch (RuntimeException | Error e) {
      // javac or the analysis failed (also: stack overflow, out of memory); what the batch held
      // is garbage now, so a retry of its halves has the memory back
      if (batch.size() == 1) {
        errors.add(
            new ScanResult.FileError(
                batch.get(0).name,
                (e instanceof OutOfMemoryError
                        ? "too large to analyse: javac ran out of memory on it: "
                        : "javac failed on this file: ")
                    + e));
        return;
      }
      // bisect to isolate the file that breaks javac; the rest is analysed normally
      int half = batch.size() / 2;
      compileIsolating(
          javac, batch.subList(0, half), analyze, project, findings, errors, unresolved);
      compileIsolating(
          javac, batch.subList(half, batch.size()), analyze, project, findings, errors, unresolved);
      return;
    }
    findings.addAll(batchFindings);
    errors.addAll(batchErrors);
    unresolved.addAndGet(batchUnresolved.get());
    if (!deferred.isEmpty()) {
      // files that declare a class another file of this batch declared first: javac entered only
      // the first one, so these are analysed again, apart (each round keeps at least one file)
      compileIsolating(javac, deferred, analyze, project, findings, errors, unresolved);
    }
  }

  /**
   * Compiles and analyses one batch.
   *
   * @return the files that were not analysed because another file of the batch declares the same
   *     class (analyse them again in a batch without that file)
   */
  private List<Source> compileAndAnalyze(
      JavaCompiler javac,
      List<Source> batch,
      boolean analyze,
      Project project,
      List<Finding> findings,
      List<ScanResult.FileError> errors,
      AtomicInteger unresolved) {
    Map<String, String> byUri = new HashMap<>();
    Map<String, String> parseErrors = new HashMap<>();
    Set<String> unresolvedFiles = new HashSet<>();
    Set<String> duplicateFiles = new HashSet<>();
    boolean[] parsing = {true};
    DiagnosticListener<JavaFileObject> listener =
        d -> {
          if (d.getKind() != Diagnostic.Kind.ERROR || d.getSource() == null) {
            return;
          }
          String uri = d.getSource().toUri().toString();
          if ("compiler.err.duplicate.class".equals(d.getCode())) {
            duplicateFiles.add(uri);
          } else if (parsing[0]) {
            parseErrors.putIfAbsent(
                uri,
                "line "
                    + d.getLineNumber()
                    + ": "
                    + d.getMessage(Locale.ROOT).lines().findFirst().orElse(""));
          } else {
            unresolvedFiles.add(uri);
          }
        };
    List<String> opts = new ArrayList<>();
    opts.add("-proc:none");
    opts.add("-implicit:none");
    opts.add("-XDshould-stop.ifError=FLOW");
    opts.add("-XDshould-stop.ifNoError=FLOW");
    opts.add("-Xlint:none");
    opts.add("-nowarn");
    opts.add("-Xmaxerrs");
    opts.add(String.valueOf(Integer.MAX_VALUE));
    opts.add("-encoding");
    opts.add("UTF-8");
    if (analyze && !project.sourcepath().isEmpty()) {
      opts.add("-sourcepath"); // project types of other batches resolve lazily, without attribution
      opts.add(project.sourcepath());
    }
    opts.add("-classpath");
    opts.add(
        classpath.stream()
            .map(Path::toString)
            .reduce((a, b) -> a + File.pathSeparator + b)
            .orElse(""));
    try (StandardJavaFileManager fm =
        javac.getStandardFileManager(listener, Locale.ROOT, StandardCharsets.UTF_8)) {
      List<Path> files = new ArrayList<>();
      for (Source s : batch) {
        files.add(s.path);
      }
      if (analyze) {
        files.addAll(project.contextFor(batch)); // attributed for facts, never reported
      }
      Iterable<? extends JavaFileObject> objects = fm.getJavaFileObjectsFromPaths(files);
      for (Source s : batch) {
        byUri.put(s.path.toUri().toString(), s.name);
      }
      // javac prints fatal errors to its writer: keep them out of the user's stderr
      java.io.Writer quiet = java.io.Writer.nullWriter();
      JavacTask task = (JavacTask) javac.getTask(quiet, fm, listener, opts, null, objects);
      Iterable<? extends CompilationUnitTree> units = task.parse();
      parsing[0] = false;
      if (!analyze) {
        for (CompilationUnitTree cu : units) {
          String uri = cu.getSourceFile().toUri().toString();
          String parseError = parseErrors.get(uri);
          if (parseError != null) {
            errors.add(
                new ScanResult.FileError(
                    byUri.getOrDefault(uri, uri), "unparsable, skipped: " + parseError));
          }
        }
        return List.of();
      }
      task.analyze();
      Trees trees = Trees.instance(task);
      Analyzer analyzer =
          new Analyzer(Rules.all(), options, trees, task.getTypes(), task.getElements());
      List<Source> deferred = new ArrayList<>();
      for (Source s : batch) {
        if (duplicateFiles.contains(s.path.toUri().toString())) {
          deferred.add(s);
        }
      }
      if (deferred.size() == batch.size()) {
        deferred.clear(); // no file of the batch was entered cleanly: analyse as they are
      }
      Set<String> deferredUris = new HashSet<>();
      for (Source s : deferred) {
        deferredUris.add(s.path.toUri().toString());
      }
      List<CompilationUnitTree> all = new ArrayList<>();
      units.forEach(all::add);
      analyzer.compilation(all);
      for (CompilationUnitTree cu : units) {
        String uri = cu.getSourceFile().toUri().toString();
        if (!byUri.containsKey(uri)) {
          continue; // a context file of the project: read by the rules, not reported
        }
        String name = byUri.get(uri);
        if (deferredUris.contains(uri)) {
          continue; // analysed again in a batch of their own
        }
        String parseError = parseErrors.get(uri);
        if (parseError != null) {
          errors.add(new ScanResult.FileError(name, "unparsable, skipped: " + parseError));
          continue;
        }
        if (unresolvedFiles.contains(uri)) {
          unresolved.incrementAndGet();
        }
        for (Analyzer.Located l : analyzer.analyze(cu, new TreePath(cu), name)) {
          findings.add(l.finding());
        }
      }
      for (Analyzer.RuleFailure f : analyzer.failures()) {
        errors.add(
            new ScanResult.FileError(f.file(), "rule " + f.ruleId() + " failed: " + f.error()));
      }
      return deferred;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * What a scan with project types ({@link Builder#projectSourcePath(boolean)}) knows of the
   * project beyond the scanned files: the {@code -sourcepath} (types named by a scanned file
   * resolve lazily) and the project files that use a class of the scanned files: its subclasses,
   * and files that name it and could fire a rule (a candidate, see {@link #isCandidate}). A scanned
   * class never names them, so {@code -sourcepath} never loads them; they are compiled (and
   * attributed) with the batch declaring the class, subclasses first, at most {@link #MAX_CONTEXT}
   * files per batch, so rules can read how other classes call, schedule on and cancel what the
   * scanned class hands out. Context files are not analysed or reported. Users are looked for only
   * when the scanned files declare at most {@link #MAX_USED} classes (a scan of a few files, not of
   * a whole tree). Immutable.
   */
  private record Project(
      String sourcepath, Map<String, List<Path>> subclasses, Map<String, List<Path>> users) {
    static final int MAX_CONTEXT = 32;
    static final int MAX_USED = 64;
    private static final java.util.regex.Pattern EXTENDS =
        java.util.regex.Pattern.compile("\\bextends\\s+(?:\\w+\\s*\\.\\s*)*(\\w+)");
    private static final java.util.regex.Pattern DECLARES =
        java.util.regex.Pattern.compile("\\b(?:class|interface|enum)\\s+([A-Z]\\w*)");

    static Project of(String sourcepath, List<Source> scanned) {
      if (sourcepath.isEmpty()) {
        return new Project(sourcepath, Map.of(), Map.of());
      }
      Set<Path> own = new HashSet<>();
      Set<String> declared = new HashSet<>();
      for (Source s : scanned) {
        own.add(s.path.toAbsolutePath().normalize());
        if (scanned.size() <= MAX_USED) {
          declared.addAll(declaredIn(s.path));
        }
      }
      List<java.util.regex.Pattern> named = new ArrayList<>();
      if (declared.size() <= MAX_USED) {
        for (String d : new java.util.TreeSet<>(declared)) {
          named.add(java.util.regex.Pattern.compile("\\b" + d + "\\b"));
        }
      }
      Map<String, List<Path>> subclasses = new HashMap<>();
      Map<String, List<Path>> users = new HashMap<>();
      for (String root : sourcepath.split(java.util.regex.Pattern.quote(File.pathSeparator))) {
        List<Path> files;
        try (java.util.stream.Stream<Path> walk = Files.walk(Paths.get(root))) {
          files =
              walk.filter(f -> f.toString().endsWith(".java") && Files.isRegularFile(f))
                  .map(f -> f.toAbsolutePath().normalize())
                  .sorted()
                  .collect(java.util.stream.Collectors.toList());
        } catch (IOException | UncheckedIOException e) {
          continue; // a root that cannot be walked contributes no context
        }
        for (Path f : files) {
          String text = read(f);
          if (text == null) {
            continue; // a context file is optional: an unreadable one is left out
          }
          java.util.regex.Matcher m = EXTENDS.matcher(text);
          while (m.find()) {
            List<Path> list = subclasses.computeIfAbsent(m.group(1), k -> new ArrayList<>());
            if (!list.contains(f)) {
              list.add(f);
            }
          }
          if (!named.isEmpty() && !own.contains(f) && isCandidate(text)) {
            for (java.util.regex.Pattern n : named) {
              String name = n.pattern().substring(2, n.pattern().length() - 2);
              if (text.contains(name) && n.matcher(text).find()) {
                users.computeIfAbsent(name, k -> new ArrayList<>()).add(f);
              }
            }
          }
        }
      }
      return new Project(sourcepath, subclasses, users);
    }

    private static String read(Path f) {
      try {
        if (Files.size(f) > 1024 * 1024) {
          return null;
        }
        return new String(Files.readAllBytes(f), StandardCharsets.UTF_8);
      } catch (IOException | RuntimeException e) {
        return null;
      }
    }

    private static Set<String> declaredIn(Path f) {
      Set<String> out = new HashSet<>();
      String text = read(f);
      if (text != null) {
        java.util.regex.Matcher m = DECLARES.matcher(text);
        while (m.find()) {
          out.add(m.group(1));
        }
      }
      return out;
    }

    /** The project files extending or using a class declared in {@code batch}, not in it. */
    List<Path> contextFor(List<Source> batch) {
      if (subclasses.isEmpty() && users.isEmpty()) {
        return List.of();
      }
      Set<Path> inBatch = new HashSet<>();
      Set<String> names = new java.util.TreeSet<>();
      for (Source s : batch) {
        inBatch.add(s.path.toAbsolutePath().normalize());
        names.addAll(declaredIn(s.path));
      }
      java.util.LinkedHashSet<Path> out = new java.util.LinkedHashSet<>();
      for (Map<String, List<Path>> index : List.of(subclasses, users)) {
        for (String name : names) {
          for (Path f : index.getOrDefault(name, List.of())) {
            if (!inBatch.contains(f) && out.size() < MAX_CONTEXT) {
              out.add(f);
            }
          }
        }
      }
      return List.copyOf(out);
    }
  }
}
