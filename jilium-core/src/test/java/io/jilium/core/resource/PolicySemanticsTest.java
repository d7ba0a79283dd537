package io.jilium.core.resource;

import static io.jilium.core.policy.Direction.EGRESS;
import static io.jilium.core.policy.Direction.INGRESS;
import static org.assertj.core.api.Assertions.assertThat;

import io.jilium.core.identity.Identity;
import io.jilium.core.labels.Label;
import io.jilium.core.labels.Labels;
import io.jilium.core.net.IpAddress;
import io.jilium.core.policy.EndpointPolicy;
import io.jilium.core.policy.EnforcementMode;
import io.jilium.core.policy.PolicyKey;
import io.jilium.core.policy.PolicyRepository;
import io.jilium.core.policy.PolicyResolver;
import io.jilium.core.policy.SelectorCache;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Policies as written in YAML, resolved for an endpoint: the two halves together. */
class PolicySemanticsTest {
  private static final int TCP = 6;
  private static final int UDP = 17;
  private static final int SCTP = 132;
  private static final int WEB = 256;
  private static final int DB = 257;
  private static final int OTHER_DB = 258;

  private final SelectorCache cache = new SelectorCache();
  private final PolicyRepository repo = new PolicyRepository();

  private static Labels pod(String ns, String app) {
    return Labels.of(
        Label.k8s("app", app),
        Label.k8s("io.kubernetes.pod.namespace", ns),
        Label.k8s("io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name", ns));
  }

  @BeforeEach
  void identities() {
    cache.upsertIdentity(new Identity(1, Labels.of(Label.reserved("host"))));
    cache.upsertIdentity(new Identity(2, Labels.of(Label.reserved("world"))));
    cache.upsertIdentity(new Identity(WEB, pod("team-a", "web")));
    cache.upsertIdentity(new Identity(DB, pod("team-a", "db")));
    cache.upsertIdentity(new Identity(OTHER_DB, pod("team-b", "db")));
  }

  private EndpointPolicy apply(String yaml) {
    for (Resource r : ResourceParser.parseAll(ManifestReader.read("p.yaml", yaml))) {
      PolicyResource p = (PolicyResource) r;
      repo.replace(p.origin(), p.rules());
    }
    return new PolicyResolver(EnforcementMode.DEFAULT, false)
        .resolve(pod("team-a", "web"), List.of(), n -> List.of(), repo, cache);
  }

  private static String cnp(String spec) {
    return "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: p, namespace: team-a}\nspec:\n"
        + ("endpointSelector: {matchLabels: {app: web}}\n" + spec).indent(2);
  }

  private static String np(String spec) {
    return "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np, namespace: team-a}\nspec:\n"
        + ("podSelector: {matchLabels: {app: web}}\n" + spec).indent(2);
  }

  @Test
  void emptyIngressListLeavesIngressOpen() {
    EndpointPolicy p = apply(cnp("ingress: []\n"));

    assertThat(p.ingressEnforced()).isFalse();
    assertThat(p.entries()).containsOnlyKeys(PolicyKey.any(0, INGRESS), PolicyKey.any(0, EGRESS));
  }

  @Test
  void listWithAnEmptyRuleDeniesAllIngress() {
    EndpointPolicy p = apply(cnp("ingress:\n- {}\n"));

    assertThat(p.ingressEnforced()).isTrue();
    assertThat(p.entries()).containsOnlyKeys(PolicyKey.any(0, EGRESS));
  }

  @Test
  void denyAllBothWays() {
    EndpointPolicy p = apply(cnp("ingress: [{}]\negress: [{}]\n"));

    assertThat(p.ingressEnforced()).isTrue();
    assertThat(p.egressEnforced()).isTrue();
    assertThat(p.entries()).isEmpty();
  }

  @Test
  void fromEndpointsAreConfinedToThePolicyNamespace() {
    EndpointPolicy p = apply(cnp("ingress:\n- fromEndpoints: [{matchLabels: {app: db}}]\n"));

    assertThat(p.entries()).containsOnlyKeys(PolicyKey.any(DB, INGRESS), PolicyKey.any(0, EGRESS));
  }

  @Test
  void namespaceLabelsReachOtherNamespaces() {
    EndpointPolicy p =
        apply(
            cnp(
                """
                ingress:
                - fromEndpoints:
                  - matchLabels:
                      app: db
                      io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name: team-b
                """));

    assertThat(p.entries())
        .containsOnlyKeys(PolicyKey.any(OTHER_DB, INGRESS), PolicyKey.any(0, EGRESS));
  }

  @Test
  void emptyFromEndpointsSelectorIsEveryPodOfTheNamespace() {
    EndpointPolicy p = apply(cnp("ingress:\n- fromEndpoints: [{}]\n"));

    assertThat(p.entries())
        .containsOnlyKeys(
            PolicyKey.any(WEB, INGRESS), PolicyKey.any(DB, INGRESS), PolicyKey.any(0, EGRESS));
  }

  @Test
  void clusterwideEmptySelectorIsEveryPodButNotWorldOrHost() {
    EndpointPolicy p =
        apply(
            """
            apiVersion: cilium.io/v2
            kind: CiliumClusterwideNetworkPolicy
            metadata: {name: c}
            spec:
              endpointSelector: {matchLabels: {app: web}}
              ingress:
              - fromEndpoints: [{}]
            """);

    assertThat(p.entries())
        .containsOnlyKeys(
            PolicyKey.any(WEB, INGRESS),
            PolicyKey.any(DB, INGRESS),
            PolicyKey.any(OTHER_DB, INGRESS),
            PolicyKey.any(0, EGRESS));
  }

