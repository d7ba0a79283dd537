package io.jilium.cli;

import io.jilium.api.agent.v1.PolicyDeleteRequest;
import io.jilium.api.agent.v1.PolicyDeleteResponse;
import io.jilium.api.agent.v1.PolicyGetRequest;
import io.jilium.api.agent.v1.PolicyGetResponse;
import io.jilium.api.agent.v1.PolicyResource;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jilium policy ...}. */
@Command(
    name = "policy",
    description = "Inspect, trace and delete the policies in force.",
    subcommands = {PolicyCommand.Get.class, PolicyCommand.Delete.class, PolicyCommand.Trace.class})
final class PolicyCommand {
  private PolicyCommand() {}

  @Command(name = "get", description = "List the policies in force, with the policy revision.")
  static final class Get extends AgentCommandBase {
    @Option(
        names = {"-o", "--output"},
        defaultValue = "table",
        description = "table, json or yaml.")
    String output;

    @Option(names = "--stats", description = "Packets and bytes allowed or denied, per rule.")
    boolean stats;

    @Override
    protected int call(AgentApi agent) {
      Output.Format f = Output.parse(output);
      PolicyGetResponse resp =
          agent.policyGet(PolicyGetRequest.newBuilder().setStats(stats).build());
      if (stats) {
        Output.single(out, f, resp, () -> printStats(resp));
        return 0;
      }
      if (f == Output.Format.TABLE) {
        out.println("Revision: " + resp.getRevision());
        Output.Table t =
            new Output.Table("KIND", "NAMESPACE", "NAME", "REVISION", "SELECTED ENDPOINTS");
        for (PolicyResource p : resp.getPoliciesList()) {
          t.row(
              p.getKind(),
              p.getNamespace(),
              p.getName(),
              p.getRevision(),
              join(p.getSelectedEndpointsList(), String::valueOf, ","));
        }
        t.print(out);
        return 0;
      }
      List<String> items = new ArrayList<>();
      for (PolicyResource p : resp.getPoliciesList()) {
        items.add(p.getDocumentJson());
      }
      String json =
          "{\"revision\":" + resp.getRevision() + ",\"items\":[" + String.join(",", items) + "]}";
      out.println(f == Output.Format.JSON ? pretty(json) : Output.yaml(json));
      return 0;
    }

    private void printStats(PolicyGetResponse resp) {
      out.println("Revision: " + resp.getRevision());
      Output.Table t =
          new Output.Table(
              "POLICY", "RULE", "ALLOWED PKTS", "ALLOWED BYTES", "DENIED PKTS", "DENIED BYTES");
      for (PolicyResource p : resp.getPoliciesList()) {
        String name =
            p.getKind()
                + " "
                + (p.getNamespace().isEmpty() ? "" : p.getNamespace() + "/")
                + p.getName();
        for (var rule : p.getRulesList()) {
          t.row(
              name,
              rule.getPath(),
              rule.getAllowedPackets(),
              rule.getAllowedBytes(),
              rule.getDeniedPackets(),
              rule.getDeniedBytes());
        }
      }
      t.print(out);
    }

    private static String pretty(String json) {
      try {
        var m = new com.fasterxml.jackson.databind.ObjectMapper();
        return m.writerWithDefaultPrettyPrinter().writeValueAsString(m.readTree(json));
      } catch (Exception e) {
        return json;
      }
    }
  }

  @Command(
      name = "delete",
      description = "Delete a policy (NS/NAME, or NAME for clusterwide) or all of them.")
  static final class Delete extends AgentCommandBase {
    @Parameters(arity = "0..1", paramLabel = "NS/NAME")
    String ref;

    @Option(names = "--all", description = "Delete every policy.")
    boolean all;

    @Override
    protected int call(AgentApi agent) {
      if ((ref == null) == !all) {
        throw new CliException("give either NS/NAME or --all");
      }
      PolicyDeleteRequest.Builder req = PolicyDeleteRequest.newBuilder().setAll(all);
      if (ref != null) {
        int slash = ref.indexOf('/');
        req.setNamespace(slash < 0 ? "" : ref.substring(0, slash))
            .setName(slash < 0 ? ref : ref.substring(slash + 1));
      }
      PolicyDeleteResponse resp = agent.policyDelete(req.build());
      out.println(resp.getDeleted() + " policies deleted, revision " + resp.getRevision());
      return 0;
    }
  }

  @Command(
      name = "trace",
      description =
          "The verdict for a new connection: egress of the source and ingress of the destination, with the rules that decide it.")
  static final class Trace extends AgentCommandBase {
    @Option(names = "--src", required = true, paramLabel = "NS/POD|IP")
    String src;

    @Option(names = "--dst", required = true, paramLabel = "NS/POD|IP")
    String dst;

    @Option(
        names = "--dport",
        required = true,
        paramLabel = "PORT[/PROTO]",
        description =
            "Destination port and protocol (TCP by default); for ICMP the type, e.g. 8/ICMP.")
    String dport;

    @Option(
        names = {"-o", "--output"},
        defaultValue = "table")
    String output;

    @Override
    protected int call(AgentApi agent) {
      String port = dport;
      String proto = "TCP";
      int slash = dport.indexOf('/');
      if (slash >= 0) {
        port = dport.substring(0, slash);
        proto = dport.substring(slash + 1);
      }
      int p;
      try {
        p = Integer.parseInt(port);
      } catch (NumberFormatException e) {
        throw new CliException(
            "--dport \"" + dport + "\" (expected: PORT[/PROTOCOL], e.g. 80/TCP)");
      }
      var resp =
          agent.policyTrace(
              io.jilium.api.agent.v1.PolicyTraceRequest.newBuilder()
                  .setSource(src)
                  .setDestination(dst)
                  .setPort(p)
                  .setProtocol(proto)
                  .build());
      Output.single(out, Output.parse(output), resp, () -> print(resp));
      return resp.getAllowed() ? 0 : 1;
    }

    private void print(io.jilium.api.agent.v1.PolicyTraceResponse r) {
      out.printf(
          "Tracing %s (%s, identity %d) -> %s (%s, identity %d), %d/%s%n",
          r.getSource().getName(),
          r.getSource().getIp(),
          r.getSource().getIdentity(),
          r.getDestination().getName(),
          r.getDestination().getIp(),
          r.getDestination().getIdentity(),
          r.getPort(),
          r.getProtocol());
      for (var s : r.getStepsList()) {
        out.println();
        out.printf(
            "%s of %s (endpoint %d): %s%n",
            s.getDirection(),
            s.getEndpoint(),
            s.getEndpointId(),
            s.getAllowed() ? "ALLOWED" : "DENIED");
        out.println("  " + s.getReason());
        if (s.getEnforced()) {
          out.println(
              "  "
                  + s.getDirection().toLowerCase(java.util.Locale.ROOT)
                  + " enforced; policies selecting the endpoint: "
                  + String.join(", ", s.getEnforcedByList()));
        }
        for (String rule : s.getRulesList()) {
          out.println("  rule: " + rule);
        }
        if (!s.getEntry().isEmpty()) {
          out.println("  map entry: " + s.getEntry());
        }
      }
      out.println();
      out.println("Final verdict: " + (r.getAllowed() ? "ALLOWED" : "DENIED"));
    }
  }
}
