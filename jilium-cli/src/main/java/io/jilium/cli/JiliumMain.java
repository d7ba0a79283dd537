package io.jilium.cli;

import java.io.PrintWriter;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** {@code jilium}: the command line. */
@Command(
    name = "jilium",
    mixinStandardHelpOptions = true,
    versionProvider = JiliumMain.Version.class,
    description = "Jilium: eBPF networking, security and observability, with a Java control plane.",
    subcommands = {
      JiliumMain.AgentLauncher.class,
      StatusCommand.class,
      PodCommand.class,
      ApplyCommand.class,
      DeleteCommand.class,
      PolicyCommand.class,
      IdentityCommand.class,
      EndpointCommand.class,
      BpfCommand.class,
      MonitorCommand.class,
      DemoCommand.class,
      CommandLine.HelpCommand.class
    })
public final class JiliumMain implements Runnable {
  @Option(
      names = "--socket",
      scope = ScopeType.INHERIT,
      description = "Agent API socket (default: $JILIUM_SOCKET or " + AgentClient.DEFAULT_SOCKET + ").")
  Path socket;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  static int run(String[] args) {
    if (args.length > 0 && args[0].equals("agent")) {
      return AgentLauncher.launch(Arrays.copyOfRange(args, 1, args.length));
    }
    CommandLine cl = new CommandLine(new JiliumMain());
    cl.setExecutionExceptionHandler(
        (ex, cmd, parsed) -> {
          if (ex instanceof CliException ce) {
            cmd.getErr().println("Error: " + ce.getMessage());
            return ce.exitCode();
          }
          cmd.getErr().println("Error: " + ex);
          return 1;
        });
    return cl.execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The socket chosen for this invocation. */
  Path socket() {
    return AgentClient.resolveSocket(socket);
  }

  /** Version from the jar manifest, else "dev". */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = JiliumMain.class.getPackage().getImplementationVersion();
      return new String[] {"jilium " + (v == null ? "0.1.0" : v)};
    }
  }

  /** {@code jilium agent ...}: runs the agent (in the same jar, loaded only when asked for). */
  @Command(name = "agent", description = "Run the node agent (root). See: jilium agent --help", mixinStandardHelpOptions = false)
  static final class AgentLauncher implements java.util.concurrent.Callable<Integer> {
    @CommandLine.Unmatched String[] args = new String[0];

    @Override
    public Integer call() {
      return launch(args);
    }

    static int launch(String[] args) {
      try {
        Class<?> main = Class.forName("io.jilium.agent.AgentMain");
        Method run = main.getMethod("run", String[].class);
        return (Integer) run.invoke(null, (Object) args);
      } catch (ClassNotFoundException e) {
        new PrintWriter(System.err, true).println("Error: this jilium build has no agent");
        return 1;
      } catch (ReflectiveOperationException e) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        System.err.println("Error: " + cause.getMessage());
        return 1;
      }
    }
  }
}
