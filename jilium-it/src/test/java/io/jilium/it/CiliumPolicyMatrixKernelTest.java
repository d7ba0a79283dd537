package io.jilium.it;

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
 * CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy on the NetworkPolicy conformance model
 * (namespaces x, y, z with pods a, b, c, see {@link NetpolCluster}) plus a host outside the cluster
 * ({@code ext}): one feature per test, and after each step the whole matrix of ordered peer pairs
 * probed for real and compared with the expected truth table.
 *
 * <p>Expectations follow Cilium's documented semantics (docs.cilium.io: policy language, layer 3,
 * layer 4, deny policies, Kubernetes constructs) and, where the documentation is silent, its policy
 * translation ({@code pkg/k8s/apis/cilium.io/utils}):
 *
 * <ul>
 *   <li>a CNP's endpointSelector selects pods of the policy's namespace only (a namespace it names
 *       is overridden); its fromEndpoints/toEndpoints default to the policy's namespace unless the
 *       selector names {@code io.kubernetes.pod.namespace} or namespace labels ({@code
 *       io.cilium.k8s.namespace.labels.*}); a CCNP has no implicit namespace, but its peer
 *       selectors only select pods;
 *   <li>an empty rule ({@code {}}) and an empty L3 list allow nothing; a rule with only toPorts or
 *       icmps allows every peer, inside the cluster or not;
 *   <li>CIDR rules never match pods (they keep their own identities), only hosts outside the
 *       cluster; {@code world} is everything outside the cluster, {@code cluster} every pod;
 *   <li>deny rules win over allows of every policy kind, Kubernetes NetworkPolicy included;
 *   <li>{@code enableDefaultDeny: {ingress: false}} keeps a policy from putting its endpoints into
 *       ingress default deny, while another policy may still do so;
 *   <li>replies of allowed connections always pass.
 * </ul>
 *
 * Pods and namespaces are set up once; between tests every policy is deleted and every label put
 * back.
 */
