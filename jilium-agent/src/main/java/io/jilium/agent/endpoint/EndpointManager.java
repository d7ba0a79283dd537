package io.jilium.agent.endpoint;

import io.jilium.agent.AgentConfig;
import io.jilium.agent.datapath.IpCacheSync;
import io.jilium.agent.datapath.PolicyMapSync;
import io.jilium.agent.identity.IdentityService;
import io.jilium.agent.policy.PolicyManager;
import io.jilium.agent.state.AgentState.EndpointState;
import io.jilium.agent.state.AgentState.PortState;
import io.jilium.bpf.BpfMap;
import io.jilium.bpf.MapFullException;
import io.jilium.bpf.loader.LxcDatapath;
import io.jilium.bpf.maps.EndpointsMap;
import io.jilium.bpf.maps.IpCacheMap;
import io.jilium.bpf.maps.PolicyMap;
import io.jilium.bpf.netlink.Address;
import io.jilium.bpf.netlink.MacAddress;
import io.jilium.bpf.netlink.Netlink;
import io.jilium.core.identity.Identity;
import io.jilium.core.identity.ReservedIdentity;
import io.jilium.core.ipam.AddressPool;
import io.jilium.core.labels.LabelValidation;
import io.jilium.core.labels.Labels;
import io.jilium.core.net.Cidr;
import io.jilium.core.net.IpAddress;
import io.jilium.core.policy.EndpointPolicy;
import io.jilium.core.policy.NamedPort;
import io.jilium.core.policy.PolicyEngine;
import io.jilium.core.policy.PolicyKey;
import io.jilium.core.policy.Protocol;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the node's endpoints: creates them (the CNI ADD path), deletes them, follows their labels
 * and keeps their identity, ipcache entries and policy maps current. Every method runs on the
 * control loop.
 */
public final class EndpointManager {
  private static final Logger LOG = LoggerFactory.getLogger(EndpointManager.class);
  private static final int MAX_ENDPOINT_ID = 65535;

  /** What the CNI plugin (or the standalone runtime) asks for. */
  public record AddRequest(
      String containerId,
      Path netns,
      String ifname,
      String podNamespace,
      String podName,
      Map<String, String> labels,
      List<NamedPort> ports,
      boolean standalonePod,
      List<String> command,
      Path logFile) {}

  /**
   * Told about endpoints after they were created, deleted or relabelled (on the control loop). A
   * listener's failure is logged; it never undoes the endpoint change.
   */
  public interface Listener {
    default void created(Endpoint ep) {}

    default void deleted(Endpoint ep) {}

    default void relabeled(Endpoint ep) {}
  }

  private final List<Listener> listeners = new ArrayList<>();

  private final AgentConfig config;
  private final LxcDatapath datapath;
  private final IdentityService identities;
  private final PolicyManager policy;
  private final NamespaceStore namespaces;
  private final Netlink netlink;
  private final EndpointPlumbing plumbing;
  private final AddressPool pool4;
  private final AddressPool pool6;
  private final TreeMap<Integer, Endpoint> byId = new TreeMap<>();
  private final Map<String, Endpoint> byContainer = new HashMap<>();
  private final Map<String, Endpoint> byPod = new HashMap<>();
  private final Map<Cidr, Endpoint> byAddress = new HashMap<>();

  /** Endpoints whose policy changed since {@link #drainPolicyChanged}, for observers. */
  private final java.util.Set<Integer> policyChanged = new java.util.HashSet<>();

  private final Map<Cidr, Integer> hostAddresses = new LinkedHashMap<>();

  /** CIDR prefixes referred to by policy, with their identities (ipcache entries). */
  private final Map<Cidr, Identity> cidrIdentities = new TreeMap<>();

  public EndpointManager(
      AgentConfig config,
      LxcDatapath datapath,
      IdentityService identities,
      PolicyManager policy,
      NamespaceStore namespaces,
      Netlink netlink) {
    this.config = config;
    this.datapath = datapath;
    this.identities = identities;
    this.policy = policy;
    this.namespaces = namespaces;
    this.netlink = netlink;
    this.plumbing = new EndpointPlumbing(netlink, config.mtu());
    this.pool4 = config.podCidrV4() == null ? null : new AddressPool(config.podCidrV4());
    this.pool6 = config.podCidrV6() == null ? null : new AddressPool(config.podCidrV6());
    policy.engine().setPeerPorts(this::namedPortsOf);
  }

