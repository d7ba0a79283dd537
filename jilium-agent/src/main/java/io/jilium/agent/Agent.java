package io.jilium.agent;

import io.jilium.agent.api.AgentApiServer;
import io.jilium.agent.datapath.LbMapSync;
import io.jilium.agent.datapath.LbNetnsSync;
import io.jilium.agent.endpoint.Endpoint;
import io.jilium.agent.endpoint.EndpointManager;
import io.jilium.agent.endpoint.NamespaceStore;
import io.jilium.agent.endpoint.PodRuntime;
import io.jilium.agent.identity.IdentityService;
import io.jilium.agent.monitor.MonitorHub;
import io.jilium.agent.observer.ObserverDirectory;
import io.jilium.agent.policy.PolicyManager;
import io.jilium.agent.service.LbWriter;
import io.jilium.agent.service.ServiceManager;
import io.jilium.agent.state.AgentState;
import io.jilium.agent.state.StateStore;
import io.jilium.bpf.BpfFeatures;
import io.jilium.bpf.loader.DatapathObjects;
import io.jilium.bpf.loader.HostDatapath;
import io.jilium.bpf.loader.LxcDatapath;
import io.jilium.bpf.loader.SockDatapath;
import io.jilium.bpf.netlink.Netlink;
import io.jilium.bpf.netlink.NodeDevices;
import io.jilium.bpf.netns.NetworkNamespace;
import io.jilium.core.identity.Identity;
import io.jilium.core.labels.Labels;
import io.jilium.core.net.IpAddress;
import io.jilium.core.resource.ManifestParser;
import io.jilium.core.resource.ManifestReader;
import io.jilium.core.resource.NamespaceResource;
import io.jilium.core.resource.PolicyResource;
import io.jilium.core.resource.Resource;
import io.jilium.core.resource.ResourceParser;
import io.jilium.core.service.Maglev;
import io.jilium.core.service.ServiceEndpointsResolver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: builds every component, restores state, serves the API, and on stop leaves
 * the datapath attached and its maps pinned so enforcement continues without the agent.
 */
