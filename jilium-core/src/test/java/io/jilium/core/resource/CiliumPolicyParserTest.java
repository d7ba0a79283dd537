package io.jilium.core.resource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jilium.core.labels.LabelSelector;
import io.jilium.core.labels.LabelSelector.Operator;
import io.jilium.core.labels.LabelSelector.Requirement;
import io.jilium.core.policy.PeerRule;
import io.jilium.core.policy.PortProtocol;
import io.jilium.core.policy.Protocol;
import io.jilium.core.policy.Rule;
import io.jilium.core.policy.RuleOrigin;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CiliumPolicyParserTest {
  static List<Resource> parse(String yaml) {
    return ResourceParser.parseAll(ManifestReader.read("policy.yaml", yaml));
  }

  static PolicyResource policy(String yaml) {
    List<Resource> r = parse(yaml);
    assertThat(r).hasSize(1);
    return (PolicyResource) r.get(0);
  }

  static List<String> problems(String yaml) {
    try {
      parse(yaml);
    } catch (ManifestException e) {
      return e.problems();
    }
    throw new AssertionError("no error for:\n" + yaml);
  }

  static String problem(String yaml) {
    List<String> p = problems(yaml);
    assertThat(p).hasSize(1);
    return p.get(0);
  }

  /** A CNP named p1 in team-a whose spec is {@code spec}, indented by two spaces. */
  static String cnp(String spec) {
    return """
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata:
          name: p1
          namespace: team-a
        spec:
        """
        + spec.indent(2);
  }

  static String ccnp(String spec) {
    return """
        apiVersion: cilium.io/v2
        kind: CiliumClusterwideNetworkPolicy
        metadata:
          name: c1
        spec:
        """
        + spec.indent(2);
  }

  static Requirement in(String source, String key, String... values) {
    return new Requirement(source, key, Operator.IN, Set.of(values));
  }

  static Requirement ns(String namespace) {
    return in("k8s", "io.kubernetes.pod.namespace", namespace);
  }

  static final Requirement ANY_NAMESPACE =
      new Requirement("k8s", "io.kubernetes.pod.namespace", Operator.EXISTS, Set.of());

  static LabelSelector sel(Requirement... r) {
    return LabelSelector.of(List.of(r));
  }

  static final String PREFIX = "policy.yaml: document 1 (CiliumNetworkPolicy team-a/p1): ";

  /** A rule with selector peers only, at {@code path} (its index is the path's last one). */
  static PeerRule peerRule(
      String path, List<LabelSelector> peers, boolean allPeers, List<PortProtocol> ports) {
    int index = Integer.parseInt(path.substring(path.lastIndexOf('[') + 1, path.length() - 1));
    return new PeerRule(index, path, peers, List.of(), allPeers, ports, List.of());
  }

  // --- valid policies -------------------------------------------------------------------------

  @Test
  void validCnpWithSpec() {
    PolicyResource p =
        policy(
            cnp(
                """
                description: web from frontend
                endpointSelector:
                  matchLabels:
                    app: web
                ingress:
                - fromEndpoints:
                  - matchLabels:
                      role: frontend
                  toPorts:
                  - ports:
                    - port: "8080"
                      protocol: TCP
                    - port: "53"
                      protocol: UDP
                """));

    assertThat(p.kind()).isEqualTo("CiliumNetworkPolicy");
    assertThat(p.namespace()).isEqualTo("team-a");
    assertThat(p.name()).isEqualTo("p1");
    assertThat(p.displayName()).isEqualTo("CiliumNetworkPolicy team-a/p1");
    assertThat(p.origin()).isEqualTo(new RuleOrigin("CiliumNetworkPolicy", "team-a", "p1"));
    assertThat(p.json()).contains("\"endpointSelector\"");
    assertThat(p.rules()).hasSize(1);
    Rule r = p.rules().get(0);
    assertThat(r.origin()).isEqualTo(p.origin());
    assertThat(r.subject()).isEqualTo(sel(in("any", "app", "web"), ns("team-a")));
    assertThat(r.enforceIngress()).isTrue();
    assertThat(r.enforceEgress()).isFalse();
    assertThat(r.egress()).isEmpty();
    assertThat(r.ingress())
        .containsExactly(
            peerRule(
                "spec.ingress[0]",
                List.of(sel(in("any", "role", "frontend"), ns("team-a"))),
                false,
                List.of(PortProtocol.of(8080, Protocol.TCP), PortProtocol.of(53, Protocol.UDP))));
  }

  @Test
  void validCnpWithSpecs() {
    PolicyResource p =
        policy(
            """
            apiVersion: cilium.io/v2
            kind: CiliumNetworkPolicy
            metadata:
              name: p2
            specs:
            - endpointSelector: {matchLabels: {app: a}}
              egress:
              - toEndpoints: [{matchLabels: {app: b}}]
            - endpointSelector: {matchLabels: {app: b}}
              ingressDeny:
              - fromEndpoints: [{matchLabels: {app: c}}]
            """);

    assertThat(p.namespace()).as("default namespace").isEqualTo("default");
    assertThat(p.rules()).extracting(Rule::specIndex).containsExactly(0, 1);
    assertThat(p.rules().get(0).subject()).isEqualTo(sel(in("any", "app", "a"), ns("default")));
    assertThat(p.rules().get(0).enforceEgress()).isTrue();
    assertThat(p.rules().get(0).enforceIngress()).isFalse();
    assertThat(p.rules().get(0).egress().get(0).peers())
        .containsExactly(sel(in("any", "app", "b"), ns("default")));
    assertThat(p.rules().get(1).enforceIngress()).as("deny rules enforce too").isTrue();
    assertThat(p.rules().get(1).ingressDeny().get(0).peers())
        .containsExactly(sel(in("any", "app", "c"), ns("default")));
  }

  @Test
  void emptyEndpointSelectorOfACnpSelectsItsNamespace() {
    Rule r = policy(cnp("endpointSelector: {}\ningress:\n- fromEndpoints: [{}]\n")).rules().get(0);

    assertThat(r.subject()).isEqualTo(sel(ns("team-a")));
    assertThat(r.ingress().get(0).peers()).containsExactly(sel(ns("team-a")));
  }

  @Test
  void aNamespaceNamedInTheEndpointSelectorIsReplacedByThePolicys() {
    // Cilium: "EndpointSelector always applies in namespace of the policy resource, removing
    // illegal namespace match" (the matchLabels entry is overwritten, not ANDed)
    Rule r =
        policy(
                cnp(
                    """
                    endpointSelector:
                      matchLabels:
                        k8s:io.kubernetes.pod.namespace: other
                        app: web
                    ingress:
                    - fromEndpoints: [{}]
                    """))
            .rules()
            .get(0);
    assertThat(r.subject()).isEqualTo(sel(in("any", "app", "web"), ns("team-a")));

    // the policy's own namespace written out changes nothing
    assertThat(
            policy(
                    cnp(
                        """
                        endpointSelector:
                          matchLabels: {k8s:io.kubernetes.pod.namespace: team-a}
                        """))
                .rules()
                .get(0)
                .subject())
        .isEqualTo(sel(ns("team-a")));

    // other forms of the key are not overwritten: they stay, ANDed with the policy's namespace
    assertThat(
            policy(
                    cnp(
                        """
                        endpointSelector:
                          matchLabels: {io.kubernetes.pod.namespace: other}
                        """))
                .rules()
                .get(0)
                .subject())
        .isEqualTo(sel(in("any", "io.kubernetes.pod.namespace", "other"), ns("team-a")));
    assertThat(
            policy(
                    cnp(
                        """
                        endpointSelector:
                          matchLabels: {k8s:io.kubernetes.pod.namespace: other}
                          matchExpressions:
                          - {key: k8s:io.kubernetes.pod.namespace, operator: In, values: [other]}
                        """))
                .rules()
                .get(0)
                .subject())
        .isEqualTo(sel(ns("other"), ns("team-a")));

    // a clusterwide policy's endpointSelector names namespaces freely
    assertThat(
            policy(ccnp("endpointSelector:\n  matchLabels: {k8s:io.kubernetes.pod.namespace: x}\n"))
                .rules()
                .get(0)
                .subject())
        .isEqualTo(sel(ns("x")));
  }

  @Test
  void ccnpIsNotConfinedToANamespaceButItsPeersAreStillPods() {
    PolicyResource p =
        policy(
            ccnp(
                """
                endpointSelector: {matchLabels: {app: web}}
                ingress:
                - fromEndpoints:
                  - {}
                  - matchLabels: {app: db}
                  - matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system}
                """));

    assertThat(p.namespace()).isEmpty();
    assertThat(p.displayName()).isEqualTo("CiliumClusterwideNetworkPolicy c1");
    Rule r = p.rules().get(0);
    assertThat(r.subject()).isEqualTo(sel(in("any", "app", "web")));
    // Cilium adds "namespace label Exists" to a clusterwide policy's peers that name no
    // namespace, so {} does not select world, host and the other reserved identities
    assertThat(r.ingress().get(0).peers())
        .containsExactly(
            sel(ANY_NAMESPACE), sel(in("any", "app", "db"), ANY_NAMESPACE), sel(ns("kube-system")));
  }

  @Test
  void peersNamingANamespaceKeepIt() {
    Rule r =
        policy(
                cnp(
                    """
                    endpointSelector: {}
                    egress:
                    - toEndpoints:
                      - matchLabels: {k8s:io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns}
                      - matchLabels: {io.kubernetes.pod.namespace: other}
                      - matchLabels: {io.cilium.k8s.namespace.labels.team: blue}
                      - matchLabels: {io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name: prod}
                      - matchExpressions:
                        - {key: io.kubernetes.pod.namespace, operator: In, values: [a, b]}
                      - matchLabels: {reserved:host: ""}
                      - matchLabels: {app: same-namespace}
                    """))
            .rules()
            .get(0);

    assertThat(r.egress().get(0).peers())
        .containsExactly(
            sel(ns("kube-system"), in("any", "k8s-app", "kube-dns")),
            sel(in("any", "io.kubernetes.pod.namespace", "other")),
            sel(in("any", "io.cilium.k8s.namespace.labels.team", "blue")),
            sel(in("any", "io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name", "prod")),
            sel(in("any", "io.kubernetes.pod.namespace", "a", "b")),
            sel(in("reserved", "host", "")),
            sel(in("any", "app", "same-namespace"), ns("team-a")));
  }

  @Test
  void matchExpressions() {
    Rule r =
        policy(
                cnp(
                    """
                    endpointSelector:
                      matchExpressions:
                      - {key: app, operator: In, values: [web, api]}
                      - {key: tier, operator: NotIn, values: [db]}
                      - {key: k8s:canary, operator: DoesNotExist}
                      - {key: team, operator: Exists}
                    """))
            .rules()
            .get(0);

    assertThat(r.subject())
        .isEqualTo(
            sel(
                in("any", "app", "web", "api"),
                new Requirement("any", "tier", Operator.NOT_IN, Set.of("db")),
                new Requirement("k8s", "canary", Operator.DOES_NOT_EXIST, Set.of()),
                new Requirement("any", "team", Operator.EXISTS, Set.of()),
                ns("team-a")));
  }

  @Test
  void entities() {
    Rule r =
        policy(
                cnp(
                    """
                    endpointSelector: {}
                    ingress:
                    - fromEntities: [world, host]
                    """))
            .rules()
            .get(0);
    Requirement world = new Requirement("reserved", "world", Operator.EXISTS, Set.of());
    Requirement world4 = new Requirement("reserved", "world-ipv4", Operator.EXISTS, Set.of());
    Requirement world6 = new Requirement("reserved", "world-ipv6", Operator.EXISTS, Set.of());
    Requirement host = new Requirement("reserved", "host", Operator.EXISTS, Set.of());

    assertThat(r.ingress().get(0).peers())
        .containsExactly(sel(world), sel(world4), sel(world6), sel(host));
    assertThat(r.ingress().get(0).allPeers()).isFalse();
  }

  @Test
  void portForms() {
    Rule r =
        policy(
                cnp(
                    """
                    endpointSelector: {}
                    ingress:
                    - toPorts:
                      - ports:
                        - port: "80"
                        - port: 443
                          protocol: TCP
                        - port: "8000"
                          endPort: 8100
                          protocol: TCP
                        - port: http-alt
                          protocol: TCP
                        - port: "0"
                          protocol: UDP
                        - protocol: SCTP
                    """))
            .rules()
            .get(0);

    assertThat(r.ingress().get(0).allPeers()).as("only toPorts: every peer").isTrue();
    assertThat(r.ingress().get(0).peers()).isEmpty();
    assertThat(r.ingress().get(0).ports())
        .containsExactly(
            PortProtocol.of(80, Protocol.ANY),
            PortProtocol.of(443, Protocol.TCP),
            new PortProtocol(8000, 8100, Protocol.TCP, null),
            new PortProtocol(0, 0, Protocol.TCP, "http-alt"),
            PortProtocol.of(0, Protocol.UDP),
            PortProtocol.of(0, Protocol.SCTP));
  }

  // --- enforcement ----------------------------------------------------------------------------

  @Test
  void emptyIngressListDoesNotEnforce() {
    // "If omitted or empty, this rule does not apply at ingress"
    Rule r = policy(cnp("endpointSelector: {}\ningress: []\negress: []\n")).rules().get(0);

    assertThat(r.enforceIngress()).isFalse();
    assertThat(r.enforceEgress()).isFalse();
  }

  @Test
  void listWithAnEmptyRuleEnforcesAndAllowsNothing() {
    // Cilium's documented way into default deny without allowing any peer
    Rule r = policy(cnp("endpointSelector: {}\ningress:\n- {}\negress: [{}]\n")).rules().get(0);

    assertThat(r.enforceIngress()).isTrue();
    assertThat(r.enforceEgress()).isTrue();
    assertThat(r.ingress())
        .containsExactly(peerRule("spec.ingress[0]", List.of(), false, List.of()));
    assertThat(r.egress()).containsExactly(peerRule("spec.egress[0]", List.of(), false, List.of()));
  }

  @Test
  void emptyPeerListSelectsNoPeer() {
    Rule r =
        policy(
                cnp(
                    "endpointSelector: {}\ningress:\n- fromEndpoints: []\n  toPorts: [{ports: [{port: '80'}]}]\n"))
            .rules()
            .get(0);

    assertThat(r.ingress().get(0).allPeers()).isFalse();
    assertThat(r.ingress().get(0).peers()).isEmpty();
  }

  @Test
  void toPortsElementsWithoutPortsOpenNothing() {
    // Cilium merges the ports of each toPorts element; one without ports adds no entry
    Rule r =
        policy(
                cnp(
                    """
                    endpointSelector: {}
                    ingress:
                    - fromEndpoints: [{matchLabels: {app: db}}]
                      toPorts: [{}]
                    - toPorts: [{ports: []}]
                    - toPorts:
                      - {}
                      - ports: [{port: "80"}]
                    """))
            .rules()
            .get(0);

    assertThat(r.ingress())
        .containsExactly(
            peerRule("spec.ingress[0]", List.of(), false, List.of()),
            peerRule("spec.ingress[1]", List.of(), false, List.of()),
            peerRule(
                "spec.ingress[2]", List.of(), true, List.of(PortProtocol.of(80, Protocol.ANY))));
    assertThat(r.enforceIngress()).isTrue();
  }

  @ParameterizedTest(name = "{0} -> ingress {1}, egress {2}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "ingress: [{fromEntities: [world]}]                                            | true  | false",
        "ingress: [{fromEntities: [world]}]\\nenableDefaultDeny: {ingress: false}       | false | false",
        "ingress: [{fromEntities: [world]}]\\nenableDefaultDeny: {egress: false}        | true  | false",
        "ingress: [{fromEntities: [world]}]\\nenableDefaultDeny: {ingress: true}        | true  | false",
        "egressDeny: [{toEntities: [world]}]\\nenableDefaultDeny: {egress: false}       | false | false",
        "egress: [{toEntities: [world]}]\\nenableDefaultDeny: {}                        | false | true",
        // the flag only concerns a direction the rule has rules for
        "egress: [{toEntities: [world]}]\\nenableDefaultDeny: {ingress: true}           | false | true",
        "enableDefaultDeny: {ingress: true, egress: true}                              | false | false",
      })
  void enableDefaultDeny(String spec, boolean ingress, boolean egress) {
    Rule r =
        policy(cnp("endpointSelector: {}\n" + spec.replace("\\n", "\n") + "\n")).rules().get(0);

    assertThat(r.enforceIngress()).isEqualTo(ingress);
    assertThat(r.enforceEgress()).isEqualTo(egress);
  }

  // --- errors ---------------------------------------------------------------------------------

  @Test
  void portOutOfRange() {
    String spec =
        """
        endpointSelector: {}
        ingress:
        - toPorts:
          - ports:
            - port: "99999"
        """;

    assertThat(problem(cnp(spec)))
        .isEqualTo(
            PREFIX
                + "spec.ingress[0].toPorts[0].ports[0].port: \"99999\" (expected: 0-65535 or a port"
                + " name)");
    assertThat(problem(cnp(spec.replace("\"99999\"", "99999"))))
        .isEqualTo(
            PREFIX
                + "spec.ingress[0].toPorts[0].ports[0].port: \"99999\" (expected: 0-65535 or a port"
                + " name)");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "'99999999999999999999' | \"99999999999999999999\" (expected: 0-65535 or a port name)",
        "'-1'                   | \"-1\" (expected: 0-65535 or a port name)",
        "'my-very-long-port-name' | (expected: 0-65535 or a port name)",
        "'-http'                | (expected: 0-65535 or a port name)",
        "''                     | (expected: 0-65535 or a port name)",
        "1.5                    | expected a string or a number, got 1.5",
      })
  void badPorts(String port, String message) {
    assertThat(
            problem(
                cnp(
                    "endpointSelector: {}\ningress:\n- toPorts: [{ports: [{port: "
                        + port
                        + "}]}]\n")))
        .startsWith(PREFIX + "spec.ingress[0].toPorts[0].ports[0].port: ")
        .endsWith(message);
  }

  @ParameterizedTest
  @ValueSource(strings = {"tcp", "any", "HTTP", "XTP"})
  void badProtocol(String protocol) {
    assertThat(
            problem(
                cnp(
                    "endpointSelector: {}\negress:\n- toPorts: [{ports: [{port: '80', protocol: '"
                        + protocol
                        + "'}]}]\n")))
        .isEqualTo(
            PREFIX
                + "spec.egress[0].toPorts[0].ports[0].protocol: \""
                + protocol
                + "\" (expected: TCP, UDP, SCTP or ANY)");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "port: '8000', endPort: 7999 | spec.ingress[0].toPorts[0].ports[0].endPort: 7999 (expected: 8000-65535, not below port)",
        "port: '8000', endPort: 70000 | spec.ingress[0].toPorts[0].ports[0].endPort: 70000",
        "port: http, endPort: 8100 | spec.ingress[0].toPorts[0].ports[0].endPort: cannot be used with a named port",
        "endPort: 8100 | spec.ingress[0].toPorts[0].ports[0].endPort: needs a port to start the range",
      })
  void badEndPorts(String port, String message) {
    assertThat(
            problem(
                cnp("endpointSelector: {}\ningress:\n- toPorts: [{ports: [{" + port + "}]}]\n")))
        .startsWith(PREFIX + message);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "endpointSelector: {}\\ningress:\\n- fromEndpoint: [{}] | spec.ingress[0].fromEndpoint: unknown field (expected one of: ",
        "endpointSelector: {}\\negress:\\n- toEndpoints: [{matchLabel: {a: b}}] | spec.egress[0].toEndpoints[0].matchLabel: unknown field (expected one of: matchExpressions, matchLabels)",
        "endpointSelector: {matchLabels: {a: b}, foo: 1} | spec.endpointSelector.foo: unknown field",
        "endpointSelector: {}\\ningres: [] | spec.ingres: unknown field",
        "endpointSelector: {}\\ningress:\\n- toPorts: [{ports: [{port: \"80\", proto: TCP}]}] | spec.ingress[0].toPorts[0].ports[0].proto: unknown field (expected one of: endPort, port, protocol)",
        "endpointSelector: {}\\ningress:\\n- toPorts: [{port: \"80\"}] | spec.ingress[0].toPorts[0].port: unknown field",
        "endpointSelector: {matchExpressions: [{key: a, operator: Exists, value: [x]}]} | spec.endpointSelector.matchExpressions[0].value: unknown field (expected one of: key, operator, values)",
        "endpointSelector: {}\\nenableDefaultDeny: {ingres: true} | spec.enableDefaultDeny.ingres: unknown field (expected one of: egress, ingress)",
      })
  void unknownFieldsAreNamedByTheirFullPath(String spec, String message) {
    assertThat(problem(cnp(spec.replace("\\n", "\n") + "\n"))).startsWith(PREFIX + message);
  }

  @Test
  void unknownTopLevelAndMetadataFields() {
    assertThat(problem(cnp("endpointSelector: {}\n") + "spek: {}\n"))
        .startsWith(
            PREFIX
                + "spek: unknown field (expected one of: apiVersion, kind, metadata, spec, specs, status)");
    assertThat(
            problem(
                cnp("endpointSelector: {}\n").replace("  name: p1\n", "  name: p1\n  nmae: x\n")))
        .startsWith(PREFIX + "metadata.nmae: unknown field");
  }

  @Test
  void missingMetadataName() {
    assertThat(
            problem(
                """
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata:
                  namespace: team-a
                spec:
                  endpointSelector: {}
                """))
        .isEqualTo(
            "policy.yaml: document 1 (CiliumNetworkPolicy): metadata.name: required field is missing");
    assertThat(
            problem(
                "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nspec: {endpointSelector: {}}\n"))
        .isEqualTo(
            "policy.yaml: document 1 (CiliumNetworkPolicy): metadata: required field is missing");
  }

  @Test
  void badNamesAndNamespaces() {
    assertThat(problem(cnp("endpointSelector: {}\n").replace("name: p1", "name: Bad_Name")))
        .contains("metadata.name: \"Bad_Name\" (expected: a DNS-1123 subdomain");
    assertThat(
            problem(
                cnp("endpointSelector: {}\n").replace("namespace: team-a", "namespace: team.a")))
        .contains("metadata.namespace: \"team.a\" (expected: a DNS-1123 label");
  }

  @Test
  void defaultNamespaceInMessages() {
    assertThat(
            problem(
                """
                apiVersion: cilium.io/v2
                kind: CiliumNetworkPolicy
                metadata: {name: p1}
                spec: {}
                """))
        .startsWith(
            "policy.yaml: document 1 (CiliumNetworkPolicy default/p1): spec.endpointSelector:");
  }

  @Test
  void specIsRequired() {
    assertThat(problem(cnp("").replace("spec:\n", "")))
        .isEqualTo(PREFIX + "spec: required: a policy needs spec or specs");
    assertThat(problem(cnp("ingress: []\n")))
        .isEqualTo(PREFIX + "spec.endpointSelector: required field is missing");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "{key: app, operator: Equals, values: [a]} | spec.endpointSelector.matchExpressions[0].operator: \"Equals\" (expected: In, NotIn, Exists or DoesNotExist)",
        "{key: app, operator: in, values: [a]}     | spec.endpointSelector.matchExpressions[0].operator: \"in\" (expected: In, NotIn, Exists or DoesNotExist)",
        "{key: app, operator: In, values: []}      | spec.endpointSelector.matchExpressions[0].values: must be non-empty for operator In",
        "{key: app, operator: In}                  | spec.endpointSelector.matchExpressions[0].values: must be non-empty for operator In",
        "{key: app, operator: NotIn}               | spec.endpointSelector.matchExpressions[0].values: must be non-empty for operator NotIn",
        "{key: app, operator: Exists, values: [a]} | spec.endpointSelector.matchExpressions[0].values: must be empty for operator Exists",
        "{operator: Exists}                        | spec.endpointSelector.matchExpressions[0].key: required field is missing",
        "{key: app}                                | spec.endpointSelector.matchExpressions[0].operator: required field is missing",
        "{key: app, operator: In, values: [ok, 'a b']} | spec.endpointSelector.matchExpressions[0].values[1]: invalid label value \"a b\": ",
        "{key: 'a/b/c', operator: Exists}          | spec.endpointSelector.matchExpressions[0].key: invalid label key \"a/b/c\": ",
      })
  void badExpressions(String expr, String message) {
    assertThat(problem(cnp("endpointSelector:\n  matchExpressions:\n  - " + expr + "\n")))
        .startsWith(PREFIX + message);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        // Kubernetes validates selectors like labels (Cilium: ValidateLabelSelector)
        "app: 'a b'            | spec.endpointSelector.matchLabels.app: invalid label value \"a b\": ",
        "app: '-web'           | spec.endpointSelector.matchLabels.app: invalid label value \"-web\": ",
        "app: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa | must be no more than 63 characters",
        "'a/b/c': x            | spec.endpointSelector.matchLabels.a/b/c: invalid label key \"a/b/c\": ",
        "'Example.com/x': y    | spec.endpointSelector.matchLabels.Example.com/x: invalid label key",
        "'k8s:-x': y           | spec.endpointSelector.matchLabels.k8s:-x: invalid label key \"k8s:-x\": ",
        "'': x                 | spec.endpointSelector.matchLabels.: label key must be non-empty",
        "app: 1                | spec.endpointSelector.matchLabels.app: expected a string, got 1 (quote it: \"1\")",
        "app: [a]              | spec.endpointSelector.matchLabels.app: expected a string, got a list",
      })
  void badMatchLabels(String entry, String message) {
    assertThat(problem(cnp("endpointSelector:\n  matchLabels:\n    " + entry + "\n")))
        .startsWith(PREFIX)
        .contains(message);
  }

  @Test
  void validSelectorKeysAndValuesPass() {
    Rule r =
        policy(
                cnp(
                    """
                    endpointSelector:
                      matchLabels:
                        k8s:app.kubernetes.io/name: Web_1
                        example.com/Tier: ""
                        any:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name: team-a
                    """))
            .rules()
            .get(0);

    assertThat(r.subject().requirements()).hasSize(4);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "nodeSelector: {}",
        "endpointSelector: {}\negress:\n- toFQDNs: [{matchName: example.com}]",
        "endpointSelector: {}\ningress:\n- fromRequires: [{}]",
      })
  void notYetSupportedFieldsAreRefused(String spec) {
    assertThat(problem(cnp(spec + "\n")))
        .startsWith(PREFIX)
        .contains("not supported yet by Jilium");
  }

  @Test
  void l7RulesAreRefused() {
    assertThat(
            problem(
                cnp(
                    """
                    endpointSelector: {}
                    ingress:
                    - toPorts:
                      - ports: [{port: "80", protocol: TCP}]
                        rules: {http: [{method: GET}]}
                    """)))
        .isEqualTo(
            PREFIX + "spec.ingress[0].toPorts[0].rules: not supported yet by Jilium (L7 policy)");
  }

  @Test
  void unknownEntity() {
    assertThat(
            problem(cnp("endpointSelector: {}\ningress:\n- fromEntities: [world, everything]\n")))
        .startsWith(
            PREFIX
                + "spec.ingress[0].fromEntities[1]: \"everything\" (expected one of: all, cluster,");
  }

  @Test
  void unsupportedKindAndWrongApiVersion() {
    assertThat(problem("apiVersion: v1\nkind: Pod\nmetadata: {name: x}\n"))
        .isEqualTo(
            "policy.yaml: document 1 (Pod x): kind: \"Pod\" is not supported (expected: Namespace,"
                + " NetworkPolicy, CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy, Service or"
                + " EndpointSlice)");
    assertThat(problem(cnp("endpointSelector: {}\n").replace("cilium.io/v2", "cilium.io/v1")))
        .isEqualTo(PREFIX + "apiVersion: \"cilium.io/v1\" (expected: cilium.io/v2)");
    assertThat(problem("apiVersion: cilium.io/v2\nkind: Namespace\nmetadata: {name: x}\n"))
        .isEqualTo(
            "policy.yaml: document 1 (Namespace x): apiVersion: \"cilium.io/v2\" (expected: v1)");
    assertThat(problem("kind: Namespace\nmetadata: {name: x}\n"))
        .isEqualTo("policy.yaml: document 1 (Namespace x): apiVersion: required field is missing");
    assertThat(problem("apiVersion: v1\nmetadata: {name: x}\n"))
        .isEqualTo("policy.yaml: document 1: kind: required field is missing");
  }

  @Test
  void everyProblemOfEveryDocumentIsListed() {
    String yaml =
        cnp("endpointSelector: {}\n")
            + "---\n"
            + cnp("endpointSelector: {}\ningress:\n- toPorts: [{ports: [{port: '99999'}]}]\n")
            + "---\n"
            + "apiVersion: v1\nkind: Namespace\nmetadata: {name: ok}\n"
            + "---\n"
            + "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\n"
            + "---\n"
            + ccnp(
                "endpointSelector: {}\negress:\n- toPorts: [{ports: [{port: '80', protocol: XTP}]}]\n");

    assertThat(problems(yaml))
        .containsExactly(
            "policy.yaml: document 2 (CiliumNetworkPolicy team-a/p1): spec.ingress[0].toPorts[0].ports[0].port:"
                + " \"99999\" (expected: 0-65535 or a port name)",
            "policy.yaml: document 4 (Pod x): kind: \"Pod\" is not supported (expected: Namespace,"
                + " NetworkPolicy, CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy, Service or"
                + " EndpointSlice)",
            "policy.yaml: document 5 (CiliumClusterwideNetworkPolicy c1):"
                + " spec.egress[0].toPorts[0].ports[0].protocol: \"XTP\" (expected: TCP, UDP, SCTP or"
                + " ANY)");
    assertThatThrownBy(() -> parse(yaml))
        .isInstanceOf(ManifestException.class)
        .hasMessageContaining("\n");
  }
}
