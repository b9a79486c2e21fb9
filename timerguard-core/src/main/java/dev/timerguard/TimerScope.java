package dev.timerguard;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A lifetime for timers: every timer created through a scope is cancelled when the scope closes.
 * Open one per request, per connection or per task, and "stop what you start" becomes structural:
 *
 * <pre>{@code
 * try (TimerScope scope = timers.scope()) {
 *   scope.schedule(Duration.ofSeconds(2), this::logSlowRequest);
 *   scope.withTimeout(callUpstream(), Duration.ofSeconds(5)).join();
 * } // both timers are gone here, whatever happened
 * }</pre>
 *
 * <p>Scopes nest: {@link #scope()} opens a child that closes with its parent. Closing is
 * idempotent; creating a timer in a closed scope throws {@link IllegalStateException}. A timer that
 * ends on its own leaves the scope at once, so a long-lived scope holds only live timers. {@link
 * #sleep(Duration)} is a sleep that the scope's closing cuts short. Thread-safe.
 */
public final class TimerScope extends TimerSource implements AutoCloseable {

  private final Timers timers;
  private final TimerScope parent;
  private final TimerSite site;
  private final Set<Object> members = ConcurrentHashMap.newKeySet();
  private final CountDownLatch closedLatch = new CountDownLatch(1);
  private volatile boolean closed;

  TimerScope(Timers timers, TimerScope parent, TimerSite site) {
    this.timers = timers;
    this.parent = parent;
    this.site = site;
    timers.checkOpen();
    if (parent != null && !parent.adopt(this)) {
      throw parent.closedError();
    }
  }

  /** Adds a member; false (and not added) if the scope is closed. */
  boolean adopt(Object member) {
    members.add(member);
    if (closed) {
      members.remove(member);
      return false;
    }
    return true;
  }

  void forget(Object member) {
    members.remove(member);
  }

  IllegalStateException closedError() {
    return new IllegalStateException("TimerScope is closed");
  }

  /** Live timers (and open child scopes) in this scope now. */
  public int size() {
    return members.size();
  }

  /** True once closed, directly or by a parent. */
  public boolean isClosed() {
    return closed;
  }

  /**
   * Sleeps for {@code duration} or until this scope closes, whichever comes first.
   *
   * @return {@code true} if the full duration passed, {@code false} if the scope closed first
   * @throws InterruptedException if the thread is interrupted (never swallowed)
   * @throws NullPointerException if {@code duration} is null
   */
  public boolean sleep(Duration duration) throws InterruptedException {
    long nanos = Timers.toNanos(Objects.requireNonNull(duration, "duration"), "duration");
    if (Thread.interrupted()) {
      throw new InterruptedException("interrupted before sleeping");
    }
    if (closed) {
      return false;
    }
    return !closedLatch.await(nanos, TimeUnit.NANOSECONDS);
  }

  /** Cancels every timer created through this scope and closes child scopes. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    closedLatch.countDown();
    for (Object m : new ArrayList<>(members)) {
      if (m instanceof TimerScope) {
        ((TimerScope) m).close();
      } else {
        ((TimerHandle) m).cancel();
      }
    }
    members.clear();
    if (parent != null) {
      parent.forget(this);
    }
  }

  @Override
  Timers timers() {
    return timers;
  }

  @Override
  TimerScope ownerScope() {
    return this;
  }

  @Override
  TimerSite explicitSite() {
    return site;
  }

  @Override
  public String toString() {
    return "TimerScope[" + members.size() + " live" + (closed ? ", closed" : "") + "]";
  }
}
