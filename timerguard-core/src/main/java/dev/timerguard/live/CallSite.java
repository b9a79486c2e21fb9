package dev.timerguard.live;

import java.util.Objects;

/**
 * Where a timer, ticker, executor or thread was created: kind, class, method, file and line.
 *
 * <p>Immutable and thread-safe. Two call sites are equal when all five parts are equal; the
 * registry gives each distinct site one stable integer id when an engine registers it, which hot
 * paths keep instead of the site itself. A site whose parts are unknown uses {@code "?"} for names
 * and {@code -1} for the line.
 */
public final class CallSite {

  /** What was created at the site. */
  public enum Kind {
    /** A one-shot timer: live until it fires or is cancelled. */
    TIMER,
    /** A periodic timer: live until it is stopped or cancelled. */
    TICKER,
    /** An executor or scheduler: live until it is shut down. */
    EXECUTOR,
    /** A thread: live until it terminates. */
    THREAD
  }

  /**
   * The label of {@link #other(Kind)}: what exporters print as the {@code site} of the sites beyond
   * their label cap.
   */
  public static final String OTHER_LOCATION = "other";

  private static final CallSite[] OTHERS = new CallSite[Kind.values().length];

  static {
    for (Kind k : Kind.values()) {
      OTHERS[k.ordinal()] = new CallSite(k, "other", "other", "other", -1);
    }
  }

  /** The site every creation falls into once the registry's site cap is reached. */
  public static final CallSite OVERFLOW =
      new CallSite(Kind.TIMER, "<overflow>", "<sites beyond the registry cap>", "?", -1);

  private final Kind kind;
  private final String className;
  private final String methodName;
  private final String fileName;
  private final int line;
  private final int hash;

  private CallSite(Kind kind, String className, String methodName, String fileName, int line) {
    this.kind = kind;
    this.className = className;
    this.methodName = methodName;
    this.fileName = fileName;
    this.line = line;
    this.hash = Objects.hash(kind, className, methodName, fileName, line);
  }

  /**
   * Creates a call site.
   *
   * @throws NullPointerException naming the argument that is null
   */
  public static CallSite of(
      Kind kind, String className, String methodName, String fileName, int line) {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(className, "className");
    Objects.requireNonNull(methodName, "methodName");
    return new CallSite(kind, className, methodName, fileName == null ? "?" : fileName, line);
  }

  /** Creates a call site from a stack frame, for attribution by stack walking. */
  public static CallSite of(Kind kind, StackWalker.StackFrame frame) {
    Objects.requireNonNull(frame, "frame");
    return of(
        kind,
        frame.getClassName(),
        frame.getMethodName(),
        frame.getFileName(),
        frame.getLineNumber());
  }

  /** Creates a call site from a stack trace element. */
  public static CallSite of(Kind kind, StackTraceElement element) {
    Objects.requireNonNull(element, "element");
    return of(
        kind,
        element.getClassName(),
        element.getMethodName(),
        element.getFileName(),
        element.getLineNumber());
  }

  /**
   * The site that stands for "every other site of this kind": what {@link Snapshot#limitSites(int)}
   * sums the sites beyond a cap into. Its {@link #location()} is {@value #OTHER_LOCATION}.
   *
   * @throws NullPointerException if {@code kind} is null
   */
  public static CallSite other(Kind kind) {
    return OTHERS[Objects.requireNonNull(kind, "kind").ordinal()];
  }

  /** True for the sites of {@link #other(Kind)}. */
  public boolean isOther() {
    return this == OTHERS[kind.ordinal()];
  }

  public Kind kind() {
    return kind;
  }

  public String className() {
    return className;
  }

  public String methodName() {
    return methodName;
  }

  public String fileName() {
    return fileName;
  }

  /** The source line, or {@code -1} when unknown. */
  public int line() {
    return line;
  }

  /** The site with another kind (same location). */
  public CallSite withKind(Kind newKind) {
    if (isOther()) {
      return other(newKind);
    }
    return newKind == kind ? this : of(newKind, className, methodName, fileName, line);
  }

  /** {@code com.acme.Rpc.read(Rpc.java:88)}: the form IDEs and stack traces link to. */
  public String location() {
    if (isOther()) {
      return OTHER_LOCATION;
    }
    return className + "." + methodName + "(" + fileName + (line >= 0 ? ":" + line : "") + ")";
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof CallSite)) {
      return false;
    }
    CallSite other = (CallSite) o;
    return line == other.line
        && kind == other.kind
        && className.equals(other.className)
        && methodName.equals(other.methodName)
        && fileName.equals(other.fileName);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return kind + " " + location();
  }
}
