package dev.timerguard.agent.internal;

import dev.timerguard.agent.boot.SiteTable;
import dev.timerguard.live.CallSite;
import dev.timerguard.live.LiveRegistry;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.field.FieldDescription;
import net.bytebuddy.description.field.FieldList;
import net.bytebuddy.description.method.MethodList;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.implementation.Implementation;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.Handle;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.pool.TypePool;
import net.bytebuddy.utility.OpenedClassReader;

/**
 * Rewrites, in one class, every call instruction that creates a timer, executor or thread so that
 * it goes through {@code dev.timerguard.agent.boot.Hooks} with a constant site id, defined in
 * the {@link SiteTable} now, at instrumentation time (class, method, source file and the line of
 * the call) and registered in the {@link LiveRegistry} when the call first runs. The hot path
 * therefore never walks the stack.
 *
 * <p>Three shapes of rewrite, none of which adds a branch, a field or a method (so classes can be
 * retransformed after a dynamic attach): <em>replace</em> the call by a static hook with the same
 * arguments plus the site id ({@code schedule*}, {@code Timer.schedule*}, {@code orTimeout},
 * ...); <em>after</em> a call or constructor, pass a copy of the result to a hook ({@code
 * Executors.new*}, {@code new ThreadPoolExecutor}, thread builders, Netty {@code newTimeout});
 * <em>around</em> {@code Thread.start()}, keep the receiver and pass it to a hook once the call
 * returned. {@code TimerTask} subclasses also get a call at the top of {@code run()}. See {@code
 * docs/agent.md} for the full table.
 *
 * <p>Not thread-safe per instance; the agent creates one per transformed class.
 */
final class CallSiteRewriter extends AsmVisitorWrapper.AbstractBase {

  static final String HOOKS = "dev/timerguard/agent/boot/Hooks";
  private static final String SES = "java/util/concurrent/ScheduledExecutorService";
  private static final String STPE = "java/util/concurrent/ScheduledThreadPoolExecutor";
  private static final String TPE = "java/util/concurrent/ThreadPoolExecutor";
  private static final String TIMER = "java/util/Timer";
  private static final String TIMER_TASK = "java/util/TimerTask";
  private static final String CF = "java/util/concurrent/CompletableFuture";
  private static final String THREAD = "java/lang/Thread";
  private static final Set<String> EXECUTOR_TYPES =
      Set.of("java/util/concurrent/ExecutorService", SES, TPE, STPE);
  private static final Set<String> EXECUTOR_CTORS =
      Set.of(TPE, STPE, "java/util/concurrent/ForkJoinPool", TIMER);
  private static final Set<String> THREAD_BUILDERS =
      Set.of(
          "java/lang/Thread$Builder",
          "java/lang/Thread$Builder$OfVirtual",
          "java/lang/Thread$Builder$OfPlatform");
  private static final Set<String> NETTY_TIMERS =
      Set.of("io/netty/util/HashedWheelTimer", "io/netty/util/Timer");
  private static final String NETTY_NEW_TIMEOUT =
      "(Lio/netty/util/TimerTask;JLjava/util/concurrent/TimeUnit;)Lio/netty/util/Timeout;";

  private int rewritten;

  CallSiteRewriter() {}

  /** Call sites rewritten so far by this instance. */
  int rewritten() {
    return rewritten;
  }

  @Override
  public int mergeWriter(int flags) {
    return flags;
  }

  @Override
  public int mergeReader(int flags) {
    return flags;
  }

  @Override
  public ClassVisitor wrap(
      TypeDescription instrumentedType,
      ClassVisitor classVisitor,
      Implementation.Context implementationContext,
      TypePool typePool,
      FieldList<FieldDescription.InDefinedShape> fields,
      MethodList<?> methods,
      int writerFlags,
      int readerFlags) {
    boolean timerTask = false;
    try {
      timerTask =
          !instrumentedType.isInterface()
              && instrumentedType.isAssignableTo(java.util.TimerTask.class);
    } catch (RuntimeException unresolvable) {
      // a super type we cannot see: treat as not a TimerTask
    }
    return new ClassRewriter(classVisitor, instrumentedType.getName(), typePool, timerTask);
  }

  private final class ClassRewriter extends ClassVisitor {
    private final String className;
    private final TypePool pool;
    private final boolean timerTask;
    private final Map<String, Boolean> assignable = new HashMap<>();
    private String sourceFile = "?";

