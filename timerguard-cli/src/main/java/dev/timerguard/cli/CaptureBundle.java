package dev.timerguard.cli;

import dev.timerguard.live.SiteStats;
import dev.timerguard.live.Snapshot;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The evidence bundle of {@code timerguard doctor <pid> --capture DIR}: everything an incident
 * review needs, in one folder. Each part is written as soon as it is known (the start histogram
 * before sampling, each sample's CSV rows as they are read), so a run cut short, by a target that
 * exits or a part that fails, leaves the parts already written valid; {@code README.txt} is always
 * written last and lists every file in the folder, and every expected part that is missing with the
 * reason.
 *
 * <p>The folder is checked by {@link #prepare} before anything is attached: a folder that cannot be
 * created or written, or that is not empty without {@code force}, is refused with one line. With
 * {@code force}, only the bundle's own files are replaced; other files are left and listed as not
 * written by this run. The thread dump and the flight recording are written by the target JVM
 * itself, into the same folder (the doctor attaches only to JVMs of its own user on its own host).
 *
 * <p>Not thread-safe: one per doctor run, used on the doctor's thread (the {@link
 * Diagnosis.Observer} calls come from the sampling loop on that thread). Its own I/O failures never
 * end the diagnosis; they are recorded as missing parts.
 */
final class CaptureBundle implements Diagnosis.Observer {

  static final String README = "README.txt";
  static final String REPORT_TEXT = "report.txt";
  static final String REPORT_JSON = "report.json";
  static final String REPORT_HTML = "report.html";
  static final String HISTOGRAM_START = "histogram-start.txt";
  static final String HISTOGRAM_END = "histogram-end.txt";
  static final String SAMPLES = "samples.csv";
  static final String THREADS_JSON = "threads.json";
  static final String THREADS_TEXT = "threads.txt";
  static final String RECORDING = "recording.jfr";

  /** The CSV header: one row per sample per site. */
  static final String CSV_HEADER = "time,kind,site,live,created,fired,cancelled,retained";

  /** Every file a bundle may hold, in the order README.txt lists them. */
  static final List<String> PARTS =
      List.of(
          REPORT_TEXT,
          REPORT_JSON,
          REPORT_HTML,
          HISTOGRAM_START,
          HISTOGRAM_END,
          SAMPLES,
          THREADS_JSON,
          THREADS_TEXT,
          RECORDING,
          README);

  private static final Map<String, String> DESCRIPTIONS =
      Map.of(
          REPORT_TEXT, "the doctor's report as it prints it",
          REPORT_JSON, "the same report as JSON (what --json prints)",
          REPORT_HTML,
              "one self-contained page (no network): live timers per growing site over the"
                  + " sampling window, the leaking lines, the class-histogram diff, the thread groups",
          HISTOGRAM_START, "class histogram (GC.class_histogram, after a full GC) before sampling",
          HISTOGRAM_END, "class histogram (GC.class_histogram, after a full GC) after sampling",
          SAMPLES, "one row per sample per site: " + CSV_HEADER + " (time in UTC)",
          THREADS_JSON,
              "thread dump in JSON (Thread.dump_to_file -format=json), platform and virtual"
                  + " threads",
          THREADS_TEXT, "thread dump in plain text (Thread.print -l), platform threads",
          RECORDING,
              "flight recording of TimerGuard's events (dev.timerguard.TimerScheduled,"
                  + " TimerCancelled, TimerFired, GrowthSeverityChanged) and thread starts and ends over"
                  + " the sampling window; read it with 'jfr print --events dev.timerguard.TimerScheduled"
                  + " recording.jfr' or JDK Mission Control");

  private final Path dir;
  private final String shown;
  private final Map<String, String> written = new LinkedHashMap<>();
  private final Map<String, String> missing = new LinkedHashMap<>();
  private final List<Double> sampleSeconds = new ArrayList<>();
  private String histogramStart;
  private String histogramEnd;
  private BufferedWriter csv;
  private boolean csvFailed;
  private boolean done;
  private long pid;
  private Instant started;

  private CaptureBundle(Path dir, String shown) {
    this.dir = dir;
    this.shown = shown;
  }

