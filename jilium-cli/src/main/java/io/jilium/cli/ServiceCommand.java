package io.jilium.cli;

import io.jilium.api.agent.v1.LbAddress;
import io.jilium.api.agent.v1.LbBackend;
import io.jilium.api.agent.v1.LbService;
import io.jilium.api.agent.v1.ServiceListRequest;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jilium service list|get}: frontends and their backends, as {@code cilium service}. */
@Command(
    name = "service",
    description = "Load-balanced services: one entry per frontend, with its backends.",
    subcommands = {ServiceCommand.ListCmd.class, ServiceCommand.Get.class})
final class ServiceCommand {
  private ServiceCommand() {}

  /** {@code 10.96.0.1:80/TCP}, {@code [fd00::1]:80/TCP}. */
  static String address(LbAddress a) {
    String ip = a.getIp().contains(":") ? "[" + a.getIp() + "]" : a.getIp();
    return ip + ":" + a.getPort() + (a.getProtocol().isEmpty() ? "" : "/" + a.getProtocol());
  }

  static void print(AgentCommandBase cmd, String output, List<LbService> services) {
    Output.list(
        cmd.out,
        Output.parse(output),
        services,
        () -> {
          Output.Table t = new Output.Table("ID", "Frontend", "Service Type", "Backend");
          for (LbService s : services) {
            List<String> backends = new ArrayList<>();
            int i = 1;
            for (LbBackend b : s.getBackendsList()) {
              backends.add(i++ + " => " + address(b.getAddress()) + " (" + b.getState() + ")");
            }
            t.row(s.getId(), address(s.getFrontend()), s.getType(), String.join("\n", backends));
          }
          t.print(cmd.out);
        });
  }

  @Command(name = "list", aliases = "ls", description = "List services (frontends).")
  static final class ListCmd extends AgentCommandBase {
    @Option(
        names = {"-o", "--output"},
        defaultValue = "table",
        description = "table, json or yaml (default: ${DEFAULT-VALUE}).")
    String output;

    @Override
    protected int call(AgentApi agent) {
      print(
          this,
          output,
          agent.serviceList(ServiceListRequest.getDefaultInstance()).getServicesList());
      return 0;
    }
  }

  @Command(name = "get", description = "Show one service (frontend) by id.")
  static final class Get extends AgentCommandBase {
    @Parameters(paramLabel = "ID", description = "The service id (the ID column of list).")
    int id;

    @Option(
        names = {"-o", "--output"},
        defaultValue = "table",
        description = "table, json or yaml (default: ${DEFAULT-VALUE}).")
    String output;

    @Override
    protected int call(AgentApi agent) {
      if (id <= 0 || id > 65535) {
        throw new CliException("service id " + id + " (expected: 1-65535)");
      }
      Output.Format f = Output.parse(output);
      List<LbService> s =
          agent.serviceList(ServiceListRequest.newBuilder().setId(id).build()).getServicesList();
      Output.single(out, f, s.get(0), () -> print(this, output, s));
      return 0;
    }
  }
}
