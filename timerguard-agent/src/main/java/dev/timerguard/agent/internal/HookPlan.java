package dev.timerguard.agent.internal;

import dev.timerguard.live.CallSite;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The agent's instrumentation plan as data: one {@link Row} per JDK (or Netty) call the agent
 * rewrites, saying which calls it matches (method name, receiver types, descriptor, static or not)
 * and what it becomes (the hook class and method, the shape of the rewrite, the kind of site it
 * defines). {@link CallSiteRewriter} reads it; {@code HookPlanTest} checks every row (its hook
 * exists with the descriptor the row computes, and the call it describes is matched by it and by no
 * other row); {@code docs/agent.md} lists the same table for readers.
 *
 * <p>Immutable and thread-safe.
 */
final class HookPlan {

  /** How a matched call is rewritten. */
  enum Shape {
    /**
     * The call is replaced by a static hook with the same arguments (receiver first) and, if the
     * row has a kind, the site id last. Rows of this shape with no kind also replace method
     * references ({@code TimerTask::cancel}, {@code ExecutorService::shutdown}) to the call.
     */
    REPLACE,
    /** The call stays; a copy of its result is passed to the hook with the site id. */
    AFTER,
    /** The call stays; its receiver is kept and passed to the hook with the site id afterwards. */
    AROUND_RECEIVER,
    /** A constructor: after {@code new T(...)} completes, the new object goes to the hook. */
    CONSTRUCTOR
  }

  /** Which receivers a row accepts. */
  enum Receivers {
    /** Exactly the row's owner types. */
    EXACT,
    /** The row's owner types, or an application class that is a subclass of the first one. */
    EXACT_OR_APPLICATION_SUBCLASS
  }

  /** One rewrite: what it matches and what it becomes. */
  static final class Row {
    final String name;
    final boolean isStatic;
    final Set<String> owners;
    final Receivers receivers;

    /** The descriptor; when {@link #descPartial}, a prefix (constructors) or a suffix (others). */
    final String desc;

    final boolean descPartial;
    final boolean namePrefix;
    final Shape shape;
    final String hookClass;
    final String hook;

    /** The receiver type the hook takes first ({@code null}: static call, no receiver). */
    final String hookReceiver;

    /** The kind of site the call defines, or {@code null} for calls that end timers. */
    final CallSite.Kind kind;

    private Row(
        String name,
        boolean isStatic,
        Set<String> owners,
        Receivers receivers,
        String desc,
        boolean descPartial,
        boolean namePrefix,
        Shape shape,
        String hookClass,
        String hook,
        String hookReceiver,
        CallSite.Kind kind) {
      this.name = name;
      this.isStatic = isStatic;
      this.owners = owners;
      this.receivers = receivers;
      this.desc = desc;
      this.descPartial = descPartial;
      this.namePrefix = namePrefix;
      this.shape = shape;
      this.hookClass = hookClass;
      this.hook = hook;
      this.hookReceiver = hookReceiver;
      this.kind = kind;
    }

    /** The hook's descriptor for a call with descriptor {@code callDesc}. */
    String hookDesc(String callDesc) {
      switch (shape) {
        case REPLACE:
          int close = callDesc.indexOf(')');
          return "("
              + (hookReceiver == null ? "" : "L" + hookReceiver + ";")
              + callDesc.substring(1, close)
              + (kind == null ? "" : "I")
              + callDesc.substring(close);
        case AROUND_RECEIVER:
          return "(Ljava/lang/Thread;I)V";
        case AFTER:
        case CONSTRUCTOR:
        default:
          return hookReceiver == null ? "(Ljava/lang/Object;I)V" : "(L" + hookReceiver + ";I)V";
      }
    }

    /** Whether this row rewrites a method reference to the call (ends only). */
    boolean rewritesMethodReferences() {
      return shape == Shape.REPLACE && kind == null && !isStatic;
    }

    @Override
    public String toString() {
      return (isStatic ? "static " : "")
          + owners
          + "."
          + name
          + (namePrefix ? "*" : "")
          + desc
          + (descPartial ? "..." : "")
          + " -> "
          + shape
          + " "
          + hookClass.substring(hookClass.lastIndexOf('/') + 1)
          + "."
          + hook
          + (kind == null ? "" : " [" + kind + "]");
    }
  }

  /** Answers whether an application class is a subclass of a JDK type (resolved by the caller). */
  interface Hierarchy {
    boolean isA(String owner, Class<?> type);
  }

  static final String BOOT = "dev/timerguard/agent/boot/";
  static final String SCHEDULE_HOOKS = BOOT + "ScheduleHooks";
  static final String SHUTDOWN_HOOKS = BOOT + "ShutdownHooks";
  static final String TIMER_HOOKS = BOOT + "TimerHooks";
  static final String COMPLETABLE_HOOKS = BOOT + "CompletableHooks";
  static final String CREATION_HOOKS = BOOT + "CreationHooks";

