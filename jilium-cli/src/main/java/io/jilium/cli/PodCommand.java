package io.jilium.cli;

import io.jilium.api.agent.v1.NamedPort;
import io.jilium.api.agent.v1.Pod;
import io.jilium.api.agent.v1.PodLabelRequest;
import io.jilium.api.agent.v1.PodListRequest;
import io.jilium.api.agent.v1.PodRef;
import io.jilium.api.agent.v1.PodRunRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jilium pod ...}: standalone workloads. */
@Command(
    name = "pod",
    description = "Run, inspect and delete pods (standalone mode).",
    subcommands = {
      PodCommand.Run.class,
      PodCommand.Exec.class,
      PodCommand.Label.class,
      PodCommand.ListPods.class,
      PodCommand.Delete.class
    })
final class PodCommand {
  private PodCommand() {}

  static Map<String, String> parseLabels(List<String> specs) {
    Map<String, String> labels = new LinkedHashMap<>();
    for (String spec : specs) {
      for (String kv : spec.split(",")) {
        if (kv.isEmpty()) {
          continue;
        }
        int eq = kv.indexOf('=');
        if (eq <= 0) {
          throw new CliException("label \"" + kv + "\" (expected: key=value)");
        }
        labels.put(kv.substring(0, eq), kv.substring(eq + 1));
      }
    }
    return labels;
  }

  static NamedPort parsePort(String spec) {
    // NAME=PORT/PROTO, protocol optional (TCP)
    int eq = spec.indexOf('=');
    if (eq <= 0) {
      throw new CliException(
          "port \"" + spec + "\" (expected: NAME=PORT/PROTOCOL, e.g. http=80/TCP)");
    }
    String name = spec.substring(0, eq);
    String rest = spec.substring(eq + 1);
    String proto = "TCP";
    int slash = rest.indexOf('/');
    if (slash >= 0) {
      proto = rest.substring(slash + 1).toUpperCase(java.util.Locale.ROOT);
      rest = rest.substring(0, slash);
    }
    int port;
    try {
      port = Integer.parseInt(rest);
    } catch (NumberFormatException e) {
      throw new CliException(
          "port \"" + spec + "\": \"" + rest + "\" is not a number (expected: 1-65535)");
    }
    if (port < 1 || port > 65535) {
      throw new CliException("port \"" + spec + "\": " + port + " (expected: 1-65535)");
    }
    return NamedPort.newBuilder().setName(name).setPort(port).setProtocol(proto).build();
  }

  static String labelsText(Map<String, String> labels) {
    List<String> l = new ArrayList<>();
    new TreeMap<>(labels).forEach((k, v) -> l.add(k + "=" + v));
    return String.join(",", l);
  }

  @Command(
      name = "run",
      description =
          "Create a pod: a network namespace wired into the datapath, optionally running a command.")
  static final class Run extends AgentCommandBase {
    @Parameters(index = "0", paramLabel = "NS/NAME", description = "Namespace and name of the pod.")
    String ref;

    @Option(
        names = {"--labels", "-l"},
        paramLabel = "k=v[,k=v...]",
        description = "Pod labels.")
    List<String> labels = new ArrayList<>();

    @Option(
        names = "--port",
        paramLabel = "NAME=PORT/PROTO",
        description = "A named port, e.g. http=80/TCP.")
    List<String> ports = new ArrayList<>();

    @Option(
        names = {"-o", "--output"},
        defaultValue = "table",
        description = "table, json or yaml.")
    String output;

    @Parameters(
        index = "1..*",
        paramLabel = "CMD",
        description = "Command to start in the pod (after --).")
    List<String> command = new ArrayList<>();

    @Override
    protected int call(AgentApi agent) {
      String[] r = podRef(ref);
      Output.Format f = Output.parse(output);
      PodRunRequest.Builder req =
          PodRunRequest.newBuilder()
              .setNamespace(r[0])
              .setName(r[1])
              .putAllLabels(parseLabels(labels))
              .addAllCommand(command);
      for (String p : ports) {
        req.addPorts(parsePort(p));
      }
      Pod pod = agent.podRun(req.build());
      Output.single(
          out,
          f,
          pod,
          () -> {
            out.println(
                "pod "
                    + pod.getNamespace()
                    + "/"
                    + pod.getName()
                    + " created (endpoint "
                    + pod.getEndpointId()
                    + ", identity "
                    + pod.getIdentity()
                    + ")");
            if (!pod.getIpv4().isEmpty()) {
              out.println("  IPv4: " + pod.getIpv4());
            }
            if (!pod.getIpv6().isEmpty()) {
              out.println("  IPv6: " + pod.getIpv6());
            }
            if (!pod.getLogFile().isEmpty()) {
              out.println("  log:  " + pod.getLogFile());
            }
          });
      return 0;
    }
  }

