package dev.timerguard.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code timerguard} command: one entry point for the demo, live diagnosis, source scanning and
 * the timer memory estimate.
 *
 * <p>Each subcommand is a small picocli class in this package; this class only wires them together.
 * Exit codes: {@code 0} success, {@code 1} findings or leaks reported, {@code 2} bad usage or a
 * failure to run (the message says which), {@code 3} ({@code scan} only) some files could not be
 * analysed.
 */
@Command(
    name = "timerguard",
    mixinStandardHelpOptions = true,
    versionProvider = TimerGuardCli.Version.class,
    description = "Find, prevent and diagnose timer and thread leaks on the JVM.",
    subcommands = {
      DemoCommand.class,
      DoctorCommand.class,
      ScanCommand.class,
      EstimateCommand.class,
      CommandLine.HelpCommand.class
    })
public final class TimerGuardCli {

  /** Runs the command line and returns the exit code, without exiting the JVM. */
  public static int run(String... args) {
    return commandLine().execute(args);
  }

  /** The configured command line: a failure while running prints one line and exits with 2. */
  static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new TimerGuardCli());
    // doctor and scan: bad usage is one line naming the problem and where the help is, not the
    // whole usage text (scripts and CI logs read one line); demo keeps picocli's usage text
    CommandLine.IParameterExceptionHandler usage = cl.getParameterExceptionHandler();
    cl.setParameterExceptionHandler(
        (ex, argv) -> {
          CommandLine cmd = ex.getCommandLine();
          String name = cmd.getCommandName();
          if (!name.equals("doctor") && !name.equals("scan")) {
            return usage.handleParseException(ex, argv);
          }
          String message = ex.getMessage().replace('\n', ' ').strip();
          String help = cmd.getCommandSpec().qualifiedName() + " --help";
          cmd.getErr()
              .println(
                  "timerguard: "
                      + message
                      + (message.contains(help) ? "" : " (see '" + help + "')"));
          cmd.getErr().flush();
          return 2;
        });
    cl.setExecutionExceptionHandler(
        (ex, cmd, parsed) -> {
          cmd.getErr().println("timerguard: " + ex.getMessage());
          return 2;
        });
    return cl;
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = TimerGuardCli.class.getPackage().getImplementationVersion();
      return new String[] {"timerguard " + (v == null ? "development build" : v)};
    }
  }
}
