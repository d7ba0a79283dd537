package io.jilium.agent.service;

import io.jilium.core.resource.IpFamily;
import io.jilium.core.resource.ServiceResource;
import io.jilium.core.service.Maglev;
import io.jilium.core.service.ServiceEndpointsResolver.Backend;
import io.jilium.core.service.ServiceEndpointsResolver.BackendState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToIntFunction;

/**
 * The desired load-balancing entries of Services, as pure functions: a Service's frontends (every
 * ClusterIP x port, the node port's wildcard entry per family, each external IP and each
 * LoadBalancer address x port), each with its flags, affinity timeout and backends (active ones
 * take slots, terminating ones are only in the backends map), and from service and backend ids the
 * map entries, with a Maglev table per frontend when the algorithm is Maglev.
 */
public final class LbPlanner {
  private LbPlanner() {}

  /**
   * One frontend of a Service.
   *
   * @param portName the service port it serves ({@code spec.ports[].name})
   * @param active backends that take new connections, in slot order
   * @param terminating backends kept for connections that already chose them
   */
  public record FrontendPlan(
      L3n4Addr frontend,
      FrontendType type,
      String portName,
      int flags,
      int affinityTimeout,
      List<L3n4Addr> active,
      List<L3n4Addr> terminating) {
    public FrontendPlan {
      active = List.copyOf(active);
      terminating = List.copyOf(terminating);
    }
  }

  /** The frontends of one Service ({@code ns/name}). */
  public record ServicePlan(String service, List<FrontendPlan> frontends) {
    public ServicePlan {
      frontends = List.copyOf(frontends);
    }
  }

  /** A frontend's address and type, before backends are known. */
  public record FrontendSpec(L3n4Addr frontend, FrontendType type, ServiceResource.Port port) {}

  /**
   * A Service's frontends in a fixed order (ports in spec order; per port ClusterIPs, node port,
   * external IPs, LoadBalancer addresses). An address that is both an external IP and a
   * LoadBalancer address is one frontend, of the first kind. A headless Service has none.
   *
   * @param clusterIps the allocated ClusterIPs
   * @param families the Service's families (node port entries are made per family)
   * @param nodePorts per {@code spec.ports} entry, 0 for none
   */
  public static List<FrontendSpec> frontends(
      ServiceResource service,
      List<String> clusterIps,
      List<IpFamily> families,
      List<Integer> nodePorts) {
    Map<L3n4Addr, FrontendSpec> out = new LinkedHashMap<>();
    if (service.headless()) {
      return List.of();
    }
    List<String> lbIps = new ArrayList<>();
    if (service.type() == ServiceResource.Type.LOAD_BALANCER) {
      if (!service.loadBalancerIp().isEmpty()) {
        lbIps.add(service.loadBalancerIp());
      }
      lbIps.addAll(service.loadBalancerIngress());
    }
    for (int i = 0; i < service.ports().size(); i++) {
      ServiceResource.Port p = service.ports().get(i);
      for (String ip : clusterIps) {
        add(out, new L3n4Addr(ip, p.port(), p.protocol()), FrontendType.CLUSTER_IP, p);
      }
      int nodePort = i < nodePorts.size() ? nodePorts.get(i) : 0;
      if (nodePort > 0) {
        for (IpFamily f : families) {
          add(out, L3n4Addr.anyAddress(f, nodePort, p.protocol()), FrontendType.NODE_PORT, p);
        }
      }
      for (String ip : service.externalIps()) {
        add(out, new L3n4Addr(ip, p.port(), p.protocol()), FrontendType.EXTERNAL_IP, p);
      }
      for (String ip : lbIps) {
        add(out, new L3n4Addr(ip, p.port(), p.protocol()), FrontendType.LOAD_BALANCER, p);
      }
    }
    return List.copyOf(out.values());
  }

  private static void add(
      Map<L3n4Addr, FrontendSpec> out, L3n4Addr fe, FrontendType type, ServiceResource.Port p) {
    out.putIfAbsent(fe, new FrontendSpec(fe, type, p));
  }

