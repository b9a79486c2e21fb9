package dev.timerguard;

import dev.timerguard.live.internal.SiteCounter;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Backoff state plus at most one pending retry. The backoff itself is not counted as a timer (it
 * owns none while idle); each scheduled retry is a counted one-shot of the backoff's site.
 */
final class BackoffImpl implements Backoff {

  private final TimerSource source;
  private final SiteCounter retrySite;
  private final long initialNanos;
  private final long maxNanos;
  private final double multiplier;
  private final double jitter;
  private int attempts; // guarded by this
  private OneShot pending; // guarded by this
  private boolean closed; // guarded by this

  BackoffImpl(
      TimerSource source,
      SiteCounter retrySite,
      long initialNanos,
      long maxNanos,
      double multiplier,
      double jitter) {
    this.source = source;
    this.retrySite = retrySite;
    this.initialNanos = initialNanos;
    this.maxNanos = maxNanos;
    this.multiplier = multiplier;
    this.jitter = jitter;
  }

  @Override
  public synchronized Duration nextDelay() {
    double d = initialNanos * Math.pow(multiplier, attempts);
    if (attempts < Integer.MAX_VALUE) {
      attempts++;
    }
    long capped = (long) Math.min(maxNanos, d);
    long jittered =
        jitter == 0
            ? capped
            : (long) (capped * (1 - jitter * ThreadLocalRandom.current().nextDouble()));
    return Duration.ofNanos(Math.max(0, jittered));
  }

  @Override
  public Timeout retry(Runnable action) {
    Objects.requireNonNull(action, "action");
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("backoff created at " + site().location() + " is closed");
      }
      if (pending != null) {
        pending.cancel();
      }
      pending = source.newOneShot(retrySite, nextDelay(), action);
      return pending;
    }
  }

  @Override
  public synchronized void reset() {
    attempts = 0;
    if (pending != null) {
      pending.cancel();
      pending = null;
    }
  }

  @Override
  public synchronized int attempts() {
    return attempts;
  }

  @Override
  public synchronized boolean cancel() {
    if (closed) {
      return false;
    }
    closed = true;
    if (pending != null) {
      pending.cancel();
      pending = null;
    }
    return true;
  }

  @Override
  public synchronized boolean isLive() {
    return !closed;
  }

  @Override
  public dev.timerguard.live.CallSite site() {
    return retrySite.site();
  }
}