public final class Agent implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Agent.class);

  /** How long a flow query waits for the monitor to read what the datapath already wrote. */
  private static final long CATCH_UP_MILLIS = 200;

  public static final String VERSION = "0.1.0";

  private final AgentConfig config;
  private final long startedMillis = System.currentTimeMillis();
  private final ControlLoop loop = new ControlLoop();
  private final StateStore store;
  private final List<BpfFeatures.Feature> features;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private LxcDatapath datapath;
  private Netlink netlink;
  private PolicyManager policy;
  private IdentityService identities;
  private NamespaceStore namespaces;
  private EndpointManager endpoints;
  private PodRuntime pods;
  private ServiceManager services;
  private SockDatapath sock;
  private HostDatapath host;

  /** Devices bpf_host is attached to, ifindex -> name (control loop). */
  private final Map<Integer, String> hostDevices = new java.util.TreeMap<>();

  private final java.util.Set<String> reportedIgnoredDevices = new java.util.HashSet<>();
  private LbNetnsSync netns;
  private volatile LbMapSync lbMaps;
  private MonitorHub monitor;
  private Observability observability;
  // the frontend index flows name services by, rebuilt when the services or node addresses change
  private io.jilium.agent.service.LbState servicesIndexedFor;
  private Set<String> hostsIndexedFor = Set.of();
  private Map<String, Map<Integer, io.jilium.api.flow.Service>> serviceIndex = Map.of();
  private final Map<Integer, io.jilium.core.policy.EndpointPolicy> publishedPolicies =
      new HashMap<>();
  private AgentApiServer api;
  private final ScheduledExecutorService timers =
      Executors.newSingleThreadScheduledExecutor(
          r -> Thread.ofPlatform().name("jilium-timers").daemon(true).unstarted(r));

  private Agent(
      AgentConfig config,
      List<BpfFeatures.Feature> features,
      FileChannel lockChannel,
      FileLock lock) {
    this.config = config;
    this.features = features;
    this.store = new StateStore(config.stateDir());
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /** Starts an agent; throws with a precise message when it cannot. */
  public static Agent start(AgentConfig config) {
    Preconditions.requireRoot();
    List<BpfFeatures.Feature> features = BpfFeatures.require();
    FileChannel ch;
    FileLock lock;
    try {
      Files.createDirectories(config.stateDir());
      ch =
          FileChannel.open(
              config.stateDir().resolve("agent.lock"),
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE);
      lock = ch.tryLock();
      if (lock == null) {
        ch.close();
        throw new IllegalStateException(
            "another agent is running with --state-dir "
                + config.stateDir()
                + "; stop it first or use another directory");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("lock " + config.stateDir(), e);
    }
    Agent agent = new Agent(config, features, ch, lock);
    try {
      agent.init();
      return agent;
    } catch (RuntimeException e) {
      agent.close();
      throw e;
    }
  }

  private void init() {
    Sysctl.enableForwarding();
    Path object = DatapathObjects.extract(DatapathObjects.LXC, config.stateDir().resolve("bpf"));
    datapath = LxcDatapath.load(object, config.pinDir(), config.observability().eventsRingBytes());
    netlink = Netlink.open();
    startSocketLb();
    Path hostObject =
        DatapathObjects.extract(DatapathObjects.HOST, config.stateDir().resolve("bpf"));
    host = HostDatapath.load(hostObject, config.pinDir(), config.services().maglevTableSize());
    policy = new PolicyManager(config.enforcement(), config.allowLocalhost());
    identities = new IdentityService(policy);
    namespaces = new NamespaceStore();
    endpoints = new EndpointManager(config, datapath, identities, policy, namespaces, netlink);
    pods = new PodRuntime(config.nodeName(), config.stateDir(), endpoints);
    services =
        new ServiceManager(serviceConfig(config.nodeName(), config.services()), this::podsOf);
    endpoints.addListener(
        new EndpointManager.Listener() {
          @Override
          public void created(Endpoint ep) {
            netns.add(ep.id(), ep.netns());
            services.podsChanged(ep.podNamespace());
          }

          @Override
          public void deleted(Endpoint ep) {
            netns.remove(ep.id());
            services.podsChanged(ep.podNamespace());
          }

          @Override
          public void relabeled(Endpoint ep) {
            services.podsChanged(ep.podNamespace());
          }
        });
    datapath.configure(config.observability().datapath());
    observability = new Observability(config, VERSION);
    observability.openStore();
    loop.run(this::restore);
    observability.observer().lostInKernel(datapath.lostEvents()); // the baseline
    monitor =
        new MonitorHub(
            datapath.map(LxcDatapath.EVENTS),
            datapath::setEventsReaderDraining,
            observability.observer()::onRecord,
            observability.observer()::endOfBatch);
    monitor.start();
    observability.observer().setCatchUp(() -> monitor.awaitDrained(CATCH_UP_MILLIS));
    loop.run(this::publish);
    observability.start(datapath);
    api = new AgentApiServer(config.socket(), new AgentService(this), observability.service());
    api.start();
    timers.scheduleWithFixedDelay(
        () -> {
          try {
            observability.observer().lostInKernel(datapath.lostEvents());
          } catch (RuntimeException e) {
            LOG.atWarn().setCause(e).log("reading the lost events counter failed");
          }
        },
        1,
        1,
        TimeUnit.SECONDS);
    loop.run(this::rescanDevices);
    timers.scheduleWithFixedDelay(
        () -> {
          try {
            loop.run(this::rescanDevices);
          } catch (RuntimeException e) {
            LOG.atWarn().setCause(e).log("device rescan failed");
          }
        },
        DEVICE_RESCAN_SECONDS,
        DEVICE_RESCAN_SECONDS,
        TimeUnit.SECONDS);
    timers.scheduleWithFixedDelay(
        () -> {
          try {
            loop.run(endpoints::syncIpCache);
          } catch (RuntimeException e) {
            LOG.atWarn().setCause(e).log("periodic ipcache sync failed");
          }
        },
        30,
        30,
        TimeUnit.SECONDS);
    LOG.atInfo()
        .addKeyValue("node", config.nodeName())
        .addKeyValue("socket", config.socket())
        .addKeyValue("stateDir", config.stateDir())
        .addKeyValue("bpfRoot", config.pinDir())
        .addKeyValue(
            "podCidrV4", config.podCidrV4() == null ? "none" : config.podCidrV4().toString())
        .addKeyValue(
            "podCidrV6", config.podCidrV6() == null ? "none" : config.podCidrV6().toString())
        .addKeyValue("policyEnforcement", config.enforcement().flagValue())
        .addKeyValue("endpoints", endpoints.all().size())
        .log("agent started");
  }

  private void restore() {
    var saved = store.load();
    if (saved.isEmpty()) {
      endpoints.syncIpCache();
      syncNetns();
      services.attach(lbWriter());
      persist();
      return;
    }
    AgentState s = saved.get();
    if (s.nodeName() != null && !s.nodeName().equals(config.nodeName())) {
      throw new IllegalStateException(
          "--state-dir "
              + config.stateDir()
              + " belongs to node "
              + s.nodeName()
              + ", not "
              + config.nodeName());
    }
    for (AgentState.NamespaceState ns : s.namespaces()) {
      namespaces.restore(
          new NamespaceStore.Namespace(
              new NamespaceResource(ns.name(), ns.labels()), ns.implicit()));
    }
    for (AgentState.PolicyState p : s.policies()) {
      try {
        Resource r = ResourceParser.parse(ManifestReader.read("state.json", p.json()).getFirst());
        if (r instanceof PolicyResource pr) {
          policy.restore(pr, p.revision());
        }
      } catch (RuntimeException e) {
        LOG.atError()
            .setCause(e)
            .addKeyValue("policy", p.namespace() + "/" + p.name())
            .log("saved policy no longer parses; dropped");
      }
    }
    // re-putting the policies counted revisions; continue from where the last run stopped
    policy.restoreRevision(s.policyRevision());
    for (AgentState.IdentityState id : s.identities()) {
      identities.restore(id.id(), Labels.parse(id.labels()));
    }
    endpoints.restore(s.endpoints());
    endpoints.reconcileAfterRestore();
    identities.releaseUnreferenced();
    endpoints.flushPolicy();
    syncNetns();
    services.restore(s.services());
    services.attach(lbWriter());
    persist();
    LOG.atInfo()
        .addKeyValue("endpoints", endpoints.all().size())
        .addKeyValue("policies", policy.all().size())
        .addKeyValue("services", services.serviceCount())
        .log("state restored");
  }

  /** Saves state and publishes read-only snapshots; call on the loop after every change. */
  void persist() {
    loop.checkOnLoop();
    List<AgentState.NamespaceState> ns = new ArrayList<>();
    for (NamespaceStore.Namespace n : namespaces.all()) {
      ns.add(
          new AgentState.NamespaceState(n.resource().name(), n.resource().labels(), n.implicit()));
    }
    List<AgentState.IdentityState> ids = new ArrayList<>();
    for (Identity i : identities.all()) {
      if (!i.isReserved()) {
        ids.add(new AgentState.IdentityState(i.id(), i.labels().toStrings()));
      }
    }
    List<AgentState.PolicyState> pols = new ArrayList<>();
    for (PolicyResource p : policy.all()) {
      pols.add(
          new AgentState.PolicyState(
              p.kind(), p.namespace(), p.name(), p.json(), policy.revisionOf(p.origin())));
    }
    store.save(
        new AgentState(
            AgentState.VERSION,
            config.nodeName(),
            String.valueOf(config.podCidrV4()),
            String.valueOf(config.podCidrV6()),
            policy.revision(),
            ns,
            endpoints.snapshot(),
            ids,
            pols,
            services.state()));
    publish();
  }

  /** Hands the monitor and the flow decoder the current endpoints, identities and policies. */
  private void publish() {
    if (monitor == null) {
      return;
    }
    Map<String, String> byIp = new HashMap<>();
    Map<Integer, ObserverDirectory.EndpointView> viewsById = new HashMap<>();
    Map<String, ObserverDirectory.EndpointView> viewsByIp = new HashMap<>();
    for (Endpoint ep : endpoints.all()) {
      ObserverDirectory.EndpointView v =
          new ObserverDirectory.EndpointView(
              ep.id(),
              ep.identity().id(),
              ep.podNamespace(),
              ep.podName(),
              ep.identity().labels().toStrings(),
              ep.hostIfName(),
              ep.hostIfIndex());
      viewsById.put(ep.id(), v);
      for (byte[] a : new byte[][] {ep.ipv4(), ep.ipv6()}) {
        if (a != null) {
          byIp.put(IpAddress.format(a), ep.podRef());
          viewsByIp.put(IpAddress.format(a), v);
        }
      }
    }
    monitor.publishPods(byIp);
    // policies: only those of endpoints whose policy changed are resolved again
    for (int id : endpoints.drainPolicyChanged()) {
      endpoints.byId(id).ifPresent(ep -> publishedPolicies.put(id, endpoints.policyOf(ep)));
    }
    publishedPolicies.keySet().retainAll(viewsById.keySet());
    for (int id : viewsById.keySet()) {
      if (!publishedPolicies.containsKey(id)) {
        endpoints.byId(id).ifPresent(ep -> publishedPolicies.put(id, endpoints.policyOf(ep)));
      }
    }
    Map<Integer, List<String>> identityLabels = new HashMap<>();
    for (Identity i : identities.all()) {
      identityLabels.put(i.id(), i.labels().toStrings());
    }
    observability.publish(
        new ObserverDirectory(
            config.nodeName(),
            Map.copyOf(viewsById),
            Map.copyOf(viewsByIp),
            Map.copyOf(identityLabels),
            Map.copyOf(publishedPolicies),
            serviceIndex()));
    observability.policies(policy.all().size());
    int maxPolicyEntries = 0;
    for (var p : publishedPolicies.values()) {
      maxPolicyEntries = Math.max(maxPolicyEntries, p.entries().size());
    }
    // capacities as declared by the object (bpf/lib/maps.h)
    observability.mapPressure(
        Map.of(
            "jl_policy", maxPolicyEntries / (double) io.jilium.bpf.maps.PolicyMap.MAX_ENTRIES,
            "jl_ipcache", endpoints.desiredIpCache().size() / 512000.0,
            "jl_endpoints", viewsById.size() / 65535.0));
  }

  /**
   * Frontend address -> port -> Service, for the flows' source and destination service (Hubble
   * looks a flow's addresses up among the services' frontends); a NodePort under every address of
   * the node. Rebuilt only when the planned services or the node's addresses changed.
   */
  private Map<String, Map<Integer, io.jilium.api.flow.Service>> serviceIndex() {
    Set<String> hosts = endpoints.hostAddresses();
    if (services.desired() == servicesIndexedFor && hosts.equals(hostsIndexedFor)) {
      return serviceIndex;
    }
    List<String> hostsV4 = hosts.stream().filter(h -> h.indexOf(':') < 0).toList();
    List<String> hostsV6 = hosts.stream().filter(h -> h.indexOf(':') >= 0).toList();
    Map<String, Map<Integer, io.jilium.api.flow.Service>> index = new HashMap<>();
    Map<String, io.jilium.api.flow.Service> names = new HashMap<>();
    services.forEachFrontend(
        (frontend, svc) -> {
          io.jilium.api.flow.Service name =
              names.computeIfAbsent(
                  svc.namespace() + "/" + svc.name(),
                  k ->
                      io.jilium.api.flow.Service.newBuilder()
                          .setNamespace(svc.namespace())
                          .setName(svc.name())
                          .build());
          List<String> addresses =
              !frontend.isAnyAddress()
                  ? List.of(frontend.address())
                  : frontend.family() == io.jilium.core.resource.IpFamily.IPV6 ? hostsV6 : hostsV4;
          for (String ip : addresses) {
            index.computeIfAbsent(ip, k -> new HashMap<>()).putIfAbsent(frontend.port(), name);
          }
        });
    index.replaceAll((ip, ports) -> Map.copyOf(ports));
    serviceIndex = Map.copyOf(index);
    servicesIndexedFor = services.desired();
    hostsIndexedFor = hosts;
    return serviceIndex;
  }

  /**
   * Loads bpf_sock and attaches it to the cgroup2 root (its pinned links keep translating while no
   * agent runs); with {@code --bpf-lb-sock false}, removes links an earlier agent left.
   */
  private void startSocketLb() {
    if (!config.services().socketLb()) {
      SockDatapath.detach(config.pinDir());
      return;
    }
    Path object = DatapathObjects.extract(DatapathObjects.SOCK, config.stateDir().resolve("bpf"));
    sock = SockDatapath.load(object, config.pinDir());
    Path root = SockDatapath.cgroupRoot(Optional.ofNullable(config.services().cgroupRoot()));
    sock.attach(root);
    LOG.atInfo().addKeyValue("cgroup", root).log("socket load balancing attached");
  }

  /** The netns filter of the socket hooks: the host and every endpoint, nothing else. */
  private void syncNetns() {
    netns =
        new LbNetnsSync(
            datapath.lb().netns(), NetworkNamespace::cookie, NetworkNamespace.hostCookie());
    Map<Integer, Path> byEndpoint = new HashMap<>();
    for (Endpoint ep : endpoints.all()) {
      byEndpoint.put(ep.id(), ep.netns());
    }
    netns.sync(byEndpoint);
  }

  /** The writer of the load-balancing maps, Maglev tables included. */
  private LbWriter lbWriter() {
    lbMaps = new LbMapSync(datapath.lb(), host.maglev4(), host.maglev6());
    return lbMaps;
  }

  /** How often links are scanned for new devices matching {@code --devices}. */
  static final int DEVICE_RESCAN_SECONDS = 5;

  /** {@code --devices none}: per-packet load balancing on no device. */
  static boolean noDevices(AgentConfig.Services s) {
    return s.devices().equals(List.of("none"));
  }

  /**
   * Attaches bpf_host to every device that matches {@code --devices} (default: those with a default
   * route) and is not attached yet; forgets devices that vanished or no longer match (detaching
   * those still present).
   */
  private void rescanDevices() {
    if (noDevices(config.services())) {
      return;
    }
    NodeDevices.Selection sel = NodeDevices.scan(netlink, config.services().devices());
    Map<Integer, String> before = Map.copyOf(hostDevices);
    Map<Integer, String> now = new HashMap<>();
    for (var link : sel.devices()) {
      now.put(link.index(), link.name());
      if (!link.name().equals(hostDevices.get(link.index()))) {
        host.attach(link.index(), link.name());
        hostDevices.put(link.index(), link.name());
        LOG.atInfo()
            .addKeyValue("device", link.name())
            .addKeyValue("ifindex", link.index())
            .log("per-packet load balancing attached");
      }
    }
    for (var it = hostDevices.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      if (!now.containsKey(e.getKey())) {
        if (netlink.link(e.getValue()).isPresent()) {
          host.detach(e.getKey());
        }
        it.remove();
        LOG.atInfo().addKeyValue("device", e.getValue()).log("per-packet load balancing detached");
      }
    }
    if (!hostDevices.equals(before)) {
      // a new device's addresses are host addresses (NodePort) from now on, not in 30 s
      endpoints.syncIpCache();
    }
    sel.ignored()
        .forEach(
            (name, why) -> {
              if (reportedIgnoredDevices.add(name)) {
                LOG.atWarn()
                    .addKeyValue("device", name)
                    .log("device matches --devices but is not used: " + why);
              }
            });
  }

  /** The load-balancing maps, for reading (any thread: map reads need no loop). */
  LbMapSync lbMaps() {
    return lbMaps;
  }

  static ServiceManager.Config serviceConfig(String nodeName, AgentConfig.Services s) {
    return new ServiceManager.Config(
        nodeName,
        s.clusterIpRanges(),
        s.nodePortMin(),
        s.nodePortMax(),
        s.maglev()
            ? Optional.of(Maglev.of(s.maglevTableSize(), s.maglevHashSeed()))
            : Optional.empty());
  }

  /** The endpoints controller's view of the pods of a namespace: every endpoint is a ready pod. */
  private Collection<ServiceEndpointsResolver.Pod> podsOf(String namespace) {
    List<ServiceEndpointsResolver.Pod> out = new ArrayList<>();
    for (Endpoint ep : endpoints.all()) {
      if (!ep.podNamespace().equals(namespace)) {
        continue;
      }
      List<String> ips = new ArrayList<>();
      for (byte[] a : new byte[][] {ep.ipv4(), ep.ipv6()}) {
        if (a != null) {
          ips.add(IpAddress.format(a));
        }
      }
      List<ServiceEndpointsResolver.ContainerPort> ports = new ArrayList<>();
      for (var p : ep.ports()) {
        ports.add(new ServiceEndpointsResolver.ContainerPort(p.name(), p.port(), p.protocol()));
      }
      out.add(
          new ServiceEndpointsResolver.Pod(
              ep.podNamespace(), ep.podName(), ep.labels(), ips, ports, true, false, false));
    }
    return out;
  }

  /** Applies (or deletes) parsed manifests atomically. */
  ApplyResult apply(ManifestParser.Parsed parsed, boolean delete) {
    return loop.call(
        () -> {
          long t0 = System.nanoTime();
          ApplyResult r =
              new ResourceApplier(this).apply(parsed.resources(), parsed.where(), delete);
          observability.policyRegenerated(System.nanoTime() - t0);
          return r;
        });
  }

  /** The result of an apply: per resource action, and the policy revision in force. */
  record ApplyResult(List<String[]> actions, long revision) {}

  public AgentConfig config() {
    return config;
  }

  ControlLoop loop() {
    return loop;
  }

  LxcDatapath datapath() {
    return datapath;
  }

  PolicyManager policy() {
    return policy;
  }

  IdentityService identities() {
    return identities;
  }

  NamespaceStore namespaces() {
    return namespaces;
  }

  EndpointManager endpoints() {
    return endpoints;
  }

  PodRuntime pods() {
    return pods;
  }

  ServiceManager services() {
    return services;
  }

  MonitorHub monitor() {
    return monitor;
  }

  List<BpfFeatures.Feature> features() {
    return features;
  }

  long uptimeSeconds() {
    return (System.currentTimeMillis() - startedMillis) / 1000;
  }

  /** Blocks until the API server stops. */
  public void awaitTermination() throws InterruptedException {
    api.awaitTermination();
  }

  /** Stops serving; the datapath keeps enforcing with its pinned maps. */
  @Override
  public void close() {
    timers.shutdownNow();
    if (api != null) {
      api.stop();
    }
    if (monitor != null) {
      monitor.close();
    }
    if (observability != null) {
      observability.close();
    }
    loop.close();
    if (netlink != null) {
      netlink.close();
    }
    if (sock != null) {
      sock.close();
    }
    if (host != null) {
      host.close();
    }
    if (datapath != null) {
      datapath.close();
    }
    try {
      if (lock != null) {
        lock.release();
      }
      lockChannel.close();
    } catch (IOException e) {
      LOG.atWarn().log("releasing the state lock: " + e.getMessage());
    }
    LOG.atInfo()
        .addKeyValue("node", config.nodeName())
        .log("agent stopped; datapath left in place");
  }
}