@Tag("kernel")
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class CiliumPolicyMatrixKernelTest {
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
  private static final Traffic PING = Traffic.icmp();

  private static final String XA = "x/a";
  private static final String XB = "x/b";
  private static final String XC = "x/c";
  private static final String YA = "y/a";
  private static final String YB = "y/b";
  private static final String YC = "y/c";
  private static final String ZA = "z/a";
  private static final String ZB = "z/b";
  private static final String ZC = "z/c";

  static String cnp(String name, String namespace, String spec) {
    return """
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata:
          name: %s
          namespace: %s
        spec:
        %s"""
        .formatted(name, namespace, spec.indent(2));
  }

  static String ccnp(String name, String spec) {
    return """
        apiVersion: cilium.io/v2
        kind: CiliumClusterwideNetworkPolicy
        metadata:
          name: %s
        spec:
        %s"""
        .formatted(name, spec.indent(2));
  }

  /** Everything allowed between the nine pods and the external peer. */
  private static Reachability all() {
    return cluster.reachabilityWithExternal();
  }

  /** Everything allowed between the nine pods (for IPv6: the external peer is IPv4 only). */
  private static Reachability pods() {
    return cluster.reachability();
  }

  /** A CNP in x selecting x/a with the given rules. */
  private static String onXa(String name, String rules) {
    return cnp(
        name,
        "x",
        """
        endpointSelector:
          matchLabels:
            pod: a
        """
            + rules);
  }

  // ---- namespace scoping ----

  /**
   * A CNP's endpointSelector selects pods of its own namespace only, and its fromEndpoints and
   * toEndpoints too unless they name a namespace: {@code {}} is "every pod of this namespace".
   * Cilium overrides a namespace the endpointSelector names ("EndpointSelector always applies in
   * namespace of the policy resource, removing illegal namespace match").
   */
  @Test
  void endpointSelectorAndPeersDefaultToThePolicysNamespace() {
    cluster.apply(
        onXa(
            "scoped",
            """
            ingress:
            - fromEndpoints:
              - matchLabels:
                  pod: b
            """));
    Reachability onlyXbToXa = all().denyIngress(peer(XA)).allow(peer(XB), peer(XA));
    cluster.validate("x/a from pod=b", TCP_80, onlyXbToXa);

    cluster.apply(
        cnp(
            "scoped",
            "x",
            """
            endpointSelector: {}
            ingress:
            - fromEndpoints:
              - {}
            """));
    cluster.validate(
        "every pod of x from {}", TCP_80, all().denyIngress(ns("x")).allow(ns("x"), ns("x")));

    cluster.apply(
        cnp(
            "scoped",
            "x",
            """
            endpointSelector: {}
            egress:
            - toEndpoints:
              - {}
            """));
    cluster.validate(
        "every pod of x to {}", TCP_80, all().denyEgress(ns("x")).allow(ns("x"), ns("x")));

    cluster.apply(
        cnp(
            "scoped",
            "x",
            """
            endpointSelector:
              matchLabels:
                "k8s:io.kubernetes.pod.namespace": y
                pod: a
            ingress:
            - fromEndpoints:
              - matchLabels:
                  pod: b
            """));
    cluster.validate("endpointSelector naming namespace y", TCP_80, onlyXbToXa);
  }

  /** Peers in other namespaces by {@code io.kubernetes.pod.namespace}, k8s: or any source. */
  @Test
  void peersInOtherNamespacesByThePodNamespaceLabel() {
    cluster.apply(
        onXa(
            "cross-ns",
            """
            ingress:
            - fromEndpoints:
              - matchLabels:
                  "k8s:io.kubernetes.pod.namespace": y
            """));
    cluster.validate(
        "from namespace y", TCP_80, all().denyIngress(peer(XA)).allow(ns("y"), peer(XA)));

    cluster.apply(
        onXa(
            "cross-ns",
            """
            ingress:
            - fromEndpoints:
              - matchLabels:
                  io.kubernetes.pod.namespace: z
                  pod: b
            """));
    cluster.validate(
        "from z/b (no source prefix)",
        TCP_80,
        all().denyIngress(peer(XA)).allow(peer(ZB), peer(XA)));

    cluster.apply(
        onXa(
            "cross-ns",
            """
            egress:
            - toEndpoints:
              - matchExpressions:
                - key: "k8s:io.kubernetes.pod.namespace"
                  operator: In
                  values: [y, z]
                - {key: pod, operator: In, values: [c]}
            """));
    cluster.validate(
        "to pod c of y and z", TCP_80, all().denyEgress(peer(XA)).allow(peer(XA), peer(YC, ZC)));
  }

  /**
   * Peers by namespace labels ({@code io.cilium.k8s.namespace.labels.*}): no implicit namespace,
   * and access follows the namespaces' labels as they change.
   */
  @Test
  void peersByNamespaceLabels() {
    cluster.apply(
        onXa(
            "ns-labels",
            """
            ingress:
            - fromEndpoints:
              - matchLabels:
                  "k8s:io.cilium.k8s.namespace.labels.ns": y
            """));
    cluster.validate(
        "from namespaces labelled ns=y",
        TCP_80,
        all().denyIngress(peer(XA)).allow(ns("y"), peer(XA)));

    cluster.apply(
        onXa(
            "ns-labels",
            """
            ingress:
            - fromEndpoints:
              - matchLabels:
                  "io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name": z
            """));
    cluster.validate(
        "from kubernetes.io/metadata.name=z",
        TCP_80,
        all().denyIngress(peer(XA)).allow(ns("z"), peer(XA)));

    cluster.labelNamespaces(Map.of("y", Map.of("team", "blue"), "z", Map.of("team", "blue")));
    cluster.apply(
        onXa(
            "ns-labels",
            """
            ingress:
            - fromEndpoints:
              - matchLabels:
                  "k8s:io.cilium.k8s.namespace.labels.team": blue
                  pod: c
            """));
    cluster.validate(
        "from pod c of team=blue (y, z)",
        TCP_80,
        all().denyIngress(peer(XA)).allow(peer(YC, ZC), peer(XA)));

    cluster.labelNamespaces(Map.of("y", Map.of("team", "red"), "z", Map.of("team", "blue")));
    cluster.validate(
        "y relabelled team=red", TCP_80, all().denyIngress(peer(XA)).allow(peer(ZC), peer(XA)));
  }

  // ---- selectors ----

  /**
   * matchExpressions In, NotIn, Exists and DoesNotExist in fromEndpoints (scoped to the policy's
   * namespace). A NotIn on the namespace label names the namespace, so nothing is added, and like
   * every Kubernetes NotIn it also matches identities without the label: the world outside.
   */
  @Test
  void matchExpressionsInPeers() {
    String policy =
        """
        ingress:
        - fromEndpoints:
          - matchExpressions:
            - %s
        """;
    Reachability isolated = all().denyIngress(peer(XA));

    cluster.apply(onXa("exprs", policy.formatted("{key: pod, operator: In, values: [b, c]}")));
    cluster.validate("pod In (b, c)", TCP_80, isolated.allow(peer(XB, XC), peer(XA)));

    cluster.apply(onXa("exprs", policy.formatted("{key: pod, operator: NotIn, values: [b]}")));
    cluster.validate("pod NotIn (b)", TCP_80, isolated.allow(peer(XC), peer(XA)));

    cluster.label(XC, "tier=web");
    cluster.label(YB, "tier=web");
    cluster.apply(onXa("exprs", policy.formatted("{key: tier, operator: Exists}")));
    cluster.validate("tier Exists (x/c, y/b have it)", TCP_80, isolated.allow(peer(XC), peer(XA)));

    cluster.apply(onXa("exprs", policy.formatted("{key: tier, operator: DoesNotExist}")));
    cluster.validate("tier DoesNotExist", TCP_80, isolated.allow(peer(XB), peer(XA)));

    cluster.apply(
        onXa(
            "exprs",
            policy.formatted(
                "{key: \"k8s:io.kubernetes.pod.namespace\", operator: NotIn, values: [x]}")));
    cluster.validate("namespace NotIn (x)", TCP_80, all().deny(ns("x"), peer(XA)));
  }

  /**
   * Label sources in selectors: {@code k8s:} matches pod labels, {@code any:} (and no prefix) any
   * source, another source ({@code container:}) no pod label.
   */
  @Test
  void labelSourcesInSelectors() {
    cluster.apply(
        cnp(
            "sources",
            "x",
            """
            endpointSelector:
              matchLabels:
                "k8s:pod": a
            ingress:
            - fromEndpoints:
              - matchLabels:
                  "any:pod": b
            """));
    cluster.validate(
        "k8s:pod=a from any:pod=b", TCP_80, all().denyIngress(peer(XA)).allow(peer(XB), peer(XA)));

    cluster.apply(
        cnp(
            "sources",
            "x",
            """
            endpointSelector:
              matchLabels:
                "any:pod": a
            ingress:
            - fromEndpoints:
              - matchLabels:
                  "k8s:pod": c
            """));
    cluster.validate(
        "any:pod=a from k8s:pod=c", TCP_80, all().denyIngress(peer(XA)).allow(peer(XC), peer(XA)));

    cluster.apply(
        cnp(
            "sources",
            "x",
            """
            endpointSelector:
              matchLabels:
                "k8s:pod": a
            ingress:
            - fromEndpoints:
              - matchLabels:
                  "container:pod": b
            """));
    cluster.validate("from container:pod=b (no pod)", TCP_80, all().denyIngress(peer(XA)));

    cluster.apply(
        cnp(
            "sources",
            "x",
            """
            endpointSelector:
              matchLabels:
                "container:pod": a
            ingress:
            - fromEndpoints:
              - {}
            """));
    cluster.validate("endpointSelector container:pod=a (no pod)", TCP_80, all());
  }

  // ---- entities ----

  /** fromEntities: cluster is every pod, world only the host outside, all both. */
  @Test
  void fromEntities() {
    cluster.apply(onXa("entities", "ingress:\n- fromEntities: [cluster]\n"));
    cluster.validate("cluster", TCP_80, all().deny(external(), peer(XA)));

    cluster.apply(onXa("entities", "ingress:\n- fromEntities: [world]\n"));
    cluster.validate("world", TCP_80, all().denyIngress(peer(XA)).allow(external(), peer(XA)));

    cluster.apply(
        onXa(
            "entities",
            """
            ingress:
            - fromEntities: [all]
              toPorts:
              - ports:
                - {port: "80", protocol: TCP}
            """));
    cluster.validate("all, port 80", TCP_80, all());
    cluster.validate("all, port 80", TCP_81, all().denyIngress(peer(XA)));
  }

  /**
   * toEntities: world is only the host outside, cluster every pod; the outside host's replies reach
   * x/a although its ingress admits nobody.
   */
  @Test
  void toEntities() {
    Reachability onlyOutside = all().denyEgress(peer(XA)).allow(peer(XA), external());
    cluster.apply(onXa("entities", "egress:\n- toEntities: [world]\n"));
    cluster.validate("world", TCP_80, onlyOutside);

    cluster.apply(onXa("entities", "egress:\n- toEntities: [cluster]\n"));
    cluster.validate("cluster", TCP_80, all().deny(peer(XA), external()));

    cluster.apply(
        onXa(
            "entities",
            """
            ingress:
            - fromEndpoints:
              - matchLabels:
                  pod: nobody
            egress:
            - toEntities: [world]
            """));
    cluster.validate(
        "world, ingress from nobody",
        TCP_80,
        all().denyIngress(peer(XA)).denyEgress(peer(XA)).allow(peer(XA), external()));
    cluster.validate(
        "world, ingress from nobody",
        UDP_80,
        all().denyIngress(peer(XA)).denyEgress(peer(XA)).allow(peer(XA), external()));
  }

  // ---- CIDR ----

  /** toCIDR and toCIDRSet select the outside host, never pods (not even the pod CIDR does). */
  @Test
  void toCidrSelectsTheOutsideHostButNoPod() {
    ExternalPeer ext = cluster.external();
    Reachability onlyOutside = all().denyEgress(peer(XA)).allow(peer(XA), external());
    Reachability nothing = all().denyEgress(peer(XA));

    cluster.apply(
        onXa(
            "cidr",
            """
            egress:
            - toCIDR: ["%s/32"]
            """
                .formatted(ext.address())));
    cluster.validate("its /32", TCP_80, onlyOutside);

    cluster.apply(
        onXa(
            "cidr",
            """
            egress:
            - toCIDR: ["%s", "%s"]
            """
                .formatted(agent.cidrV4(), ext.subnet())));
    cluster.validate("the pod CIDR and its /24", TCP_80, onlyOutside);

    cluster.apply(
        onXa(
            "cidr",
            """
            egress:
            - toCIDRSet:
              - cidr: 0.0.0.0/0
                except: ["%s/32"]
            """
                .formatted(ext.address())));
    cluster.validate("0.0.0.0/0 except it", TCP_80, nothing);

    cluster.apply(
        onXa(
            "cidr",
            """
            egress:
            - toCIDRSet:
              - cidr: %s
                except: ["%s/32"]
            """
                .formatted(ext.subnet(), subnetHost(ext, 3))));
    cluster.validate("its /24 except another host", TCP_80, onlyOutside);
    cluster.validate("its /24 except another host", UDP_81, onlyOutside);
  }

  /** fromCIDR and fromCIDRSet admit the outside host, never pods. */
  @Test
  void fromCidrSelectsTheOutsideHostButNoPod() {
    ExternalPeer ext = cluster.external();
    Reachability onlyOutside = all().denyIngress(peer(XA)).allow(external(), peer(XA));
    Reachability nobody = all().denyIngress(peer(XA));

    cluster.apply(
        onXa(
            "cidr",
            """
            ingress:
            - fromCIDR: ["%s/32"]
            """
                .formatted(ext.address())));
    cluster.validate("its /32", TCP_80, onlyOutside);

    cluster.apply(
        onXa(
            "cidr",
            """
            ingress:
            - fromCIDR: ["%s"]
            """
                .formatted(agent.cidrV4())));
    cluster.validate("the pod CIDR", TCP_80, nobody);

    cluster.apply(
        onXa(
            "cidr",
            """
            ingress:
            - fromCIDRSet:
              - cidr: 0.0.0.0/0
                except: ["%s"]
            """
                .formatted(agent.cidrV4())));
    cluster.validate("0.0.0.0/0 except the pod CIDR", TCP_80, onlyOutside);

    cluster.apply(
        onXa(
            "cidr",
            """
            ingress:
            - fromCIDRSet:
              - cidr: %s
                except: ["%s/32"]
            """
                .formatted(ext.subnet(), ext.address())));
    cluster.validate("its /24 except it", TCP_80, nobody);
  }

  // ---- L4 ----

  /**
   * Ingress toPorts without L3 (every peer, the outside host too): a port number, a named port (its
   * protocol), a range, protocol ANY and UDP.
   */
  @Test
  void ingressToPorts() {
    Reachability open = all();
    Reachability closed = all().denyIngress(peer(XA));
    String policy =
        """
        ingress:
        - toPorts:
          - ports:
            - %s
        """;

    cluster.apply(onXa("ports", policy.formatted("{port: \"80\", protocol: TCP}")));
    cluster.validate("80/TCP", TCP_80, open);
    cluster.validate("80/TCP", TCP_81, closed);
    cluster.validate("80/TCP", UDP_80, closed);

    cluster.apply(onXa("ports", policy.formatted("{port: serve-81-tcp}")));
    cluster.validate("serve-81-tcp", TCP_81, open);
    cluster.validate("serve-81-tcp", TCP_80, closed);
    cluster.validate("serve-81-tcp", UDP_81, closed);

    cluster.apply(onXa("ports", policy.formatted("{port: \"80\", endPort: 81, protocol: TCP}")));
    cluster.validate("80-81/TCP", TCP_80, open);
    cluster.validate("80-81/TCP", TCP_81, open);
    cluster.validate("80-81/TCP", UDP_80, closed);

    cluster.apply(onXa("ports", policy.formatted("{port: \"81\", protocol: ANY}")));
    cluster.validate("81/ANY", TCP_81, open);
    cluster.validate("81/ANY", UDP_81, open);
    cluster.validate("81/ANY", TCP_80, closed);

    cluster.apply(onXa("ports", policy.formatted("{port: \"80\", protocol: UDP}")));
    cluster.validate("80/UDP", UDP_80, open);
    cluster.validate("80/UDP", UDP_81, closed);
    cluster.validate("80/UDP", TCP_80, closed);
  }

  /** Egress toPorts with L3: a named port of the peers, and a UDP port towards the world. */
  @Test
  void egressToPorts() {
    Reachability closed = all().denyEgress(peer(XA));
    cluster.apply(
        onXa(
            "ports",
            """
            egress:
            - toEndpoints:
              - matchLabels:
                  "k8s:io.kubernetes.pod.namespace": y
              toPorts:
              - ports:
                - port: serve-80-udp
            """));
    cluster.validate("serve-80-udp to namespace y", UDP_80, closed.allow(peer(XA), ns("y")));
    cluster.validate("serve-80-udp to namespace y", TCP_80, closed);

    cluster.apply(
        onXa(
            "ports",
            """
            egress:
            - toEntities: [world]
              toPorts:
              - ports:
                - {port: "81", protocol: UDP}
            """));
    cluster.validate("81/UDP to world", UDP_81, closed.allow(peer(XA), external()));
    cluster.validate("81/UDP to world", TCP_81, closed);
  }

  /**
   * icmps: echo requests of one family only, and nothing of TCP; the echo replies pass as replies.
   */
  @Test
  void icmpTypes() {
    cluster.apply(
        onXa(
            "icmp",
            """
            ingress:
            - fromEndpoints:
              - matchLabels:
                  "k8s:io.kubernetes.pod.namespace": y
              icmps:
              - fields:
                - {type: EchoRequest, family: IPv4}
            """));
    cluster.validate(
        "IPv4 EchoRequest from y", PING, all().denyIngress(peer(XA)).allow(ns("y"), peer(XA)));
    cluster.validate("IPv4 EchoRequest from y", PING.ipv6(), pods().denyIngress(peer(XA)));
    cluster.validate("IPv4 EchoRequest from y", TCP_80, all().denyIngress(peer(XA)));

    cluster.apply(
        onXa(
            "icmp",
            """
            ingress:
            - fromEndpoints:
              - matchLabels:
                  "k8s:io.kubernetes.pod.namespace": y
              icmps:
              - fields:
                - {type: EchoRequest}
                - {type: EchoRequest, family: IPv6}
            """));
    cluster.validate(
        "IPv4 and IPv6 EchoRequest from y",
        PING.ipv6(),
        pods().denyIngress(peer(XA)).allow(ns("y"), peer(XA)));

    cluster.apply(
        onXa(
            "icmp",
            """
            egress:
            - icmps:
              - fields:
                - {type: 8}
            """));
    cluster.validate("egress IPv4 type 8 to anyone", PING, all());
    cluster.validate("egress IPv4 type 8 to anyone", PING.ipv6(), pods().denyEgress(peer(XA)));
    cluster.validate("egress IPv4 type 8 to anyone", TCP_80, all().denyEgress(peer(XA)));
  }

  /** An empty rule and an empty L3 list allow nothing; a rule with only toPorts allows everyone. */
  @Test
  void emptyRulesAllowNothing() {
    cluster.apply(onXa("empty", "ingress:\n- {}\n"));
    cluster.validate("ingress [{}]", TCP_80, all().denyIngress(peer(XA)));

    cluster.apply(
        onXa(
            "empty",
            """
            ingress:
            - fromEndpoints: []
              toPorts:
              - ports:
                - {port: "80", protocol: TCP}
            """));
    cluster.validate("fromEndpoints [] on port 80", TCP_80, all().denyIngress(peer(XA)));

    cluster.apply(
        onXa(
            "empty",
            """
            ingress:
            - toPorts:
              - ports:
                - {port: "80", protocol: TCP}
            """));
    cluster.validate("only toPorts 80", TCP_80, all());

    cluster.apply(onXa("empty", "egress:\n- {}\n"));
    cluster.validate("egress [{}]", TCP_80, all().denyEgress(peer(XA)));
  }

  // ---- deny ----

  /**
   * ingressDeny wins over an allow of the same or another policy, CNP or CCNP, for endpoints, CIDRs
   * and ports; a CCNP with only a deny and enableDefaultDeny false isolates nobody.
   */
  @Test
  void ingressDenyWinsOverAllows() {
    ExternalPeer ext = cluster.external();
    cluster.apply(
        onXa(
            "allow-all-but-b",
            """
            ingress:
            - fromEntities: [all]
            ingressDeny:
            - fromEndpoints:
              - matchLabels:
                  pod: b
            """));
    Reachability notB = all().deny(peer(XB), peer(XA));
    cluster.validate("deny x/b in the allowing policy", TCP_80, notB);

    cluster.apply(
        onXa(
            "deny-y-80",
            """
            ingressDeny:
            - fromEndpoints:
              - matchLabels:
                  "k8s:io.kubernetes.pod.namespace": y
              toPorts:
              - ports:
                - {port: "80", protocol: TCP}
            """));
    cluster.validate("and y on port 80 by another CNP", TCP_80, notB.deny(ns("y"), peer(XA)));
    cluster.validate("and y on port 80 by another CNP", TCP_81, notB);

    cluster.apply(
        ccnp(
            "deny-outside-to-a",
            """
            endpointSelector:
              matchLabels:
                pod: a
            enableDefaultDeny:
              ingress: false
            ingressDeny:
            - fromCIDR: ["%s/32"]
            """
                .formatted(ext.address())));
    cluster.validate(
        "and the outside host to every a by a CCNP",
        TCP_81,
        notB.deny(external(), peer(XA, YA, ZA)));
  }

  /** egressDeny wins over toEntities all; a CIDR deny (even 0.0.0.0/0) leaves pods alone. */
  @Test
  void egressDenyWinsOverAllows() {
    cluster.apply(
        onXa(
            "egress-deny",
            """
            egress:
            - toEntities: [all]
            egressDeny:
            - toEndpoints:
              - matchLabels:
                  "k8s:io.kubernetes.pod.namespace": z
            """));
    cluster.validate("deny namespace z", TCP_80, all().deny(peer(XA), ns("z")));

    cluster.apply(
        onXa(
            "egress-deny",
            """
            egress:
            - toEntities: [all]
            egressDeny:
            - toCIDR: [0.0.0.0/0]
            """));
    cluster.validate("deny 0.0.0.0/0", TCP_80, all().deny(peer(XA), external()));
  }

  /** Deny rules of a CNP and a CCNP win over Kubernetes NetworkPolicy allows. */
  @Test
  void denyWinsOverAKubernetesNetworkPolicyAllow() {
    cluster.apply(
        NetworkPolicyConformanceKernelTest.netpol(
                "a-from-all-pods",
                "x",
                """
                podSelector:
                  matchLabels: {pod: a}
                ingress:
                - from:
                  - namespaceSelector: {}
                """)
            + "\n---\n"
            + onXa(
                "deny-y",
                """
                ingressDeny:
                - fromEndpoints:
                  - matchLabels:
                      "k8s:io.kubernetes.pod.namespace": y
                """));
    Reachability first = all().deny(external(), peer(XA)).deny(ns("y"), peer(XA));
    cluster.validate("NP allows all pods, CNP denies y", TCP_80, first);

    cluster.apply(
        NetworkPolicyConformanceKernelTest.netpol(
                "y-to-all-pods",
                "y",
                """
                podSelector: {}
                policyTypes: [Egress]
                egress:
                - to:
                  - namespaceSelector: {}
                """)
            + "\n---\n"
            + ccnp(
                "y-not-to-c",
                """
                endpointSelector:
                  matchLabels:
                    "k8s:io.kubernetes.pod.namespace": y
                egressDeny:
                - toEndpoints:
                  - matchLabels:
                      pod: c
                """));
    cluster.validate(
        "NP lets y reach all pods, CCNP denies every c",
        TCP_80,
        first.deny(ns("y"), external()).deny(ns("y"), peer(XC, YC, ZC)));
  }

  // ---- default deny ----

  /**
   * enableDefaultDeny ingress false: the policy's allows add nothing, its denies hold; another
   * policy (here a Kubernetes NetworkPolicy) still puts the endpoint into default deny, and then
   * the allows of both count. The flag for ingress leaves egress default deny alone.
   */
  @Test
  void enableDefaultDenyFalseForIngress() {
    cluster.apply(
        onXa(
            "no-default-deny",
            """
            enableDefaultDeny:
              ingress: false
            ingress:
            - fromEndpoints:
              - matchLabels:
                  pod: b
            ingressDeny:
            - fromEndpoints:
              - matchLabels:
                  pod: c
            """));
    cluster.validate("allow b, deny c, no default deny", TCP_80, all().deny(peer(XC), peer(XA)));

    String np =
        NetworkPolicyConformanceKernelTest.netpol(
            "a-from-y",
            "x",
            """
            podSelector:
              matchLabels: {pod: a}
            ingress:
            - from:
              - namespaceSelector:
                  matchLabels: {ns: y}
            """);
    cluster.apply(np);
    cluster.validate(
        "and a NetworkPolicy from y",
        TCP_80,
        all().denyIngress(peer(XA)).allow(ns("y"), peer(XA)).allow(peer(XB), peer(XA)));

    cluster.delete(np);
    cluster.apply(
        onXa(
            "no-default-deny",
            """
            enableDefaultDeny:
              ingress: false
            ingress:
            - fromEndpoints:
              - matchLabels:
                  pod: b
            egress:
            - toEndpoints:
              - matchLabels:
                  pod: b
            """));
    cluster.validate(
        "egress rules still default deny",
        TCP_80,
        all().denyEgress(peer(XA)).allow(peer(XA), peer(XB)));
  }

  // ---- clusterwide ----

  /**
   * A CCNP selects pods of several namespaces (by the namespace label or namespace labels), its
   * peers come from every namespace, and {@code {}} is every pod but not the world.
   */
  @Test
  void clusterwidePolicySelectsPodsInSeveralNamespaces() {
    cluster.apply(
        ccnp(
            "clusterwide",
            """
            endpointSelector:
              matchLabels:
                pod: a
              matchExpressions:
              - key: "k8s:io.kubernetes.pod.namespace"
                operator: In
                values: [x, y]
            ingress:
            - fromEndpoints:
              - matchLabels:
                  pod: b
            """));
    cluster.validate(
        "a of x and y from every b",
        TCP_80,
        all().denyIngress(peer(XA, YA)).allow(peer(XB, YB, ZB), peer(XA, YA)));

    cluster.apply(
        ccnp(
            "clusterwide",
            """
            endpointSelector:
              matchLabels:
                pod: a
              matchExpressions:
              - key: "k8s:io.cilium.k8s.namespace.labels.ns"
                operator: In
                values: [y, z]
            ingress:
            - fromEndpoints:
              - {}
            """));
    cluster.validate("a of ns=y and ns=z from {}", TCP_80, all().deny(external(), peer(YA, ZA)));

    cluster.apply(
        ccnp(
            "clusterwide",
            """
            endpointSelector:
              matchLabels:
                pod: c
            egress:
            - toEndpoints:
              - matchLabels:
                  "k8s:io.kubernetes.pod.namespace": z
            """));
    cluster.validate(
        "every c to namespace z",
        TCP_80,
        all().denyEgress(peer(XC, YC, ZC)).allow(peer(XC, YC, ZC), ns("z")));
  }

  // ---- changes ----

  /** Label changes move pods into and out of a CNP's endpointSelector and its peers. */
  @Test
  void labelChangesMovePodsInAndOutOfAPolicy() {
    cluster.apply(
        cnp(
            "locked",
            "x",
            """
            endpointSelector:
              matchLabels:
                role: locked
            ingress:
            - fromEndpoints:
              - matchLabels:
                  access: granted
            """));
    cluster.validate("nobody selected", TCP_80, all());

    cluster.label(XA, "role=locked");
    cluster.validate("x/a role=locked", TCP_80, all().denyIngress(peer(XA)));

    cluster.label(XC, "access=granted");
    cluster.label(YC, "access=granted");
    cluster.validate(
        "x/c and y/c access=granted",
        TCP_80,
        all().denyIngress(peer(XA)).allow(peer(XC), peer(XA)));

    cluster.label(XB, "role=locked");
    cluster.validate(
        "x/b role=locked", TCP_80, all().denyIngress(peer(XA, XB)).allow(peer(XC), peer(XA, XB)));

    cluster.label(XA, "role-");
    cluster.validate(
        "x/a role removed", TCP_80, all().denyIngress(peer(XB)).allow(peer(XC), peer(XB)));
  }

  /** A policy updated in place (same name) replaces its rules, specs included; deleted, nothing. */
  @Test
  void aPolicyUpdateReplacesItsRules() {
    cluster.apply(
        onXa(
            "evolving",
            """
            ingress:
            - fromEndpoints:
              - matchLabels:
                  pod: b
            """));
    cluster.validate(
        "v1: x/a from x/b", TCP_80, all().denyIngress(peer(XA)).allow(peer(XB), peer(XA)));

    cluster.apply(onXa("evolving", "egress:\n- toEntities: [world]\n"));
    cluster.validate(
        "v2: x/a only to the world",
        TCP_80,
        all().denyEgress(peer(XA)).allow(peer(XA), external()));

    String v3 =
        """
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata:
          name: evolving
          namespace: x
        specs:
        - endpointSelector:
            matchLabels:
              pod: a
          ingress:
          - fromEndpoints:
            - matchLabels:
                "k8s:io.kubernetes.pod.namespace": y
        - endpointSelector:
            matchLabels:
              pod: b
          egress:
          - toEndpoints:
            - matchLabels:
                "k8s:io.kubernetes.pod.namespace": z
        """;
    cluster.apply(v3);
    cluster.validate(
        "v3: specs, x/a from y, x/b to z",
        TCP_80,
        all()
            .denyIngress(peer(XA))
            .allow(ns("y"), peer(XA))
            .denyEgress(peer(XB))
            .allow(peer(XB), ns("z")));

    cluster.delete(v3);
    cluster.validate("deleted", TCP_80, all());
  }

  // ---- helpers ----

  /** Another address of the external peer's /24. */
  private static String subnetHost(ExternalPeer ext, int host) {
    String a = ext.address();
    return a.substring(0, a.lastIndexOf('.') + 1) + host;
  }
}