  @Command(
      name = "exec",
      description =
          "Run a command in a pod's network namespace, with its stdin, stdout, stderr and exit code.")
  static final class Exec extends AgentCommandBase {
    @Parameters(index = "0", paramLabel = "NS/NAME")
    String ref;

    @Parameters(
        index = "1..*",
        paramLabel = "CMD",
        arity = "1..*",
        description = "The command (after --).")
    List<String> command = new ArrayList<>();

    @Override
    protected int call(AgentApi agent) {
      String[] r = podRef(ref);
      Pod pod =
          agent
              .podList(PodListRequest.newBuilder().setNamespace(r[0]).setName(r[1]).build())
              .getPods(0);
      List<String> argv = new ArrayList<>(List.of("nsenter", "--net=" + pod.getNetns(), "--"));
      argv.addAll(command);
      try {
        Process p = new ProcessBuilder(argv).inheritIO().start();
        return p.waitFor();
      } catch (IOException e) {
        throw new CliException("exec in pod " + ref + ": " + e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return 130;
      }
    }
  }

  @Command(
      name = "label",
      description =
          "Add, change (with --overwrite) or remove (key-) pod labels, like kubectl label.")
  static final class Label extends AgentCommandBase {
    @Parameters(index = "0", paramLabel = "NS/NAME")
    String ref;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "k=v|k-")
    List<String> changes = new ArrayList<>();

    @Option(names = "--overwrite", description = "Allow changing the value of an existing label.")
    boolean overwrite;

    @Override
    protected int call(AgentApi agent) {
      String[] r = podRef(ref);
      PodLabelRequest.Builder req =
          PodLabelRequest.newBuilder()
              .setPod(PodRef.newBuilder().setNamespace(r[0]).setName(r[1]))
              .setOverwrite(overwrite);
      for (String c : changes) {
        if (c.endsWith("-") && !c.contains("=")) {
          req.addRemove(c.substring(0, c.length() - 1));
        } else {
          int eq = c.indexOf('=');
          if (eq <= 0) {
            throw new CliException("label change \"" + c + "\" (expected: key=value or key-)");
          }
          req.putSet(c.substring(0, eq), c.substring(eq + 1));
        }
      }
      Pod pod = agent.podLabel(req.build());
      out.println("pod/" + pod.getName() + " labeled (identity " + pod.getIdentity() + ")");
      return 0;
    }
  }

  @Command(name = "list", aliases = "ls", description = "List pods.")
  static final class ListPods extends AgentCommandBase {
    @Option(
        names = {"-o", "--output"},
        defaultValue = "table",
        description = "table, json or yaml.")
    String output;

    @Option(
        names = {"-n", "--namespace"},
        description = "Only this namespace.")
    String namespace = "";

    @Override
    protected int call(AgentApi agent) {
      Output.Format f = Output.parse(output);
      List<Pod> pods =
          agent.podList(PodListRequest.newBuilder().setNamespace(namespace).build()).getPodsList();
      Output.list(
          out,
          f,
          pods,
          () -> {
            Output.Table t =
                new Output.Table(
                    "NAMESPACE", "NAME", "IPV4", "IPV6", "ENDPOINT", "IDENTITY", "LABELS");
            for (Pod p : pods) {
              t.row(
                  p.getNamespace(),
                  p.getName(),
                  p.getIpv4(),
                  p.getIpv6(),
                  p.getEndpointId(),
                  p.getIdentity(),
                  labelsText(p.getLabelsMap()));
            }
            t.print(out);
          });
      return 0;
    }
  }

  @Command(
      name = "delete",
      aliases = "rm",
      description = "Delete pods: their processes, namespace, veth, endpoint and addresses.")
  static final class Delete extends AgentCommandBase {
    @Parameters(arity = "1..*", paramLabel = "NS/NAME")
    List<String> refs = new ArrayList<>();

    @Override
    protected int call(AgentApi agent) {
      for (String ref : refs) {
        String[] r = podRef(ref);
        agent.podDelete(PodRef.newBuilder().setNamespace(r[0]).setName(r[1]).build());
        out.println("pod " + r[0] + "/" + r[1] + " deleted");
      }
      return 0;
    }
  }
}
