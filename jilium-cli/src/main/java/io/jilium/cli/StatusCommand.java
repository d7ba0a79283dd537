package io.jilium.cli;

import io.jilium.api.agent.v1.DropCounter;
import io.jilium.api.agent.v1.KernelFeature;
import io.jilium.api.agent.v1.MapPressure;
import io.jilium.api.agent.v1.StatusRequest;
import io.jilium.api.agent.v1.StatusResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code jilium status}. */
@Command(
    name = "status",
    description = "Agent health, kernel features, counts, map pressure and drops.")
final class StatusCommand extends AgentCommandBase {
  @Option(
      names = {"-o", "--output"},
      defaultValue = "table",
      description = "table, json or yaml.")
  String output;

  @Override
  protected int call(AgentApi agent) {
    Output.Format f = Output.parse(output);
    StatusResponse s = agent.status(StatusRequest.getDefaultInstance());
    Output.single(
        out,
        f,
        s,
        () -> {
          out.println("Health:              " + (s.getHealthy() ? "Ok" : "Failing"));
          out.println(
              "Node:                "
                  + s.getNodeName()
                  + " (agent "
                  + s.getVersion()
                  + ", pid "
                  + s.getPid()
                  + ", up "
                  + s.getUptimeSeconds()
                  + "s)");
          out.println("Kernel:              " + s.getKernelRelease());
          out.println("Pod CIDRs:           " + s.getPodCidrV4() + " " + s.getPodCidrV6());
          out.println("Policy enforcement:  " + s.getPolicyEnforcement());
          out.println("Endpoints:           " + s.getEndpoints());
          out.println("Identities:          " + s.getIdentities());
          out.println(
              "Policies:            "
                  + s.getPolicies()
                  + " (revision "
                  + s.getPolicyRevision()
                  + ")");
          out.println(
              "Services:            "
                  + s.getServices()
                  + " ("
                  + s.getFrontends()
                  + " frontends, "
                  + (s.getLbAlgorithm().isEmpty() ? "random" : s.getLbAlgorithm())
                  + ")");
          out.println("State dir:           " + s.getStateDir());
          out.println("BPF maps:            " + s.getBpfRoot());
          out.println("Lost events:         " + s.getLostEvents());
          out.println("Kernel features:");
          for (KernelFeature k : s.getKernelFeaturesList()) {
            out.println(
                "  "
                    + (k.getAvailable() ? "[ok] " : "[--] ")
                    + k.getName()
                    + (k.getDetail().isEmpty() ? "" : " (" + k.getDetail() + ")"));
          }
          out.println("Map pressure:");
          Output.Table t = new Output.Table("  MAP", "ENTRIES", "MAX", "USE");
          for (MapPressure m : s.getMapsList()) {
            double pct = m.getMaxEntries() == 0 ? 0 : 100.0 * m.getEntries() / m.getMaxEntries();
            t.row(
                "  " + m.getName(),
                m.getEntries(),
                m.getMaxEntries(),
                String.format("%.1f%%", pct));
          }
          t.print(out);
          if (s.getDropsCount() > 0) {
            out.println("Drops:");
            Output.Table d = new Output.Table("  REASON", "DIRECTION", "PACKETS", "BYTES");
            for (DropCounter c : s.getDropsList()) {
              d.row(
                  "  " + c.getDescription() + " (" + c.getReason() + ")",
                  c.getDirection(),
                  c.getPackets(),
                  c.getBytes());
            }
            d.print(out);
          }
        });
    return s.getHealthy() ? 0 : 1;
  }
}