  /**
   * The plan of a Service: its frontends with flags and backends.
   *
   * @param backends the Service's backends (from pods or EndpointSlices)
   * @param maglev whether frontends select through a Maglev table
   */
  public static ServicePlan plan(
      ServiceResource service,
      List<FrontendSpec> frontends,
      List<Backend> backends,
      boolean maglev) {
    boolean affinity = service.sessionAffinity() == ServiceResource.SessionAffinity.CLIENT_IP;
    List<FrontendPlan> out = new ArrayList<>();
    for (FrontendSpec spec : frontends) {
      IpFamily family = spec.frontend().family();
      List<L3n4Addr> active = new ArrayList<>();
      List<L3n4Addr> terminating = new ArrayList<>();
      boolean localOnly = localOnly(service, spec.type());
      for (Backend b : backends) {
        if (!b.servicePort().equals(spec.port().name())
            || b.protocol() != spec.port().protocol()
            || b.family() != family
            || (localOnly && !b.local())) {
          continue;
        }
        L3n4Addr a = new L3n4Addr(b.address(), b.port(), b.protocol());
        (b.state() == BackendState.ACTIVE ? active : terminating).add(a);
      }
      active.sort(null);
      terminating.sort(null);
      terminating.removeAll(active);
      int flags =
          spec.type().flag()
              | (affinity ? LbState.F_AFFINITY : 0)
              | (maglev ? LbState.F_MAGLEV : 0);
      out.add(
          new FrontendPlan(
              spec.frontend(),
              spec.type(),
              spec.port().name(),
              flags,
              affinity ? service.sessionAffinityTimeoutSeconds() : 0,
              active.stream().distinct().toList(),
              terminating.stream().distinct().toList()));
    }
    return new ServicePlan(service.namespace() + "/" + service.name(), out);
  }

  /**
   * Whether a frontend of this type serves only the node's own backends: {@code
   * externalTrafficPolicy: Local} for traffic from outside (NodePort, ExternalIP, LoadBalancer),
   * {@code internalTrafficPolicy: Local} for the ClusterIP. With none local the frontend has no
   * backends, and its traffic is refused as for any Service without backends.
   */
  static boolean localOnly(ServiceResource service, FrontendType type) {
    return type == FrontendType.CLUSTER_IP
        ? service.internalTrafficPolicy() == ServiceResource.TrafficPolicy.LOCAL
        : service.externalTrafficPolicy() == ServiceResource.TrafficPolicy.LOCAL;
  }

  /** A frontend's entries, with its Maglev table when it has the flag and active backends. */
  public record FrontendEntries(LbState.Frontend frontend, Optional<LbState.MaglevTable> maglev) {}

  /**
   * The map entries of a frontend, given ids.
   *
   * @param maglevTables computes (or recalls) the Maglev table of a list of active backends
   */
  public static FrontendEntries entries(
      FrontendPlan plan,
      int serviceId,
      ToIntFunction<L3n4Addr> backendId,
      MaglevTables maglevTables) {
    List<Integer> slots = new ArrayList<>(plan.active().size());
    for (L3n4Addr b : plan.active()) {
      slots.add(backendId.applyAsInt(b));
    }
    LbState.Frontend fe =
        new LbState.Frontend(serviceId, plan.flags(), plan.affinityTimeout(), slots.size(), slots);
    Optional<LbState.MaglevTable> table =
        (plan.flags() & LbState.F_MAGLEV) != 0 && !plan.active().isEmpty()
            ? Optional.of(maglevTables.table(plan.active(), backendId))
            : Optional.empty();
    return new FrontendEntries(fe, table);
  }

  /**
   * Maglev tables of backend lists, computed with {@link Maglev} over the backends' names ({@code
   * address:port/protocol}, the same on every node) and mapped to backend ids. Remembers the tables
   * it computed (by backends and ids), since the frontends of a Service share backends.
   */
  public static final class MaglevTables {
    private final Maglev maglev;
    private final Map<List<Object>, LbState.MaglevTable> cache = new HashMap<>();

    public MaglevTables(Maglev maglev) {
      this.maglev = maglev;
    }

    public Maglev maglev() {
      return maglev;
    }

    public LbState.MaglevTable table(List<L3n4Addr> active, ToIntFunction<L3n4Addr> backendId) {
      // keyed by backends and their ids: an id given to another backend later misses the cache
      List<Object> key = new ArrayList<>(active.size() * 2);
      Map<String, Integer> idByName = new HashMap<>();
      List<Maglev.Backend> named = new ArrayList<>();
      for (L3n4Addr a : active) {
        int id = backendId.applyAsInt(a);
        key.add(a);
        key.add(id);
        idByName.put(a.toString(), id);
        named.add(Maglev.Backend.of(a.toString()));
      }
      LbState.MaglevTable t = cache.get(key);
      if (t != null) {
        return t;
      }
      Maglev.Table table = maglev.table(named);
      int[] ids = new int[table.size()];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = idByName.get(table.backendAt(i));
      }
      t = new LbState.MaglevTable(ids);
      if (cache.size() > 4096) {
        cache.clear(); // a simple bound; recomputing is correct, only slower
      }
      cache.put(key, t);
      return t;
    }
  }
}
