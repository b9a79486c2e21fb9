package dev.timerguard.lint.rules;

import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.MemberSelectTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.util.TreePath;
import dev.timerguard.lint.RuleContext;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.Element;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.TypeElement;
import javax.lang.model.type.NoType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.type.TypeVisitor;
import javax.lang.model.util.Elements;

/**
 * Resolves trees to the compiler's elements and types, and decides subtyping against types named by
 * {@link ApiNames}: everything is decided with {@code Types.isSubtype} against the real owner
 * types, never by a method name alone. Unresolved (error) types never match, and a lookup the
 * compiler fails on counts as unresolved. Owner types are looked up once per compiler instance and
 * shared by all rules and files of that compilation. One instance per {@link RuleContext}; not
 * thread-safe (the shared cache is).
 */
final class TypeResolver {
  final RuleContext ctx;
  private final Map<String, TypeMirror> cache;

  /**
   * Resolved owner types per compiler instance (looking up a type that is absent, such as Netty's,
   * is not free). Weak keys: a finished compilation's entry goes away with it.
   */
  private static final Map<Elements, Map<String, TypeMirror>> SHARED =
      Collections.synchronizedMap(new WeakHashMap<>());

  /** Marks a type that is not on the compiler's path (ConcurrentHashMap holds no nulls). */
  private static final TypeMirror ABSENT = new Marker();

  TypeResolver(RuleContext ctx) {
    this.ctx = ctx;
    this.cache = SHARED.computeIfAbsent(ctx.elements(), e -> new ConcurrentHashMap<>());
  }

  /** The erased type named {@code fqcn}, or null when it is not on the compiler's path. */
  TypeMirror type(String fqcn) {
    TypeMirror t = cache.get(fqcn);
    if (t == null) {
      TypeElement e;
      try {
        e = ctx.elements().getTypeElement(fqcn);
      } catch (RuntimeException ex) {
        e = null;
      }
      t = e == null ? ABSENT : ctx.types().erasure(e.asType());
      cache.put(fqcn, t);
    }
    return t == ABSENT ? null : t;
  }

  /** A memo slot shared by the compilation (for per-class classifications); null if unset. */
  TypeMirror memo(String key) {
    return cache.get(key);
  }

  void memo(String key, TypeMirror value) {
    cache.put(key, value);
  }

  /** Whether {@code t} is a resolved subtype of the type named {@code fqcn}. */
  boolean isSubtype(TypeMirror t, String fqcn) {
    if (t == null || (t.getKind() != TypeKind.DECLARED && t.getKind() != TypeKind.TYPEVAR)) {
      return false;
    }
    TypeMirror target = type(fqcn);
    if (target == null || target.getKind() == TypeKind.ERROR) {
      return false;
    }
    try {
      return ctx.types().isSubtype(ctx.types().erasure(t), target);
    } catch (RuntimeException e) {
      return false;
    }
  }

  boolean isSubtype(Element e, String fqcn) {
    return e != null && isSubtype(e.asType(), fqcn);
  }

  /** The compiler's type of the expression at {@code path}, or null. */
  TypeMirror typeOf(TreePath path) {
    try {
      TypeMirror t = ctx.trees().getTypeMirror(path);
      return t == null || t.getKind() == TypeKind.ERROR ? null : t;
    } catch (RuntimeException e) {
      return null;
    }
  }

  Element element(TreePath path) {
    try {
      return ctx.trees().getElement(path);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** The invoked method of a method invocation, or null when it does not resolve. */
  ExecutableElement method(TreePath invocation) {
    Element e = element(invocation);
    return e instanceof ExecutableElement ? (ExecutableElement) e : null;
  }

  /** Type of the receiver of {@code inv} (the enclosing class for an unqualified call), or null. */
  TypeMirror receiverType(TreePath invocation) {
    MethodInvocationTree inv = (MethodInvocationTree) invocation.getLeaf();
    ExpressionTree sel = inv.getMethodSelect();
    if (sel instanceof MemberSelectTree) {
      return typeOf(
          new TreePath(new TreePath(invocation, sel), ((MemberSelectTree) sel).getExpression()));
    }
    ExecutableElement m = method(invocation);
    return m == null ? null : m.getEnclosingElement().asType();
  }

  /**
   * Whether {@code invocation} calls one of {@code names} declared by (or invoked on a receiver of)
   * a subtype of {@code owner}.
   */
  boolean isCall(TreePath invocation, String owner, Set<String> names) {
    if (!(invocation.getLeaf() instanceof MethodInvocationTree)) {
      return false;
    }
    if (!names.contains(TreePaths.methodName((MethodInvocationTree) invocation.getLeaf()))) {
      return false;
    }
    ExecutableElement m = method(invocation);
    if (m == null || !names.contains(m.getSimpleName().toString())) {
      return false;
    }
    if (isSubtype(m.getEnclosingElement(), owner)) {
      return true;
    }
    return !m.getModifiers().contains(Modifier.STATIC)
        && isSubtype(receiverType(invocation), owner);
  }

  /** A type that is no type: a memo value the compiler never produces. */
  static final class Marker implements NoType {
    @Override
    public TypeKind getKind() {
      return TypeKind.NONE;
    }

    @Override
    public <R, P> R accept(TypeVisitor<R, P> v, P p) {
      return v.visitNoType(this, p);
    }

    @Override
    public List<? extends AnnotationMirror> getAnnotationMirrors() {
      return List.of();
    }

    @Override
    public <A extends java.lang.annotation.Annotation> A getAnnotation(Class<A> annotationType) {
      return null;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <A extends java.lang.annotation.Annotation> A[] getAnnotationsByType(
        Class<A> annotationType) {
      return (A[]) java.lang.reflect.Array.newInstance(annotationType, 0);
    }
  }
}
