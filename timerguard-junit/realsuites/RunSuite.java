/**
 * Runs the JUnit console launcher and ends the JVM whatever happens: when the leak verifier fails
 * the run, the launcher's {@code main} ends with that error instead of calling {@code
 * System.exit}, and the leaked non-daemon threads would keep the JVM alive. Used by run.sh.
 */
public final class RunSuite {

  private RunSuite() {}

  public static void main(String[] args) {
    int status = 2;
    try {
      org.junit.platform.console.ConsoleLauncher.main(args); // exits by itself when it returns
    } catch (Throwable e) {
      System.err.println("run ended with " + e.getClass().getName());
    } finally {
      System.exit(status);
    }
  }
}
