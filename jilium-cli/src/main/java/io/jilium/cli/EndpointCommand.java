package io.jilium.cli;

import io.jilium.api.agent.v1.Endpoint;
import io.jilium.api.agent.v1.EndpointListRequest;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jilium endpoint list|get}. */
@Command(
    name = "endpoint",
    description = "Endpoints managed by the agent.",
    subcommands = {EndpointCommand.ListEps.class, EndpointCommand.Get.class})
final class EndpointCommand {
  private EndpointCommand() {}

  static void table(AgentCommandBase cmd, List<Endpoint> eps) {
    Output.Table t =
        new Output.Table(
            "ENDPOINT",
            "POLICY (ingress)",
            "POLICY (egress)",
            "IDENTITY",
            "LABELS (source:key[=value])",
            "IPv6",
            "IPv4",
            "STATUS");
    for (Endpoint e : eps) {
      t.row(
          e.getId(),
          e.getIngressEnforcement(),
          e.getEgressEnforcement(),
          e.getIdentity(),
          String.join("\n", e.getIdentityLabelsList()),
          e.getIpv6(),
          e.getIpv4(),
          e.getState());
    }
    t.print(cmd.out);
  }

  @Command(name = "list", aliases = "ls", description = "List endpoints.")
  static final class ListEps extends AgentCommandBase {
    @Option(
        names = {"-o", "--output"},
        defaultValue = "table")
    String output;

    @Override
    protected int call(AgentApi agent) {
      List<Endpoint> eps =
          agent.endpointList(EndpointListRequest.getDefaultInstance()).getEndpointsList();
      Output.list(out, Output.parse(output), eps, () -> table(this, eps));
      return 0;
    }
  }

  @Command(name = "get", description = "Show one endpoint.")
  static final class Get extends AgentCommandBase {
    @Parameters(paramLabel = "ID")
    int id;

    @Option(
        names = {"-o", "--output"},
        defaultValue = "json")
    String output;

    @Override
    protected int call(AgentApi agent) {
      if (id <= 0) {
        throw new CliException("endpoint " + id + " (expected: a positive number)");
      }
      List<Endpoint> eps =
          agent.endpointList(EndpointListRequest.newBuilder().setId(id).build()).getEndpointsList();
      Output.single(out, Output.parse(output), eps.get(0), () -> table(this, eps));
      return 0;
    }
  }
}
