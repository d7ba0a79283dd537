package io.jilium.cli;

import io.jilium.api.agent.v1.BpfCtListRequest;
import io.jilium.api.agent.v1.BpfIpCacheListRequest;
import io.jilium.api.agent.v1.BpfLbListRequest;
import io.jilium.api.agent.v1.BpfLbListResponse;
import io.jilium.api.agent.v1.BpfLbMaglevGetRequest;
import io.jilium.api.agent.v1.BpfLbMaglevGetResponse;
import io.jilium.api.agent.v1.BpfPolicyGetRequest;
import io.jilium.api.agent.v1.CtEntry;
import io.jilium.api.agent.v1.IpCacheEntry;
import io.jilium.api.agent.v1.LbMaglevTable;
import io.jilium.api.agent.v1.LbMapEntry;
import io.jilium.api.agent.v1.LbRevNatEntry;
import io.jilium.api.agent.v1.PolicyMapEntry;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jilium bpf ...}: the kernel maps, decoded. */
@Command(
    name = "bpf",
    description = "Inspect the datapath's BPF maps.",
    subcommands = {
      BpfCommand.IpCache.class,
      BpfCommand.Policy.class,
      BpfCommand.Ct.class,
      BpfCommand.Lb.class
    })
final class BpfCommand {
  private BpfCommand() {}

  @Command(
      name = "ipcache",
      description = "The ipcache: IP prefix -> identity.",
      subcommands = IpCache.ListCmd.class)
  static final class IpCache {
    @Command(name = "list", aliases = "ls", description = "List ipcache entries.")
    static final class ListCmd extends AgentCommandBase {
      @Option(
          names = {"-o", "--output"},
          defaultValue = "table")
      String output;

      @Override
      protected int call(AgentApi agent) {
        List<IpCacheEntry> es =
            agent.bpfIpCacheList(BpfIpCacheListRequest.getDefaultInstance()).getEntriesList();
        Output.list(
            out,
            Output.parse(output),
            es,
            () -> {
              Output.Table t =
                  new Output.Table("IP PREFIX/ADDRESS", "IDENTITY", "TUNNEL ENDPOINT", "FLAGS");
              for (IpCacheEntry e : es) {
                t.row(
                    e.getPrefix(),
                    "identity=" + e.getIdentity(),
                    e.getTunnelEndpoint().isEmpty() ? "0.0.0.0" : e.getTunnelEndpoint(),
                    e.getFlags().isEmpty() ? "<none>" : e.getFlags());
              }
              t.print(out);
            });
        return 0;
      }
    }
  }

  @Command(
      name = "policy",
      description = "An endpoint's policy map.",
      subcommands = Policy.Get.class)
  static final class Policy {
    @Command(
        name = "get",
        description = "Show the policy map of an endpoint, with the policies each entry came from.")
    static final class Get extends AgentCommandBase {
      @Parameters(paramLabel = "ENDPOINT")
      int endpoint;

      @Option(
          names = {"-o", "--output"},
          defaultValue = "table")
      String output;

      @Override
      protected int call(AgentApi agent) {
        var resp =
            agent.bpfPolicyGet(BpfPolicyGetRequest.newBuilder().setEndpointId(endpoint).build());
        Output.single(
            out,
            Output.parse(output),
            resp,
            () -> {
              Output.Table t =
                  new Output.Table(
                      "POLICY",
                      "DIRECTION",
                      "IDENTITY",
                      "LABELS (source:key[=value])",
                      "PORT/PROTO",
                      "PACKETS",
                      "BYTES",
                      "DERIVED FROM");
              for (PolicyMapEntry e : resp.getEntriesList()) {
                t.row(
                    e.getVerdict().equals("deny") ? "Deny" : "Allow",
                    e.getDirection(),
                    e.getIdentity() == 0 ? "ANY" : e.getIdentity(),
                    e.getIdentity() == 0
                        ? "reserved:unknown"
                        : String.join("\n", e.getIdentityLabelsList()),
                    portProto(e),
                    e.getPackets(),
                    e.getBytes(),
                    String.join("\n", e.getDerivedFromList()));
              }
              t.print(out);
            });
        return 0;
      }

      static String portProto(PolicyMapEntry e) {
        if (e.getPortPrefixLen() == 0) {
          return "ANY";
        }
        if (e.getPortPrefixLen() == 8) {
          return "ANY/" + e.getProtocol();
        }
        if (e.getPortPrefixLen() == 24) {
          return e.getPort() + "/" + e.getProtocol();
        }
        int bits = e.getPortPrefixLen() - 8;
        int high = e.getPort() | ((1 << (16 - bits)) - 1);
        return e.getPort() + "-" + high + "/" + e.getProtocol();
      }
    }
  }

  @Command(name = "ct", description = "Connection tracking.", subcommands = Ct.ListCmd.class)
  static final class Ct {
    @Command(name = "list", aliases = "ls", description = "List tracked connections.")
    static final class ListCmd extends AgentCommandBase {
      @Option(
          names = {"-o", "--output"},
          defaultValue = "table")
      String output;