  static final String SES = "java/util/concurrent/ScheduledExecutorService";
  static final String ES = "java/util/concurrent/ExecutorService";
  static final String STPE = "java/util/concurrent/ScheduledThreadPoolExecutor";
  static final String TPE = "java/util/concurrent/ThreadPoolExecutor";
  static final String TIMER = "java/util/Timer";
  static final String TIMER_TASK = "java/util/TimerTask";
  static final String CF = "java/util/concurrent/CompletableFuture";
  static final String THREAD = "java/lang/Thread";

  private static final String SF = "Ljava/util/concurrent/ScheduledFuture;";
  private static final String TU = "Ljava/util/concurrent/TimeUnit;";

  /** The plan. */
  static final List<Row> ROWS;

  private static final Map<String, List<Row>> BY_NAME;

  static {
    List<Row> r = new ArrayList<>();
    Set<String> schedulers = Set.of(SES, STPE);
    Set<String> executors = Set.of(ES, SES, TPE, STPE);
    Set<String> pools = Set.of(TPE, STPE);
    // ScheduledExecutorService: timers start
    r.add(
        replace(
            "schedule",
            schedulers,
            "(Ljava/lang/Runnable;J" + TU + ")" + SF,
            SCHEDULE_HOOKS,
            "schedule",
            SES,
            CallSite.Kind.TIMER));
    r.add(
        replace(
            "schedule",
            schedulers,
            "(Ljava/util/concurrent/Callable;J" + TU + ")" + SF,
            SCHEDULE_HOOKS,
            "scheduleCallable",
            SES,
            CallSite.Kind.TIMER));
    for (String periodic : List.of("scheduleAtFixedRate", "scheduleWithFixedDelay")) {
      r.add(
          replace(
              periodic,
              schedulers,
              "(Ljava/lang/Runnable;JJ" + TU + ")" + SF,
              SCHEDULE_HOOKS,
              periodic,
              SES,
              CallSite.Kind.TICKER));
    }
    // pools: queued timers dropped early
    r.add(replace("remove", pools, "(Ljava/lang/Runnable;)Z", SCHEDULE_HOOKS, "remove", TPE, null));
    r.add(replace("purge", pools, "()V", SCHEDULE_HOOKS, "purge", TPE, null));
    // executors end
    r.add(replace("shutdown", executors, "()V", SHUTDOWN_HOOKS, "shutdown", ES, null));
    r.add(
        replace(
            "shutdownNow",
            executors,
            "()Ljava/util/List;",
            SHUTDOWN_HOOKS,
            "shutdownNow",
            ES,
            null));
    r.add(replace("close", executors, "()V", SHUTDOWN_HOOKS, "close", ES, null));
    // java.util.Timer: one-shots (delay or date) and periodic tasks (fixed delay or fixed rate)
    Set<String> timer = Set.of(TIMER);
    String task = "(Ljava/util/TimerTask;";
    for (String start : List.of("J", "Ljava/util/Date;")) {
      r.add(
          replace(
              "schedule",
              timer,
              task + start + ")V",
              TIMER_HOOKS,
              "timerSchedule",
              TIMER,
              CallSite.Kind.TIMER));
      r.add(
          replace(
              "schedule",
              timer,
              task + start + "J)V",
              TIMER_HOOKS,
              "timerSchedule",
              TIMER,
              CallSite.Kind.TICKER));
      r.add(
          replace(
              "scheduleAtFixedRate",
              timer,
              task + start + "J)V",
              TIMER_HOOKS,
              "timerScheduleAtFixedRate",
              TIMER,
              CallSite.Kind.TICKER));
    }
    r.add(replace("cancel", timer, "()V", TIMER_HOOKS, "timerCancel", TIMER, null));
    r.add(
        new Row(
            "cancel",
            false,
            Set.of(TIMER_TASK),
            Receivers.EXACT_OR_APPLICATION_SUBCLASS,
            "()Z",
            false,
            false,
            Shape.REPLACE,
            TIMER_HOOKS,
            "timerTaskCancel",
            TIMER_TASK,
            null));
    // CompletableFuture's own scheduler
    Set<String> cf = Set.of(CF);
    r.add(
        replace(
            "orTimeout",
            cf,
            "(J" + TU + ")Ljava/util/concurrent/CompletableFuture;",
            COMPLETABLE_HOOKS,
            "orTimeout",
            CF,
            CallSite.Kind.TIMER));
    r.add(
        replace(
            "completeOnTimeout",
            cf,
            "(Ljava/lang/Object;J" + TU + ")Ljava/util/concurrent/CompletableFuture;",
            COMPLETABLE_HOOKS,
            "completeOnTimeout",
            CF,
            CallSite.Kind.TIMER));
    r.add(
        staticReplace(
            "delayedExecutor",
            CF,
            "(J" + TU + ")Ljava/util/concurrent/Executor;",
            COMPLETABLE_HOOKS,
            "delayedExecutor"));
    r.add(
        staticReplace(
            "delayedExecutor",
            CF,
            "(J" + TU + "Ljava/util/concurrent/Executor;)Ljava/util/concurrent/Executor;",
            COMPLETABLE_HOOKS,
            "delayedExecutor"));
    // threads
    r.add(
        new Row(
            "start",
            false,
            Set.of(THREAD),
            Receivers.EXACT_OR_APPLICATION_SUBCLASS,
            "()V",
            false,
            false,
            Shape.AROUND_RECEIVER,
            CREATION_HOOKS,
            "threadStarted",
            THREAD,
            CallSite.Kind.THREAD));
    r.add(
        new Row(
            "start",
            false,
            Set.of(
                "java/lang/Thread$Builder",
                "java/lang/Thread$Builder$OfVirtual",
                "java/lang/Thread$Builder$OfPlatform"),
            Receivers.EXACT,
            "(Ljava/lang/Runnable;)Ljava/lang/Thread;",
            false,
            false,
            Shape.AFTER,
            CREATION_HOOKS,
            "threadStarted",
            THREAD,
            CallSite.Kind.THREAD));
    r.add(
        new Row(
            "startVirtualThread",
            true,
            Set.of(THREAD),
            Receivers.EXACT,
            "(Ljava/lang/Runnable;)Ljava/lang/Thread;",
            false,
            false,
            Shape.AFTER,
            CREATION_HOOKS,
            "threadStarted",
            THREAD,
            CallSite.Kind.THREAD));
    // Netty's wheel
    r.add(
        new Row(
            "newTimeout",
            false,
            Set.of("io/netty/util/HashedWheelTimer", "io/netty/util/Timer"),
            Receivers.EXACT,
            "(Lio/netty/util/TimerTask;J" + TU + ")Lio/netty/util/Timeout;",
            false,
            false,
            Shape.AFTER,
            CREATION_HOOKS,
            "nettyTimeout",
            null,
            CallSite.Kind.TIMER));
    // executors and timers created
    r.add(
        new Row(
            "new",
            true,
            Set.of("java/util/concurrent/Executors"),
            Receivers.EXACT,
            "ExecutorService;",
            true,
            true,
            Shape.AFTER,
            CREATION_HOOKS,
            "executorCreated",
            null,
            CallSite.Kind.EXECUTOR));
    r.add(
        new Row(
            "<init>",
            false,
            Set.of(TPE, STPE, "java/util/concurrent/ForkJoinPool", TIMER),
            Receivers.EXACT,
            "(",
            true,
            false,
            Shape.CONSTRUCTOR,
            CREATION_HOOKS,
            "executorCreated",
            null,
            CallSite.Kind.EXECUTOR));
    ROWS = Collections.unmodifiableList(r);
    Map<String, List<Row>> byName = new HashMap<>();
    for (Row row : ROWS) {
      if (!row.namePrefix) {
        byName.computeIfAbsent(row.name, k -> new ArrayList<>()).add(row);
      }
    }
    BY_NAME = byName;
  }

