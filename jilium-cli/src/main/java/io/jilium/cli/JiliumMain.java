package io.jilium.cli;

import java.io.PrintWriter;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** {@code jilium}: the command line. */
@Command(
    name = "jilium",
    mixinStandardHelpOptions = true,
    versionProvider = JiliumMain.Version.class,
    description = "Jilium: eBPF networking, security and observability, with a Java control plane.")
public final class JiliumMain implements Runnable {
  /**
   * The subcommands, in help order. Only the one invoked is introspected by picocli (building the
   * whole tree costs more start-up time than the command itself).
   */
  private static final Map<String, Class<?>> SUBCOMMANDS = new LinkedHashMap<>();

  static {
    SUBCOMMANDS.put("agent", AgentLauncher.class);
    SUBCOMMANDS.put("status", StatusCommand.class);
    SUBCOMMANDS.put("pod", PodCommand.class);
    SUBCOMMANDS.put("apply", ApplyCommand.class);
    SUBCOMMANDS.put("delete", DeleteCommand.class);
    SUBCOMMANDS.put("policy", PolicyCommand.class);
    SUBCOMMANDS.put("identity", IdentityCommand.class);
    SUBCOMMANDS.put("endpoint", EndpointCommand.class);
    SUBCOMMANDS.put("service", ServiceCommand.class);
    SUBCOMMANDS.put("bpf", BpfCommand.class);
    SUBCOMMANDS.put("monitor", MonitorCommand.class);
    SUBCOMMANDS.put("observe", ObserveCommand.class);
    SUBCOMMANDS.put("demo", DemoCommand.class);
    SUBCOMMANDS.put("help", CommandLine.HelpCommand.class);
  }

  @Option(
      names = "--socket",
      scope = ScopeType.INHERIT,
      description =
          "Agent API socket (default: $JILIUM_SOCKET or " + AgentClient.DEFAULT_SOCKET + ").")
  Path socket;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  static int run(String[] args) {
    if (args.length > 0 && args[0].equals("agent")) {
      return AgentLauncher.launch(Arrays.copyOfRange(args, 1, args.length));
    }
    if (args.length == 2 && args[0].startsWith("__aot-")) {
      try {
        return args[0].equals("__aot-standin")
            ? AotTraining.standIn(java.nio.file.Path.of(args[1]))
            : AotTraining.train(java.nio.file.Path.of(args[1]));
      } catch (Exception e) {
        System.err.println("AOT training failed: " + e);
        return 1;
      }
    }
    CommandLine cl = new CommandLine(new JiliumMain());
    String invoked = firstWord(args);
    if (invoked != null && SUBCOMMANDS.containsKey(invoked) && !invoked.equals("help")) {
      cl.addSubcommand(invoked, SUBCOMMANDS.get(invoked));
    } else {
      SUBCOMMANDS.forEach(cl::addSubcommand);
    }
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

  /** The first argument that is not an option (or the value of --socket). */
  private static String firstWord(String[] args) {
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--socket")) {
        i++;
      } else if (!a.startsWith("-")) {
        return a;
      }
    }
    return null;
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
  @Command(
      name = "agent",
      description = "Run the node agent (root). See: jilium agent --help",
      mixinStandardHelpOptions = false)
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
