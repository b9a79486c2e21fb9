package dev.timerguard.lint;

import dev.timerguard.internal.Json;

/** Whether a report is well-formed JSON, read by TimerGuard's one strict JSON reader. */
public final class JsonCheck {

  private JsonCheck() {}

  public static boolean isWellFormed(String json) {
    try {
      Json.parse(json);
      return true;
    } catch (Json.ParseException e) {
      return false;
    }
  }
}