  private HookPlan() {}

  private static Row replace(
      String name,
      Set<String> owners,
      String desc,
      String hookClass,
      String hook,
      String receiver,
      CallSite.Kind kind) {
    return new Row(
        name,
        false,
        owners,
        Receivers.EXACT,
        desc,
        false,
        false,
        Shape.REPLACE,
        hookClass,
        hook,
        receiver,
        kind);
  }

  private static Row staticReplace(
      String name, String owner, String desc, String hookClass, String hook) {
    return new Row(
        name,
        true,
        Set.of(owner),
        Receivers.EXACT,
        desc,
        false,
        false,
        Shape.REPLACE,
        hookClass,
        hook,
        null,
        CallSite.Kind.TIMER);
  }

  /**
   * The row matching a call instruction, or {@code null}.
   *
   * @param isStatic the instruction is {@code invokestatic}
   * @param owner the instruction's owner (internal name)
   * @param hierarchy answers subclass questions for {@link Receivers#EXACT_OR_APPLICATION_SUBCLASS}
   */
  static Row match(boolean isStatic, String owner, String name, String desc, Hierarchy hierarchy) {
    List<Row> rows = BY_NAME.get(name);
    if (rows != null) {
      for (Row row : rows) {
        if (matches(row, isStatic, owner, name, desc, hierarchy)) {
          return row;
        }
      }
    }
    for (Row row : ROWS) {
      if (row.namePrefix && matches(row, isStatic, owner, name, desc, hierarchy)) {
        return row;
      }
    }
    return null;
  }

  private static boolean matches(
      Row row, boolean isStatic, String owner, String name, String desc, Hierarchy hierarchy) {
    if (row.isStatic != isStatic) {
      return false;
    }
    if (row.namePrefix ? !name.startsWith(row.name) : !name.equals(row.name)) {
      return false;
    }
    if (row.descPartial
        ? !(row.shape == Shape.CONSTRUCTOR ? desc.startsWith(row.desc) : desc.endsWith(row.desc))
        : !desc.equals(row.desc)) {
      return false;
    }
    if (row.owners.contains(owner)) {
      return true;
    }
    if (row.receivers == Receivers.EXACT_OR_APPLICATION_SUBCLASS && !owner.startsWith("java/")) {
      String first = row.owners.iterator().next();
      try {
        return hierarchy.isA(owner, Class.forName(first.replace('/', '.')));
      } catch (ClassNotFoundException e) {
        return false;
      }
    }
    return false;
  }
}
