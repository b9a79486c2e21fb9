package dev.timerguard.samples.incidents;

/** Which side of an incident to run: the code as it shipped, or the code after the fix. */
public enum Variant {
  /** The code as the service wrote it, leak included. */
  LEAKY,
  /** The same service with the fix applied. */
  FIXED;

  /** {@code "leaky"} or {@code "fixed"}. */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
