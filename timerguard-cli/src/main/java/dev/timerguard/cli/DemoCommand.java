package dev.timerguard.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code timerguard demo}: placeholder until the showcase lands. */
@Command(name = "demo", mixinStandardHelpOptions = true, description = "Run the leak demo.")
final class DemoCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    System.out.println("demo: not yet built");
    return 0;
  }
}