  public void addListener(Listener l) {
    listeners.add(l);
  }

  private void tell(
      Endpoint ep, String what, java.util.function.BiConsumer<Listener, Endpoint> call) {
    for (Listener l : listeners) {
      try {
        call.accept(l, ep);
      } catch (RuntimeException e) {
        LOG.atError()
            .setCause(e)
            .addKeyValue("endpointId", ep.id)
            .addKeyValue("pod", ep.podRef())
            .log("endpoint " + what + ": a follower failed: " + e.getMessage());
      }
    }
  }

  // ---- queries ----

  public Collection<Endpoint> all() {
    return List.copyOf(byId.values());
  }

  public Optional<Endpoint> byId(int id) {
    return Optional.ofNullable(byId.get(id));
  }

  public Optional<Endpoint> byContainerId(String containerId) {
    return Optional.ofNullable(byContainer.get(containerId));
  }

  public Optional<Endpoint> byPod(String namespace, String name) {
    return Optional.ofNullable(byPod.get(namespace + "/" + name));
  }

  // ---- CNI ADD ----

  public Endpoint add(AddRequest r) {
    validate(r);
    if (byContainer.containsKey(r.containerId())) {
      throw new EndpointExistsException(
          "container " + r.containerId() + " already has an endpoint");
    }
    if (byPod.containsKey(r.podNamespace() + "/" + r.podName())) {
      throw new EndpointExistsException(
          "pod " + r.podNamespace() + "/" + r.podName() + " already exists");
    }
    if (!Files.exists(r.netns())) {
      throw new IllegalArgumentException("network namespace " + r.netns() + " does not exist");
    }
    namespaces.ensure(r.podNamespace());
    int id = nextEndpointId();
    String hostIfName = hostIfName(r.containerId());
    byte[] v4 = pool4 == null ? null : pool4.allocate(r.containerId());
    byte[] v6 = null;
    Identity identity = null;
    PolicyMap policyMap = null;
    boolean wired = false;
    try {
      v6 = pool6 == null ? null : pool6.allocate(r.containerId());
      EndpointPlumbing.Wired w = plumbing.wire(r.netns(), r.ifname(), hostIfName, v4, v6);
      wired = true;
      Endpoint ep =
          new Endpoint(
              id,
              r.containerId(),
              r.podNamespace(),
              r.podName(),
              r.netns(),
              r.ifname(),
              hostIfName,
              w.hostIfIndex(),
              w.podMac(),
              w.hostMac(),
              v4,
              v6,
              System.currentTimeMillis(),
              r.standalonePod(),
              r.command() == null ? List.of() : r.command(),
              r.logFile(),
              r.labels(),
              r.ports());
      identity = identities.acquire(identityLabels(ep));
      ep.identity = identity;
      policyMap = PolicyMap.create(id);
      policyMap.raw().pin(pinPath(id));
      ep.policyMap = policyMap;
      register(ep);
      identityMembersChanged(identity.id(), !ep.ports.isEmpty());
      policy.queue(policy.engine().upsertEndpoint(id, identity.labels(), ep.ports));
      flushPolicy();
      datapath.policies().put(id, policyMap);
      datapath.endpoints().put(endpointInfo(ep));
      // the ipcache names the new addresses only once every policy knows their identity
      refreshIpCache(ep);
      datapath.attach(ep.hostIfIndex, hostIfName);
      LOG.atInfo()
          .addKeyValue("endpointId", id)
          .addKeyValue("pod", ep.podRef())
          .addKeyValue("identity", identity.id())
          .addKeyValue("ipv4", v4 == null ? "" : IpAddress.format(v4))
          .addKeyValue("ipv6", v6 == null ? "" : IpAddress.format(v6))
          .addKeyValue("interface", hostIfName)
          .log("endpoint created");
      tell(ep, "created", Listener::created);
      return ep;
    } catch (RuntimeException e) {
      // undo in reverse; report the original failure
      try {
        boolean registered = byId.containsKey(id);
        unregisterQuietly(id, r.containerId(), r.podNamespace() + "/" + r.podName());
        policy.engine().removeEndpoint(id);
        if (registered && identity != null) {
          identityMembersChanged(identity.id(), true);
        }
        datapath.endpoints().delete(wired ? linkIndexOr(hostIfName) : -1);
        datapath.policies().delete(id);
        if (policyMap != null) {
          deletePin(id);
          policyMap.close();
        }
        if (v4 != null) {
          refreshIpCache(Cidr.host(v4));
        }
        if (v6 != null) {
          refreshIpCache(Cidr.host(v6));
        }
        if (identity != null) {
          identities.release(identity);
        }
        if (wired) {
          plumbing.unwire(hostIfName);
        }
        flushPolicy();
      } catch (RuntimeException cleanup) {
        e.addSuppressed(cleanup);
      }
      if (pool4 != null) {
        pool4.release(r.containerId());
      }
      if (pool6 != null) {
        pool6.release(r.containerId());
      }
      throw e;
    }
  }

