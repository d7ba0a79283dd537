package io.jilium.agent;

import io.jilium.agent.datapath.LbMapSync;
import io.jilium.agent.service.L3n4Addr;
import io.jilium.agent.service.LbState;
import io.jilium.agent.service.ServiceManager;
import io.jilium.api.agent.v1.BpfLbListResponse;
import io.jilium.api.agent.v1.BpfLbMaglevGetResponse;
import io.jilium.api.agent.v1.LbAddress;
import io.jilium.api.agent.v1.LbBackend;
import io.jilium.api.agent.v1.LbMaglevTable;
import io.jilium.api.agent.v1.LbMapEntry;
import io.jilium.api.agent.v1.LbRevNatEntry;
import io.jilium.api.agent.v1.LbService;
import io.jilium.core.policy.Protocol;
import io.jilium.core.resource.IpFamily;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** Services and the load-balancing maps as API messages. */
final class ServiceApi {
  private ServiceApi() {}

  private static RuntimeException unavailable(String why) {
    return io.grpc.Status.FAILED_PRECONDITION.withDescription(why).asRuntimeException();
  }

  static LbAddress address(L3n4Addr a) {
    return LbAddress.newBuilder()
        .setIp(a.address())
        .setPort(a.port())
        .setProtocol(a.protocol() == Protocol.ANY ? "" : a.protocol().name())
        .build();
  }

  /** The datapath's flags by Cilium's names ({@code cilium bpf lb list}). */
  static List<String> flags(int flags) {
    List<String> out = new ArrayList<>();
    if ((flags & LbState.F_CLUSTERIP) != 0) {
      out.add("ClusterIP");
      out.add("non-routable");
    }
    if ((flags & LbState.F_NODEPORT) != 0) {
      out.add("NodePort");
    }
    if ((flags & LbState.F_EXTERNAL_IP) != 0) {
      out.add("ExternalIPs");
    }
    if ((flags & LbState.F_LOADBALANCER) != 0) {
      out.add("LoadBalancer");
    }
    if ((flags & LbState.F_AFFINITY) != 0) {
      out.add("sessionAffinity");
    }
    if ((flags & LbState.F_MAGLEV) != 0) {
      out.add("Maglev");
    }
    return out;
  }

  static LbService service(ServiceManager.FrontendView f) {
    LbService.Builder b =
        LbService.newBuilder()
            .setId(f.id())
            .setFrontend(address(f.frontend()))
            .setType(f.type().ciliumName())
            .setNamespace(f.namespace())
            .setName(f.name())
            .setPortName(f.portName())
            .addAllFlags(flags(f.flags()))
            .setSessionAffinityTimeout(f.affinityTimeout());
    for (ServiceManager.BackendView bv : f.backends()) {
      b.addBackends(
          LbBackend.newBuilder()
              .setId(bv.id())
              .setAddress(address(bv.address()))
              .setState(bv.terminating() ? "terminating" : "active"));
    }
    return b.build();
  }

  /** The services maps (or the reverse NAT maps) as the kernel holds them. */
  static BpfLbListResponse bpfLbList(LbMapSync maps, boolean revNat) {
    if (maps == null) {
      throw unavailable("the load-balancing maps are not open yet");
    }
    LbState s = maps.read();
    BpfLbListResponse.Builder b = BpfLbListResponse.newBuilder();
    if (revNat) {
      s.revNat().entrySet().stream()
          .sorted(
              Comparator.comparing((Map.Entry<LbState.FamilyId, L3n4Addr> e) -> e.getKey().family())
                  .thenComparingInt(e -> e.getKey().id()))
          .forEach(
              e ->
                  b.addRevNat(
                      LbRevNatEntry.newBuilder()
                          .setId(e.getKey().id())
                          .setAddress(address(e.getValue()))));
      return b.build();
    }
    List<L3n4Addr> frontends = new ArrayList<>(s.frontends().keySet());
    frontends.sort(null);
    for (L3n4Addr fe : frontends) {
      LbState.Frontend f = s.frontends().get(fe);
      if (f.id() != 0) {
        b.addEntries(
            LbMapEntry.newBuilder()
                .setFrontend(address(fe))
                .setSlot(0)
                .setRevNatIndex(f.id())
                .setCount(f.count())
                .addAllFlags(flags(f.flags()))
                .setAffinityTimeout(f.affinityTimeout()));
      }
      for (int i = 0; i < f.slots().size(); i++) {
        int id = f.slots().get(i);
        if (id == 0) {
          continue;
        }
        LbMapEntry.Builder e =
            LbMapEntry.newBuilder()
                .setFrontend(address(fe))
                .setSlot(i + 1)
                .setRevNatIndex(f.id())
                .setBackendId(id);
        LbState.Backend be = s.backends().get(id);
        if (be != null) {
          e.setBackend(address(be.address()))
              .setBackendState(
                  be.state() == LbState.BACKEND_TERMINATING ? "terminating" : "active");
        }
        b.addEntries(e);
      }
    }
    return b.build();
  }

  /** A service's Maglev tables as the kernel holds them. */
  static BpfLbMaglevGetResponse maglev(LbMapSync maps, int serviceId) {
    if (maps == null) {
      throw unavailable("the load-balancing maps are not open yet");
    }
    if (!maps.hasMaglev()) {
      throw unavailable("no Maglev maps: per-packet load balancing (bpf_host) is not loaded");
    }
    BpfLbMaglevGetResponse.Builder b = BpfLbMaglevGetResponse.newBuilder().setServiceId(serviceId);
    for (IpFamily f : IpFamily.values()) {
      maps.maglevTable(f, serviceId)
          .ifPresent(
              t -> {
                LbMaglevTable.Builder tb = LbMaglevTable.newBuilder().setFamily(f.apiName());
                for (int id : t) {
                  tb.addBackendIds(id);
                }
                b.addTables(tb);
              });
    }
    if (b.getTablesCount() == 0) {
      throw new io.jilium.agent.endpoint.NotFoundException(
          "service " + serviceId + " has no Maglev table (not a Maglev service, or no backends)");
    }
    return b.build();
  }
}
