package dev.timerguard.lint.report;

import dev.timerguard.internal.Json;
import dev.timerguard.lint.Finding;
import dev.timerguard.lint.Rule;
import dev.timerguard.lint.ScanResult;
import dev.timerguard.lint.Severity;
import dev.timerguard.lint.rules.Rules;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Renders a {@link ScanResult} as human-readable text, JSON, or SARIF 2.1.0 (the format GitHub code
 * scanning and other tools ingest). JSON is hand-written, strings escaped by core's {@link Json};
 * no dependencies. Stateless and thread-safe.
 */
public enum ReportFormat {
  /** {@code file:line:col: severity: [TG101] name: message} plus a {@code fix:} line. */
  TEXT,
  /** {@code {"filesScanned":..,"findings":[..],"errors":[..]}}. */
  JSON,
  /** SARIF 2.1.0 with rule metadata, partial fingerprints and per-file errors as notifications. */
  SARIF;

  /**
   * Parses {@code text|json|sarif} case-insensitively.
   *
   * @throws IllegalArgumentException naming the accepted values
   */
  public static ReportFormat parse(String s) {
    Objects.requireNonNull(s, "format");
    try {
      return valueOf(s.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown format '" + s + "' (expected text, json or sarif)", e);
    }
  }

  /**
   * Writes {@code result} to {@code out}.
   *
   * @throws NullPointerException on null arguments
   * @throws UncheckedIOException if {@code out} fails
   */
  public void write(ScanResult result, Appendable out) {
    Objects.requireNonNull(result, "result");
    Objects.requireNonNull(out, "out");
    try {
      switch (this) {
        case TEXT:
          text(result, out);
          break;
        case JSON:
          json(result, out);
          break;
        default:
          sarif(result, out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void text(ScanResult r, Appendable out) throws IOException {
    for (Finding f : r.findings()) {
      out.append(f.file())
          .append(':')
          .append(String.valueOf(f.line()))
          .append(':')
          .append(String.valueOf(f.column()))
          .append(": ")
          .append(f.severity().label())
          .append(": [")
          .append(f.ruleId())
          .append("] ")
          .append(f.ruleName())
          .append(": ")
          .append(f.message())
          .append('\n')
          .append("    fix: ")
          .append(f.hint())
          .append('\n');
    }
    for (ScanResult.FileError e : r.errors()) {
      out.append(e.file()).append(": error: ").append(e.message()).append('\n');
    }
    out.append(String.valueOf(r.findings().size()))
        .append(" finding(s) in ")
        .append(String.valueOf(r.filesScanned()))
        .append(" file(s)");
    if (!r.errors().isEmpty()) {
      out.append(", ").append(String.valueOf(r.errors().size())).append(" file(s) not analysed");
    }
    out.append('\n');
  }

  private static void json(ScanResult r, Appendable out) throws IOException {
    out.append("{\n  \"tool\": \"timerguard\",\n  \"filesScanned\": ")
        .append(String.valueOf(r.filesScanned()))
        .append(",\n  \"filesAttributed\": ")
        .append(String.valueOf(r.filesAttributed()))
        .append(",\n  \"filesWithUnresolvedTypes\": ")
        .append(String.valueOf(r.filesWithUnresolvedTypes()))
        .append(",\n  \"findings\": [");
    List<Finding> fs = r.findings();
    for (int i = 0; i < fs.size(); i++) {
      Finding f = fs.get(i);
      out.append(i == 0 ? "\n" : ",\n")
          .append("    {\"ruleId\": ")
          .append(jsonString(f.ruleId()))
          .append(", \"rule\": ")
          .append(jsonString(f.ruleName()))
          .append(", \"severity\": ")
          .append(jsonString(f.severity().label()))
          .append(", \"file\": ")
          .append(jsonString(f.file()))
          .append(", \"line\": ")
          .append(String.valueOf(f.line()))
          .append(", \"column\": ")
          .append(String.valueOf(f.column()))
          .append(", \"message\": ")
          .append(jsonString(f.message()))
          .append(", \"hint\": ")
          .append(jsonString(f.hint()))
          .append(", \"fingerprint\": ")
          .append(jsonString(f.fingerprint()))
          .append('}');
    }
    out.append(fs.isEmpty() ? "],\n" : "\n  ],\n").append("  \"errors\": [");
    List<ScanResult.FileError> es = r.errors();
    for (int i = 0; i < es.size(); i++) {
      out.append(i == 0 ? "\n" : ",\n")
          .append("    {\"file\": ")
          .append(jsonString(es.get(i).file()))
          .append(", \"message\": ")
          .append(jsonString(es.get(i).message()))
          .append('}');
    }
    out.append(es.isEmpty() ? "]\n}\n" : "\n  ]\n}\n");
  }

  private static String level(Severity s) {
    switch (s) {
      case ERROR:
        return "error";
      case INFO:
        return "note";
      default:
        return "warning";
    }
  }

  private static void sarif(ScanResult r, Appendable out) throws IOException {
    List<Rule> rules = Rules.all();
    out.append("{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n")
        .append("  \"version\": \"2.1.0\",\n  \"runs\": [\n    {\n")
        .append("      \"tool\": {\n        \"driver\": {\n          \"name\": \"TimerGuard\",\n")
        .append("          \"semanticVersion\": \"0.1.0\",\n          \"rules\": [");
    for (int i = 0; i < rules.size(); i++) {
      Rule rule = rules.get(i);
      out.append(i == 0 ? "\n" : ",\n")
          .append("            {\"id\": ")
          .append(jsonString(rule.id()))
          .append(", \"name\": ")
          .append(jsonString(rule.name()))
          .append(", \"shortDescription\": {\"text\": ")
          .append(jsonString(rule.summary()))
          .append('}')
          .append(", \"help\": {\"text\": ")
          .append(jsonString("See docs/rules/" + rule.id() + ".md"))
          .append('}')
          .append(", \"defaultConfiguration\": {\"level\": ")
          .append(jsonString(level(rule.defaultSeverity())))
          .append("}}");
    }
    out.append("\n          ]\n        }\n      },\n");
    out.append(
        "      \"invocations\": [\n        {\"executionSuccessful\": true, \"toolExecutionNotifications\": [");
    List<ScanResult.FileError> es = r.errors();
    for (int i = 0; i < es.size(); i++) {
      out.append(i == 0 ? "\n" : ",\n")
          .append("          {\"level\": \"error\", \"message\": {\"text\": ")
          .append(jsonString(es.get(i).message()))
          .append("}, \"locations\": [{\"physicalLocation\": {")
          .append("\"artifactLocation\": {\"uri\": ")
          .append(jsonString(uri(es.get(i).file())))
          .append(", \"uriBaseId\": \"%SRCROOT%\"}}}]}");
    }
    out.append(es.isEmpty() ? "]}\n" : "\n        ]}\n").append("      ],\n      \"results\": [");
    List<Finding> fs = r.findings();
    for (int i = 0; i < fs.size(); i++) {
      Finding f = fs.get(i);
      int index = 0;
      for (int k = 0; k < rules.size(); k++) {
        if (rules.get(k).id().equals(f.ruleId())) {
          index = k;
        }
      }
      out.append(i == 0 ? "\n" : ",\n")
          .append("        {\"ruleId\": ")
          .append(jsonString(f.ruleId()))
          .append(", \"ruleIndex\": ")
          .append(String.valueOf(index))
          .append(", \"level\": ")
          .append(jsonString(level(f.severity())))
          .append(", \"message\": {\"text\": ")
          .append(jsonString(f.message() + ". Fix: " + f.hint()))
          .append('}')
          .append(", \"locations\": [{\"physicalLocation\": {\"artifactLocation\": {\"uri\": ")
          .append(jsonString(uri(f.file())))
          .append(", \"uriBaseId\": \"%SRCROOT%\"}, \"region\": {\"startLine\": ")
          .append(String.valueOf(Math.max(1, f.line())))
          .append(", \"startColumn\": ")
          .append(String.valueOf(Math.max(1, f.column())))
          .append("}}}]")
          .append(", \"partialFingerprints\": {\"timerguardFingerprint/v1\": ")
          .append(jsonString(f.fingerprint()))
          .append("}}");
    }
    out.append(fs.isEmpty() ? "]\n" : "\n      ]\n").append("    }\n  ]\n}\n");
  }

  /** A relative file path as a URI reference (percent-encoded, forward slashes). */
  static String uri(String file) {
    try {
      return new URI(null, null, file.replace('\\', '/'), null).toASCIIString();
    } catch (URISyntaxException e) {
      return file;
    }
  }

  /**
   * A JSON string literal, escaped by TimerGuard's one JSON writer ({@link Json#quote}): quotes,
   * backslash, control characters, U+2028 and U+2029 and unpaired surrogates. {@code s} must not be
   * null.
   */
  public static String jsonString(String s) {
    return Json.quote(s);
  }
}