  /**
   * Checks and creates the folder before anything is attached.
   *
   * @param dirText the folder as the user wrote it (shown in messages)
   * @param force whether a non-empty folder may be used (the bundle's own files are replaced)
   * @throws DoctorException with one line naming the folder and what is wrong with it
   */
  static CaptureBundle prepare(String dirText, boolean force) {
    Path dir;
    try {
      dir = Path.of(dirText).toAbsolutePath().normalize();
    } catch (InvalidPathException e) {
      throw new DoctorException(
          "--capture '" + dirText + "' is not a valid path: " + e.getReason());
    }
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new DoctorException(
          "--capture "
              + dirText
              + " is a file, not a directory; give a new"
              + " or empty directory");
    }
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new DoctorException(
          "--capture directory "
              + dirText
              + " cannot be created ("
              + reason(e)
              + "); give a directory this user can write");
    }
    List<String> present;
    try {
      present = list(dir);
    } catch (IOException e) {
      throw new DoctorException(
          "--capture directory "
              + dirText
              + " cannot be read ("
              + reason(e)
              + "); give a directory this user can write");
    }
    if (!present.isEmpty() && !force) {
      throw new DoctorException(
          "--capture directory "
              + dirText
              + " is not empty ("
              + present.size()
              + " entries, e.g. "
              + present.get(0)
              + "); give a new or empty"
              + " directory, or add --force to replace the bundle's files in it");
    }
    try {
      Files.delete(Files.createTempFile(dir, ".timerguard-write-check", ".tmp"));
    } catch (IOException e) {
      throw new DoctorException(
          "--capture directory "
              + dirText
              + " is not writable ("
              + reason(e)
              + "); give a directory this user can write");
    }
    if (force) {
      for (String part : PARTS) {
        try {
          Files.deleteIfExists(dir.resolve(part));
        } catch (IOException e) {
          throw new DoctorException(
              "--capture directory "
                  + dirText
                  + ": cannot replace "
                  + part
                  + " ("
                  + reason(e)
                  + ")");
        }
      }
    }
    return new CaptureBundle(dir, dirText);
  }

  /** The folder, absolute. */
  Path dir() {
    return dir;
  }

  /**
   * Runs {@code diagnosis} while capturing the bundle from {@code target}: starts the flight
   * recording, keeps the histograms and samples as they are read, then takes a thread dump, stops
   * the recording, writes the reports and {@code README.txt}.
   *
   * @param limit how long the recording may run at most if the doctor never stops it
   * @throws DoctorException from the diagnosis, after README.txt says what was captured
   */
  Diagnosis.Report capture(CaptureTarget target, long pid, Duration limit, Diagnosis diagnosis) {
    this.pid = pid;
    this.started = Instant.now();
    Long recording = null;
    try {
      recording = target.startRecording(dir.resolve(RECORDING), limit);
    } catch (Exception e) {
      missing.put(RECORDING, "the target could not start a flight recording: " + oneLine(e));
    }
    Diagnosis.Report r;
    try {
      r = diagnosis.observe(this).run();
    } catch (DoctorException e) {
      closeCsv();
      if (recording != null) {
        if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
          stopRecording(target, recording);
        } else {
          missing.putIfAbsent(RECORDING, "the target ended before the recording was written");
        }
      }
      writeReadme(e.getMessage());
      throw e;
    }
    closeCsv();
    threadDump(target);
    if (recording != null) {
      stopRecording(target, recording);
    }
    write(REPORT_TEXT, ReportWriter.text(r), null);
    write(REPORT_JSON, ReportWriter.json(r) + "\n", null);
    try {
      write(
          REPORT_HTML,
          HtmlReport.render(
              r, histogramStart, histogramEnd, HtmlReport.series(r, dir.resolve(SAMPLES))),
          null);
    } catch (IOException | RuntimeException e) {
      missing.put(REPORT_HTML, "cannot read the samples back for the page: " + oneLine(e));
    }
    writeReadme(null);
    return r;
  }

  /**
   * Completes the bundle for a doctor that stopped with {@code e} (README.txt says why) and returns
   * the one line to show, which points at the bundle.
   */
  DoctorException abandon(DoctorException e) {
    if (!done) {
      closeCsv();
      writeReadme(e.getMessage());
    }
    return new DoctorException(
        e.getMessage()
            + " (the evidence bundle in "
            + shown
            + " keeps what was captured; "
            + README
            + " says what is missing)");
  }

  /** One line about the finished bundle, for standard error. */
  String summary() {
    String s = "evidence bundle in " + shown + ": " + (written.size() + 1) + " files";
    if (!missing.isEmpty()) {
      s += ", missing " + String.join(", ", missing.keySet());
    }
    return s + " (" + README + " lists them)";
  }

  // ------------------------------------------------------------ the sampling loop's hooks

  @Override
  public void histogram(boolean start, String text) {
    if (start) {
      histogramStart = text;
    } else {
      histogramEnd = text;
    }
    write(start ? HISTOGRAM_START : HISTOGRAM_END, text, null);
  }

  @Override
  public void sample(int index, double seconds, Snapshot snapshot) {
    sampleSeconds.add(seconds);
    if (csvFailed) {
      return;
    }
    try {
      if (csv == null) {
        csv = Files.newBufferedWriter(dir.resolve(SAMPLES), StandardCharsets.UTF_8);
        csv.write(CSV_HEADER);
        csv.write('\n');
      }
      String time = Instant.ofEpochMilli(snapshot.epochMillis()).toString();
      StringBuilder b = new StringBuilder();
      for (SiteStats s : snapshot.sites()) {
        b.append(time)
            .append(',')
            .append(s.site().kind())
            .append(',')
            .append(csvField(s.site().location()))
            .append(',')
            .append(s.live())
            .append(',')
            .append(s.created())
            .append(',')
            .append(s.fired())
            .append(',')
            .append(s.cancelled())
            .append(',')
            .append(s.retained())
            .append('\n');
      }
      csv.write(b.toString());
      csv.flush(); // each sample complete on disk, so a run cut short leaves whole rows
    } catch (IOException e) {
      csvFailed = true;
      missing.put(SAMPLES, "writing stopped after " + index + " samples: " + oneLine(e));
    }
  }

  private void closeCsv() {
    if (csv == null) {
      if (!csvFailed && !missing.containsKey(SAMPLES)) {
        missing.put(SAMPLES, "no sample was taken");
      }
      return;
    }
    try {
      csv.close();
      if (!csvFailed) {
        written.put(SAMPLES, sampleSeconds.size() + " samples");
      }
    } catch (IOException e) {
      missing.put(SAMPLES, "cannot finish writing: " + oneLine(e));
    }
    csv = null;
  }

  /** A CSV field, quoted when it holds a comma, quote or line break (RFC 4180). */
  static String csvField(String s) {
    if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
      return s;
    }
    return '"' + s.replace("\"", "\"\"") + '"';
  }

  // ------------------------------------------------------------ parts from the target

  private void threadDump(CaptureTarget target) {
    int version;
    try {
      version = target.featureVersion();
    } catch (Exception e) {
      version = 0;
    }
    String why;
    if (version >= 21) {
      Path file = dir.resolve(THREADS_JSON);
      try {
        target.threadDumpJson(file);
        if (Files.isRegularFile(file)) {
          written.put(THREADS_JSON, "written by the target (Java " + version + ")");
          return;
        }
        why = "the JSON dump wrote no file here (does the target see this directory?)";
      } catch (Exception e) {
        why = "the JSON dump failed: " + oneLine(e);
      }
      why = "plain text because " + why;
    } else {
      why =
          "plain text because the target runs Java "
              + (version == 0 ? "(unknown)" : version)
              + ": the JSON thread dump (Thread.dump_to_file -format=json, with virtual threads)"
              + " needs Java 21 or later";
    }
    try {
      write(THREADS_TEXT, target.threadDumpText(), why);
    } catch (Exception e) {
      missing.put(THREADS_TEXT, "the target could not dump its threads: " + oneLine(e));
    }
  }

  private void stopRecording(CaptureTarget target, long id) {
    try {
      target.stopRecording(id);
      if (!Files.isRegularFile(dir.resolve(RECORDING))) {
        missing.put(RECORDING, "the target wrote no file here (does it see this directory?)");
      }
    } catch (Exception e) {
      missing.put(RECORDING, "the recording could not be stopped: " + oneLine(e));
    }
  }

  // ------------------------------------------------------------ files

  private void write(String name, String content, String note) {
    try {
      Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
      written.put(name, note);
      missing.remove(name);
    } catch (IOException e) {
      missing.put(name, "cannot write: " + oneLine(e));
    }
  }

  /** README.txt: what is here, what is missing and why; {@code failure} ends the run early. */
  private void writeReadme(String failure) {
    done = true;
    // the recording is written by the target (at stop, or at its exit): look, don't assume
    if (Files.isRegularFile(dir.resolve(RECORDING))) {
      missing.remove(RECORDING);
      written.putIfAbsent(RECORDING, "written by the target");
    }
    String reason = failure == null ? "not produced" : "not reached: " + failure;
    for (String part : PARTS) {
      if (part.equals(README)
          || part.equals(THREADS_JSON)
          || part.equals(THREADS_TEXT)
          || written.containsKey(part)
          || missing.containsKey(part)) {
        continue;
      }
      missing.put(part, reason);
    }
    boolean threads =
        written.containsKey(THREADS_JSON)
            || written.containsKey(THREADS_TEXT)
            || missing.containsKey(THREADS_JSON)
            || missing.containsKey(THREADS_TEXT);
    if (!threads) {
      missing.put(THREADS_JSON + " or " + THREADS_TEXT, reason);
    }
    StringBuilder b = new StringBuilder();
    b.append("TimerGuard doctor evidence bundle\n\n");
    b.append("Target JVM: ").append(pid == 0 ? "(not attached)" : Long.toString(pid)).append('\n');
    if (started != null) {
      b.append("Captured:   ")
          .append(started)
          .append(" to ")
          .append(Instant.now())
          .append(" (UTC)\n");
    }
    b.append("Outcome:    ")
        .append(failure == null ? "complete" : "stopped early: " + failure)
        .append("\n\nFiles\n");
    TreeSet<String> present = new TreeSet<>();
    try {
      present.addAll(list(dir));
    } catch (IOException e) {
      b.append("  (cannot list the folder: ").append(oneLine(e)).append(")\n");
    }
    present.add(README);
    for (String part : PARTS) {
      if (!present.contains(part)) {
        continue;
      }
      b.append("  ").append(part);
      if (!part.equals(README)) {
        b.append(" (").append(size(dir.resolve(part))).append(")");
      }
      b.append(": ")
          .append(part.equals(README) ? "this list" : DESCRIPTIONS.get(part))
          .append('\n');
      String note = written.get(part);
      if (note != null) {
        b.append("      ").append(note).append('\n');
      }
    }
    b.append("\nMissing").append(missing.isEmpty() ? ": nothing\n" : "\n");
    for (Map.Entry<String, String> m : missing.entrySet()) {
      if (present.contains(m.getKey())) {
        b.append("  ")
            .append(m.getKey())
            .append(" is incomplete: ")
            .append(m.getValue())
            .append('\n');
      } else {
        b.append("  ").append(m.getKey()).append(": ").append(m.getValue()).append('\n');
      }
    }
    List<String> others = new ArrayList<>();
    for (String f : present) {
      if (!PARTS.contains(f)) {
        others.add(f);
      }
    }
    if (!others.isEmpty()) {
      b.append("\nOther files (not written by this run)\n");
      for (String f : others) {
        b.append("  ").append(f).append(" (").append(size(dir.resolve(f))).append(")\n");
      }
    }
    try {
      Files.writeString(dir.resolve(README), b.toString(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      // nothing else to tell the reader with; the doctor's own message still goes out
    }
  }

  private static String size(Path p) {
    try {
      return Files.size(p) + " bytes";
    } catch (IOException e) {
      return "size unknown";
    }
  }

  private static List<String> list(Path dir) throws IOException {
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        names.add(p.getFileName().toString());
      }
    }
    names.sort(null);
    return names;
  }

  private static String reason(IOException e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied: " + ((AccessDeniedException) e).getFile();
    }
    if (e instanceof NoSuchFileException) {
      return "no such file or directory: " + ((NoSuchFileException) e).getFile();
    }
    if (e instanceof FileSystemException && ((FileSystemException) e).getReason() != null) {
      FileSystemException f = (FileSystemException) e;
      return f.getReason() + ": " + f.getFile();
    }
    return oneLine(e);
  }

  private static String oneLine(Throwable e) {
    return AttachSession.oneLine(e);
  }
}