    ClassRewriter(ClassVisitor cv, String className, TypePool pool, boolean timerTask) {
      super(OpenedClassReader.ASM_API, cv);
      this.className = className;
      this.pool = pool;
      this.timerTask = timerTask;
    }

    @Override
    public void visitSource(String source, String debug) {
      if (source != null) {
        sourceFile = source;
      }
      super.visitSource(source, debug);
    }

    @Override
    public MethodVisitor visitMethod(
        int access, String name, String desc, String signature, String[] exceptions) {
      MethodVisitor mv = super.visitMethod(access, name, desc, signature, exceptions);
      if (mv == null || (access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0) {
        return mv;
      }
      boolean runHook = timerTask && name.equals("run") && desc.equals("()V")
          && (access & Opcodes.ACC_STATIC) == 0;
      return new MethodRewriter(mv, this, name, runHook);
    }

    boolean isA(String owner, Class<?> type) {
      String key = owner + "<" + type.getName();
      Boolean b = assignable.get(key);
      if (b == null) {
        try {
          TypePool.Resolution r = pool.describe(owner.replace('/', '.'));
          b = r.isResolved() && r.resolve().isAssignableTo(type);
        } catch (RuntimeException e) {
          b = false;
        }
        assignable.put(key, b);
      }
      return b;
    }

    int site(CallSite.Kind kind, String method, int line) {
      return SiteTable.define(CallSite.of(kind, className, method, sourceFile, line));
    }
  }

  private final class MethodRewriter extends MethodVisitor {
    private final ClassRewriter cls;
    private final String methodName;
    private final boolean runHook;
    private final Deque<String> news = new ArrayDeque<>();
    private String pendingNew;
    private int line = -1;

    MethodRewriter(MethodVisitor mv, ClassRewriter cls, String methodName, boolean runHook) {
      super(OpenedClassReader.ASM_API, mv);
      this.cls = cls;
      this.methodName = methodName;
      this.runHook = runHook;
    }

    @Override
    public void visitCode() {
      super.visitCode();
      if (runHook) {
        super.visitVarInsn(Opcodes.ALOAD, 0);
        super.visitMethodInsn(
            Opcodes.INVOKESTATIC, HOOKS, "timerTaskRun", "(Ljava/util/TimerTask;)V", false);
        rewritten++;
      }
    }

    @Override
    public void visitLineNumber(int line, Label start) {
      this.line = line;
      super.visitLineNumber(line, start);
    }

    /** A NEW is tracked for its constructor call only when javac's NEW; DUP shape follows. */
    private void flush(boolean dup) {
      if (pendingNew != null) {
        news.push(dup ? pendingNew : "!" + pendingNew);
        pendingNew = null;
      }
    }

    @Override
    public void visitInsn(int opcode) {
      flush(opcode == Opcodes.DUP);
      super.visitInsn(opcode);
    }

    @Override
    public void visitIntInsn(int opcode, int operand) {
      flush(false);
      super.visitIntInsn(opcode, operand);
    }

    @Override
    public void visitVarInsn(int opcode, int var) {
      flush(false);
      super.visitVarInsn(opcode, var);
    }

    @Override
    public void visitTypeInsn(int opcode, String type) {
      flush(false);
      super.visitTypeInsn(opcode, type);
      if (opcode == Opcodes.NEW) {
        pendingNew = type;
      }
    }

    @Override
    public void visitFieldInsn(int opcode, String owner, String name, String desc) {
      flush(false);
      super.visitFieldInsn(opcode, owner, name, desc);
    }

    @Override
    public void visitInvokeDynamicInsn(String name, String desc, Handle bsm, Object... args) {
      flush(false);
      super.visitInvokeDynamicInsn(name, desc, bsm, args);
    }

    @Override
    public void visitJumpInsn(int opcode, Label label) {
      flush(false);
      super.visitJumpInsn(opcode, label);
    }

    @Override
    public void visitLdcInsn(Object value) {
      flush(false);
      super.visitLdcInsn(value);
    }

    @Override
    public void visitIincInsn(int var, int increment) {
      flush(false);
      super.visitIincInsn(var, increment);
    }

    @Override
    public void visitTableSwitchInsn(int min, int max, Label dflt, Label... labels) {
      flush(false);
      super.visitTableSwitchInsn(min, max, dflt, labels);
    }

    @Override
    public void visitLookupSwitchInsn(Label dflt, int[] keys, Label[] labels) {
      flush(false);
      super.visitLookupSwitchInsn(dflt, keys, labels);
    }