      @Override
      protected int call(AgentApi agent) {
        List<CtEntry> es = agent.bpfCtList(BpfCtListRequest.getDefaultInstance()).getEntriesList();
        Output.list(
            out,
            Output.parse(output),
            es,
            () -> {
              Output.Table t =
                  new Output.Table(
                      "PROTO",
                      "SOURCE",
                      "DESTINATION",
                      "DIRECTION",
                      "EXPIRES",
                      "TX PKTS",
                      "RX PKTS",
                      "FLAGS",
                      "REMOTE IDENTITY");
              for (CtEntry e : es) {
                t.row(
                    e.getProtocol(),
                    hostPort(e.getSource(), e.getSourcePort()),
                    hostPort(e.getDestination(), e.getDestinationPort()),
                    e.getDirection(),
                    e.getExpiresInSeconds() + "s",
                    e.getTxPackets(),
                    e.getRxPackets(),
                    e.getFlags(),
                    e.getRemoteIdentity());
              }
              t.print(out);
            });
        return 0;
      }

      static String hostPort(String ip, int port) {
        return (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + port;
      }
    }
  }

  @Command(
      name = "lb",
      description = "The load-balancing maps: services, backends, reverse NAT, Maglev.",
      subcommands = {Lb.ListCmd.class, Lb.Maglev.class})
  static final class Lb {
    @Command(
        name = "list",
        aliases = "ls",
        description = "List the services map: every frontend slot and the backend it names.")
    static final class ListCmd extends AgentCommandBase {
      @Option(names = "--revnat", description = "List the reverse NAT map instead.")
      boolean revnat;

      @Option(
          names = {"-o", "--output"},
          defaultValue = "table")
      String output;

      @Override
      protected int call(AgentApi agent) {
        BpfLbListResponse r =
            agent.bpfLbList(BpfLbListRequest.newBuilder().setRevnat(revnat).build());
        Output.Format f = Output.parse(output);
        if (revnat) {
          Output.list(
              out,
              f,
              r.getRevNatList(),
              () -> {
                Output.Table t = new Output.Table("ID", "SERVICE ADDRESS");
                for (LbRevNatEntry e : r.getRevNatList()) {
                  t.row(e.getId(), ServiceCommand.address(e.getAddress()));
                }
                t.print(out);
              });
          return 0;
        }
        Output.list(
            out,
            f,
            r.getEntriesList(),
            () -> {
              Output.Table t =
                  new Output.Table("SERVICE ADDRESS", "BACKEND ADDRESS (REVNAT_ID) (SLOT)");
              for (LbMapEntry e : r.getEntriesList()) {
                t.row(
                    ServiceCommand.address(e.getFrontend()) + " (" + e.getSlot() + ")", backend(e));
              }
              t.print(out);
            });
        return 0;
      }

      /** As Cilium prints it: slot 0 as {@code 0.0.0.0:0 (id) (0) [flags]}. */
      static String backend(LbMapEntry e) {
        if (e.getSlot() == 0) {
          return "0.0.0.0:0 ("
              + e.getRevNatIndex()
              + ") (0) ["
              + String.join(", ", e.getFlagsList())
              + "]";
        }
        if (!e.hasBackend()) {
          return "backend " + e.getBackendId() + " not found";
        }
        return ServiceCommand.address(e.getBackend())
            + " ("
            + e.getRevNatIndex()
            + ") ("
            + e.getSlot()
            + ")"
            + (e.getBackendState().equals("terminating") ? " [terminating]" : "");
      }
    }

    @Command(name = "maglev", description = "Maglev lookup tables.", subcommands = Maglev.Get.class)
    static final class Maglev {
      @Command(name = "get", description = "Show the Maglev table of a service id.")
      static final class Get extends AgentCommandBase {
        @Parameters(paramLabel = "SERVICE_ID")
        int id;

        @Option(
            names = {"-o", "--output"},
            defaultValue = "table")
        String output;

        @Override
        protected int call(AgentApi agent) {
          if (id <= 0 || id > 65535) {
            throw new CliException("service id " + id + " (expected: 1-65535)");
          }
          BpfLbMaglevGetResponse r =
              agent.bpfLbMaglevGet(BpfLbMaglevGetRequest.newBuilder().setServiceId(id).build());
          Output.single(
              out,
              Output.parse(output),
              r,
              () -> {
                Output.Table t = new Output.Table("SVC ID", "FAMILY", "BACKEND SLOTS", "LUT");
                for (LbMaglevTable m : r.getTablesList()) {
                  java.util.TreeMap<Integer, Integer> counts = new java.util.TreeMap<>();
                  StringBuilder lut = new StringBuilder("[");
                  for (int b : m.getBackendIdsList()) {
                    counts.merge(b, 1, Integer::sum);
                    lut.append(' ').append(b);
                  }
                  lut.append(" ]");
                  List<String> share = new java.util.ArrayList<>();
                  counts.forEach((b, n) -> share.add(b + ": " + n));
                  t.row(r.getServiceId(), m.getFamily(), String.join("\n", share), lut);
                }
                t.print(out);
              });
          return 0;
        }
      }
    }
  }
}