  private int linkIndexOr(String name) {
    return netlink.link(name).map(l -> l.index()).orElse(-1);
  }

  private static void validate(AddRequest r) {
    if (r.containerId() == null || r.containerId().isEmpty()) {
      throw new IllegalArgumentException("container id is required");
    }
    if (r.ifname() == null || r.ifname().isEmpty() || r.ifname().length() > 15) {
      throw new IllegalArgumentException(
          "interface name \"" + r.ifname() + "\" (expected: 1-15 characters)");
    }
    for (var e : r.labels().entrySet()) {
      LabelValidation.check(e.getKey(), e.getValue());
    }
    Set<String> names = new HashSet<>();
    for (NamedPort p : r.ports()) {
      if (!names.add(p.name() + "/" + p.protocol())) {
        throw new IllegalArgumentException("port " + p.name() + " declared twice");
      }
    }
  }

  // ---- CNI DEL ----

  /** Removes the endpoint of {@code containerId}; false when there is none. */
  public boolean delete(String containerId) {
    Endpoint ep = byContainer.get(containerId);
    if (ep == null) {
      return false;
    }
    datapath.detach(ep.hostIfIndex);
    datapath.endpoints().delete(ep.hostIfIndex);
    datapath.policies().delete(ep.id);
    deletePin(ep.id);
    if (ep.policyMap != null) {
      ep.policyMap.close();
    }
    unregisterQuietly(ep.id, ep.containerId, ep.podRef());
    refreshIpCache(ep);
    plumbing.unwire(ep.hostIfName);
    if (pool4 != null) {
      pool4.release(containerId);
    }
    if (pool6 != null) {
      pool6.release(containerId);
    }
    policy.engine().removeEndpoint(ep.id);
    identityMembersChanged(ep.identity.id(), !ep.ports.isEmpty());
    identities.release(ep.identity);
    flushPolicy();
    LOG.atInfo()
        .addKeyValue("endpointId", ep.id)
        .addKeyValue("pod", ep.podRef())
        .log("endpoint deleted");
    tell(ep, "deleted", Listener::deleted);
    return true;
  }

  // ---- labels ----

  /** Replaces an endpoint's labels; identity, ipcache and every policy follow. */
  public void relabel(Endpoint ep, Map<String, String> labels) {
    for (var e : labels.entrySet()) {
      LabelValidation.check(e.getKey(), e.getValue());
    }
    ep.labels = Map.copyOf(labels);
    refreshIdentity(ep);
    flushPolicy();
    tell(ep, "relabeled", Listener::relabeled);
  }

  /** A namespace's labels changed: the identities of its pods change with them. */
  public void namespaceChanged(String namespace) {
    for (Endpoint ep : byId.values()) {
      if (ep.podNamespace.equals(namespace)) {
        refreshIdentity(ep);
      }
    }
    flushPolicy();
  }

  private void refreshIdentity(Endpoint ep) {
    Labels wanted = identityLabels(ep);
    if (wanted.equals(ep.identity.labels())) {
      return;
    }
    Identity old = ep.identity;
    Identity fresh = identities.acquire(wanted);
    ep.identity = fresh;
    identityMembersChanged(fresh.id(), !ep.ports.isEmpty());
    identityMembersChanged(old.id(), !ep.ports.isEmpty());
    policy.queue(policy.engine().upsertEndpoint(ep.id, fresh.labels(), ep.ports));
    // policies learn the new identity before the ipcache hands it to packets
    flushPolicy();
    refreshIpCache(ep);
    datapath.endpoints().put(endpointInfo(ep));
    identities.release(old);
    LOG.atInfo()
        .addKeyValue("endpointId", ep.id)
        .addKeyValue("pod", ep.podRef())
        .addKeyValue("oldIdentity", old.id())
        .addKeyValue("identity", fresh.id())
        .log("endpoint identity changed");
  }