    @Override
    public void visitMultiANewArrayInsn(String desc, int dims) {
      flush(false);
      super.visitMultiANewArrayInsn(desc, dims);
    }

    @Override
    public void visitMaxs(int maxStack, int maxLocals) {
      super.visitMaxs(maxStack + 3, maxLocals);
    }

    private void pushSite(CallSite.Kind kind) {
      int id = cls.site(kind, methodName, line);
      if (id <= Short.MAX_VALUE) {
        super.visitIntInsn(Opcodes.SIPUSH, id);
      } else {
        super.visitLdcInsn(id);
      }
      rewritten++;
    }

    private void replace(String hook, String receiver, String desc, CallSite.Kind kind) {
      String hookDesc =
          "(" + (receiver == null ? "" : "L" + receiver + ";") + desc.substring(1, desc.indexOf(')'))
              + (kind == null ? "" : "I") + desc.substring(desc.indexOf(')'));
      if (kind != null) {
        pushSite(kind);
      } else {
        rewritten++;
      }
      super.visitMethodInsn(Opcodes.INVOKESTATIC, HOOKS, hook, hookDesc, false);
    }

    /** Stack holds the result: keep it and hand a copy to {@code hook(Object-ish, int)}. */
    private void after(String hook, String hookDesc, CallSite.Kind kind) {
      super.visitInsn(Opcodes.DUP);
      pushSite(kind);
      super.visitMethodInsn(Opcodes.INVOKESTATIC, HOOKS, hook, hookDesc, false);
    }

    @Override
    public void visitMethodInsn(int op, String owner, String name, String desc, boolean itf) {
      flush(false);
      if (op == Opcodes.INVOKESPECIAL && name.equals("<init>")) {
        String top = news.peek();
        if (top != null && (top.equals(owner) || top.equals("!" + owner))) {
          news.pop();
          super.visitMethodInsn(op, owner, name, desc, itf);
          if (top.equals(owner) && EXECUTOR_CTORS.contains(owner)) {
            after("executorCreated", "(Ljava/lang/Object;I)V", CallSite.Kind.EXECUTOR);
          }
          return;
        }
        super.visitMethodInsn(op, owner, name, desc, itf); // super(...) or this(...)
        return;
      }
      if (!rewrite(op, owner, name, desc)) {
        super.visitMethodInsn(op, owner, name, desc, itf);
      }
    }

