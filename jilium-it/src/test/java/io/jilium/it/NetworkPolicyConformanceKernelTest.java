package io.jilium.it;

import static io.jilium.it.Reachability.any;
import static io.jilium.it.Reachability.external;
import static io.jilium.it.Reachability.ns;
import static io.jilium.it.Reachability.peer;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Kubernetes NetworkPolicy e2e conformance model ({@code test/e2e/network/netpol}) as kernel
 * tests: namespaces x, y, z with pods a, b, c each (see {@link NetpolCluster}), one
 * networking.k8s.io/v1 NetworkPolicy scenario per test, and after each step the whole matrix of
 * ordered pod pairs probed for real and compared with the expected truth table.
 *
 * <p>The scenarios follow the upstream cases (named in each test's comment), written for this model
 * and without the DNS egress rules upstream adds (there is no kube-dns here); then cases upstream
 * lacks: port ranges, empty versus missing lists, policy types that ignore rules, policies in
 * several namespaces, more label changes, ipBlock over both address families, and a host outside
 * the cluster. Pods and namespaces are set up once; between tests every policy is deleted and every
 * label put back.
 */
@Tag("kernel")
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class NetworkPolicyConformanceKernelTest {
  @RegisterExtension
  @Order(1)
  static final AgentFixture agent = new AgentFixture().sharedPods();

  @RegisterExtension
  @Order(2)
  static final NetpolCluster cluster = NetpolCluster.withExternalPeer(agent);

  private static final Traffic TCP_80 = Traffic.tcp(80);
  private static final Traffic TCP_81 = Traffic.tcp(81);
  private static final Traffic UDP_80 = Traffic.udp(80);
  private static final Traffic UDP_81 = Traffic.udp(81);

  private static final String XA = "x/a";
  private static final String XB = "x/b";
  private static final String XC = "x/c";
  private static final String YA = "y/a";
  private static final String YB = "y/b";
  private static final String ZA = "z/a";

  static String netpol(String name, String namespace, String spec) {
    return """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: %s
          namespace: %s
        spec:
        %s"""
        .formatted(name, namespace, spec.indent(2));
  }

  private static Reachability all() {
    return cluster.reachability();
  }

  // ---- default deny and allow all ----

  /** Upstream: should support a 'default-deny-ingress' policy (also over IPv6). */
  @Test
  void defaultDenyIngress() {
    cluster.apply(
        netpol(
            "deny-ingress",
            "x",
            """
            podSelector: {}
            policyTypes: [Ingress]
            """));
    Reachability r = all().denyIngress(ns("x"));
    cluster.validate(TCP_80, r);
    cluster.validate(TCP_80.ipv6(), r);
  }

  /** Upstream: should support a 'default-deny-all' policy. */
  @Test
  void defaultDenyAll() {
    cluster.apply(
        netpol(
            "deny-all",
            "x",
            """
            podSelector: {}
            policyTypes: [Ingress, Egress]
            """));
    cluster.validate(TCP_80, all().denyIngress(ns("x")).denyEgress(ns("x")));
  }

  /** Upstream: should support allow-all policy. */
  @Test
  void allowAll() {
    cluster.apply(
        netpol(
            "allow-all",
            "x",
            """
            podSelector: {}
            ingress:
            - {}
            """));
    cluster.validate(TCP_80, all());
    cluster.validate(TCP_81, all());
    cluster.validate(UDP_80, all());
  }

  /** Upstream: should deny ingress from pods on other namespaces. */
  @Test
  void denyIngressFromOtherNamespaces() {
    cluster.apply(
        netpol(
            "deny-empty-policy",
            "x",
            """
            podSelector: {}
            ingress:
            - from:
              - podSelector: {}
            """));
    cluster.validate(TCP_80, all().deny(ns("y"), ns("x")).deny(ns("z"), ns("x")));
  }

  /** Upstream: should deny egress from pods based on PodSelector. */
  @Test
  void denyEgressByPodSelector() {
    cluster.apply(
        netpol(
            "deny-egress-pod-a",
            "x",
            """
            podSelector:
              matchLabels: {pod: a}
            policyTypes: [Egress]
            """));
    cluster.validate(TCP_80, all().denyEgress(peer(XA)));
  }

  /** Upstream: should deny egress from all pods in a namespace. */
  @Test
  void denyEgressFromAllPodsOfANamespace() {
    cluster.apply(
        netpol(
            "deny-egress-ns-x",
            "x",
            """
            podSelector: {}
            policyTypes: [Egress]
            """));
    cluster.validate(TCP_80, all().denyEgress(ns("x")));
  }

  // ---- pod and namespace selectors ----

  /**
   * Upstream: should enforce policy to allow traffic from pods within server namespace based on
   * PodSelector.
   */
  @Test
  void allowFromPodsWithinTheNamespaceByPodSelector() {
    cluster.apply(
        netpol(
            "x-a-allows-x-b",
            "x",
            """
            podSelector:
              matchLabels: {pod: a}
            ingress:
            - from:
              - podSelector:
                  matchLabels: {pod: b}
            """));
    cluster.validate(TCP_80, all().denyIngress(peer(XA)).allow(peer(XB), peer(XA)));
  }

  /** Upstream: should enforce policy to allow ingress traffic for a target. */
  @Test
  void allowIngressForATarget() {
    cluster.apply(
        netpol(
                "deny-all",
                "x",
                """
                podSelector: {}
                policyTypes: [Ingress]
                """)
            + "\n---\n"
            + netpol(
                "allow-all-to-a",
                "x",
                """
                podSelector:
                  matchLabels: {pod: a}
                policyTypes: [Ingress]
                ingress:
                - from:
                  - podSelector: {}
                    namespaceSelector: {}
                """));
    cluster.validate(TCP_80, all().denyIngress(ns("x")).allow(any(), peer(XA)));
  }

  /** Upstream: should enforce policy to allow ingress traffic from pods in all namespaces. */
  @Test
  void allowIngressFromPodsInAllNamespaces() {
    cluster.apply(
        netpol(
            "allow-from-another-ns",
            "x",
            """
            podSelector:
              matchLabels: {pod: a}
            ingress:
            - from:
              - namespaceSelector:
                  matchLabels: {}
            """));
    cluster.validate(TCP_80, all());
  }

  /**
   * Upstream: should enforce policy to allow traffic only from a different namespace, based on
   * NamespaceSelector (here with the model's own namespace label).
   */
  @Test
  void allowOnlyFromADifferentNamespaceByNamespaceSelector() {
    cluster.apply(
        netpol(
            "allow-client-a-via-ns-selector",
            "x",
            """
            podSelector:
              matchLabels: {pod: a}
            ingress:
            - from:
              - namespaceSelector:
                  matchLabels: {ns: y}
            """));
    cluster.validate(TCP_80, all().deny(ns("x"), peer(XA)).deny(ns("z"), peer(XA)));
  }

  /**
   * Upstream: should enforce policy to allow traffic based on NamespaceSelector with MatchLabels
   * using default ns label.
   */
  @Test
  void namespaceSelectorMatchLabelsOnTheDefaultNamespaceLabel() {
    cluster.apply(
        netpol(
            "allow-client-a-via-ns-selector-for-immutable-ns-label",
            "x",
            """
            podSelector:
              matchLabels: {pod: a}
            ingress:
            - from:
              - namespaceSelector:
                  matchLabels:
                    kubernetes.io/metadata.name: y
            """));
    cluster.validate(TCP_80, all().deny(ns("x"), peer(XA)).deny(ns("z"), peer(XA)));
  }

  /**
   * Upstream: should enforce policy based on NamespaceSelector with MatchExpressions using default
   * ns label (an egress policy).
   */
  @Test
  void namespaceSelectorMatchExpressionsOnTheDefaultNamespaceLabelForEgress() {
    cluster.apply(
        netpol(
            "allow-ns-y-match-selector-for-immutable-ns-label",
            "x",
            """
            podSelector:
              matchLabels: {pod: a}
            policyTypes: [Egress]
            egress:
            - to:
              - namespaceSelector:
                  matchExpressions:
                  - {key: kubernetes.io/metadata.name, operator: NotIn, values: ["y"]}
            """));
    cluster.validate(TCP_80, all().deny(peer(XA), ns("y")));
  }

  /** Upstream: should enforce policy based on PodSelector with MatchExpressions. */
  @Test
  void podSelectorWithMatchExpressions() {
    cluster.apply(
        netpol(
            "x-a-allows-x-b",
            "x",
            """
            podSelector:
              matchLabels: {pod: a}
            ingress:
            - from:
              - podSelector:
                  matchExpressions:
                  - {key: pod, operator: In, values: [b]}
            """));
    cluster.validate(TCP_80, all().denyIngress(peer(XA)).allow(peer(XB), peer(XA)));
  }

  /** Upstream: should enforce policy based on NamespaceSelector with MatchExpressions. */
  @Test
  void namespaceSelectorWithMatchExpressions() {
    cluster.apply(
        netpol(
            "allow-ns-y-match-selector",
            "x",
            """
            podSelector:
              matchLabels: {pod: a}
            ingress:
            - from:
              - namespaceSelector:
                  matchExpressions:
                  - {key: ns, operator: In, values: ["y"]}
            """));
    cluster.validate(TCP_80, all().deny(ns("x"), peer(XA)).deny(ns("z"), peer(XA)));
  }

  /** Upstream: should enforce policy based on PodSelector or NamespaceSelector (two peers: OR). */
  @Test
  void podSelectorOrNamespaceSelector() {
    cluster.apply(
        netpol(
            "allow-ns-y-match-selector",
            "x",
            """
            podSelector:
              matchLabels: {pod: a}
            ingress:
            - from:
              - namespaceSelector:
                  matchExpressions:
                  - {key: kubernetes.io/metadata.name, operator: NotIn, values: ["x"]}
              - podSelector:
                  matchLabels: {pod: b}
            """));
    cluster.validate(TCP_80, all().deny(peer(XC), peer(XA)));
  }

  /** Upstream: should enforce policy based on PodSelector and NamespaceSelector (one peer: AND). */
  @Test
  void podSelectorAndNamespaceSelector() {
    cluster.apply(
        netpol(
            "allow-ns-y-podselector-and-nsselector",
            "x",
            """
            podSelector:
              matchLabels: {pod: a}
            ingress:
            - from:
              - namespaceSelector:
                  matchExpressions:
                  - {key: kubernetes.io/metadata.name, operator: NotIn, values: ["x"]}
                podSelector:
                  matchLabels: {pod: b}
            """));
    cluster.validate(
        TCP_80, all().denyIngress(peer(XA)).allow(peer(YB), peer(XA)).allow(peer("z/b"), peer(XA)));
  }

  /** Upstream: should enforce policy based on Multiple PodSelectors and NamespaceSelectors. */
  @Test
  void multiplePodSelectorsAndNamespaceSelectors() {
    cluster.apply(
        netpol(
            "allow-ns-y-z-pod-b-c",
            "x",
            """
            podSelector:
              matchLabels: {pod: a}
            ingress:
            - from:
              - namespaceSelector:
                  matchExpressions:
                  - {key: kubernetes.io/metadata.name, operator: NotIn, values: ["x"]}
                podSelector:
                  matchExpressions:
                  - {key: pod, operator: In, values: [b, c]}
            """));
    cluster.validate(
        TCP_80, all().deny(ns("x"), peer(XA)).deny(peer(YA), peer(XA)).deny(peer(ZA), peer(XA)));
  }

  /** Upstream: should enforce policy based on any PodSelectors. */
  @Test
  void anyOfSeveralPodSelectors() {
    cluster.apply(
        netpol(
            "allow-ns-x-pod-b-c",
            "x",
            """
            podSelector:
              matchLabels: {pod: a}
            ingress:
            - from:
              - podSelector:
                  matchLabels: {pod: b}
              - podSelector:
                  matchLabels: {pod: c}
            """));
    cluster.validate(TCP_80, all().denyIngress(peer(XA)).allow(peer(XB, XC), peer(XA)));
  }

  /**
   * Upstream: should enforce policy to allow traffic only from a pod in a different namespace based
   * on PodSelector and NamespaceSelector.
   */
  @Test
  void onlyFromAPodInADifferentNamespace() {
    cluster.apply(
        netpol(
            "allow-ns-y-pod-a-via-namespace-pod-selector",
            "x",
            """
            podSelector:
              matchLabels: {pod: a}
            ingress:
            - from:
              - namespaceSelector:
                  matchLabels: {ns: y}
                podSelector:
                  matchLabels: {pod: a}
            """));
    cluster.validate(TCP_80, all().denyIngress(peer(XA)).allow(peer(YA), peer(XA)));
  }

  /**
   * Upstream: should enforce egress policy allowing traffic to a server in a different namespace
   * based on PodSelector and NamespaceSelector.
   */
  @Test
  void egressToAPodInADifferentNamespace() {
    cluster.apply(
        netpol(
            "allow-to-ns-y-pod-a",
            "x",
            """
            podSelector:
              matchLabels: {pod: a}
            policyTypes: [Egress]
            egress:
            - to:
              - namespaceSelector:
                  matchLabels: {ns: y}
                podSelector:
                  matchLabels: {pod: a}
            """));
    cluster.validate(TCP_80, all().denyEgress(peer(XA)).allow(peer(XA), peer(YA)));
  }

  /** Egress peers are ORed too: a namespace selector and a pod selector in two peers. */
  @Test
  void egressPeersAreOred() {
    cluster.apply(
        netpol(
            "egress-or",
            "x",
            """
            podSelector:
              matchLabels: {pod: a}
            policyTypes: [Egress]
            egress:
            - to:
              - namespaceSelector:
                  matchLabels: {ns: y}
              - podSelector:
                  matchLabels: {pod: c}
            """));
    cluster.validate(
        TCP_80, all().denyEgress(peer(XA)).allow(peer(XA), ns("y")).allow(peer(XA), peer(XC)));
  }

  // ---- ports and protocols ----

  /** Upstream: should enforce policy based on Ports (TCP 81 from namespace y; 80 closed). */
  @Test
  void ports() {
    cluster.apply(
        netpol(
            "allow-client-a-via-ns-selector",
            "x",
            """
            podSelector:
              matchLabels: {pod: a}
            ingress:
            - from:
              - namespaceSelector:
                  matchLabels: {ns: y}
              ports:
              - {port: 81, protocol: TCP}
            """));
    cluster.validate(TCP_81, all().deny(ns("x"), peer(XA)).deny(ns("z"), peer(XA)));
    cluster.validate(TCP_80, all().denyIngress(peer(XA)));
    cluster.validate(UDP_81, all().denyIngress(peer(XA)));
  }

  /** Upstream: should enforce multiple, stacked policies with overlapping podSelectors. */
  @Test
  void stackedPoliciesWithOverlappingPodSelectors() {
    String from81 =
        netpol(
            "allow-client-a-via-ns-selector",
            "x",
            """
            podSelector:
              matchLabels: {pod: a}
            ingress:
            - from:
              - namespaceSelector:
                  matchLabels: {ns: y}
              ports:
              - {port: 81, protocol: TCP}
            """);
    cluster.apply(from81);
    Reachability onlyY = all().deny(ns("x"), peer(XA)).deny(ns("z"), peer(XA));
    cluster.validate("port 81 allowed", TCP_81, onlyY);
    cluster.validate("port 81 allowed", TCP_80, all().denyIngress(peer(XA)));
    cluster.apply(
        from81
            .replace("allow-client-a-via-ns-selector", "allow-client-a-via-ns-selector-80")
            .replace("port: 81", "port: 80"));
    cluster.validate("port 80 added", TCP_80, onlyY);
    cluster.validate("port 80 added", TCP_81, onlyY);
  }

  /** Upstream: should allow ingress access on one named port. */
  @Test
  void ingressOnOneNamedPort() {
    cluster.apply(
        netpol(
            "allow-all",
            "x",
            """
            podSelector: {}
            ingress:
            - ports:
              - port: serve-81-tcp
            """));
    cluster.validate(TCP_81, all());
    cluster.validate(TCP_80, all().denyIngress(ns("x")));
    // the name is the TCP port's: UDP 81 is not serve-81-tcp
    cluster.validate(UDP_81, all().denyIngress(ns("x")));
  }

  /** Upstream: should allow ingress access from namespace on one named port. */
  @Test
  void ingressFromANamespaceOnOneNamedPort() {
    cluster.apply(
        netpol(
            "allow-client-a-via-ns-selector-80",
            "x",
            """
            podSelector:
              matchLabels: {pod: a}
            ingress:
            - from:
              - namespaceSelector:
                  matchLabels: {ns: y}
              ports:
              - {port: serve-80-tcp, protocol: TCP}
            """));
    cluster.validate(TCP_80, all().deny(ns("x"), peer(XA)).deny(ns("z"), peer(XA)));
    cluster.validate(TCP_81, all().denyIngress(peer(XA)));
  }

  /** Upstream: should allow egress access on one named port. */
  @Test
  void egressOnOneNamedPort() {
    cluster.apply(
        netpol(
            "allow-egress",
            "x",
            """
            podSelector: {}
            policyTypes: [Egress]
            egress:
            - ports:
              - port: serve-80-tcp
            """));
    cluster.validate(TCP_80, all());
    cluster.validate(TCP_81, all().denyEgress(ns("x")));
  }

  /** A named UDP port, on egress. */
  @Test
  void egressOnANamedUdpPort() {
    cluster.apply(
        netpol(
            "allow-egress-udp",
            "x",
            """
            podSelector:
              matchLabels: {pod: b}
            policyTypes: [Egress]
            egress:
            - to:
              - namespaceSelector: {}
              ports:
              - {port: serve-81-udp, protocol: UDP}
            """));
    cluster.validate(UDP_81, all());
    cluster.validate(UDP_80, all().denyEgress(peer(XB)));
    cluster.validate(TCP_81, all().denyEgress(peer(XB)));
  }

  /**
   * Upstream: should enforce ingress policy allowing any port traffic to a server on a specific
   * protocol.
   */
  @Test
  void ingressOnAnyPortOfOneProtocol() {
    cluster.apply(
        netpol(
            "allow-ingress-by-proto",
            "x",
            """
            podSelector:
              matchLabels: {pod: a}
            ingress:
            - ports:
              - protocol: TCP
            """));
    cluster.validate(TCP_80, all());
    cluster.validate(TCP_81, all());
    cluster.validate(UDP_80, all().denyIngress(peer(XA)));
  }

  /** Upstream: should not allow access by TCP when a policy specifies only UDP. */
  @Test
  void aUdpOnlyPolicyDoesNotAllowTcp() {
    cluster.apply(
        netpol(
            "allow-only-udp-ingress-on-port-81",
            "x",
            """
            podSelector:
              matchLabels: {pod: a}
            ingress:
            - ports:
              - {port: 81, protocol: UDP}
            """));
    cluster.validate(TCP_81, all().denyIngress(peer(XA)));
    cluster.validate(UDP_81, all());
  }

  /**
   * Upstream: should not mistakenly treat 'protocol: SCTP' as 'protocol: TCP', even if the plugin
   * doesn't support SCTP.
   */
  @Test
  void sctpIsNotTcp() {
    cluster.apply(
        netpol(
                "deny-ingress",
                "x",
                """
                podSelector: {}
                policyTypes: [Ingress]
                """)
            + "\n---\n"
            + netpol(
                "allow-only-sctp-ingress-on-port-81",
                "x",
                """
                podSelector:
                  matchLabels: {pod: a}
                ingress:
                - ports:
                  - {port: 81, protocol: SCTP}
                """));
    cluster.validate(TCP_81, all().denyIngress(ns("x")));
  }

  /**
   * Upstream: should properly isolate pods that are selected by a policy allowing SCTP, even if the
   * plugin doesn't support SCTP.
   */
  @Test
  void anSctpOnlyPolicyIsolatesForTcp() {
    cluster.apply(
        netpol(
            "allow-only-sctp-ingress-on-port-80",
            "x",
            """
            podSelector:
              matchLabels: {pod: a}
            ingress:
            - ports:
              - {port: 80, protocol: SCTP}
            """));
    cluster.validate(TCP_81, all().denyIngress(peer(XA)));
    cluster.validate(TCP_80, all().denyIngress(peer(XA)));
  }

  /** endPort: an ingress port range (80-81) from one namespace, TCP only. */
  @Test
  void ingressPortRange() {
    cluster.apply(
        netpol(
            "allow-80-81-from-y",
            "x",
            """
            podSelector:
              matchLabels: {pod: a}
            ingress:
            - from:
              - namespaceSelector:
                  matchLabels: {ns: y}
              ports:
              - {port: 80, endPort: 81, protocol: TCP}
            """));
    Reachability onlyY = all().deny(ns("x"), peer(XA)).deny(ns("z"), peer(XA));
    cluster.validate(TCP_80, onlyY);
    cluster.validate(TCP_81, onlyY);
    cluster.validate(UDP_80, all().denyIngress(peer(XA)));
  }

  /** endPort: an egress port range that starts above 80. */
  @Test
  void egressPortRange() {
    cluster.apply(
        netpol(
            "allow-81-to-9000",
            "x",
            """
            podSelector:
              matchLabels: {pod: a}
            policyTypes: [Egress]
            egress:
            - ports:
              - {port: 81, endPort: 9000, protocol: TCP}
            """));
    cluster.validate(TCP_80, all().denyEgress(peer(XA)));
    cluster.validate(TCP_81, all());
    cluster.validate(UDP_81, all().denyEgress(peer(XA)));
  }

  // ---- ingress and egress together ----

  /** Upstream: should work with Ingress, Egress specified together. */
  @Test
  void ingressAndEgressTogether() {
    cluster.apply(
        netpol(
            "allow-client-a-via-pod-selector",
            "x",
            """
            podSelector:
              matchLabels: {pod: a}
            policyTypes: [Egress, Ingress]
            ingress:
            - from:
              - podSelector:
                  matchLabels: {pod: b}
            egress:
            - ports:
              - port: 80
            """));
    cluster.validate(TCP_80, all().denyIngress(peer(XA)).allow(peer(XB), peer(XA)));
    cluster.validate(
        TCP_81, all().denyIngress(peer(XA)).denyEgress(peer(XA)).allow(peer(XB), peer(XA)));
  }

  /**
   * Upstream: should support denying of egress traffic on the client side (even if the server
   * explicitly allows this traffic).
   */
  @Test
  void egressIsDeniedOnTheClientEvenIfTheServerAllows() {
    String ingressFromXa =
        """
        podSelector:
          matchLabels: {pod: %s}
        ingress:
        - from:
          - namespaceSelector:
              matchLabels: {ns: x}
            podSelector:
              matchLabels: {pod: a}
        """;
    cluster.apply(
        netpol(
                "allow-to-ns-y-pod-a",
                "x",
                """
                podSelector:
                  matchLabels: {pod: a}
                policyTypes: [Egress]
                egress:
                - to:
                  - namespaceSelector:
                      matchLabels: {ns: y}
                    podSelector:
                      matchLabels: {pod: a}
                """)
            + "\n---\n"
            + netpol("allow-from-xa-on-ya-match-selector", "y", ingressFromXa.formatted("a"))
            + "\n---\n"
            + netpol("allow-from-xa-on-yb-match-selector", "y", ingressFromXa.formatted("b")));
    cluster.validate(
        TCP_80,
        all()
            .denyEgress(peer(XA))
            .denyIngress(peer(YA))
            .allow(peer(XA), peer(YA))
            .denyIngress(peer(YB)));
  }

  /**
   * Upstream: should enforce policies to check ingress and egress policies can be controlled
   * independently based on PodSelector.
   */
  @Test
  void ingressAndEgressAreControlledIndependently() {
    cluster.apply(
        netpol(
            "allow-egress-for-target",
            "x",
            """
            podSelector:
              matchLabels: {pod: a}
            policyTypes: [Egress]
            egress:
            - {}
            """));
    cluster.validate("egress allowed", TCP_80, all());
    cluster.apply(
        netpol(
            "deny-ingress-via-label-selector",
            "x",
            """
            podSelector:
              matchLabels: {pod: a}
            policyTypes: [Ingress]
            """));
    cluster.validate("ingress denied", TCP_80, all().denyIngress(peer(XA)));
  }

  /**
   * Policies combine across pods: a connection needs its source's egress and its destination's
   * ingress, here from different policies in different namespaces.
   */
  @Test
  void egressAndIngressPoliciesInTwoNamespacesCombine() {
    cluster.apply(
        netpol(
                "x-a-only-to-y",
                "x",
                """
                podSelector:
                  matchLabels: {pod: a}
                policyTypes: [Egress]
                egress:
                - to:
                  - namespaceSelector:
                      matchLabels: {ns: y}
                """)
            + "\n---\n"
            + netpol(
                "y-only-from-x",
                "y",
                """
                podSelector: {}
                policyTypes: [Ingress]
                ingress:
                - from:
                  - namespaceSelector:
                      matchLabels: {ns: x}
                """));
    cluster.validate(
        TCP_80, all().denyEgress(peer(XA)).denyIngress(ns("y")).allow(ns("x"), ns("y")));
  }

  /** One pod's ingress and another's egress: x/b may only reach y, so not x/a either. */
  @Test
  void anIngressAllowDoesNotOverrideTheSourcesEgress() {
    cluster.apply(
        netpol(
                "a-from-b",
                "x",
                """
                podSelector:
                  matchLabels: {pod: a}
                ingress:
                - from:
                  - podSelector:
                      matchLabels: {pod: b}
                """)
            + "\n---\n"
            + netpol(
                "b-to-y",
                "x",
                """
                podSelector:
                  matchLabels: {pod: b}
                policyTypes: [Egress]
                egress:
                - to:
                  - namespaceSelector:
                      matchLabels: {ns: y}
                """));
    cluster.validate(
        TCP_80,
        all()
            .denyIngress(peer(XA))
            .allow(peer(XB), peer(XA))
            .denyEgress(peer(XB))
            .allow(peer(XB), ns("y")));
  }

  // ---- several policies, updates and deletions ----

  /**
   * Upstream: should enforce multiple ingress policies with ingress allow-all policy taking
   * precedence.
   */
  @Test
  void anIngressAllowAllTakesPrecedence() {
    cluster.apply(
        netpol(
            "allow-ingress-port-80",
            "x",
            """
            podSelector: {}
            ingress:
            - ports:
              - port: 80
            """));
    cluster.validate("port 80 only", TCP_81, all().denyIngress(ns("x")));
    cluster.apply(
        netpol(
            "allow-ingress",
            "x",
            """
            podSelector: {}
            ingress:
            - {}
            """));
    cluster.validate("allow-all added", TCP_81, all());
  }

  /**
   * Upstream: should enforce multiple egress policies with egress allow-all policy taking
   * precedence.
   */
  @Test
  void anEgressAllowAllTakesPrecedence() {
    cluster.apply(
        netpol(
            "allow-egress-port-80",
            "x",
            """
            podSelector: {}
            policyTypes: [Egress]
            egress:
            - ports:
              - port: 80
            """));
    cluster.validate("port 80 only", TCP_81, all().denyEgress(ns("x")));
    cluster.apply(
        netpol(
            "allow-egress",
            "x",
            """
            podSelector: {}
            policyTypes: [Egress]
            egress:
            - {}
            """));
    cluster.validate("allow-all added", TCP_81, all());
  }

  /** Upstream: should enforce updated policy (allow all, then the same policy denying all). */
  @Test
  void anUpdatedPolicyIsEnforced() {
    String allowAll =
        netpol(
            "allow-all-mutate-to-deny-all",
            "x",
            """
            podSelector: {}
            ingress:
            - {}
            """);
    cluster.apply(allowAll);
    cluster.validate("allow all", TCP_81, all());
    cluster.apply(
        netpol(
            "allow-all-mutate-to-deny-all",
            "x",
            """
            podSelector: {}
            ingress: []
            """));
    cluster.validate("updated to deny all", TCP_81, all().denyIngress(ns("x")));
  }

  /** Upstream: should stop enforcing policies after they are deleted. */
  @Test
  void policiesStopBeingEnforcedWhenDeleted() {
    cluster.apply(
        netpol(
            "deny-all",
            "x",
            """
            podSelector: {}
            policyTypes: [Ingress, Egress]
            """));
    cluster.validate("deny all", TCP_80, all().denyIngress(ns("x")).denyEgress(ns("x")));
    agent.cli("policy", "delete", "--all").assertOk();
    cluster.validate("deleted", TCP_80, all());
  }

  /** Two policies selecting one pod add up; deleting one leaves the other's allows. */
  @Test
  void deletingOneOfTwoPoliciesKeepsTheOther() {
    String fromY =
        netpol(
            "from-y",
            "x",
            """
            podSelector:
              matchLabels: {pod: a}
            ingress:
            - from:
              - namespaceSelector:
                  matchLabels: {ns: y}
            """);
    String fromZ = fromY.replace("from-y", "from-z").replace("ns: y", "ns: z");
    cluster.apply(fromY + "\n---\n" + fromZ);
    cluster.validate("both", TCP_80, all().deny(ns("x"), peer(XA)));
    cluster.delete(fromZ);
    cluster.validate(
        "from-z deleted", TCP_80, all().deny(ns("x"), peer(XA)).deny(ns("z"), peer(XA)));
  }

  /** Deny everything in x, then open exactly x/a -> x/b with an egress and an ingress policy. */
  @Test
  void denyAllThenAllowOnePath() {
    cluster.apply(
        netpol(
            "deny-all",
            "x",
            """
            podSelector: {}
            policyTypes: [Ingress, Egress]
            ingress: []
            egress: []
            """));
    Reachability isolated = all().denyIngress(ns("x")).denyEgress(ns("x"));
    cluster.validate("deny all", TCP_80, isolated);
    cluster.apply(
        netpol(
                "a-to-b",
                "x",
                """
                podSelector:
                  matchLabels: {pod: a}
                policyTypes: [Egress]
                egress:
                - to:
                  - podSelector:
                      matchLabels: {pod: b}
                """)
            + "\n---\n"
            + netpol(
                "b-from-a",
                "x",
                """
                podSelector:
                  matchLabels: {pod: b}
                policyTypes: [Ingress]
                ingress:
                - from:
                  - podSelector:
                      matchLabels: {pod: a}
                """));
    // neither rule names ports: every port and protocol is open on that one path
    cluster.validate("a to b opened", TCP_80, isolated.allow(peer(XA), peer(XB)));
    cluster.validate("a to b opened", UDP_81, isolated.allow(peer(XA), peer(XB)));
  }

  // ---- policyTypes, empty and missing lists ----

  /** Rules of a direction policyTypes leaves out have no effect, until it is added. */
  @Test
  void policyTypesDecideWhichRulesCount() {
    String egressOnly =
        netpol(
            "types",
            "x",
            """
            podSelector:
              matchLabels: {pod: a}
            policyTypes: [Egress]
            ingress:
            - from:
              - podSelector:
                  matchLabels: {pod: nobody}
            egress:
            - {}
            """);
    cluster.apply(egressOnly);
    cluster.validate("Egress only", TCP_80, all());
    cluster.apply(egressOnly.replace("[Egress]", "[Ingress, Egress]"));
    cluster.validate("Ingress added", TCP_80, all().denyIngress(peer(XA)));
  }

  /**
   * Empty versus missing: {@code from: []} and {@code ports: []} mean everything, {@code egress:
   * []} without policyTypes does not make the policy cover egress, {@code egress: [{}]} does (and
   * then ingress without rules denies), and {@code to: [{podSelector: {}}]} is the policy's
   * namespace only.
   */
  @Test
  void emptyAndMissingLists() {
    cluster.apply(
        netpol(
            "lists",
            "x",
            """
            podSelector: {}
            ingress:
            - from: []
              ports: []
            egress: []
            """));
    cluster.validate("from: [] and egress: []", TCP_80, all());
    cluster.apply(
        netpol(
            "lists",
            "x",
            """
            podSelector: {}
            ingress: []
            egress:
            - {}
            """));
    cluster.validate("ingress: [] and egress: [{}]", TCP_80, all().denyIngress(ns("x")));
    cluster.apply(
        netpol(
            "lists",
            "x",
            """
            podSelector: {}
            policyTypes: [Egress]
            egress:
            - to:
              - podSelector: {}
            """));
    cluster.validate(
        "to: [{podSelector: {}}]", TCP_80, all().denyEgress(ns("x")).allow(ns("x"), ns("x")));
  }

  // ---- label changes ----

  /** Upstream: should allow ingress access from updated namespace. */
  @Test
  void ingressFromAnUpdatedNamespace() {
    cluster.apply(
        netpol(
            "allow-client-a-via-ns-selector",
            "x",
            """
            podSelector:
              matchLabels: {pod: a}
            ingress:
            - from:
              - namespaceSelector:
                  matchLabels: {ns2: updated}
            """));
    cluster.validate("no namespace matches", TCP_80, all().denyIngress(peer(XA)));
    cluster.labelNamespace("y", Map.of("ns2", "updated"));
    cluster.validate(
        "y labelled ns2=updated", TCP_80, all().denyIngress(peer(XA)).allow(ns("y"), peer(XA)));
  }

  /** Namespace labels moving from one namespace to another move the access with them. */
  @Test
  void namespaceLabelChangesMoveAccess() {
    cluster.apply(
        netpol(
            "team-blue",
            "x",
            """
            podSelector:
              matchLabels: {pod: a}
            ingress:
            - from:
              - namespaceSelector:
                  matchLabels: {team: blue}
            """));
    cluster.labelNamespaces(Map.of("y", Map.of("team", "blue"), "z", Map.of("team", "red")));
    cluster.validate("y blue", TCP_80, all().denyIngress(peer(XA)).allow(ns("y"), peer(XA)));
    cluster.labelNamespaces(Map.of("y", Map.of("team", "red"), "z", Map.of("team", "blue")));
    cluster.validate("z blue", TCP_80, all().denyIngress(peer(XA)).allow(ns("z"), peer(XA)));
    cluster.labelNamespaces(Map.of("y", Map.of(), "z", Map.of()));
    cluster.validate("nobody blue", TCP_80, all().denyIngress(peer(XA)));
  }

  /** Upstream: should allow ingress access from updated pod. */
  @Test
  void ingressFromAnUpdatedPod() {
    cluster.apply(
        netpol(
            "allow-client-a-via-pod-selector",
            "x",
            """
            podSelector:
              matchLabels: {pod: a}
            ingress:
            - from:
              - podSelector:
                  matchLabels: {pod: b, pod2: updated}
            """));
    cluster.validate("no pod matches", TCP_80, all().denyIngress(peer(XA)));
    cluster.label(XB, "pod2=updated");
    cluster.validate(
        "x/b labelled pod2=updated", TCP_80, all().denyIngress(peer(XA)).allow(peer(XB), peer(XA)));
    cluster.label(XB, "pod2-");
    cluster.validate("label removed", TCP_80, all().denyIngress(peer(XA)));
  }

  /** Upstream: should deny ingress access to updated pod. */
  @Test
  void ingressToAnUpdatedPodIsDenied() {
    cluster.apply(
        netpol(
            "deny-ingress-via-label-selector",
            "x",
            """
            podSelector:
              matchLabels: {target: isolated}
            policyTypes: [Ingress]
            """));
    cluster.validate("nothing selected", TCP_80, all());
    cluster.label(XA, "target=isolated");
    cluster.validate("x/a labelled target=isolated", TCP_80, all().denyIngress(peer(XA)));
  }

  /** A pod relabelled out of a policy's podSelector is no longer isolated, and back in, again. */
  @Test
  void aPodRelabelledOutOfThePolicyIsNoLongerIsolated() {
    cluster.apply(
        netpol(
            "isolate-a",
            "x",
            """
            podSelector:
              matchLabels: {pod: a}
            policyTypes: [Ingress, Egress]
            """));
    Reachability isolated = all().denyIngress(peer(XA)).denyEgress(peer(XA));
    cluster.validate("selected", TCP_80, isolated);
    cluster.label(XA, "pod=moved");
    cluster.validate("relabelled pod=moved", TCP_80, all());
    cluster.label(XA, "pod=a");
    cluster.validate("pod=a again", TCP_80, isolated);
  }

  // ---- ipBlock ----

  /** Upstream: should allow egress access to server in CIDR block. */
  @Test
  void egressToAServerInACidrBlock() {
    cluster.apply(
        netpol(
            "allow-client-a-via-cidr-egress-rule",
            "x",
            """
            podSelector:
              matchLabels: {pod: a}
            policyTypes: [Egress]
            egress:
            - to:
              - ipBlock:
                  cidr: %s
            """
                .formatted(cluster.hostCidr(YB, 4))));
    cluster.validate(TCP_80, all().denyEgress(peer(XA)).allow(peer(XA), peer(YB)));
  }

  /** Upstream: should enforce except clause while egress access to server in CIDR block. */
  @Test
  void egressExceptClause() {
    cluster.apply(
        netpol(
            "allow-client-a-via-cidr-egress-rule",
            "x",
            """
            podSelector:
              matchLabels: {pod: a}
            policyTypes: [Egress]
            egress:
            - to:
              - ipBlock:
                  cidr: %s
                  except: [%s]
            """
                .formatted(slash4(cluster.pod(XB).ipv4()), cluster.hostCidr(XB, 4))));
    cluster.validate(TCP_80, all().deny(peer(XA), peer(XB)));
  }

  /**
   * Upstream: should ensure an IP overlapping both IPBlock.CIDR and IPBlock.Except is allowed (by a
   * second version of the policy naming it alone).
   */
  @Test
  void anAddressInBothCidrAndExceptIsAllowedByAnotherBlock() {
    cluster.apply(
        netpol(
            "allow-client-a-via-cidr-egress-rule",
            "x",
            """
            podSelector:
              matchLabels: {pod: a}
            policyTypes: [Egress]
            egress:
            - to:
              - ipBlock:
                  cidr: %s
                  except: [%s]
            """
                .formatted(slash4(cluster.pod(XB).ipv4()), cluster.hostCidr(XB, 4))));
    cluster.validate("x/b excepted", TCP_80, all().deny(peer(XA), peer(XB)));
    cluster.apply(
        netpol(
            "allow-client-a-via-cidr-egress-rule",
            "x",
            """
            podSelector:
              matchLabels: {pod: a}
            policyTypes: [Egress]
            egress:
            - to:
              - ipBlock:
                  cidr: %s
            """
                .formatted(cluster.hostCidr(XB, 4))));
    cluster.validate(
        "only x/b's address", TCP_80, all().denyEgress(peer(XA)).allow(peer(XA), peer(XB)));
  }

  /** Ingress from an ipBlock holding every pod address but one (pods are matched by address). */
  @Test
  void ingressFromAnIpBlockWithAPodExcepted() {
    cluster.apply(
        netpol(
            "from-pod-cidr-but-y-a",
            "x",
            """
            podSelector:
              matchLabels: {pod: a}
            ingress:
            - from:
              - ipBlock:
                  cidr: %s
                  except: [%s]
            """
                .formatted(agent.cidrV4(), cluster.hostCidr(YA, 4))));
    Reachability r = all().deny(peer(YA), peer(XA));
    cluster.validate(TCP_80, r);
    cluster.validate(UDP_80, r);
  }

  /**
   * Jilium matches ipBlock to pods by identity: a pod selected by its IPv6 address is allowed over
   * IPv4 too (and the other way round), as documented in docs/architecture.md.
   */
  @Test
  void anIpBlockSelectsAPodOverBothFamilies() {
    cluster.apply(
        netpol(
            "to-y-b-by-ipv6",
            "x",
            """
            podSelector:
              matchLabels: {pod: a}
            policyTypes: [Egress]
            egress:
            - to:
              - ipBlock:
                  cidr: %s
            """
                .formatted(cluster.hostCidr(YB, 6))));
    Reachability r = all().denyEgress(peer(XA)).allow(peer(XA), peer(YB));
    cluster.validate(TCP_80.ipv6(), r);
    cluster.validate(TCP_80, r);
  }

  // ---- a host outside the cluster ----

  /**
   * ipBlock with except toward a host outside the cluster: the except wins for its address, a
   * different except does not, and 0.0.0.0/0 admits the outside host and every pod.
   */
  @Test
  void egressIpBlockToAnExternalHost() {
    ExternalPeer ext = cluster.external();
    String policy =
        netpol(
            "to-outside",
            "x",
            """
            podSelector:
              matchLabels: {pod: a}
            policyTypes: [Egress]
            egress:
            - to:
              - ipBlock:
                  cidr: %s
                  except: [%s]
            """);
    cluster.apply(policy.formatted(ext.subnet(), ext.address() + "/32"));
    Reachability nothing = cluster.reachabilityWithExternal().denyEgress(peer(XA));
    cluster.validate("its address excepted", TCP_80, nothing);
    cluster.apply(policy.formatted(ext.subnet(), subnetHost(ext, 3) + "/32"));
    Reachability outsideOnly =
        cluster.reachabilityWithExternal().denyEgress(peer(XA)).allow(peer(XA), external());
    cluster.validate("another address excepted", TCP_80, outsideOnly);
    cluster.validate("another address excepted", UDP_81, outsideOnly);
    cluster.apply(policy.formatted("0.0.0.0/0", ext.address() + "/32"));
    cluster.validate(
        "0.0.0.0/0 except the outside host",
        TCP_80,
        cluster.reachabilityWithExternal().deny(peer(XA), external()));
  }

  /**
   * A namespaceSelector selects pods only; a host outside the cluster needs an ipBlock. A rule
   * without {@code from} admits everyone, inside the cluster or not.
   */
  @Test
  void ingressFromOutsideTheCluster() {
    ExternalPeer ext = cluster.external();
    cluster.apply(
        netpol(
            "from-everywhere",
            "x",
            """
            podSelector:
              matchLabels: {pod: a}
            ingress:
            - from:
              - namespaceSelector: {}
            """));
    cluster.validate(
        "all namespaces", TCP_80, cluster.reachabilityWithExternal().deny(external(), peer(XA)));
    cluster.apply(
        netpol(
            "from-everywhere",
            "x",
            """
            podSelector:
              matchLabels: {pod: a}
            ingress:
            - from:
              - namespaceSelector: {}
              - ipBlock:
                  cidr: %s
            """
                .formatted(ext.address() + "/32")));
    cluster.validate("and the outside host", TCP_80, cluster.reachabilityWithExternal());
    cluster.apply(
        netpol(
            "from-everywhere",
            "x",
            """
            podSelector: {}
            ingress:
            - ports:
              - port: 80
            """));
    cluster.validate("port 80 from anyone", TCP_80, cluster.reachabilityWithExternal());
    cluster.validate(
        "port 80 from anyone", TCP_81, cluster.reachabilityWithExternal().denyIngress(ns("x")));
  }

  // ---- UDP ----

  /** Upstream (UDP): should support a 'default-deny-ingress' policy. */
  @Test
  void udpDefaultDenyIngress() {
    cluster.apply(
        netpol(
            "deny-all",
            "x",
            """
            podSelector: {}
            policyTypes: [Ingress]
            """));
    cluster.validate(UDP_80, all().denyIngress(ns("x")));
    cluster.validate(UDP_80.ipv6(), all().denyIngress(ns("x")));
  }

  /** Upstream (UDP): should enforce policy based on Ports. */
  @Test
  void udpPorts() {
    cluster.apply(
        netpol(
            "allow-ingress-on-port-81-ns-x",
            "x",
            """
            podSelector:
              matchLabels: {pod: a}
            ingress:
            - from:
              - namespaceSelector:
                  matchLabels: {ns: y}
              ports:
              - {port: 81, protocol: UDP}
            """));
    cluster.validate(UDP_81, all().deny(ns("x"), peer(XA)).deny(ns("z"), peer(XA)));
    cluster.validate(UDP_80, all().denyIngress(peer(XA)));
  }

  /**
   * Upstream (UDP): should enforce policy to allow traffic only from a pod in a different namespace
   * based on PodSelector and NamespaceSelector.
   */
  @Test
  void udpOnlyFromAPodInADifferentNamespace() {
    cluster.apply(
        netpol(
            "allow-ns-y-pod-a-via-namespace-pod-selector",
            "x",
            """
            podSelector:
              matchLabels: {pod: a}
            ingress:
            - from:
              - namespaceSelector:
                  matchLabels: {ns: y}
                podSelector:
                  matchLabels: {pod: a}
            """));
    cluster.validate(UDP_80, all().denyIngress(peer(XA)).allow(peer(YA), peer(XA)));
  }

  // ---- helpers ----

  /** The /4 holding an IPv4 address (upstream's "large CIDR" around a pod). */
  static String slash4(String ipv4) {
    int first = Integer.parseInt(ipv4.substring(0, ipv4.indexOf('.')));
    return (first & 0xf0) + ".0.0.0/4";
  }

  /** Another address of the external peer's /24. */
  private static String subnetHost(ExternalPeer ext, int host) {
    String a = ext.address();
    return a.substring(0, a.lastIndexOf('.') + 1) + host;
  }
}
