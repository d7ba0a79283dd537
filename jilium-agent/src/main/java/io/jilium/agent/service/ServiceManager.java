package io.jilium.agent.service;

import io.jilium.agent.state.AgentState.EndpointSliceState;
import io.jilium.agent.state.AgentState.LbIdState;
import io.jilium.agent.state.AgentState.ServiceState;
import io.jilium.agent.state.AgentState.ServicesState;
import io.jilium.core.net.Cidr;
import io.jilium.core.policy.Protocol;
import io.jilium.core.resource.EndpointSliceResource;
import io.jilium.core.resource.IpFamily;
import io.jilium.core.resource.ManifestException;
import io.jilium.core.resource.ManifestReader;
import io.jilium.core.resource.Resource;
import io.jilium.core.resource.ResourceParser;
import io.jilium.core.resource.ServiceResource;
import io.jilium.core.service.Maglev;
import io.jilium.core.service.ServiceEndpointsResolver;
import io.jilium.core.service.ServiceEndpointsResolver.Backend;
import io.jilium.core.service.ServiceIpAllocator;
import io.jilium.core.service.ServiceIpAllocator.Allocation;
import io.jilium.core.service.ServiceIpException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's Services: stores Services and EndpointSlices, allocates ClusterIPs and node ports,
 * acts as the standalone endpoints controller (a Service with a selector gets the matching pods as
 * backends, re-resolved when pods come, go or change labels), gives every frontend a service id and
 * every backend a backend id, and keeps the load-balancing maps at the desired state through one
 * {@link LbWriter}. Changes are all or nothing ({@link #snapshot()}/{@link #rollback}). Runs on the
 * control loop; not thread-safe.
 */
public final class ServiceManager {
  private static final Logger LOG = LoggerFactory.getLogger(ServiceManager.class);

  /** Largest service id: {@code rev_nat_index} is 16 bits. */
  public static final int MAX_SERVICE_ID = 65535;

  /** Backend ids are 32 bits; the backends map holds 65536 (bpf/lib/maps.h). */
  public static final int MAX_BACKEND_ID = Integer.MAX_VALUE;

  /**
   * What the agent was told.
   *
   * @param nodeName this node's name: EndpointSlice endpoints with it are local (traffic policy
   *     Local)
   * @param clusterIpRanges one CIDR per family, the first is the primary family
   * @param maglev the Maglev parameters with {@code --lb-algorithm maglev}, else empty (random)
   */
  public record Config(
      String nodeName,
      List<Cidr> clusterIpRanges,
      int nodePortMin,
      int nodePortMax,
      Optional<Maglev> maglev) {
    public Config {
      clusterIpRanges = List.copyOf(clusterIpRanges);
    }
  }

  /** The node's pods, as the endpoints controller sees them. */
  @FunctionalInterface
  public interface PodSource {
    Collection<ServiceEndpointsResolver.Pod> pods(String namespace);
  }

  /** A stored Service with what was allocated and computed for it. Immutable. */
  private record Svc(
      ServiceResource resource,
      Allocation allocation,
      List<Integer> nodePorts,
      List<LbPlanner.FrontendSpec> specs,
      List<Backend> backends,
      LbPlanner.ServicePlan plan,
      Map<L3n4Addr, LbPlanner.FrontendEntries> entries) {
    String key() {
      return resource.namespace() + "/" + resource.name();
    }
  }

  /** Everything needed to go back to a moment (an apply that fails is undone with it). */
  public static final class Snapshot {
    private final Map<String, Svc> services;
    private final Map<String, EndpointSliceResource> slices;
    private final Map<Integer, L3n4Addr> serviceIds;
    private final Map<Integer, L3n4Addr> backendIds;

    private Snapshot(
        Map<String, Svc> services,
        Map<String, EndpointSliceResource> slices,
        Map<Integer, L3n4Addr> serviceIds,
        Map<Integer, L3n4Addr> backendIds) {
      this.services = services;
      this.slices = slices;
      this.serviceIds = serviceIds;
      this.backendIds = backendIds;
    }
  }

  private final Config config;
  private final PodSource pods;
  private final LbPlanner.MaglevTables maglevTables;
  private LbWriter writer;
  private ServiceIpAllocator ips;
  private NodePortAllocator nodePorts;
  private TreeMap<String, Svc> services = new TreeMap<>();
  private TreeMap<String, EndpointSliceResource> slices = new TreeMap<>();
  private final Map<String, Set<String>> slicesByService = new HashMap<>();
  private IdAllocator<L3n4Addr> serviceIds = newServiceIds();
  private IdAllocator<L3n4Addr> backendIds = newBackendIds();
  private final Map<L3n4Addr, String> frontendOwner = new HashMap<>();

  /** What the maps hold; null when unknown (after a failed write: read back before the next). */
  private LbState written = LbState.EMPTY;

  private LbState desired = LbState.EMPTY;

  public ServiceManager(Config config, PodSource pods) {
    this.config = config;
    this.pods = pods;
    this.maglevTables = config.maglev().map(LbPlanner.MaglevTables::new).orElse(null);
    this.ips = new ServiceIpAllocator(config.clusterIpRanges());
    this.nodePorts = new NodePortAllocator(config.nodePortMin(), config.nodePortMax());
  }

  private static IdAllocator<L3n4Addr> newServiceIds() {
    return new IdAllocator<>("service id", MAX_SERVICE_ID);
  }

  private static IdAllocator<L3n4Addr> newBackendIds() {
    return new IdAllocator<>("backend id", MAX_BACKEND_ID);
  }

  public Config config() {
    return config;
  }

  /**
   * Starts writing the maps through {@code writer}: reads what they hold (an earlier agent's
   * entries) and brings them to the desired state, new entries before stale ones go.
   */
  public void attach(LbWriter writer) {
    this.writer = writer;
    this.written = null;
    write();
  }

  // ---- apply ----

  /**
   * Applies (or deletes) Services and EndpointSlices and writes the maps. On failure the caller
   * undoes everything with {@link #rollback} and the snapshot it took before.
   *
   * @param where per resource, where it came from ({@code svc.yaml: document 2}), for messages
   * @return per resource {kind, namespace, name, action}
   */
  public List<String[]> apply(List<Resource> resources, List<String> where, boolean delete) {
    List<String[]> actions = new ArrayList<>();
    Set<String> changed = new LinkedHashSet<>();
    for (int i = 0; i < resources.size(); i++) {
      Resource r = resources.get(i);
      String from = i < where.size() ? where.get(i) : null;
      String action =
          switch (r) {
            case ServiceResource s ->
                delete ? deleteService(s, changed) : putService(s, from, changed);
            case EndpointSliceResource sl ->
                delete ? deleteSlice(sl, changed) : putSlice(sl, changed);
            default -> null;
          };
      if (action != null) {
        actions.add(new String[] {r.kind(), r.namespace(), r.name(), action});
      }
    }
    sync(changed);
    return actions;
  }

  /** Whether a Service or EndpointSlice exists (for delete). */
  public boolean exists(Resource r) {
    String key = r.namespace() + "/" + r.name();
    return switch (r) {
      case ServiceResource _ -> services.containsKey(key);
      case EndpointSliceResource _ -> slices.containsKey(key);
      default -> false;
    };
  }

  /**
   * @param where the document it came from ({@code svc.yaml: document 2}), null if unknown
   */
  private String putService(ServiceResource s, String where, Set<String> changed) {
    String key = s.namespace() + "/" + s.name();
    Svc old = services.get(key);
    if (old != null && old.resource().json().equals(s.json())) {
      // the same Service again (a re-applied manifest): same allocation, same plan
      return "unchanged";
    }
    Allocation alloc;
    List<Integer> np;
    List<LbPlanner.FrontendSpec> specs;
    try {
      alloc = ips.allocate(s);
      np = nodePorts.allocate(s);
      specs = LbPlanner.frontends(s, alloc.clusterIps(), alloc.families(), np);
      for (LbPlanner.FrontendSpec spec : specs) {
        String owner = frontendOwner.get(spec.frontend());
        if (owner != null && !owner.equals(key)) {
          throw new ServiceIpException(
              s.displayName()
                  + ": "
                  + field(s, spec)
                  + ": "
                  + spec.frontend()
                  + " is already a frontend of Service "
                  + owner);
        }
      }
    } catch (ServiceIpException | NodePortException e) {
      String msg = e.getMessage();
      String prefix = s.displayName() + ": ";
      throw new ManifestException(
          (where == null ? s.displayName() : where + " (" + s.displayName() + ")")
              + ": "
              + (msg.startsWith(prefix) ? msg.substring(prefix.length()) : msg));
    }
    if (old != null) {
      old.specs().forEach(spec -> frontendOwner.remove(spec.frontend(), key));
    }
    specs.forEach(spec -> frontendOwner.put(spec.frontend(), key));
    services.put(key, new Svc(s, alloc, np, specs, List.of(), null, Map.of()));
    changed.add(key);
    return old == null ? "created" : "configured";
  }

  private static String field(ServiceResource s, LbPlanner.FrontendSpec spec) {
    int port = s.ports().indexOf(spec.port());
    return switch (spec.type()) {
      case CLUSTER_IP -> "spec.clusterIPs";
      case NODE_PORT -> "spec.ports[" + port + "].nodePort";
      case EXTERNAL_IP -> "spec.externalIPs";
      case LOAD_BALANCER ->
          s.loadBalancerIp().equals(spec.frontend().address())
              ? "spec.loadBalancerIP"
              : "status.loadBalancer.ingress";
    };
  }

  private String deleteService(ServiceResource s, Set<String> changed) {
    String key = s.namespace() + "/" + s.name();
    Svc old = services.remove(key);
    if (old == null) {
      return "unchanged";
    }
    ips.release(s.namespace(), s.name());
    nodePorts.release(key);
    old.specs().forEach(spec -> frontendOwner.remove(spec.frontend(), key));
    changed.add(key);
    return "deleted";
  }

  private String putSlice(EndpointSliceResource sl, Set<String> changed) {
    String key = sl.namespace() + "/" + sl.name();
    EndpointSliceResource old = slices.get(key);
    if (old != null && old.json().equals(sl.json())) {
      return "unchanged";
    }
    slices.put(key, sl);
    if (old != null) {
      unindex(old, key);
      changed.add(old.namespace() + "/" + old.serviceName());
    }
    slicesByService
        .computeIfAbsent(sl.namespace() + "/" + sl.serviceName(), k -> new TreeSet<>())
        .add(key);
    changed.add(sl.namespace() + "/" + sl.serviceName());
    return old == null ? "created" : "configured";
  }

  private String deleteSlice(EndpointSliceResource sl, Set<String> changed) {
    String key = sl.namespace() + "/" + sl.name();
    EndpointSliceResource old = slices.remove(key);
    if (old == null) {
      return "unchanged";
    }
    unindex(old, key);
    changed.add(old.namespace() + "/" + old.serviceName());
    return "deleted";
  }

  private void unindex(EndpointSliceResource sl, String key) {
    String svc = sl.namespace() + "/" + sl.serviceName();
    Set<String> keys = slicesByService.get(svc);
    if (keys != null) {
      keys.remove(key);
      if (keys.isEmpty()) {
        slicesByService.remove(svc);
      }
    }
  }

  // ---- the endpoints controller ----

  /**
   * Pods of {@code namespace} came, went or changed labels: Services with a selector there get
   * their backends again, and the maps follow for those whose backends changed.
   */
  public void podsChanged(String namespace) {
    Set<String> changed = new LinkedHashSet<>();
    String from = namespace + "/";
    for (Svc svc : services.subMap(from, from + Character.MAX_VALUE).values()) {
      if (svc.resource().selector().isEmpty()) {
        continue;
      }
      if (!resolve(svc).equals(svc.backends())) {
        changed.add(svc.key());
      }
    }
    if (!changed.isEmpty()) {
      sync(changed);
    }
  }

  private List<Backend> resolve(Svc svc) {
    ServiceResource s = svc.resource();
    if (!s.selector().isEmpty()) {
      return ServiceEndpointsResolver.resolve(
          s, svc.allocation().families(), pods.pods(s.namespace()));
    }
    List<EndpointSliceResource> mine = new ArrayList<>();
    for (String k : slicesByService.getOrDefault(svc.key(), Set.of())) {
      mine.add(slices.get(k));
    }
    return ServiceEndpointsResolver.fromSlices(s, mine, config.nodeName());
  }

  // ---- desired state ----

  /** Re-plans {@code changed} Services, allocates ids and writes the maps. */
  private void sync(Set<String> changed) {
    if (changed.isEmpty()) {
      write(); // nothing new; only maps left half-written by a failure need writing
      return;
    }
    for (String key : changed) {
      Svc svc = services.get(key);
      if (svc == null) {
        continue;
      }
      List<Backend> backends = resolve(svc);
      LbPlanner.ServicePlan plan =
          LbPlanner.plan(svc.resource(), svc.specs(), backends, maglevTables != null);
      services.put(
          key,
          new Svc(
              svc.resource(),
              svc.allocation(),
              svc.nodePorts(),
              svc.specs(),
              backends,
              plan,
              null));
    }
    Set<L3n4Addr> frontends = new HashSet<>();
    Set<L3n4Addr> backends = new HashSet<>();
    for (Svc svc : services.values()) {
      for (LbPlanner.FrontendPlan fp : svc.plan().frontends()) {
        frontends.add(fp.frontend());
        backends.addAll(fp.active());
        backends.addAll(fp.terminating());
      }
    }
    serviceIds.sync(frontends);
    backendIds.sync(backends);
    for (String key : changed) {
      Svc svc = services.get(key);
      if (svc != null) {
        services.put(key, withEntries(svc));
      }
    }
    desired = assemble();
    write();
  }

  private Svc withEntries(Svc svc) {
    Map<L3n4Addr, LbPlanner.FrontendEntries> entries = new LinkedHashMap<>();
    for (LbPlanner.FrontendPlan fp : svc.plan().frontends()) {
      entries.put(
          fp.frontend(),
          LbPlanner.entries(fp, serviceIds.id(fp.frontend()), backendIds::id, maglevTables));
    }
    return new Svc(
        svc.resource(),
        svc.allocation(),
        svc.nodePorts(),
        svc.specs(),
        svc.backends(),
        svc.plan(),
        Map.copyOf(entries));
  }

  private LbState assemble() {
    Map<L3n4Addr, LbState.Frontend> fes = new HashMap<>();
    Map<Integer, LbState.Backend> bes = new HashMap<>();
    Map<LbState.FamilyId, L3n4Addr> revNat = new HashMap<>();
    Map<LbState.FamilyId, LbState.MaglevTable> maglev = new HashMap<>();
    for (Svc svc : services.values()) {
      for (LbPlanner.FrontendPlan fp : svc.plan().frontends()) {
        LbPlanner.FrontendEntries e = svc.entries().get(fp.frontend());
        IpFamily family = fp.frontend().family();
        fes.put(fp.frontend(), e.frontend());
        LbState.FamilyId id = new LbState.FamilyId(family, e.frontend().id());
        L3n4Addr fe = fp.frontend();
        revNat.put(id, fe.withProtocol(Protocol.ANY));
        e.maglev().ifPresent(t -> maglev.put(id, t));
        for (L3n4Addr b : fp.terminating()) {
          bes.putIfAbsent(backendIds.id(b), new LbState.Backend(b, LbState.BACKEND_TERMINATING));
        }
        for (L3n4Addr b : fp.active()) {
          bes.put(backendIds.id(b), new LbState.Backend(b, LbState.BACKEND_ACTIVE));
        }
      }
    }
    return new LbState(fes, bes, revNat, maglev);
  }

  private void write() {
    if (writer == null) {
      written = desired;
      return;
    }
    if (written == desired) {
      return;
    }
    if (written == null) {
      written = writer.read();
    }
    List<LbOp> ops = LbDiff.diff(written, desired);
    if (ops.isEmpty()) {
      return;
    }
    try {
      writer.apply(ops);
      written = desired;
    } catch (RuntimeException e) {
      written = null;
      throw e;
    }
    LOG.atDebug().addKeyValue("operations", ops.size()).log("load-balancing maps written");
  }

  /** The state the maps are brought to. */
  public LbState desired() {
    return desired;
  }

  // ---- all or nothing ----

  public Snapshot snapshot() {
    return new Snapshot(
        new TreeMap<>(services), new TreeMap<>(slices), serviceIds.byId(), backendIds.byId());
  }

  /** Goes back to {@code s} and writes the maps to match (they may hold part of a change). */
  public void rollback(Snapshot s) {
    rebuild(s.services.values(), s.slices.values(), s.serviceIds, s.backendIds);
    desired = assemble();
    written = null;
    write();
  }

  private void rebuild(
      Collection<Svc> svcs,
      Collection<EndpointSliceResource> sls,
      Map<Integer, L3n4Addr> sIds,
      Map<Integer, L3n4Addr> bIds) {
    ips = new ServiceIpAllocator(config.clusterIpRanges());
    nodePorts = new NodePortAllocator(config.nodePortMin(), config.nodePortMax());
    services = new TreeMap<>();
    slices = new TreeMap<>();
    slicesByService.clear();
    frontendOwner.clear();
    serviceIds = newServiceIds();
    backendIds = newBackendIds();
    sIds.forEach((id, a) -> serviceIds.restore(a, id));
    bIds.forEach((id, a) -> backendIds.restore(a, id));
    for (EndpointSliceResource sl : sls) {
      putSlice(sl, new HashSet<>());
    }
    for (Svc svc : svcs) {
      ips.allocate(withAllocation(svc.resource(), svc.allocation(), svc.nodePorts()));
      nodePorts.allocate(withAllocation(svc.resource(), svc.allocation(), svc.nodePorts()));
      services.put(svc.key(), svc);
      svc.specs().forEach(spec -> frontendOwner.put(spec.frontend(), svc.key()));
    }
  }

  /** {@code s} asking for exactly what it was given (to replay an allocation). */
  private static ServiceResource withAllocation(
      ServiceResource s, Allocation a, List<Integer> nodePorts) {
    List<ServiceResource.Port> ports = new ArrayList<>();
    for (int i = 0; i < s.ports().size(); i++) {
      ServiceResource.Port p = s.ports().get(i);
      int np = i < nodePorts.size() ? nodePorts.get(i) : 0;
      ports.add(new ServiceResource.Port(p.name(), p.protocol(), p.port(), p.targetPort(), np));
    }
    return new ServiceResource(
        s.namespace(),
        s.name(),
        s.labels(),
        s.type(),
        s.headless(),
        a.clusterIps(),
        a.families(),
        s.ipFamilyPolicy(),
        ports,
        s.selector(),
        s.sessionAffinity(),
        s.sessionAffinityTimeoutSeconds(),
        s.externalIps(),
        s.loadBalancerIp(),
        s.loadBalancerIngress(),
        s.externalTrafficPolicy(),
        s.internalTrafficPolicy(),
        s.publishNotReadyAddresses(),
        s.allocateLoadBalancerNodePorts(),
        s.json());
  }

  // ---- persistence ----

  public ServicesState state() {
    List<ServiceState> ss = new ArrayList<>();
    for (Svc svc : services.values()) {
      ss.add(
          new ServiceState(
              svc.resource().json(),
              svc.allocation().families().stream().map(IpFamily::apiName).toList(),
              svc.allocation().clusterIps(),
              svc.nodePorts()));
    }
    List<EndpointSliceState> sl = new ArrayList<>();
    slices.values().forEach(s -> sl.add(new EndpointSliceState(s.json())));
    return new ServicesState(ss, sl, ids(serviceIds), ids(backendIds));
  }

  private static List<LbIdState> ids(IdAllocator<L3n4Addr> a) {
    List<LbIdState> out = new ArrayList<>();
    a.byId().forEach((id, addr) -> out.add(new LbIdState(addr.toString(), id)));
    return out;
  }

  /**
   * Restores saved Services, slices and ids (before {@link #attach}). A saved resource that no
   * longer parses or whose addresses no longer fit the flags is dropped with an error in the log.
   */
  public void restore(ServicesState saved) {
    Map<Integer, L3n4Addr> sIds = new TreeMap<>();
    Map<Integer, L3n4Addr> bIds = new TreeMap<>();
    saved.serviceIds().forEach(i -> sIds.put(i.id(), L3n4Addr.parse(i.address())));
    saved.backendIds().forEach(i -> bIds.put(i.id(), L3n4Addr.parse(i.address())));
    List<EndpointSliceResource> sls = new ArrayList<>();
    for (EndpointSliceState st : saved.endpointSlices()) {
      try {
        if (parse(st.json()) instanceof EndpointSliceResource sl) {
          sls.add(sl);
        }
      } catch (RuntimeException e) {
        LOG.atError().setCause(e).log("saved EndpointSlice no longer parses; dropped");
      }
    }
    rebuild(List.of(), sls, sIds, bIds);
    for (ServiceState st : saved.services()) {
      try {
        if (!(parse(st.json()) instanceof ServiceResource s)) {
          continue;
        }
        List<IpFamily> families = new ArrayList<>();
        for (String f : st.ipFamilies()) {
          families.add(
              IpFamily.byApiName(f)
                  .orElseThrow(() -> new IllegalArgumentException("IP family " + f)));
        }
        Allocation a = new Allocation(families, st.clusterIps());
        Allocation got = ips.allocate(withAllocation(s, a, st.nodePorts()));
        List<Integer> np = nodePorts.allocate(withAllocation(s, got, st.nodePorts()));
        String key = s.namespace() + "/" + s.name();
        List<LbPlanner.FrontendSpec> specs =
            LbPlanner.frontends(s, got.clusterIps(), got.families(), np);
        services.put(key, new Svc(s, got, np, specs, List.of(), null, Map.of()));
        specs.forEach(spec -> frontendOwner.putIfAbsent(spec.frontend(), key));
      } catch (RuntimeException e) {
        LOG.atError()
            .setCause(e)
            .log("saved Service no longer fits (" + e.getMessage() + "); dropped");
      }
    }
    sync(new LinkedHashSet<>(services.keySet()));
  }

  private static Resource parse(String json) {
    return ResourceParser.parse(ManifestReader.read("state.json", json).getFirst());
  }

  // ---- queries ----

  /** One frontend as {@code jilium service list} shows it. */
  public record FrontendView(
      int id,
      L3n4Addr frontend,
      FrontendType type,
      String namespace,
      String name,
      String portName,
      int flags,
      int affinityTimeout,
      List<BackendView> backends) {}

  /** A backend of a frontend, with its id and state. */
  public record BackendView(int id, L3n4Addr address, boolean terminating) {}

  /**
   * Hands {@code action} every planned frontend with its Service (a NodePort's wildcard frontend
   * has the unspecified address); cheaper than {@link #frontends()}, which also lists backends.
   */
  public void forEachFrontend(BiConsumer<L3n4Addr, ServiceResource> action) {
    for (Svc svc : services.values()) {
      if (svc.plan() != null) {
        svc.plan().frontends().forEach(fp -> action.accept(fp.frontend(), svc.resource()));
      }
    }
  }

  /** Every frontend, by service id. */
  public List<FrontendView> frontends() {
    TreeMap<Integer, FrontendView> out = new TreeMap<>();
    for (Svc svc : services.values()) {
      ServiceResource r = svc.resource();
      for (LbPlanner.FrontendPlan fp : svc.plan().frontends()) {
        List<BackendView> bs = new ArrayList<>();
        fp.active().forEach(b -> bs.add(new BackendView(backendIds.id(b), b, false)));
        fp.terminating().forEach(b -> bs.add(new BackendView(backendIds.id(b), b, true)));
        int id = serviceIds.id(fp.frontend());
        out.put(
            id,
            new FrontendView(
                id,
                fp.frontend(),
                fp.type(),
                r.namespace(),
                r.name(),
                fp.portName(),
                fp.flags(),
                fp.affinityTimeout(),
                bs));
      }
    }
    return List.copyOf(out.values());
  }

  /** The stored Service {@code ns/name}, with its ClusterIPs and node ports. */
  public Optional<ServiceResource> service(String namespace, String name) {
    Svc svc = services.get(namespace + "/" + name);
    return svc == null
        ? Optional.empty()
        : Optional.of(withAllocation(svc.resource(), svc.allocation(), svc.nodePorts()));
  }

  public int serviceCount() {
    return services.size();
  }

  public int sliceCount() {
    return slices.size();
  }
}
