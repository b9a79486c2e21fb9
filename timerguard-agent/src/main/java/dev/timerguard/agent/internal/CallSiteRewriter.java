package dev.timerguard.agent.internal;

import dev.timerguard.agent.boot.SiteTable;
import dev.timerguard.live.CallSite;
import dev.timerguard.live.LiveRegistry;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
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
 * it goes through one of the agent's hooks (the {@link HookPlan} says which) with a constant site
 * id, defined in the {@link SiteTable} now, at instrumentation time (class, method, source file and
 * the line of the call) and registered in the {@link LiveRegistry} when the call first runs. The
 * hot path therefore never walks the stack.
 *
 * <p>Three shapes of rewrite, none of which adds a branch, a field or a method (so classes can be
 * retransformed after a dynamic attach): <em>replace</em> the call by a static hook with the same
 * arguments plus the site id ({@code schedule*}, {@code Timer.schedule*}, {@code orTimeout}, ...);
 * <em>after</em> a call or constructor, pass a copy of the result to a hook ({@code
 * Executors.new*}, {@code new ThreadPoolExecutor}, thread builders, Netty {@code newTimeout});
 * <em>around</em> {@code Thread.start()}, keep the receiver and pass it to a hook once the call
 * returned. {@code TimerTask} subclasses also get a call at the top of {@code run()}. See {@code
 * docs/agent.md} for the full table.
 *
 * <p>Not thread-safe per instance; the agent creates one per transformed class.
 */
final class CallSiteRewriter extends AsmVisitorWrapper.AbstractBase {

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

  private final class ClassRewriter extends ClassVisitor implements HookPlan.Hierarchy {
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
      boolean runHook =
          timerTask
              && name.equals("run")
              && desc.equals("()V")
              && (access & Opcodes.ACC_STATIC) == 0;
      return new MethodRewriter(mv, this, name, runHook);
    }

    @Override
    public boolean isA(String owner, Class<?> type) {
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
            Opcodes.INVOKESTATIC,
            HookPlan.TIMER_HOOKS,
            "timerTaskRun",
            "(Ljava/util/TimerTask;)V",
            false);
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

    @Override
    public void visitMethodInsn(int op, String owner, String name, String desc, boolean itf) {
      flush(false);
      if (op == Opcodes.INVOKESPECIAL && name.equals("<init>")) {
        String top = news.peek();
        if (top != null && (top.equals(owner) || top.equals("!" + owner))) {
          news.pop();
          super.visitMethodInsn(op, owner, name, desc, itf);
          HookPlan.Row row =
              top.equals(owner) ? HookPlan.match(false, owner, name, desc, cls) : null;
          if (row != null && row.shape == HookPlan.Shape.CONSTRUCTOR) {
            after(row, desc);
          }
          return;
        }
        super.visitMethodInsn(op, owner, name, desc, itf); // super(...) or this(...)
        return;
      }
      boolean isStatic = op == Opcodes.INVOKESTATIC;
      boolean instance = op == Opcodes.INVOKEVIRTUAL || op == Opcodes.INVOKEINTERFACE;
      HookPlan.Row row =
          isStatic || instance ? HookPlan.match(isStatic, owner, name, desc, cls) : null;
      if (row == null || row.shape == HookPlan.Shape.CONSTRUCTOR) {
        super.visitMethodInsn(op, owner, name, desc, itf);
        return;
      }
      switch (row.shape) {
        case REPLACE:
          if (row.kind != null) {
            pushSite(row.kind);
          } else {
            rewritten++;
          }
          super.visitMethodInsn(
              Opcodes.INVOKESTATIC, row.hookClass, row.hook, row.hookDesc(desc), false);
          return;
        case AROUND_RECEIVER:
          super.visitInsn(Opcodes.DUP);
          super.visitMethodInsn(op, owner, name, desc, itf);
          pushSite(row.kind);
          super.visitMethodInsn(
              Opcodes.INVOKESTATIC, row.hookClass, row.hook, row.hookDesc(desc), false);
          return;
        case AFTER:
        default:
          super.visitMethodInsn(op, owner, name, desc, itf);
          after(row, desc);
      }
    }

    /** Stack holds the result: keep it and hand a copy to the row's hook with the site id. */
    private void after(HookPlan.Row row, String desc) {
      super.visitInsn(Opcodes.DUP);
      pushSite(row.kind);
      super.visitMethodInsn(
          Opcodes.INVOKESTATIC, row.hookClass, row.hook, row.hookDesc(desc), false);
    }

    /**
     * A method reference to a call that ends timers ({@code TimerTask::cancel}, {@code
     * executor::shutdown}, {@code Timer::cancel}...) goes to the same hook as a direct call: the
     * lambda's implementation handle is replaced by the static hook, which takes the receiver as
     * its first argument, so the functional interface and the captured values stay the same. Only
     * {@code LambdaMetafactory.metafactory} (not {@code altMetafactory}, which serializable lambdas
     * use and which records the implementation's name) is rewritten.
     */
    @Override
    public void visitInvokeDynamicInsn(String name, String desc, Handle bsm, Object... args) {
      flush(false);
      if (bsm.getOwner().equals("java/lang/invoke/LambdaMetafactory")
          && bsm.getName().equals("metafactory")
          && args.length == 3
          && args[1] instanceof Handle) {
        Handle impl = (Handle) args[1];
        int tag = impl.getTag();
        if (tag == Opcodes.H_INVOKEVIRTUAL || tag == Opcodes.H_INVOKEINTERFACE) {
          HookPlan.Row row =
              HookPlan.match(false, impl.getOwner(), impl.getName(), impl.getDesc(), cls);
          if (row != null && row.rewritesMethodReferences()) {
            Object[] copy = args.clone();
            copy[1] =
                new Handle(
                    Opcodes.H_INVOKESTATIC,
                    row.hookClass,
                    row.hook,
                    row.hookDesc(impl.getDesc()),
                    false);
            rewritten++;
            super.visitInvokeDynamicInsn(name, boundAsHookReceiver(desc, row), bsm, copy);
            return;
          }
        }
      }
      super.visitInvokeDynamicInsn(name, desc, bsm, args);
    }
  }

  /**
   * A bound reference ({@code task::cancel}) captures its receiver, and the metafactory wants a
   * captured value's type to equal the implementation's parameter exactly: the call site's type
   * then names the hook's receiver type (a supertype of the value on the stack, which the verifier
   * accepts). An unbound reference captures nothing and is left as it is.
   */
  static String boundAsHookReceiver(String indyDesc, HookPlan.Row row) {
    if (indyDesc.startsWith("()")) {
      return indyDesc;
    }
    int end = indyDesc.indexOf(';') + 1;
    return "(L" + row.hookReceiver + ";" + indyDesc.substring(end);
  }
}