  @Test
  void toPortsWithoutPeersOpensThePortToEveryone() {
    EndpointPolicy p = apply(cnp("ingress:\n- toPorts: [{ports: [{port: '80'}]}]\n"));

    assertThat(p.entries())
        .containsOnlyKeys(
            PolicyKey.port(0, INGRESS, TCP, 80),
            PolicyKey.port(0, INGRESS, UDP, 80),
            PolicyKey.port(0, INGRESS, SCTP, 80),
            PolicyKey.any(0, EGRESS));
  }

  @Test
  void toPortsWithoutPortsAllowsNothing() {
    EndpointPolicy p =
        apply(cnp("ingress:\n- fromEndpoints: [{matchLabels: {app: db}}]\n  toPorts: [{}]\n"));

    assertThat(p.ingressEnforced()).isTrue();
    assertThat(p.entries()).containsOnlyKeys(PolicyKey.any(0, EGRESS));
  }

  @Test
  void enableDefaultDenyFalseKeepsTrafficOpenButDeniesStillDrop() {
    EndpointPolicy p =
        apply(
            cnp(
                """
                enableDefaultDeny: {ingress: false}
                ingressDeny:
                - fromEntities: [world]
                """));

    assertThat(p.ingressEnforced()).isFalse();
    assertThat(p.entries().get(PolicyKey.any(0, INGRESS)).deny()).isFalse();
    assertThat(p.entries().get(PolicyKey.any(2, INGRESS)).deny()).isTrue();
  }

  @Test
  void enableDefaultDenyTrueWithoutRulesForTheDirectionChangesNothing() {
    EndpointPolicy p =
        apply(
            cnp(
                """
                enableDefaultDeny: {ingress: true}
                egress:
                - toEntities: [world]
                """));

    assertThat(p.ingressEnforced()).isFalse();
    assertThat(p.egressEnforced()).isTrue();
    assertThat(p.entries()).containsOnlyKeys(PolicyKey.any(0, INGRESS), PolicyKey.any(2, EGRESS));
  }

  @Test
  void networkPolicyWithoutRulesDeniesAllIngressOnly() {
    EndpointPolicy p = apply(np(""));

    assertThat(p.ingressEnforced()).isTrue();
    assertThat(p.egressEnforced()).isFalse();
    assertThat(p.entries()).containsOnlyKeys(PolicyKey.any(0, EGRESS));
  }

  @Test
  void networkPolicyEmptyRuleAllowsEverything() {
    EndpointPolicy p = apply(np("ingress: [{}]\n"));

    assertThat(p.ingressEnforced()).isTrue();
    assertThat(p.entries()).containsOnlyKeys(PolicyKey.any(0, INGRESS), PolicyKey.any(0, EGRESS));
  }

  @Test
  void networkPolicyPeersByPodAndNamespace() {
    EndpointPolicy p =
        apply(
            np(
                """
                ingress:
                - from:
                  - podSelector: {matchLabels: {app: db}}
                - from:
                  - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: team-b}}
                  ports:
                  - {port: 5432}
                """));

    assertThat(p.entries())
        .containsOnlyKeys(
            PolicyKey.any(DB, INGRESS),
            PolicyKey.port(OTHER_DB, INGRESS, TCP, 5432),
            PolicyKey.any(0, EGRESS));
  }

  @Test
  void networkPolicyEgressPortsToAnyone() {
    EndpointPolicy p =
        apply(np("policyTypes: [Egress]\negress:\n- ports: [{port: 53, protocol: UDP}]\n"));

    assertThat(p.ingressEnforced()).isFalse();
    assertThat(p.egressEnforced()).isTrue();
    assertThat(p.entries())
        .containsOnlyKeys(PolicyKey.any(0, INGRESS), PolicyKey.port(0, EGRESS, UDP, 53));
  }

  @Test
  void ipBlocksSelectPodsInside() {
    cache.setAddresses(DB, List.of(IpAddress.parse("10.0.0.5")));
    cache.setAddresses(OTHER_DB, List.of(IpAddress.parse("10.0.1.5")));

    EndpointPolicy p =
        apply(np("ingress:\n- from: [{ipBlock: {cidr: 10.0.0.0/16, except: [10.0.1.0/24]}}]\n"));

    assertThat(p.entries()).containsKey(PolicyKey.any(DB, INGRESS));
    assertThat(p.entries()).doesNotContainKey(PolicyKey.any(OTHER_DB, INGRESS));
  }

  @Test
  void ciliumCidrsDoNotSelectPods() {
    cache.setAddresses(DB, List.of(IpAddress.parse("10.0.0.5")));

    EndpointPolicy p = apply(cnp("ingress:\n- fromCIDRSet: [{cidr: 10.0.0.0/16}]\n"));

    assertThat(p.ingressEnforced()).isTrue();
    assertThat(p.entries()).doesNotContainKey(PolicyKey.any(DB, INGRESS));
  }

  @Test
  void aDenyInOnePolicyBeatsAnAllowInAnother() {
    EndpointPolicy p =
        apply(
            cnp(
                    "ingress:\n- fromEndpoints: [{matchLabels: {app: db}}]\n  toPorts: [{ports: [{port: '5432', protocol: TCP}]}]\n")
                + "---\n"
                + cnp("ingressDeny:\n- fromEndpoints: [{matchLabels: {app: db}}]\n")
                    .replace("name: p,", "name: q,"));

    assertThat(p.entries()).containsOnlyKeys(PolicyKey.any(DB, INGRESS), PolicyKey.any(0, EGRESS));
    assertThat(p.entries().get(PolicyKey.any(DB, INGRESS)).deny()).isTrue();
  }
}
