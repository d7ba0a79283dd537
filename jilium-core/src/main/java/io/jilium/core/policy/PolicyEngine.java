package io.jilium.core.policy;

import io.jilium.core.identity.CidrLabels;
import io.jilium.core.identity.Identity;
import io.jilium.core.identity.ReservedIdentity;
import io.jilium.core.labels.LabelSelector;
import io.jilium.core.labels.Labels;
import io.jilium.core.net.Cidr;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The policy of every endpoint, kept current incrementally.
 *
 * <p>For each endpoint the engine keeps the rules that select it, resolved into <em>selector
 * rules</em> (direction, allow or deny, a peer selector, port templates), and the map entries they
 * produce grouped by peer identity. A change touches only what it must:
 *
 * <ul>
 *   <li>a new or relabelled identity recomputes, in the endpoints whose rules use a selector whose
 *       selection changed, the entries of that one identity;
 *   <li>a policy change re-resolves only the endpoints its old or new rules select;
 *   <li>an endpoint change re-resolves that endpoint.
 * </ul>
 *
 * Each operation returns the per-endpoint differences to write into the datapath.
 *
 * <p>Semantics (Cilium's, as documented): a direction is enforced when a rule selecting the
 * endpoint enforces it, or always under {@code --policy-enforcement always}; an unenforced
 * direction gets an allow-all entry (identity 0). Deny wins over any allow: an allow that a deny of
 * the same identity covers is left out, and the datapath drops when either of its two lookups
 * (exact identity, any identity) finds a deny. With allow-localhost the host may always reach an
 * endpoint whose ingress is enforced. Not thread-safe: owned by the agent's control loop.
 */
public final class PolicyEngine {
  public static final RuleOrigin ALLOW_ANY_INGRESS = RuleOrigin.agent("allow-any-ingress");
  public static final RuleOrigin ALLOW_ANY_EGRESS = RuleOrigin.agent("allow-any-egress");
  public static final RuleOrigin ALLOW_LOCALHOST = RuleOrigin.agent("allow-localhost-ingress");

  /** Named ports of the endpoints with an identity, for egress rules that name ports. */
  @FunctionalInterface
  public interface PeerPorts {
    Collection<NamedPort> of(int identity, String name);
  }

  /** What to write into one endpoint's policy map. */
  public record Diff(Map<PolicyKey, PolicyValue> upserts, Set<PolicyKey> deletes) {
    public boolean isEmpty() {
      return upserts.isEmpty() && deletes.isEmpty();
    }

    /** Both diffs; they touch distinct keys (those of different peer identities). */
    Diff plus(Diff other) {
      Map<PolicyKey, PolicyValue> u = new HashMap<>(upserts);
      u.putAll(other.upserts);
      Set<PolicyKey> d = new HashSet<>(deletes);
      d.addAll(other.deletes);
      return new Diff(u, d);
    }
  }

  /** Per-endpoint diffs of one change. */
  public record Changes(Map<Integer, Diff> byEndpoint) {
    static Changes none() {
      return new Changes(Map.of());
    }

    public boolean isEmpty() {
      return byEndpoint.values().stream().allMatch(Diff::isEmpty);
    }
  }

  /** A peer an entry can come from: any identity, a label selector, or pods by address. */
  sealed interface Peer permits AnyPeer, LabelPeer, AddressPeer {}

  record AnyPeer() implements Peer {}

  record LabelPeer(LabelSelector selector) implements Peer {}

  record AddressPeer(CidrPeer cidr) implements Peer {}

  private static final AnyPeer ANY = new AnyPeer();

  /** One resolved rule of an endpoint: direction, verdict, peer and what it opens. */
  record SelectorRule(
      Direction direction,
      boolean deny,
      Peer peer,
      List<PortProtocol> ports,
      List<IcmpField> icmps,
      RuleRef ref) {}

  private static final class EndpointState {
    final int id;
    Labels subject;
    List<NamedPort> ownPorts;
    boolean ingressEnforced;
    boolean egressEnforced;
    List<SelectorRule> rules = List.of();
    Set<RuleOrigin> origins = Set.of();

    /** Entries by peer identity (0 = any). */
    final Map<Integer, Map<PolicyKey, Entry>> byIdentity = new HashMap<>();

    EndpointState(int id) {
      this.id = id;
    }
  }

  /** A desired entry with the rules that produced it. */
  private record Entry(PolicyValue value, Set<RuleRef> refs) {}

  private final EnforcementMode mode;
  private final boolean allowLocalhost;
  private final PolicyRepository repository;
  private final SelectorCache cache;
  private PeerPorts peerPorts = (id, name) -> List.of();
  private final Map<Integer, EndpointState> endpoints = new HashMap<>();

  /** Which endpoints use each peer, so identity changes find the endpoints to update. */
  private final Map<Peer, Set<Integer>> users = new HashMap<>();

  public PolicyEngine(EnforcementMode mode, boolean allowLocalhost) {
    this(mode, allowLocalhost, new PolicyRepository(), new SelectorCache());
  }

  public PolicyEngine(
      EnforcementMode mode,
      boolean allowLocalhost,
      PolicyRepository repository,
      SelectorCache cache) {
    this.mode = mode;
    this.allowLocalhost = allowLocalhost;
    this.repository = repository;
    this.cache = cache;
  }

  public void setPeerPorts(PeerPorts peerPorts) {
    this.peerPorts = peerPorts;
  }

  public PolicyRepository repository() {
    return repository;
  }

  public SelectorCache selectorCache() {
    return cache;
  }

  public long revision() {
    return repository.revision();
  }

  // ---- rules ----

  /** Adds or replaces the rules of one policy resource. */
  public Changes putRules(RuleOrigin origin, List<Rule> rules) {
    Set<Integer> affected = endpointsSelectedBy(repository.rules(origin));
    repository.replace(origin, rules);
    affected.addAll(endpointsSelectedBy(rules));
    // endpoints that list the origin, in case its subjects changed in ways matching cannot see
    for (EndpointState ep : endpoints.values()) {
      if (ep.origins.contains(origin)) {
        affected.add(ep.id);
      }
    }
    return reresolve(affected);
  }

  public Changes deleteRules(RuleOrigin origin) {
    if (!repository.contains(origin)) {
      return Changes.none();
    }
    Set<Integer> affected = endpointsSelectedBy(repository.rules(origin));
    for (EndpointState ep : endpoints.values()) {
      if (ep.origins.contains(origin)) {
        affected.add(ep.id);
      }
    }
    repository.delete(origin);
    Changes c = reresolve(affected);
    cache.retainSelectors(selectorsInUse());
    return c;
  }

  private Set<Integer> endpointsSelectedBy(List<Rule> rules) {
    Set<Integer> out = new HashSet<>();
    for (EndpointState ep : endpoints.values()) {
      for (Rule r : rules) {
        if (r.subject().matches(ep.subject)) {
          out.add(ep.id);
          break;
        }
      }
    }
    return out;
  }

  /** The CIDR prefixes rules refer to: each needs a CIDR identity and an ipcache entry. */
  public Set<Cidr> prefixes() {
    Set<Cidr> out = new TreeSet<>();
    for (RuleOrigin o : repository.origins()) {
      for (Rule r : repository.rules(o)) {
        for (Direction d : Direction.values()) {
          for (boolean deny : new boolean[] {false, true}) {
            for (PeerRule pr : r.rules(d, deny)) {
              for (CidrPeer c : pr.cidrs()) {
                out.addAll(CidrLabels.prefixes(c));
              }
            }
          }
        }
      }
    }
    return out;
  }

  // ---- identities ----

  /** A new or relabelled identity; {@code addresses} of its endpoints (may be empty). */
  public Changes upsertIdentity(Identity identity) {
    List<LabelSelector> changed = cache.upsertIdentity(identity);
    Set<Integer> affected = new HashSet<>();
    for (LabelSelector s : changed) {
      affected.addAll(users.getOrDefault(new LabelPeer(s), Set.of()));
    }
    return recomputeIdentity(identity.id(), affected);
  }

  public Changes removeIdentity(int id) {
    cache.removeIdentity(id);
    Set<Integer> affected = new HashSet<>();
    for (EndpointState ep : endpoints.values()) {
      if (ep.byIdentity.containsKey(id)) {
        affected.add(ep.id);
      }
    }
    return recomputeIdentity(id, affected);
  }

  /** The addresses of the endpoints holding identity {@code id} (Kubernetes ipBlock peers). */
  public Changes setIdentityAddresses(int id, List<byte[]> addresses) {
    List<CidrPeer> changed = cache.setAddresses(id, addresses);
    Set<Integer> affected = new HashSet<>();
    for (CidrPeer c : changed) {
      affected.addAll(users.getOrDefault(new AddressPeer(c), Set.of()));
    }
    return recomputeIdentity(id, affected);
  }

  /**
   * Named ports of identity {@code id} changed: egress rules naming ports may resolve anew, for
   * that identity and for the wildcard peer (a rule without {@code to} opens the port numbers every
   * endpoint gives the name, as Cilium's named-port map does).
   */
  public Changes namedPortsChanged(int id) {
    Set<Integer> affected = new HashSet<>();
    for (EndpointState ep : endpoints.values()) {
      for (SelectorRule r : ep.rules) {
        if (r.direction() == Direction.EGRESS
            && r.ports().stream().anyMatch(PortProtocol::isNamed)) {
          affected.add(ep.id);
          break;
        }
      }
    }
    return id == 0 ? recomputeIdentity(0, affected) : recomputeIdentities(id, 0, affected);
  }

  private Changes recomputeIdentities(int first, int second, Set<Integer> endpointIds) {
    Map<Integer, Diff> diffs = new HashMap<>(recomputeIdentity(first, endpointIds).byEndpoint());
    recomputeIdentity(second, endpointIds)
        .byEndpoint()
        .forEach((ep, d) -> diffs.merge(ep, d, Diff::plus));
    return new Changes(diffs);
  }

  // ---- endpoints ----

  /** Adds an endpoint or changes its identity labels or named ports; resolves it fully. */
  public Changes upsertEndpoint(int endpointId, Labels subject, List<NamedPort> ownPorts) {
    EndpointState ep = endpoints.computeIfAbsent(endpointId, EndpointState::new);
    ep.subject = subject;
    ep.ownPorts = List.copyOf(ownPorts);
    return reresolve(Set.of(endpointId));
  }

  public void removeEndpoint(int endpointId) {
    EndpointState ep = endpoints.remove(endpointId);
    if (ep != null) {
      for (SelectorRule r : ep.rules) {
        Set<Integer> u = users.get(r.peer());
        if (u != null) {
          u.remove(endpointId);
          if (u.isEmpty()) {
            users.remove(r.peer());
          }
        }
      }
    }
  }

  /** The desired policy of an endpoint. */
  public EndpointPolicy policy(int endpointId) {
    EndpointState ep = endpoints.get(endpointId);
    if (ep == null) {
      throw new IllegalArgumentException("no endpoint " + endpointId + " in the policy engine");
    }
    TreeMap<PolicyKey, PolicyValue> entries = new TreeMap<>();
    TreeMap<PolicyKey, Set<RuleRef>> refs = new TreeMap<>();
    for (Map<PolicyKey, Entry> m : ep.byIdentity.values()) {
      for (var e : m.entrySet()) {
        entries.put(e.getKey(), e.getValue().value());
        refs.put(e.getKey(), e.getValue().refs());
      }
    }
    return new EndpointPolicy(entries, ep.ingressEnforced, ep.egressEnforced, revision(), refs);
  }

  public boolean hasEndpoint(int endpointId) {
    return endpoints.containsKey(endpointId);
  }

  /** Number of entries of the endpoint's policy (its policy map's size). */
  public int entryCount(int endpointId) {
    EndpointState ep = endpoints.get(endpointId);
    return ep == null ? 0 : ep.byIdentity.values().stream().mapToInt(Map::size).sum();
  }

  /** Policies whose rules select the endpoint. */
  public Set<RuleOrigin> origins(int endpointId) {
    EndpointState ep = endpoints.get(endpointId);
    return ep == null ? Set.of() : ep.origins;
  }

  // ---- resolution ----

  private Changes reresolve(Set<Integer> endpointIds) {
    Map<Integer, Diff> diffs = new HashMap<>();
    for (int id : endpointIds) {
      EndpointState ep = endpoints.get(id);
      if (ep != null) {
        diffs.put(id, resolveFully(ep));
      }
    }
    return new Changes(diffs);
  }

  private Diff resolveFully(EndpointState ep) {
    List<Rule> rules =
        mode == EnforcementMode.NEVER ? List.of() : repository.rulesSelecting(ep.subject);
    boolean ingress = mode == EnforcementMode.ALWAYS;
    boolean egress = mode == EnforcementMode.ALWAYS;
    Set<RuleOrigin> origins = new LinkedHashSet<>();
    List<SelectorRule> selectorRules = new ArrayList<>();
    for (Rule r : rules) {
      ingress |= r.enforceIngress();
      egress |= r.enforceEgress();
      origins.add(r.origin());
      for (Direction d : Direction.values()) {
        for (boolean deny : new boolean[] {false, true}) {
          for (PeerRule pr : r.rules(d, deny)) {
            RuleRef ref = new RuleRef(r.origin(), pr.path());
            for (Peer p : peers(pr)) {
              selectorRules.add(new SelectorRule(d, deny, p, pr.ports(), pr.icmps(), ref));
            }
          }
        }
      }
    }
    // unregister the old rules' peers, register the new ones
    for (SelectorRule r : ep.rules) {
      Set<Integer> u = users.get(r.peer());
      if (u != null) {
        u.remove(ep.id);
      }
    }
    for (SelectorRule r : selectorRules) {
      users.computeIfAbsent(r.peer(), k -> new HashSet<>()).add(ep.id);
    }
    ep.rules = List.copyOf(selectorRules);
    ep.origins = Set.copyOf(origins);
    ep.ingressEnforced = ingress;
    ep.egressEnforced = egress;

    // all entries at once: each rule over its selections (not each identity over all rules)
    Map<Integer, Map<PolicyKey, Entry>> allow = new HashMap<>();
    Map<Integer, Map<PolicyKey, Entry>> deny = new HashMap<>();
    synthesized(ep, 0, allow.computeIfAbsent(0, k -> new HashMap<>()));
    synthesized(
        ep,
        ReservedIdentity.HOST.id(),
        allow.computeIfAbsent(ReservedIdentity.HOST.id(), k -> new HashMap<>()));
    for (SelectorRule r : ep.rules) {
      for (int id : selections(r.peer())) {
        Map<PolicyKey, Entry> into =
            (r.deny() ? deny : allow).computeIfAbsent(id, k -> new HashMap<>());
        for (PolicyKey k : keys(id, r, ep)) {
          merge(into, k, r.deny(), r.ref());
        }
      }
    }
    Set<Integer> identities = new HashSet<>(ep.byIdentity.keySet());
    identities.addAll(allow.keySet());
    identities.addAll(deny.keySet());
    Map<PolicyKey, PolicyValue> upserts = new HashMap<>();
    Set<PolicyKey> deletes = new HashSet<>();
    for (int id : identities) {
      Map<PolicyKey, Entry> now =
          applyDenies(allow.getOrDefault(id, Map.of()), deny.getOrDefault(id, Map.of()));
      record(ep, id, now, upserts, deletes);
    }
    return new Diff(upserts, deletes);
  }

  private Changes recomputeIdentity(int identity, Set<Integer> endpointIds) {
    Map<Integer, Diff> diffs = new HashMap<>();
    for (int epId : endpointIds) {
      EndpointState ep = endpoints.get(epId);
      if (ep == null) {
        continue;
      }
      Map<PolicyKey, PolicyValue> upserts = new HashMap<>();
      Set<PolicyKey> deletes = new HashSet<>();
      record(ep, identity, entriesFor(ep, identity), upserts, deletes);
      if (!upserts.isEmpty() || !deletes.isEmpty()) {
        diffs.put(epId, new Diff(upserts, deletes));
      }
    }
    return new Changes(diffs);
  }

  /** Records the entries one peer identity of an endpoint needs now, and the difference. */
  private static void record(
      EndpointState ep,
      int identity,
      Map<PolicyKey, Entry> now,
      Map<PolicyKey, PolicyValue> upserts,
      Set<PolicyKey> deletes) {
    Map<PolicyKey, Entry> before = ep.byIdentity.getOrDefault(identity, Map.of());
    for (var e : now.entrySet()) {
      Entry old = before.get(e.getKey());
      if (old == null || !old.value().sameDatapathValue(e.getValue().value())) {
        upserts.put(e.getKey(), e.getValue().value());
      }
    }
    for (PolicyKey k : before.keySet()) {
      if (!now.containsKey(k)) {
        deletes.add(k);
      }
    }
    if (now.isEmpty()) {
      ep.byIdentity.remove(identity);
    } else {
      ep.byIdentity.put(identity, now);
    }
  }

  /** Entries the agent adds by itself: allow-all for unenforced directions, allow-localhost. */
  private void synthesized(EndpointState ep, int identity, Map<PolicyKey, Entry> allow) {
    if (identity == 0) {
      if (!ep.ingressEnforced) {
        merge(
            allow, PolicyKey.any(0, Direction.INGRESS), false, new RuleRef(ALLOW_ANY_INGRESS, ""));
      }
      if (!ep.egressEnforced) {
        merge(allow, PolicyKey.any(0, Direction.EGRESS), false, new RuleRef(ALLOW_ANY_EGRESS, ""));
      }
    }
    if (identity == ReservedIdentity.HOST.id() && allowLocalhost && ep.ingressEnforced) {
      merge(
          allow,
          PolicyKey.any(identity, Direction.INGRESS),
          false,
          new RuleRef(ALLOW_LOCALHOST, ""));
    }
  }

  /** Deny wins: denies, plus the allows no deny of the same identity covers. */
  private static Map<PolicyKey, Entry> applyDenies(
      Map<PolicyKey, Entry> allow, Map<PolicyKey, Entry> deny) {
    if (deny.isEmpty()) {
      return allow;
    }
    Map<PolicyKey, Entry> out = new HashMap<>(deny);
    for (var e : allow.entrySet()) {
      if (!coveredBy(e.getKey(), deny.keySet())) {
        out.merge(e.getKey(), e.getValue(), PolicyEngine::mergeEntries);
      }
    }
    return out;
  }

  /** The entries endpoint {@code ep} needs for peer {@code identity}. */
  private Map<PolicyKey, Entry> entriesFor(EndpointState ep, int identity) {
    Map<PolicyKey, Entry> allow = new HashMap<>();
    Map<PolicyKey, Entry> deny = new HashMap<>();
    synthesized(ep, identity, allow);
    for (SelectorRule r : ep.rules) {
      if (!selects(r.peer(), identity)) {
        continue;
      }
      for (PolicyKey k : keys(identity, r, ep)) {
        merge(r.deny() ? deny : allow, k, r.deny(), r.ref());
      }
    }
    return applyDenies(allow, deny);
  }

  private static void merge(Map<PolicyKey, Entry> into, PolicyKey k, boolean deny, RuleRef ref) {
    Entry e = new Entry(new PolicyValue(deny, 0, Set.of(ref.origin())), Set.of(ref));
    into.merge(k, e, PolicyEngine::mergeEntries);
  }

  private static Entry mergeEntries(Entry a, Entry b) {
    Set<RuleRef> refs = new TreeSet<>(a.refs());
    refs.addAll(b.refs());
    return new Entry(a.value().mergedWith(b.value()), refs);
  }

  private static boolean coveredBy(PolicyKey allow, Set<PolicyKey> denies) {
    for (PolicyKey d : denies) {
      if (d.covers(allow)) {
        return true;
      }
    }
    return false;
  }

  private List<PolicyKey> keys(int identity, SelectorRule r, EndpointState ep) {
    Direction d = r.direction();
    if (r.ports().isEmpty() && r.icmps().isEmpty()) {
      return List.of(PolicyKey.any(identity, d));
    }
    List<PolicyKey> out = new ArrayList<>();
    for (PortProtocol pp : r.ports()) {
      if (pp.isNamed()) {
        Collection<NamedPort> named =
            d == Direction.INGRESS
                ? ep.ownPorts.stream().filter(p -> p.name().equals(pp.portName())).toList()
                : peerPorts.of(identity, pp.portName());
        for (NamedPort np : named) {
          if (pp.protocol() == Protocol.ANY || pp.protocol() == np.protocol()) {
            out.add(PolicyKey.port(identity, d, np.protocol().number(), np.port()));
          }
        }
        continue;
      }
      if (pp.protocol() == Protocol.ANY && pp.port() == 0) {
        out.add(PolicyKey.any(identity, d));
        continue;
      }
      for (Protocol proto : pp.protocol().expand()) {
        if (pp.port() == 0) {
          out.add(PolicyKey.protocol(identity, d, proto.number()));
        } else if (pp.endPort() > pp.port()) {
          out.addAll(PolicyKey.range(identity, d, proto.number(), pp.port(), pp.endPort()));
        } else {
          out.add(PolicyKey.port(identity, d, proto.number(), pp.port()));
        }
      }
    }
    for (IcmpField f : r.icmps()) {
      out.add(PolicyKey.icmp(identity, d, f.protocol(), f.type()));
    }
    return out;
  }

  private static List<Peer> peers(PeerRule pr) {
    List<Peer> out = new ArrayList<>();
    if (pr.allPeers()) {
      out.add(ANY);
    }
    for (LabelSelector s : pr.peers()) {
      out.add(new LabelPeer(s));
    }
    for (CidrPeer c : pr.cidrs()) {
      out.add(new LabelPeer(CidrLabels.selector(c)));
      if (c.includePods()) {
        out.add(new AddressPeer(c));
      }
    }
    return out;
  }

  private boolean selects(Peer p, int identity) {
    return switch (p) {
      case AnyPeer a -> identity == 0;
      case LabelPeer l -> identity != 0 && cache.selections(l.selector()).contains(identity);
      case AddressPeer a -> identity != 0 && cache.podSelections(a.cidr()).contains(identity);
    };
  }

  private Set<Integer> selections(Peer p) {
    return switch (p) {
      case AnyPeer a -> Set.of(0);
      case LabelPeer l -> cache.selections(l.selector());
      case AddressPeer a -> cache.podSelections(a.cidr());
    };
  }

  private Set<LabelSelector> selectorsInUse() {
    Set<LabelSelector> out = new HashSet<>();
    for (Peer p : users.keySet()) {
      if (p instanceof LabelPeer l) {
        out.add(l.selector());
      }
    }
    return out;
  }
}
