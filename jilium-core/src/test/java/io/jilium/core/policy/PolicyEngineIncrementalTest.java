package io.jilium.core.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.jilium.core.identity.CidrLabels;
import io.jilium.core.identity.Identity;
import io.jilium.core.identity.ReservedIdentity;
import io.jilium.core.labels.Label;
import io.jilium.core.labels.LabelSelector;
import io.jilium.core.labels.Labels;
import io.jilium.core.net.Cidr;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The incremental engine must always hold exactly what a from-scratch resolution computes. Random
 * sequences of identity, endpoint, address and policy changes; after every step each endpoint's
 * incrementally kept entries, and the sum of the diffs applied so far, equal a fresh resolution.
 */
class PolicyEngineIncrementalTest {
  private static final String[] APPS = {"web", "db", "cache", "api"};
  private static final String[] NAMESPACES = {"x", "y"};

  private final Map<Integer, Labels> identities = new HashMap<>();
  private final Map<Integer, List<byte[]>> addresses = new HashMap<>();
  private final Map<Integer, Labels> endpointSubjects = new HashMap<>();
  private final Map<Integer, List<NamedPort>> endpointPorts = new HashMap<>();
  private final Map<RuleOrigin, List<Rule>> policies = new HashMap<>();

  /** What the "datapath" holds: the diffs applied in order. */
  private final Map<Integer, SortedMap<PolicyKey, PolicyValue>> applied = new HashMap<>();

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
  void incrementalEqualsFromScratch(int seed) {
    Random rnd = new Random(seed);
    PolicyEngine engine = new PolicyEngine(EnforcementMode.DEFAULT, true);
    for (ReservedIdentity r : ReservedIdentity.values()) {
      identities.put(r.id(), r.labels());
      apply(engine.upsertIdentity(new Identity(r.id(), r.labels())));
    }
    for (int step = 0; step < 300; step++) {
      switch (rnd.nextInt(7)) {
        case 0 -> { // new or relabelled pod identity
          int id = 256 + rnd.nextInt(12);
          Labels l = podLabels(rnd);
          identities.put(id, l);
          apply(engine.upsertIdentity(new Identity(id, l)));
        }
        case 1 -> { // identity gone
          int id = 256 + rnd.nextInt(12);
          if (identities.remove(id) != null) {
            addresses.remove(id);
            apply(engine.removeIdentity(id));
          }
        }
        case 2 -> { // addresses of an identity's pods (for ipBlock peers)
          int id = 256 + rnd.nextInt(12);
          if (identities.containsKey(id)) {
            List<byte[]> a = List.of(new byte[] {10, 0, 0, (byte) rnd.nextInt(8)});
            addresses.put(id, a);
            apply(engine.setIdentityAddresses(id, a));
          }
        }
        case 3 -> { // endpoint added or relabelled
          int ep = 1 + rnd.nextInt(5);
          Labels l = podLabels(rnd);
          List<NamedPort> ports =
              rnd.nextBoolean()
                  ? List.of(new NamedPort("http", 80 + rnd.nextInt(2), Protocol.TCP))
                  : List.of();
          endpointSubjects.put(ep, l);
          endpointPorts.put(ep, ports);
          apply(ep, engine.upsertEndpoint(ep, l, ports));
        }
        case 4 -> { // endpoint removed
          int ep = 1 + rnd.nextInt(5);
          if (endpointSubjects.remove(ep) != null) {
            endpointPorts.remove(ep);
            applied.remove(ep);
            engine.removeEndpoint(ep);
          }
        }
        case 5 -> { // policy put
          RuleOrigin o = new RuleOrigin("CiliumNetworkPolicy", "x", "p" + rnd.nextInt(6));
          List<Rule> rules = List.of(randomRule(rnd, o));
          policies.put(o, rules);
          apply(engine.putRules(o, rules));
        }
        default -> { // policy deleted
          RuleOrigin o = new RuleOrigin("CiliumNetworkPolicy", "x", "p" + rnd.nextInt(6));
          if (policies.remove(o) != null) {
            apply(engine.deleteRules(o));
          }
        }
      }
      PolicyEngine fresh = fromScratch();
      for (int ep : endpointSubjects.keySet()) {
        SortedMap<PolicyKey, PolicyValue> want = fresh.policy(ep).entries();
        assertThat(engine.policy(ep).entries())
            .as("seed %d step %d endpoint %d", seed, step, ep)
            .isEqualTo(want);
        assertThat(datapathView(applied.getOrDefault(ep, new TreeMap<>())))
            .as("applied diffs, seed %d step %d endpoint %d", seed, step, ep)
            .isEqualTo(datapathView(want));
      }
    }
  }

