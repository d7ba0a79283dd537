package io.jilium.core.policy;

import io.jilium.core.identity.ReservedIdentity;
import io.jilium.core.labels.LabelSelector;
import io.jilium.core.labels.Labels;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Resolves the rules selecting an endpoint into policy map entries.
 *
 * <p>Semantics, as Cilium documents them: a direction is enforced (default-deny) when a rule
 * selecting the endpoint covers it, or always under {@code --policy-enforcement always}; an
 * unenforced direction gets one allow-all entry (plus the entries of selecting rules that opt out
 * of default deny, so their denies still apply). Allow entries are the union of all rules. Deny
 * wins over any allow: an allow entry that a deny entry of the same identity covers is removed, and
 * the datapath drops when either of its two lookups (exact identity, any identity) finds a deny.
 * With allow-localhost the host may always reach the endpoint.
 */
public final class PolicyResolver {
  public static final RuleOrigin ALLOW_ANY_INGRESS = RuleOrigin.agent("allow-any-ingress");
  public static final RuleOrigin ALLOW_ANY_EGRESS = RuleOrigin.agent("allow-any-egress");
  public static final RuleOrigin ALLOW_LOCALHOST = RuleOrigin.agent("allow-localhost-ingress");

  private final EnforcementMode mode;
  private final boolean allowLocalhost;

  public PolicyResolver(EnforcementMode mode, boolean allowLocalhost) {
    this.mode = mode;
    this.allowLocalhost = allowLocalhost;
  }

  /**
   * @param subject the endpoint's identity labels
   * @param ownPorts the endpoint's named ports (for ingress rules naming ports)
   * @param peerPorts named ports of all endpoints by name (for egress rules naming ports)
   */
  public EndpointPolicy resolve(
      Labels subject,
      Collection<NamedPort> ownPorts,
      Function<String, Collection<NamedPort>> peerPorts,
      PolicyRepository repository,
      SelectorCache cache) {
    List<Rule> rules =
        mode == EnforcementMode.NEVER ? List.of() : repository.rulesSelecting(subject);
    boolean ingress = mode == EnforcementMode.ALWAYS;
    boolean egress = mode == EnforcementMode.ALWAYS;
    for (Rule r : rules) {
      ingress |= r.enforceIngress();
      egress |= r.enforceEgress();
    }
    Map<PolicyKey, PolicyValue> allow = new HashMap<>();
    Map<PolicyKey, PolicyValue> deny = new HashMap<>();
    Map<String, List<NamedPort>> own = new HashMap<>();
    for (NamedPort p : ownPorts) {
      own.computeIfAbsent(p.name(), k -> new ArrayList<>()).add(p);
    }
    for (Direction d : Direction.values()) {
      boolean enforced = d == Direction.INGRESS ? ingress : egress;
      if (!enforced) {
        // Not default-deny: allow all, but the selecting rules (their denies above all) still
        // apply, as Cilium's synthesized wildcard-allow rule does with enableDefaultDeny false.
        allow.put(
            PolicyKey.any(0, d),
            PolicyValue.allow(d == Direction.INGRESS ? ALLOW_ANY_INGRESS : ALLOW_ANY_EGRESS));
      }
      Function<String, Collection<NamedPort>> ports =
          d == Direction.INGRESS ? name -> own.getOrDefault(name, List.of()) : peerPorts;
      for (Rule r : rules) {
        for (PeerRule pr : r.rules(d, false)) {
          addEntries(allow, r.origin(), d, pr, ports, cache, false);
        }
        for (PeerRule pr : r.rules(d, true)) {
          addEntries(deny, r.origin(), d, pr, ports, cache, true);
        }
      }
      if (enforced && d == Direction.INGRESS && allowLocalhost) {
        allow.merge(
            PolicyKey.any(ReservedIdentity.HOST.id(), d),
            PolicyValue.allow(ALLOW_LOCALHOST),
            PolicyValue::mergedWith);
      }
    }
    TreeMap<PolicyKey, PolicyValue> entries = new TreeMap<>(deny);
    for (var e : allow.entrySet()) {
      if (coveredByDeny(e.getKey(), deny)) {
        continue;
      }
      entries.merge(e.getKey(), e.getValue(), PolicyValue::mergedWith);
    }
    return new EndpointPolicy(entries, ingress, egress, repository.revision());
  }

  private static boolean coveredByDeny(PolicyKey allowKey, Map<PolicyKey, PolicyValue> deny) {
    if (deny.isEmpty()) {
      return false;
    }
    for (PolicyKey dk : deny.keySet()) {
      if (dk.covers(allowKey)) {
        return true;
      }
    }
    return false;
  }

  private static void addEntries(
      Map<PolicyKey, PolicyValue> into,
      RuleOrigin origin,
      Direction d,
      PeerRule pr,
      Function<String, Collection<NamedPort>> namedPorts,
      SelectorCache cache,
      boolean deny) {
    List<Integer> identities = new ArrayList<>();
    if (pr.allPeers()) {
      identities.add(0);
    }
    for (LabelSelector sel : pr.peers()) {
      identities.addAll(cache.selections(sel));
    }
    if (identities.isEmpty()) {
      return;
    }
    PolicyValue value = deny ? PolicyValue.deny(origin) : PolicyValue.allow(origin);
    for (int id : identities) {
      for (PolicyKey k : keys(id, d, pr.ports(), namedPorts)) {
        into.merge(k, value, PolicyValue::mergedWith);
      }
    }
  }

  static List<PolicyKey> keys(
      int id,
      Direction d,
      List<PortProtocol> ports,
      Function<String, Collection<NamedPort>> namedPorts) {
    if (ports.isEmpty()) {
      return List.of(PolicyKey.any(id, d));
    }
    List<PolicyKey> out = new ArrayList<>();
    for (PortProtocol pp : ports) {
      if (pp.isNamed()) {
        for (NamedPort np : namedPorts.apply(pp.portName())) {
          if (pp.protocol() == Protocol.ANY || pp.protocol() == np.protocol()) {
            out.add(PolicyKey.port(id, d, np.protocol().number(), np.port()));
          }
        }
        continue;
      }
      if (pp.protocol() == Protocol.ANY && pp.port() == 0) {
        out.add(PolicyKey.any(id, d));
        continue;
      }
      for (Protocol proto : pp.protocol().expand()) {
        if (pp.port() == 0) {
          out.add(PolicyKey.protocol(id, d, proto.number()));
        } else if (pp.endPort() > pp.port()) {
          out.addAll(PolicyKey.range(id, d, proto.number(), pp.port(), pp.endPort()));
        } else {
          out.add(PolicyKey.port(id, d, proto.number(), pp.port()));
        }
      }
    }
    return out;
  }
}