    private boolean rewrite(int op, String owner, String name, String desc) {
      boolean instance = op == Opcodes.INVOKEVIRTUAL || op == Opcodes.INVOKEINTERFACE;
      boolean stat = op == Opcodes.INVOKESTATIC;
      switch (name) {
        case "schedule":
          if (instance && (owner.equals(SES) || owner.equals(STPE))) {
            if (desc.equals("(Ljava/lang/Runnable;JLjava/util/concurrent/TimeUnit;)Ljava/util/concurrent/ScheduledFuture;")) {
              replace("schedule", SES, desc, CallSite.Kind.TIMER);
              return true;
            }
            if (desc.equals("(Ljava/util/concurrent/Callable;JLjava/util/concurrent/TimeUnit;)Ljava/util/concurrent/ScheduledFuture;")) {
              replace("scheduleCallable", SES, desc, CallSite.Kind.TIMER);
              return true;
            }
          }
          if (instance && owner.equals(TIMER) && desc.startsWith("(Ljava/util/TimerTask;")) {
            boolean periodic = desc.endsWith("J)V") && !desc.equals("(Ljava/util/TimerTask;J)V");
            replace("timerSchedule", TIMER, desc, periodic ? CallSite.Kind.TICKER : CallSite.Kind.TIMER);
            return true;
          }
          return false;
        case "scheduleAtFixedRate":
        case "scheduleWithFixedDelay":
          if (instance && (owner.equals(SES) || owner.equals(STPE))
              && desc.equals("(Ljava/lang/Runnable;JJLjava/util/concurrent/TimeUnit;)Ljava/util/concurrent/ScheduledFuture;")) {
            replace(name, SES, desc, CallSite.Kind.TICKER);
            return true;
          }
          if (instance && owner.equals(TIMER) && name.equals("scheduleAtFixedRate")
              && desc.startsWith("(Ljava/util/TimerTask;")) {
            replace("timerScheduleAtFixedRate", TIMER, desc, CallSite.Kind.TICKER);
            return true;
          }
          return false;
        case "shutdown":
          if (instance && EXECUTOR_TYPES.contains(owner) && desc.equals("()V")) {
            replace("shutdown", "java/util/concurrent/ExecutorService", desc, null);
            return true;
          }
          return false;
        case "close":
          if (instance && EXECUTOR_TYPES.contains(owner) && desc.equals("()V")) {
            replace("close", "java/util/concurrent/ExecutorService", desc, null);
            return true;
          }
          return false;
        case "shutdownNow":
          if (instance && EXECUTOR_TYPES.contains(owner) && desc.equals("()Ljava/util/List;")) {
            replace("shutdownNow", "java/util/concurrent/ExecutorService", desc, null);
            return true;
          }
          return false;
        case "remove":
          if (instance && (owner.equals(TPE) || owner.equals(STPE))
              && desc.equals("(Ljava/lang/Runnable;)Z")) {
            replace("remove", TPE, desc, null);
            return true;
          }
          return false;
        case "purge":
          if (instance && (owner.equals(TPE) || owner.equals(STPE)) && desc.equals("()V")) {
            replace("purge", TPE, desc, null);
            return true;
          }
          return false;
        case "cancel":
          if (instance && owner.equals(TIMER) && desc.equals("()V")) {
            replace("timerCancel", TIMER, desc, null);
            return true;
          }
          if (instance && desc.equals("()Z")
              && (owner.equals(TIMER_TASK) || (!owner.startsWith("java/") && cls.isA(owner, java.util.TimerTask.class)))) {
            replace("timerTaskCancel", TIMER_TASK, desc, null);
            return true;
          }
          return false;
        case "orTimeout":
          if (instance && owner.equals(CF)
              && desc.equals("(JLjava/util/concurrent/TimeUnit;)Ljava/util/concurrent/CompletableFuture;")) {
            replace("orTimeout", CF, desc, CallSite.Kind.TIMER);
            return true;
          }
          return false;
        case "completeOnTimeout":
          if (instance && owner.equals(CF)
              && desc.equals("(Ljava/lang/Object;JLjava/util/concurrent/TimeUnit;)Ljava/util/concurrent/CompletableFuture;")) {
            replace("completeOnTimeout", CF, desc, CallSite.Kind.TIMER);
            return true;
          }
          return false;
        case "delayedExecutor":
          if (stat && owner.equals(CF) && desc.startsWith("(JLjava/util/concurrent/TimeUnit;")) {
            replace("delayedExecutor", null, desc, CallSite.Kind.TIMER);
            return true;
          }
          return false;
        case "start":
          if (instance && desc.equals("()V")
              && (owner.equals(THREAD) || (!owner.startsWith("java/") && cls.isA(owner, Thread.class)))) {
            super.visitInsn(Opcodes.DUP);
            super.visitMethodInsn(op, owner, name, desc, op == Opcodes.INVOKEINTERFACE);
            pushSite(CallSite.Kind.THREAD);
            super.visitMethodInsn(
                Opcodes.INVOKESTATIC, HOOKS, "threadStarted", "(Ljava/lang/Thread;I)V", false);
            return true;
          }
          if (instance && THREAD_BUILDERS.contains(owner)
              && desc.equals("(Ljava/lang/Runnable;)Ljava/lang/Thread;")) {
            super.visitMethodInsn(op, owner, name, desc, true);
            after("threadStarted", "(Ljava/lang/Thread;I)V", CallSite.Kind.THREAD);
            return true;
          }
          return false;
        case "startVirtualThread":
          if (stat && owner.equals(THREAD)) {
            super.visitMethodInsn(op, owner, name, desc, false);
            after("threadStarted", "(Ljava/lang/Thread;I)V", CallSite.Kind.THREAD);
            return true;
          }
          return false;
        case "newTimeout":
          if (instance && NETTY_TIMERS.contains(owner) && desc.equals(NETTY_NEW_TIMEOUT)) {
            super.visitMethodInsn(op, owner, name, desc, op == Opcodes.INVOKEINTERFACE);
            after("nettyTimeout", "(Ljava/lang/Object;I)V", CallSite.Kind.TIMER);
            return true;
          }
          return false;
        default:
          if (stat && owner.equals("java/util/concurrent/Executors") && name.startsWith("new")
              && desc.endsWith("ExecutorService;")) {
            super.visitMethodInsn(op, owner, name, desc, false);
            after("executorCreated", "(Ljava/lang/Object;I)V", CallSite.Kind.EXECUTOR);
            return true;
          }
          return false;
      }
    }
  }
}