  private PolicyEngine fromScratch() {
    PolicyEngine e = new PolicyEngine(EnforcementMode.DEFAULT, true);
    identities.forEach((id, l) -> e.upsertIdentity(new Identity(id, l)));
    addresses.forEach(e::setIdentityAddresses);
    policies.forEach(e::putRules);
    endpointSubjects.forEach((ep, l) -> e.upsertEndpoint(ep, l, endpointPorts.get(ep)));
    return e;
  }

  private void apply(PolicyEngine.Changes c) {
    c.byEndpoint().forEach(this::apply);
  }

  private void apply(int ep, PolicyEngine.Changes c) {
    apply(c);
  }

  private void apply(int ep, PolicyEngine.Diff d) {
    SortedMap<PolicyKey, PolicyValue> m = applied.computeIfAbsent(ep, k -> new TreeMap<>());
    d.deletes().forEach(m::remove);
    m.putAll(d.upserts());
  }

  /** Only what reaches the map: verdict and proxy port per key. */
  private static Map<PolicyKey, Boolean> datapathView(SortedMap<PolicyKey, PolicyValue> m) {
    Map<PolicyKey, Boolean> out = new TreeMap<>();
    m.forEach((k, v) -> out.put(k, v.deny()));
    return out;
  }

  private static Labels podLabels(Random rnd) {
    return Labels.of(
        Label.k8s("app", APPS[rnd.nextInt(APPS.length)]),
        Label.k8s("io.kubernetes.pod.namespace", NAMESPACES[rnd.nextInt(NAMESPACES.length)]));
  }

  private static Rule randomRule(Random rnd, RuleOrigin o) {
    LabelSelector subject =
        LabelSelector.matchLabels(Map.of("app", APPS[rnd.nextInt(APPS.length)]));
    List<PeerRule> ingress = new ArrayList<>();
    List<PeerRule> egress = new ArrayList<>();
    List<PeerRule> ingressDeny = new ArrayList<>();
    int n = rnd.nextInt(3);
    for (int i = 0; i < n; i++) {
      ingress.add(randomPeerRule(rnd, i));
    }
    if (rnd.nextInt(3) == 0) {
      egress.add(randomPeerRule(rnd, 0));
    }
    if (rnd.nextInt(4) == 0) {
      ingressDeny.add(randomPeerRule(rnd, 0));
    }
    return new Rule(
        o,
        0,
        subject,
        ingress,
        ingressDeny,
        egress,
        List.of(),
        !ingress.isEmpty() || !ingressDeny.isEmpty(),
        !egress.isEmpty());
  }

  private static PeerRule randomPeerRule(Random rnd, int index) {
    List<LabelSelector> peers = new ArrayList<>();
    List<CidrPeer> cidrs = new ArrayList<>();
    boolean all = false;
    switch (rnd.nextInt(5)) {
      case 0 -> all = true;
      case 1 ->
          cidrs.add(
              new CidrPeer(Cidr.parse("10.0.0.0/29"), List.of(Cidr.parse("10.0.0.4/30")), true));
      case 2 -> peers.add(CidrLabels.selector(CidrPeer.of(Cidr.parse("0.0.0.0/0"))));
      default ->
          peers.add(LabelSelector.matchLabels(Map.of("app", APPS[rnd.nextInt(APPS.length)])));
    }
    List<PortProtocol> ports = new ArrayList<>();
    List<IcmpField> icmps = new ArrayList<>();
    switch (rnd.nextInt(5)) {
      case 0 -> {}
      case 1 -> ports.add(PortProtocol.of(80, Protocol.TCP));
      case 2 -> ports.add(new PortProtocol(0, 0, Protocol.ANY, "http"));
      case 3 -> ports.add(new PortProtocol(1000, 1999, Protocol.UDP, null));
      default -> icmps.add(new IcmpField(false, 8));
    }
    return new PeerRule(index, "spec.ingress[" + index + "]", peers, cidrs, all, ports, icmps);
  }
}
