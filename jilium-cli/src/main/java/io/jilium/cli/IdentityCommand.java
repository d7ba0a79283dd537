package io.jilium.cli;

import io.jilium.api.agent.v1.Identity;
import io.jilium.api.agent.v1.IdentityListRequest;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jilium identity list|get}. */
@Command(
    name = "identity",
    description = "Security identities.",
    subcommands = {IdentityCommand.ListIds.class, IdentityCommand.Get.class})
final class IdentityCommand {
  private IdentityCommand() {}

  static void print(AgentCommandBase cmd, String output, List<Identity> ids) {
    Output.list(
        cmd.out,
        Output.parse(output),
        ids,
        () -> {
          Output.Table t = new Output.Table("ID", "LABELS", "REFERENCES");
          for (Identity i : ids) {
            t.row(
                i.getId(),
                String.join("\n", i.getLabelsList()),
                i.getReserved() ? "reserved" : i.getReferences());
          }
          t.print(cmd.out);
        });
  }

  @Command(name = "list", aliases = "ls", description = "List identities.")
  static final class ListIds extends AgentCommandBase {
    @Option(
        names = {"-o", "--output"},
        defaultValue = "table")
    String output;

    @Override
    protected int call(AgentApi agent) {
      print(
          this,
          output,
          agent.identityList(IdentityListRequest.getDefaultInstance()).getIdentitiesList());
      return 0;
    }
  }

  @Command(name = "get", description = "Show one identity.")
  static final class Get extends AgentCommandBase {
    @Parameters(paramLabel = "ID")
    int id;

    @Option(
        names = {"-o", "--output"},
        defaultValue = "table")
    String output;

    @Override
    protected int call(AgentApi agent) {
      if (id <= 0) {
        throw new CliException("identity " + id + " (expected: a positive number)");
      }
      List<Identity> ids =
          agent
              .identityList(IdentityListRequest.newBuilder().setId(id).build())
              .getIdentitiesList();
      Output.Format f = Output.parse(output);
      Output.single(out, f, ids.get(0), () -> print(this, output, ids));
      return 0;
    }
  }
}
