package io.jilium.core.policy;

import static io.jilium.core.policy.Direction.EGRESS;
import static io.jilium.core.policy.Direction.INGRESS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import io.jilium.core.identity.Identity;
import io.jilium.core.labels.Label;
import io.jilium.core.labels.LabelSelector;
import io.jilium.core.labels.Labels;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PolicyResolverTest {
  private static final int TCP = 6;
  private static final int UDP = 17;
  private static final int SCTP = 132;
  private static final int WEB = 256;
  private static final int DB = 257;
  private static final int OTHER_NS_WEB = 258;

  private static final RuleOrigin CNP_A = new RuleOrigin("CiliumNetworkPolicy", "default", "a");
  private static final RuleOrigin CNP_B = new RuleOrigin("CiliumNetworkPolicy", "default", "b");
  private static final Function<String, Collection<NamedPort>> NO_PEER_PORTS = n -> List.of();

  private final SelectorCache cache = new SelectorCache();
  private final PolicyRepository repo = new PolicyRepository();

  private static Labels pod(String ns, String app) {
    return Labels.of(Label.k8s("app", app), Label.k8s("io.kubernetes.pod.namespace", ns));
  }

  private static LabelSelector app(String name) {
    return LabelSelector.matchLabels(Map.of("k8s:app", name));
  }

  private static PeerRule from(LabelSelector peer, PortProtocol... ports) {
    return new PeerRule(0, List.of(peer), false, List.of(ports));
  }

  private static PeerRule anyPeer(PortProtocol... ports) {
    return new PeerRule(0, List.of(), true, List.of(ports));
  }

  private static Rule ingress(RuleOrigin o, LabelSelector subject, PeerRule... allow) {
    return new Rule(o, 0, subject, List.of(allow), List.of(), List.of(), List.of(), true, false);
  }

  private static Rule ingressDeny(RuleOrigin o, LabelSelector subject, PeerRule... deny) {
    return new Rule(o, 0, subject, List.of(), List.of(deny), List.of(), List.of(), true, false);
  }

  private static Rule egress(RuleOrigin o, LabelSelector subject, PeerRule... allow) {
    return new Rule(o, 0, subject, List.of(), List.of(), List.of(allow), List.of(), false, true);
  }

  @BeforeEach
  void identities() {
    cache.upsertIdentity(new Identity(1, Labels.of(Label.reserved("host"))));
    cache.upsertIdentity(new Identity(2, Labels.of(Label.reserved("world"))));
    cache.upsertIdentity(new Identity(WEB, pod("default", "web")));
    cache.upsertIdentity(new Identity(DB, pod("default", "db")));
    cache.upsertIdentity(new Identity(OTHER_NS_WEB, pod("other", "web")));
  }

  private EndpointPolicy resolve(EnforcementMode mode, boolean localhost, List<NamedPort> own) {
    return new PolicyResolver(mode, localhost)
        .resolve(pod("default", "web"), own, NO_PEER_PORTS, repo, cache);
  }

  private EndpointPolicy resolve() {
    return resolve(EnforcementMode.DEFAULT, false, List.of());
  }

  private static PolicyValue allow(RuleOrigin... origins) {
    return new PolicyValue(false, 0, Set.of(origins));
  }

  private static PolicyValue deny(RuleOrigin... origins) {
    return new PolicyValue(true, 0, Set.of(origins));
  }

  @Test
  void endpointSelectedByNoRuleIsAllowedEverything() {
    repo.replace(CNP_A, List.of(ingress(CNP_A, app("db"), from(app("web")))));

    EndpointPolicy p = resolve();

    assertThat(p.ingressEnforced()).isFalse();
    assertThat(p.egressEnforced()).isFalse();
    assertThat(p.entries())
        .containsExactly(
            entry(new PolicyKey(0, INGRESS, 0, 0, 0), allow(PolicyResolver.ALLOW_ANY_INGRESS)),
            entry(new PolicyKey(0, EGRESS, 0, 0, 0), allow(PolicyResolver.ALLOW_ANY_EGRESS)));
  }

  @Test
  void ingressRuleEnforcesIngressOnly() {
    repo.replace(CNP_A, List.of(ingress(CNP_A, app("web"), from(app("db")))));

    EndpointPolicy p = resolve();

    assertThat(p.enforced(INGRESS)).isTrue();
    assertThat(p.enforced(EGRESS)).isFalse();
    assertThat(p.entries())
        .containsExactly(
            entry(PolicyKey.any(DB, INGRESS), allow(CNP_A)),
            entry(PolicyKey.any(0, EGRESS), allow(PolicyResolver.ALLOW_ANY_EGRESS)));
  }

  @Test
  void egressRuleEnforcesEgressOnly() {
    repo.replace(
        CNP_A,
        List.of(egress(CNP_A, app("web"), from(app("db"), PortProtocol.of(5432, Protocol.TCP)))));

    EndpointPolicy p = resolve();

    assertThat(p.enforced(INGRESS)).isFalse();
    assertThat(p.enforced(EGRESS)).isTrue();
    assertThat(p.entries())
        .containsExactly(
            entry(PolicyKey.any(0, INGRESS), allow(PolicyResolver.ALLOW_ANY_INGRESS)),
            entry(PolicyKey.port(DB, EGRESS, TCP, 5432), allow(CNP_A)));
  }

  @Test
  void enforcedWithoutAllowsDeniesEverything() {
    // what ingress: [{}] or enableDefaultDeny without allows resolves to
    repo.replace(
        CNP_A,
        List.of(
            new Rule(
                CNP_A, 0, app("web"), List.of(), List.of(), List.of(), List.of(), true, true)));

    EndpointPolicy p = resolve();

    assertThat(p.ingressEnforced()).isTrue();
    assertThat(p.egressEnforced()).isTrue();
    assertThat(p.entries()).isEmpty();
  }

  @Test
  void ruleWithoutDefaultDenyKeepsAllowAllButItsDeniesStillApply() {
    // enableDefaultDeny: {ingress: false} with an ingressDeny (Cilium adds a wildcard allow)
    repo.replace(
        CNP_A,
        List.of(
            new Rule(
                CNP_A,
                0,
                app("web"),
                List.of(),
                List.of(from(app("db"))),
                List.of(),
                List.of(),
                false,
                false)));

    EndpointPolicy p = resolve();

    assertThat(p.ingressEnforced()).isFalse();
    assertThat(p.entries())
        .containsExactly(
            entry(PolicyKey.any(0, INGRESS), allow(PolicyResolver.ALLOW_ANY_INGRESS)),
            entry(PolicyKey.any(DB, INGRESS), deny(CNP_A)),
            entry(PolicyKey.any(0, EGRESS), allow(PolicyResolver.ALLOW_ANY_EGRESS)));
  }

  @Test
  void oneDefaultDenyRuleEnforcesEvenWhenAnotherOptsOut() {
    repo.replace(
        CNP_A,
        List.of(
            new Rule(
                CNP_A,
                0,
                app("web"),
                List.of(from(app("db"))),
                List.of(),
                List.of(),
                List.of(),
                false,
                false)));
    repo.replace(
        CNP_B,
        List.of(
            ingress(
                CNP_B, app("web"), from(LabelSelector.matchLabels(Map.of("reserved:world", ""))))));

    EndpointPolicy p = resolve();

    assertThat(p.ingressEnforced()).isTrue();
    assertThat(p.entries().keySet())
        .containsExactly(
            PolicyKey.any(2, INGRESS), PolicyKey.any(DB, INGRESS), PolicyKey.any(0, EGRESS));
  }

  @Test
  void peerSelectorsResolveThroughTheSelectorCache() {
    LabelSelector webAnywhere = app("web");
    LabelSelector webInDefault =
        LabelSelector.matchLabels(
            Map.of("k8s:app", "web", "k8s:io.kubernetes.pod.namespace", "default"));
    repo.replace(CNP_A, List.of(ingress(CNP_A, app("web"), from(webAnywhere), from(webInDefault))));

    EndpointPolicy p = resolve();

    assertThat(p.entries().keySet())
        .containsExactly(
            PolicyKey.any(WEB, INGRESS),
            PolicyKey.any(OTHER_NS_WEB, INGRESS),
            PolicyKey.any(0, EGRESS));

    // a new identity the selector selects shows up on the next resolution
    assertThat(cache.upsertIdentity(new Identity(300, pod("third", "web")))).contains(webAnywhere);
    assertThat(resolve().entries()).containsKey(PolicyKey.any(300, INGRESS));
  }

  @Test
  void peerSelectingNothingAllowsNothing() {
    repo.replace(CNP_A, List.of(ingress(CNP_A, app("web"), from(app("nobody")))));

    assertThat(resolve().entries()).containsOnlyKeys(PolicyKey.any(0, EGRESS));
  }

  @Test
  void portsWithProtocolAnyExpandToTcpUdpSctp() {
    repo.replace(
        CNP_A,
        List.of(ingress(CNP_A, app("web"), from(app("db"), PortProtocol.of(80, Protocol.ANY)))));

    assertThat(resolve().entries().keySet())
        .containsExactly(
            PolicyKey.port(DB, INGRESS, TCP, 80),
            PolicyKey.port(DB, INGRESS, UDP, 80),
            PolicyKey.port(DB, INGRESS, SCTP, 80),
            PolicyKey.any(0, EGRESS));
  }

  @Test
  void portZeroMeansTheWholeProtocol() {
    repo.replace(
        CNP_A,
        List.of(
            ingress(
                CNP_A,
                app("web"),
                from(app("db"), PortProtocol.of(0, Protocol.UDP)),
                from(
                    LabelSelector.matchLabels(Map.of("reserved:world", "")),
                    PortProtocol.of(0, Protocol.ANY)))));

    assertThat(resolve().entries().keySet())
        .containsExactly(
            PolicyKey.any(2, INGRESS),
            PolicyKey.protocol(DB, INGRESS, UDP),
            PolicyKey.any(0, EGRESS));
  }

  @Test
  void endPortRangesBecomePrefixes() {
    repo.replace(
        CNP_A,
        List.of(
            ingress(
                CNP_A,
                app("web"),
                from(app("db"), new PortProtocol(8080, 8083, Protocol.TCP, null)))));

    assertThat(resolve().entries().keySet())
        .containsExactly(new PolicyKey(DB, INGRESS, TCP, 8080, 22), PolicyKey.any(0, EGRESS));
  }

  @Test
  void portsWithoutPeersApplyToEveryIdentity() {
    repo.replace(
        CNP_A, List.of(ingress(CNP_A, app("web"), anyPeer(PortProtocol.of(443, Protocol.TCP)))));

    assertThat(resolve().entries().keySet())
        .containsExactly(PolicyKey.port(0, INGRESS, TCP, 443), PolicyKey.any(0, EGRESS));
  }

  @Test
  void namedPortsResolveFromTheEndpointsOwnPortsForIngress() {
    List<NamedPort> own =
        List.of(new NamedPort("http", 8080, Protocol.TCP), new NamedPort("dns", 53, Protocol.UDP));
    repo.replace(
        CNP_A,
        List.of(
            ingress(
                CNP_A,
                app("web"),
                from(app("db"), new PortProtocol(0, 0, Protocol.TCP, "http")),
                from(app("db"), new PortProtocol(0, 0, Protocol.ANY, "dns")),
                // protocol must match the named port's: http is TCP, so UDP gives nothing
                from(
                    LabelSelector.matchLabels(Map.of("reserved:world", "")),
                    new PortProtocol(0, 0, Protocol.UDP, "http")),
                // a name the endpoint does not have gives nothing
                from(
                    LabelSelector.matchLabels(Map.of("reserved:host", "")),
                    new PortProtocol(0, 0, Protocol.ANY, "metrics")))));

    EndpointPolicy p = resolve(EnforcementMode.DEFAULT, false, own);

    assertThat(p.ingressEnforced()).isTrue();
    assertThat(p.entries().keySet())
        .containsExactly(
            PolicyKey.port(DB, INGRESS, TCP, 8080),
            PolicyKey.port(DB, INGRESS, UDP, 53),
            PolicyKey.any(0, EGRESS));
  }

  @Test
  void namedPortsResolveFromPeersForEgress() {
    repo.replace(
        CNP_A,
        List.of(
            egress(
                CNP_A, app("web"), from(app("db"), new PortProtocol(0, 0, Protocol.ANY, "pg")))));
    Function<String, Collection<NamedPort>> peers =
        name -> name.equals("pg") ? List.of(new NamedPort("pg", 5432, Protocol.TCP)) : List.of();

    EndpointPolicy p =
        new PolicyResolver(EnforcementMode.DEFAULT, false)
            .resolve(
                pod("default", "web"),
                List.of(new NamedPort("pg", 9999, Protocol.TCP)), // own ports do not count
                peers,
                repo,
                cache);

    assertThat(p.entries().keySet())
        .containsExactly(PolicyKey.any(0, INGRESS), PolicyKey.port(DB, EGRESS, TCP, 5432));
  }

  @Test
  void egressNamedPortWithoutPeersOpensThePortsAnyEndpointGivesTheName() {
    repo.replace(
        CNP_A,
        List.of(egress(CNP_A, app("web"), anyPeer(new PortProtocol(0, 0, Protocol.ANY, "pg")))));
    Function<String, Collection<NamedPort>> peers =
        name ->
            name.equals("pg")
                ? List.of(
                    new NamedPort("pg", 5432, Protocol.TCP),
                    new NamedPort("pg", 6432, Protocol.TCP))
                : List.of();

    EndpointPolicy p =
        new PolicyResolver(EnforcementMode.DEFAULT, false)
            .resolve(pod("default", "web"), List.of(), peers, repo, cache);

    assertThat(p.entries().keySet())
        .containsExactlyInAnyOrder(
            PolicyKey.any(0, INGRESS),
            PolicyKey.port(0, EGRESS, TCP, 5432),
            PolicyKey.port(0, EGRESS, TCP, 6432));
  }

  @Test
  void aNamedPortDeclaredLaterReachesAWildcardEgressRule() {
    Map<String, List<NamedPort>> declared = new HashMap<>();
    PolicyEngine engine = new PolicyEngine(EnforcementMode.DEFAULT, false);
    engine.setPeerPorts(
        (identity, name) -> identity == 0 ? declared.getOrDefault(name, List.of()) : List.of());
    engine.upsertIdentity(new Identity(WEB, pod("default", "web")));
    engine.upsertEndpoint(7, pod("default", "web"), List.of());
    engine.putRules(
        CNP_A,
        List.of(egress(CNP_A, app("web"), anyPeer(new PortProtocol(0, 0, Protocol.ANY, "pg")))));
    assertThat(engine.policy(7).entries().keySet()).containsExactly(PolicyKey.any(0, INGRESS));

    declared.put("pg", List.of(new NamedPort("pg", 5432, Protocol.TCP)));
    PolicyEngine.Changes c = engine.namedPortsChanged(DB);

    assertThat(c.byEndpoint().get(7).upserts().keySet())
        .containsExactly(PolicyKey.port(0, EGRESS, TCP, 5432));
    assertThat(engine.policy(7).entries().keySet())
        .containsExactlyInAnyOrder(PolicyKey.any(0, INGRESS), PolicyKey.port(0, EGRESS, TCP, 5432));
  }

  @Test
  void denyCoveringAnAllowOfTheSameIdentityRemovesTheAllow() {
    repo.replace(
        CNP_A,
        List.of(ingress(CNP_A, app("web"), from(app("db"), PortProtocol.of(80, Protocol.TCP)))));
    repo.replace(CNP_B, List.of(ingressDeny(CNP_B, app("web"), from(app("db")))));

    assertThat(resolve().entries())
        .containsExactly(
            entry(PolicyKey.any(DB, INGRESS), deny(CNP_B)),
            entry(PolicyKey.any(0, EGRESS), allow(PolicyResolver.ALLOW_ANY_EGRESS)));
  }

  @Test
  void narrowerDenyLeavesTheWiderAllowForTheDatapathsLongestPrefixMatch() {
    repo.replace(CNP_A, List.of(ingress(CNP_A, app("web"), from(app("db")))));
    repo.replace(
        CNP_B,
        List.of(
            ingressDeny(CNP_B, app("web"), from(app("db"), PortProtocol.of(22, Protocol.TCP)))));

    assertThat(resolve().entries())
        .containsExactly(
            entry(PolicyKey.any(DB, INGRESS), allow(CNP_A)),
            entry(PolicyKey.port(DB, INGRESS, TCP, 22), deny(CNP_B)),
            entry(PolicyKey.any(0, EGRESS), allow(PolicyResolver.ALLOW_ANY_EGRESS)));
  }

  @Test
  void denyOfAnotherIdentityDoesNotRemoveAnAllow() {
    repo.replace(CNP_A, List.of(ingress(CNP_A, app("web"), from(app("db")))));
    repo.replace(
        CNP_B,
        List.of(
            ingressDeny(
                CNP_B, app("web"), from(LabelSelector.matchLabels(Map.of("reserved:world", ""))))));

    assertThat(resolve().entries())
        .containsExactly(
            entry(PolicyKey.any(2, INGRESS), deny(CNP_B)),
            entry(PolicyKey.any(DB, INGRESS), allow(CNP_A)),
            entry(PolicyKey.any(0, EGRESS), allow(PolicyResolver.ALLOW_ANY_EGRESS)));
  }

  @Test
  void allowLocalhostAddsTheHostOnIngress() {
    repo.replace(CNP_A, List.of(ingress(CNP_A, app("web"), from(app("db")))));

    EndpointPolicy p = resolve(EnforcementMode.DEFAULT, true, List.of());

    assertThat(p.entries())
        .containsEntry(PolicyKey.any(1, INGRESS), allow(PolicyResolver.ALLOW_LOCALHOST))
        .doesNotContainKey(PolicyKey.any(1, EGRESS));
  }

  @Test
  void allowLocalhostMergesWithARuleAllowingTheHost() {
    repo.replace(
        CNP_A,
        List.of(
            ingress(
                CNP_A, app("web"), from(LabelSelector.matchLabels(Map.of("reserved:host", ""))))));

    EndpointPolicy p = resolve(EnforcementMode.DEFAULT, true, List.of());

    assertThat(p.entries().get(PolicyKey.any(1, INGRESS)).sortedOrigins())
        .containsExactly(CNP_A, PolicyResolver.ALLOW_LOCALHOST);
  }

  @Test
  void alwaysEnforcesWithoutRules() {
    assertThat(resolve(EnforcementMode.ALWAYS, false, List.of()).entries()).isEmpty();
    EndpointPolicy withHost = resolve(EnforcementMode.ALWAYS, true, List.of());
    assertThat(withHost.ingressEnforced()).isTrue();
    assertThat(withHost.egressEnforced()).isTrue();
    assertThat(withHost.entries()).containsOnlyKeys(PolicyKey.any(1, INGRESS));
  }

  @Test
  void neverAllowsEverythingEvenWithRules() {
    repo.replace(CNP_A, List.of(ingress(CNP_A, app("web"), from(app("db")))));
    repo.replace(CNP_B, List.of(ingressDeny(CNP_B, app("web"), from(app("db")))));

    EndpointPolicy p = resolve(EnforcementMode.NEVER, true, List.of());

    assertThat(p.ingressEnforced()).isFalse();
    assertThat(p.egressEnforced()).isFalse();
    assertThat(p.entries()).containsOnlyKeys(PolicyKey.any(0, INGRESS), PolicyKey.any(0, EGRESS));
  }

  @Test
  void derivedFromListsEveryOrigin() {
    repo.replace(
        CNP_B,
        List.of(ingress(CNP_B, app("web"), from(app("db"), PortProtocol.of(80, Protocol.TCP)))));
    repo.replace(
        CNP_A,
        List.of(ingress(CNP_A, app("web"), from(app("db"), PortProtocol.of(80, Protocol.TCP)))));

    PolicyValue v = resolve().entries().get(PolicyKey.port(DB, INGRESS, TCP, 80));

    assertThat(v.deny()).isFalse();
    assertThat(v.derivedFrom()).containsExactlyInAnyOrder(CNP_A, CNP_B);
    assertThat(v.sortedOrigins()).containsExactly(CNP_A, CNP_B);
  }

  @Test
  void revisionIsTheRepositorys() {
    long r = repo.replace(CNP_A, List.of(ingress(CNP_A, app("web"), from(app("db")))));

    assertThat(resolve().revision()).isEqualTo(r).isEqualTo(repo.revision());
  }

  @Test
  void enforcementModeFlag() {
    assertThat(EnforcementMode.parse("default")).isEqualTo(EnforcementMode.DEFAULT);
    assertThat(EnforcementMode.parse("always")).isEqualTo(EnforcementMode.ALWAYS);
    assertThat(EnforcementMode.parse("never")).isEqualTo(EnforcementMode.NEVER);
    assertThat(EnforcementMode.ALWAYS.flagValue()).isEqualTo("always");
    org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
        .isThrownBy(() -> EnforcementMode.parse("Always"))
        .withMessage("policy enforcement \"Always\" (expected: default, always or never)");
  }
}