  Labels identityLabels(Endpoint ep) {
    return identities.podIdentityLabels(
        ep.podNamespace, ep.labels, namespaces.labels(ep.podNamespace));
  }

  // ---- policy ----

  /**
   * Writes every queued policy change into the endpoints' maps, in order. If a map refuses an entry
   * (full), the endpoint's map is brought back to a consistent state by a full reconciliation and
   * the failure is reported.
   */
  public void flushPolicy() {
    RuntimeException failure = null;
    for (PolicyEngine.Changes c : policy.drain()) {
      policyChanged.addAll(c.byEndpoint().keySet());
      for (var e : c.byEndpoint().entrySet()) {
        Endpoint ep = byId.get(e.getKey());
        if (ep == null || ep.policyMap == null) {
          continue;
        }
        try {
          write(ep, e.getValue());
        } catch (MapFullException ex) {
          failure = failure == null ? ex : failure;
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  private void write(Endpoint ep, PolicyEngine.Diff d) {
    for (var u : d.upserts().entrySet()) {
      ep.policyMap.put(u.getKey(), u.getValue());
    }
    for (PolicyKey k : d.deletes()) {
      ep.policyMap.delete(k);
    }
    LOG.atDebug()
        .addKeyValue("endpointId", ep.id)
        .addKeyValue("policyRevision", policy.revision())
        .addKeyValue("upserts", d.upserts().size())
        .addKeyValue("deletes", d.deletes().size())
        .log("policy map updated");
  }

  /** The endpoints whose resolved policy changed since the last call. */
  public java.util.Set<Integer> drainPolicyChanged() {
    java.util.Set<Integer> out = java.util.Set.copyOf(policyChanged);
    policyChanged.clear();
    return out;
  }

  /** Brings every policy map to the engine's state by comparing with its content (slow path). */
  public void resyncAllPolicyMaps() {
    policy.drain();
    for (Endpoint ep : byId.values()) {
      PolicyMapSync.sync(ep.policyMap, policyOf(ep));
    }
  }

  /** The resolved policy of an endpoint (what its map holds). */
  public EndpointPolicy policyOf(Endpoint ep) {
    return policy.engine().policy(ep.id);
  }

  /**
   * Named ports of the endpoints holding {@code identity}, for egress rules naming ports; for the
   * wildcard identity 0 (a rule without peers), those of every endpoint.
   */
  private Collection<NamedPort> namedPortsOf(int identity, String name) {
    List<NamedPort> out = new ArrayList<>();
    for (Endpoint ep : byId.values()) {
      if (ep.identity != null && (identity == 0 || ep.identity.id() == identity)) {
        for (NamedPort p : ep.ports) {
          if (p.name().equals(name)) {
            out.add(p);
          }
        }
      }
    }
    return out;
  }

  /** The endpoints of an identity changed: their addresses (ipBlock peers) and named ports. */
  private void identityMembersChanged(int identity, boolean portsChanged) {
    List<byte[]> addrs = new ArrayList<>();
    for (Endpoint ep : byId.values()) {
      if (ep.identity != null && ep.identity.id() == identity) {
        if (ep.ipv4 != null) {
          addrs.add(ep.ipv4);
        }
        if (ep.ipv6 != null) {
          addrs.add(ep.ipv6);
        }
      }
    }
    policy.queue(policy.engine().setIdentityAddresses(identity, addrs));
    if (portsChanged) {
      policy.queue(policy.engine().namedPortsChanged(identity));
    }
  }

  /**
   * Gives every CIDR prefix the policies refer to an identity and an ipcache entry, and removes
   * those no longer referred to. New prefixes reach the policies before the ipcache; old ones leave
   * the ipcache before the policies.
   */
  public void syncCidrIdentities() {
    var wanted = policy.prefixes();
    for (Cidr c : wanted) {
      if (!cidrIdentities.containsKey(c)) {
        cidrIdentities.put(c, identities.acquireCidr(c));
      }
    }
    flushPolicy();
    for (Cidr c : wanted) {
      refreshIpCache(c);
    }
    for (var it = cidrIdentities.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      if (!wanted.contains(e.getKey())) {
        // read before remove(): a TreeMap may reuse the removed entry for its successor
        Cidr prefix = e.getKey();
        Identity identity = e.getValue();
        it.remove();
        refreshIpCache(prefix);
        identities.release(identity);
      }
    }
    flushPolicy();
  }

  // ---- ipcache ----

  private void refreshIpCache(Endpoint ep) {
    for (Cidr a : addressesOf(ep)) {
      refreshIpCache(a);
    }
  }

  /**
   * Writes the one entry {@code prefix} should have, or removes it when nothing claims it. Several
   * sources can claim the same prefix; as in Cilium's ipcache, an endpoint's address wins over the
   * node's own addresses, which win over a CIDR identity a policy asked for (a /32 naming a pod
   * keeps selecting the CIDR identity, but packets of the pod keep the pod's identity).
   */
  private void refreshIpCache(Cidr prefix) {
    Integer id = desiredIdentity(prefix);
    if (id == null) {
      datapath.ipcache().delete(prefix);
    } else {
      datapath
          .ipcache()
          .put(prefix, id, isLocalEndpoint(prefix) ? IpCacheMap.FLAG_LOCAL_ENDPOINT : 0);
    }
  }

  /** True if {@code prefix} is the address of a pod of this node that has its identity. */
  private boolean isLocalEndpoint(Cidr prefix) {
    Endpoint ep = byAddress.get(prefix);
    return ep != null && ep.identity != null;
  }

  /** The ipcache prefixes that are this node's pods (flagged so in the map). */
  public Set<Cidr> localEndpointPrefixes() {
    Set<Cidr> out = new LinkedHashSet<>();
    for (Cidr c : byAddress.keySet()) {
      if (isLocalEndpoint(c)) {
        out.add(c);
      }
    }
    return out;
  }

  private Integer desiredIdentity(Cidr prefix) {
    Endpoint ep = byAddress.get(prefix);
    if (ep != null && ep.identity != null) {
      return ep.identity.id();
    }
    Integer host = hostAddresses.get(prefix);
    if (host != null) {
      return host;
    }
    Identity cidr = cidrIdentities.get(prefix);
    return cidr == null ? null : cidr.id();
  }

  /**
   * The whole ipcache as it should be: world for everything, the node's own addresses as host,
   * every endpoint's addresses as its identity.
   */
  public Map<Cidr, Integer> desiredIpCache() {
    Map<Cidr, Integer> desired = new LinkedHashMap<>();
    boolean dual = config.ipv4Enabled() && config.ipv6Enabled();
    desired.put(
        Cidr.parse("0.0.0.0/0"),
        dual ? ReservedIdentity.WORLD_IPV4.id() : ReservedIdentity.WORLD.id());
    desired.put(
        Cidr.parse("::/0"), dual ? ReservedIdentity.WORLD_IPV6.id() : ReservedIdentity.WORLD.id());
    // every claimed prefix once, with the identity the precedence rule gives it
    Set<Cidr> claimed = new LinkedHashSet<>(cidrIdentities.keySet());
    claimed.addAll(hostAddresses.keySet());
    claimed.addAll(byAddress.keySet());
    for (Cidr c : claimed) {
      Integer id = desiredIdentity(c);
      if (id != null) {
        desired.put(c, id);
      }
    }
    return desired;
  }

  /** The node's own addresses (as of the last {@link #syncIpCache()}), as text. */
  public Set<String> hostAddresses() {
    Set<String> out = new LinkedHashSet<>();
    hostAddresses.keySet().forEach(c -> out.add(IpAddress.format(c.address())));
    return out;
  }

  /** Re-reads the node's addresses and brings the whole ipcache map in line. */
  public void syncIpCache() {
    hostAddresses.clear();
    for (Address a : netlink.addresses()) {
      byte[] b = a.address().getAddress();
      if (b.length == 16 && (b[0] & 0xff) == 0xfe && (b[1] & 0xc0) == 0x80) {
        continue; // link-local: per link, never a source the ipcache sees
      }
      hostAddresses.put(Cidr.host(b), ReservedIdentity.HOST.id());
    }
    int changes = IpCacheSync.sync(datapath.ipcache(), desiredIpCache(), localEndpointPrefixes());
    if (changes > 0) {
      LOG.atDebug().addKeyValue("changes", changes).log("ipcache synchronized");
    }
  }

  // ---- restore after restart ----

  /**
   * Re-creates endpoints from saved state. Endpoints whose veth or namespace vanished while the
   * agent was down are cleaned up; the rest get their programs re-attached (atomically replaced)
   * and their maps reconciled, without a window in which their policy is not enforced.
   */
  public void restore(List<EndpointState> saved) {
    for (EndpointState s : saved) {
      byte[] v4 = s.ipv4() == null || s.ipv4().isEmpty() ? null : IpAddress.parse(s.ipv4());
      byte[] v6 = s.ipv6() == null || s.ipv6().isEmpty() ? null : IpAddress.parse(s.ipv6());
      Path netns = Path.of(s.netns());
      if (!plumbing.linkExists(s.hostIfName()) || !Files.exists(netns)) {
        LOG.atWarn()
            .addKeyValue("endpointId", s.id())
            .addKeyValue("pod", s.podNamespace() + "/" + s.podName())
            .log("endpoint vanished while the agent was down; removing it");
        datapath.endpoints().delete(s.hostIfIndex());
        datapath.policies().delete(s.id());
        deletePin(s.id());
        plumbing.unwire(s.hostIfName());
        if (s.standalonePod() && Files.exists(netns)) {
          // the runtime's half of a pod that lost its network: do what pod delete does
          PodRuntime.killProcesses(netns);
          io.jilium.bpf.netns.NetworkNamespace.delete(netns);
        }
        if (v4 != null) {
          refreshIpCache(Cidr.host(v4));
        }
        if (v6 != null) {
          refreshIpCache(Cidr.host(v6));
        }
        continue;
      }
      if (pool4 != null && v4 != null) {
        pool4.restore(s.containerId(), v4);
      }
      if (pool6 != null && v6 != null) {
        pool6.restore(s.containerId(), v6);
      }
      List<NamedPort> ports = new ArrayList<>();
      for (PortState p : s.ports() == null ? List.<PortState>of() : s.ports()) {
        ports.add(new NamedPort(p.name(), p.port(), Protocol.valueOf(p.protocol())));
      }
      Endpoint ep =
          new Endpoint(
              s.id(),
              s.containerId(),
              s.podNamespace(),
              s.podName(),
              netns,
              s.ifname(),
              s.hostIfName(),
              s.hostIfIndex(),
              MacAddress.parse(s.mac()),
              MacAddress.parse(s.hostMac()),
              v4,
              v6,
              s.createdMillis(),
              s.standalonePod(),
              s.command() == null ? List.of() : s.command(),
              s.logFile() == null ? null : Path.of(s.logFile()),
              s.labels() == null ? Map.of() : s.labels(),
              ports);
      namespaces.ensure(ep.podNamespace);
      ep.identity = identities.acquire(identityLabels(ep));
      ep.policyMap = openOrCreatePolicyMap(ep.id);
      register(ep);
      identityMembersChanged(ep.identity.id(), !ep.ports.isEmpty());
      policy.queue(policy.engine().upsertEndpoint(ep.id, ep.identity.labels(), ep.ports));
    }
  }

  /** Second half of restore, once every endpoint and identity is known. */
  public void reconcileAfterRestore() {
    // CIDR identities first (restored with their ids), then every map against the full state
    var wanted = policy.prefixes();
    for (Cidr c : wanted) {
      cidrIdentities.put(c, identities.acquireCidr(c));
    }
    policy.drain(); // the maps are reconciled in full below, not by diffs
    for (Endpoint ep : byId.values()) {
      PolicyMapSync.sync(ep.policyMap, policyOf(ep));
      datapath.policies().put(ep.id, ep.policyMap);
      datapath.endpoints().put(endpointInfo(ep));
      datapath.attach(ep.hostIfIndex, ep.hostIfName);
    }
    // endpoints map entries of endpoints that no longer exist
    Set<Integer> live = new HashSet<>();
    byId.values().forEach(ep -> live.add(ep.hostIfIndex));
    for (EndpointsMap.Info info : datapath.endpoints().dump()) {
      if (!live.contains(info.ifindex())) {
        datapath.endpoints().delete(info.ifindex());
        datapath.policies().delete(info.endpointId());
      }
    }
    syncIpCache();
  }

  private PolicyMap openOrCreatePolicyMap(int id) {
    Path pin = pinPath(id);
    if (Files.exists(pin)) {
      BpfMap m = BpfMap.openPinned(pin);
      if (m.keySize() == PolicyMap.KEY_SIZE
          && m.valueSize() == PolicyMap.VALUE_SIZE
          && m.maxEntries() == PolicyMap.MAX_ENTRIES) {
        return new PolicyMap(m);
      }
      m.close();
      deletePin(id);
    }
    PolicyMap created = PolicyMap.create(id);
    created.raw().pin(pin);
    return created;
  }

  // ---- state ----

  public List<EndpointState> snapshot() {
    List<EndpointState> out = new ArrayList<>();
    for (Endpoint ep : byId.values()) {
      List<PortState> ports = new ArrayList<>();
      for (NamedPort p : ep.ports) {
        ports.add(new PortState(p.name(), p.port(), p.protocol().name()));
      }
      out.add(
          new EndpointState(
              ep.id,
              ep.containerId,
              ep.podNamespace,
              ep.podName,
              ep.netns.toString(),
              ep.ifname,
              ep.hostIfName,
              ep.hostIfIndex,
              ep.mac.toString(),
              ep.hostMac.toString(),
              ep.ipv4 == null ? "" : IpAddress.format(ep.ipv4),
              ep.ipv6 == null ? "" : IpAddress.format(ep.ipv6),
              new TreeMap<>(ep.labels),
              ports,
              ep.createdMillis,
              ep.standalonePod,
              ep.command,
              ep.logFile == null ? null : ep.logFile.toString()));
    }
    return out;
  }

  public AddressPool pool4() {
    return pool4;
  }

  public AddressPool pool6() {
    return pool6;
  }

  // ---- helpers ----

  private EndpointsMap.Info endpointInfo(Endpoint ep) {
    return new EndpointsMap.Info(
        ep.id,
        ep.identity.id(),
        0,
        ep.hostIfIndex,
        ep.ipv4 == null ? new byte[4] : ep.ipv4,
        ep.ipv6 == null ? new byte[16] : ep.ipv6,
        ep.mac.bytes(),
        ep.hostMac.bytes());
  }

  private void register(Endpoint ep) {
    byId.put(ep.id, ep);
    byContainer.put(ep.containerId, ep);
    byPod.put(ep.podRef(), ep);
    for (Cidr a : addressesOf(ep)) {
      byAddress.put(a, ep);
    }
  }

  private static List<Cidr> addressesOf(Endpoint ep) {
    List<Cidr> out = new ArrayList<>(2);
    if (ep.ipv4 != null) {
      out.add(Cidr.host(ep.ipv4));
    }
    if (ep.ipv6 != null) {
      out.add(Cidr.host(ep.ipv6));
    }
    return out;
  }

  private void unregisterQuietly(int id, String containerId, String podRef) {
    Endpoint ep = byId.get(id);
    if (ep != null && ep.containerId.equals(containerId)) {
      byId.remove(id);
      for (Cidr a : addressesOf(ep)) {
        byAddress.remove(a, ep);
      }
    }
    byContainer.remove(containerId);
    byPod.remove(podRef);
  }

  private int nextEndpointId() {
    int candidate = 1;
    for (int id : byId.keySet()) {
      if (id != candidate) {
        break;
      }
      candidate++;
    }
    if (candidate > MAX_ENDPOINT_ID) {
      throw new IllegalStateException(
          "no free endpoint id: " + MAX_ENDPOINT_ID + " endpoints exist");
    }
    return candidate;
  }

  private Path pinPath(int endpointId) {
    return datapath.pinDir().resolve("jl_pol_" + endpointId);
  }

  private void deletePin(int endpointId) {
    try {
      Files.deleteIfExists(pinPath(endpointId));
    } catch (IOException e) {
      throw new UncheckedIOException("remove " + pinPath(endpointId), e);
    }
  }

  /** {@code lxc} + 11 hex digits of a hash of the container id: unique, stable, 14 characters. */
  static String hostIfName(String containerId) {
    try {
      byte[] h =
          MessageDigest.getInstance("SHA-256").digest(containerId.getBytes(StandardCharsets.UTF_8));
      return "lxc" + HexFormat.of().formatHex(h).substring(0, 11);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
