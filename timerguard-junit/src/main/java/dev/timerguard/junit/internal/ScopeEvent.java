package dev.timerguard.junit.internal;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * A JFR event marking where a test scope begins or ends on the thread that runs it. Recorded in the
 * same stream and on the same clock as {@code jdk.ThreadStart}, so {@link ThreadAttribution} can
 * tell which test a thread was running when it started another. Not for use outside this module.
 */
@Name("dev.timerguard.junit.TestScope")
@Label("TimerGuard test scope")
@Category({"TimerGuard", "JUnit"})
@Description("A test (or test class) begins or ends on this thread")
@StackTrace(false)
@Enabled(false)
public final class ScopeEvent extends jdk.jfr.Event {

  @Label("Scope id")
  long scope;

  @Label("Begins")
  boolean begin;

  static void commit(long scope, boolean begin) {
    ScopeEvent e = new ScopeEvent();
    e.scope = scope;
    e.begin = begin;
    e.commit();
  }
}
