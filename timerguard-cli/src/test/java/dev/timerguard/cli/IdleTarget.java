package dev.timerguard.cli;

/** A child JVM that does nothing: prints {@code ready} and sleeps until it is stopped. */
public final class IdleTarget {

  private IdleTarget() {}

  public static void main(String[] args) throws Exception {
    System.out.println("ready");
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
