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
    description = "Inspect and delete the policies in force.",
    subcommands = {PolicyCommand.Get.class, PolicyCommand.Delete.class})
final class PolicyCommand {
  private PolicyCommand() {}

  @Command(name = "get", description = "List the policies in force, with the policy revision.")
  static final class Get extends AgentCommandBase {
    @Option(
        names = {"-o", "--output"},
        defaultValue = "table",
        description = "table, json or yaml.")
    String output;

    @Override
    protected int call(AgentApi agent) {
      Output.Format f = Output.parse(output);
      PolicyGetResponse resp = agent.policyGet(PolicyGetRequest.getDefaultInstance());
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
}
