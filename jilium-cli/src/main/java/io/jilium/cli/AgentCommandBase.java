package io.jilium.cli;

import io.jilium.cli.rpc.RpcException;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine;

/** A command that talks to the agent. Subclasses implement {@link #call(AgentApi)}. */
abstract class AgentCommandBase implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  protected PrintStream out = System.out;

  @Override
  public final Integer call() {
    Integer offline = beforeConnecting();
    if (offline != null) {
      return offline;
    }
    JiliumMain root = (JiliumMain) spec.root().userObject();
    try (AgentClient client = new AgentClient(root.socket())) {
      try {
        return call(client.api());
      } catch (RpcException e) {
        throw client.translate(e);
      }
    }
  }

  protected abstract int call(AgentApi agent);

  /**
   * Work that needs no agent, done first (checking flags, so their errors come before any
   * connection error); an exit code ends the command without contacting the agent.
   */
  protected Integer beforeConnecting() {
    return null;
  }

  /** NS/NAME -> {ns, name}; a bare NAME means the default namespace. */
  static String[] podRef(String ref) {
    int slash = ref.indexOf('/');
    if (slash < 0) {
      return new String[] {"default", ref};
    }
    if (slash == 0 || slash == ref.length() - 1 || ref.indexOf('/', slash + 1) >= 0) {
      throw new CliException("pod \"" + ref + "\" (expected: NAMESPACE/NAME or NAME)");
    }
    return new String[] {ref.substring(0, slash), ref.substring(slash + 1)};
  }

  static <T> String join(Iterable<T> items, Function<T, String> f, String sep) {
    StringBuilder sb = new StringBuilder();
    for (T t : items) {
      if (sb.length() > 0) {
        sb.append(sep);
      }
      sb.append(f.apply(t));
    }
    return sb.toString();
  }
}
