package io.jilium.core.resource;

import static org.assertj.core.api.Assertions.assertThat;

import io.jilium.core.labels.LabelSelector;
import io.jilium.core.labels.LabelSelector.Operator;
import io.jilium.core.labels.LabelSelector.Requirement;
import io.jilium.core.net.Cidr;
import io.jilium.core.policy.CidrPeer;
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

class KubernetesPolicyParserTest {
  static final String PREFIX = "policy.yaml: document 1 (NetworkPolicy team-a/np1): ";
  static final Requirement ANY_NAMESPACE =
      new Requirement("k8s", "io.kubernetes.pod.namespace", Operator.EXISTS, Set.of());

  /** A NetworkPolicy np1 in team-a whose spec is {@code spec}. */
  static String np(String spec) {
    return """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: np1
          namespace: team-a
        spec:
        """
        + spec.indent(2);
  }

  static PolicyResource policy(String yaml) {
    return CiliumPolicyParserTest.policy(yaml);
  }

  static Rule rule(String spec) {
    PolicyResource p = policy(np(spec));
    assertThat(p.rules()).hasSize(1);
    return p.rules().get(0);
  }

  static String problem(String spec) {
    return CiliumPolicyParserTest.problem(np(spec));
  }

  static Requirement k8s(String key, String... values) {
    return new Requirement("k8s", key, Operator.IN, Set.of(values));
  }

  static Requirement ns(String namespace) {
    return k8s("io.kubernetes.pod.namespace", namespace);
  }

  static Requirement nsLabel(String key, String value) {
    return k8s("io.cilium.k8s.namespace.labels." + key, value);
  }

  static LabelSelector sel(Requirement... r) {
    return LabelSelector.of(List.of(r));
  }

  static PeerRule peerRule(
      String path,
      List<LabelSelector> peers,
      List<CidrPeer> cidrs,
      boolean allPeers,
      List<PortProtocol> ports) {
    int index = Integer.parseInt(path.substring(path.lastIndexOf('[') + 1, path.length() - 1));
    return new PeerRule(index, path, peers, cidrs, allPeers, ports, List.of());
  }

  static CidrPeer block(String cidr, String... except) {
    return new CidrPeer(
        Cidr.parse(cidr),
        List.of(except).stream().map(Cidr::parse).toList(), /* includePods */
        true);
  }

  // --- valid policies -------------------------------------------------------------------------

  @Test
  void typicalPolicy() {
    PolicyResource p =
        policy(
            np(
                """
                podSelector:
                  matchLabels:
                    app: web
                policyTypes: [Ingress]
                ingress:
                - from:
                  - podSelector:
                      matchLabels:
                        role: frontend
                  ports:
                  - protocol: TCP
                    port: 8080
                """));

    assertThat(p.kind()).isEqualTo("NetworkPolicy");
    assertThat(p.namespace()).isEqualTo("team-a");
    assertThat(p.name()).isEqualTo("np1");
    assertThat(p.displayName()).isEqualTo("NetworkPolicy team-a/np1");
    assertThat(p.origin()).isEqualTo(new RuleOrigin("NetworkPolicy", "team-a", "np1"));
    assertThat(p.json()).contains("\"podSelector\"");
    Rule r = p.rules().get(0);
    assertThat(r.origin()).isEqualTo(p.origin());
    assertThat(r.specIndex()).isZero();
    assertThat(r.subject()).isEqualTo(sel(k8s("app", "web"), ns("team-a")));
    assertThat(r.enforceIngress()).isTrue();
    assertThat(r.enforceEgress()).isFalse();
    assertThat(r.ingress())
        .containsExactly(
            peerRule(
                "spec.ingress[0]",
                List.of(sel(k8s("role", "frontend"), ns("team-a"))),
                List.of(),
                false,
                List.of(PortProtocol.of(8080, Protocol.TCP))));
    assertThat(r.ingressDeny()).isEmpty();
    assertThat(r.egress()).isEmpty();
    assertThat(r.egressDeny()).isEmpty();
  }

  @Test
  void namespaceDefaultsToDefault() {
    PolicyResource p =
        policy(
            """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: deny-all}
            spec: {podSelector: {}}
            """);

    assertThat(p.namespace()).isEqualTo("default");
    assertThat(p.rules().get(0).subject()).isEqualTo(sel(ns("default")));
    assertThat(
            CiliumPolicyParserTest.problem(
                """
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata: {name: np1}
                spec: {}
                """))
        .startsWith("policy.yaml: document 1 (NetworkPolicy default/np1): spec.podSelector:");
  }

  @Test
  void emptyPodSelectorSelectsEveryPodOfTheNamespace() {
    assertThat(rule("podSelector: {}\n").subject()).isEqualTo(sel(ns("team-a")));
  }

  @Test
  void podSelectorExpressionsAreKubernetesLabels() {
    Rule r =
        rule(
            """
            podSelector:
              matchLabels: {app.kubernetes.io/name: web}
              matchExpressions:
              - {key: tier, operator: In, values: [a, b]}
              - {key: canary, operator: DoesNotExist}
              - {key: team, operator: Exists}
              - {key: env, operator: NotIn, values: [dev]}
            """);

    assertThat(r.subject())
        .isEqualTo(
            sel(
                k8s("app.kubernetes.io/name", "web"),
                k8s("tier", "a", "b"),
                new Requirement("k8s", "canary", Operator.DOES_NOT_EXIST, Set.of()),
                new Requirement("k8s", "team", Operator.EXISTS, Set.of()),
                new Requirement("k8s", "env", Operator.NOT_IN, Set.of("dev")),
                ns("team-a")));
  }

  // --- policyTypes ----------------------------------------------------------------------------

  @ParameterizedTest(name = "{0} -> ingress {1}, egress {2}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        // without policyTypes: Ingress always, Egress when egress has a rule
        "``                                                   | true  | false",
        "ingress: [{}]                                        | true  | false",
        "egress: [{}]                                         | true  | true",
        // len(egress) == 0: an empty list is no egress section (SetDefaults_NetworkPolicy)
        "egress: []                                           | true  | false",
        "egress: null                                         | true  | false",
        "policyTypes: []                                      | true  | false",
        "policyTypes: []\\negress: [{}]                       | true  | true",
        "policyTypes: null\\negress: [{}]                     | true  | true",
        // with policyTypes: exactly what is listed
        "policyTypes: [Ingress]                               | true  | false",
        "policyTypes: [Egress]                                | false | true",
        "policyTypes: [Ingress, Egress]                       | true  | true",
        "policyTypes: [Egress, Ingress]                       | true  | true",
        "policyTypes: [Ingress]\\negress: [{}]                | true  | false",
        "policyTypes: [Egress]\\ningress: [{}]                | false | true",
      })
  void policyTypes(String spec, boolean ingress, boolean egress) {
    Rule r = rule("podSelector: {}\n" + (spec == null ? "" : spec.replace("\\n", "\n") + "\n"));

    assertThat(r.enforceIngress()).as("ingress enforced").isEqualTo(ingress);
    assertThat(r.enforceEgress()).as("egress enforced").isEqualTo(egress);
  }

  @Test
  void rulesOfADirectionNotListedInPolicyTypesAreIgnored() {
    Rule r =
        rule(
            """
            podSelector: {}
            policyTypes: [Egress]
            ingress: [{}]
            egress: [{to: [{podSelector: {}}]}]
            """);

    assertThat(r.enforceIngress()).isFalse();
    assertThat(r.ingress()).as("would allow all if kept").isEmpty();
    assertThat(r.egress()).hasSize(1);
  }

  @Test
  void listedDirectionWithoutRulesDeniesEverything() {
    for (String spec :
        List.of(
            "podSelector: {}\npolicyTypes: [Ingress, Egress]\n",
            "podSelector: {}\npolicyTypes: [Ingress, Egress]\ningress: []\negress: []\n",
            "podSelector: {}\npolicyTypes: [Ingress, Egress]\ningress: null\negress: null\n")) {
      Rule r = rule(spec);

      assertThat(r.enforceIngress()).as(spec).isTrue();
      assertThat(r.enforceEgress()).as(spec).isTrue();
      assertThat(r.ingress()).as(spec).isEmpty();
      assertThat(r.egress()).as(spec).isEmpty();
    }
  }

  @Test
  void anEmptyRuleAllowsEverythingFromAnywhere() {
    Rule r = rule("podSelector: {}\ningress: [{}]\negress: [{}]\n");

    assertThat(r.ingress())
        .containsExactly(peerRule("spec.ingress[0]", List.of(), List.of(), true, List.of()));
    assertThat(r.egress())
        .containsExactly(peerRule("spec.egress[0]", List.of(), List.of(), true, List.of()));
    assertThat(r.ingress().get(0).allPorts()).isTrue();
  }

  @Test
  void emptyOrMissingPeerListsMeanAllPeers() {
    Rule r =
        rule(
            """
            podSelector: {}
            ingress:
            - from: []
            - from: null
              ports: [{port: 53, protocol: UDP}]
            - ports: []
            """);

    assertThat(r.ingress())
        .containsExactly(
            peerRule("spec.ingress[0]", List.of(), List.of(), true, List.of()),
            peerRule(
                "spec.ingress[1]",
                List.of(),
                List.of(),
                true,
                List.of(PortProtocol.of(53, Protocol.UDP))),
            peerRule("spec.ingress[2]", List.of(), List.of(), true, List.of()));
  }

  // --- peers ----------------------------------------------------------------------------------

  @Test
  void peerForms() {
    Rule r =
        rule(
            """
            podSelector: {}
            ingress:
            - from:
              - podSelector: {matchLabels: {app: db}}
              - podSelector: {}
              - namespaceSelector: {matchLabels: {team: blue}}
              - namespaceSelector: {}
              - namespaceSelector:
                  matchExpressions:
                  - {key: kubernetes.io/metadata.name, operator: In, values: [prod, staging]}
                podSelector: {matchLabels: {app: api}}
              - namespaceSelector: {}
                podSelector: {matchLabels: {app: dns}}
            """);

    Requirement prodOrStaging =
        k8s("io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name", "prod", "staging");
    assertThat(r.ingress().get(0).peers())
        .containsExactly(
            sel(k8s("app", "db"), ns("team-a")),
            sel(ns("team-a")),
            sel(nsLabel("team", "blue"), ANY_NAMESPACE),
            sel(ANY_NAMESPACE),
            sel(prodOrStaging, k8s("app", "api"), ANY_NAMESPACE),
            sel(k8s("app", "dns"), ANY_NAMESPACE));
    assertThat(r.ingress().get(0).allPeers()).isFalse();
    assertThat(r.ingress().get(0).cidrs()).isEmpty();
  }

  @Test
  void ipBlocksAlsoMatchPods() {
    Rule r =
        rule(
            """
            podSelector: {}
            policyTypes: [Egress]
            egress:
            - to:
              - ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16, 10.2.3.4/32]}
              - ipBlock: {cidr: "2001:db8::/32"}
              - ipBlock: {cidr: 192.168.1.77/24}
              - podSelector: {matchLabels: {app: db}}
              ports:
              - port: 5432
            """);

    assertThat(r.egress())
        .containsExactly(
            peerRule(
                "spec.egress[0]",
                List.of(sel(k8s("app", "db"), ns("team-a"))),
                List.of(
                    block("10.0.0.0/8", "10.1.0.0/16", "10.2.3.4/32"),
                    block("2001:db8::/32"),
                    block("192.168.1.0/24")),
                false,
                List.of(PortProtocol.of(5432, Protocol.TCP))));
    assertThat(r.egress().get(0).cidrs()).allMatch(CidrPeer::includePods);
  }

  @Test
  void legacyIpv4LeadingZerosAreDecimal() {
    Rule r = rule("podSelector: {}\ningress:\n- from: [{ipBlock: {cidr: 010.000.0.0/16}}]\n");

    assertThat(r.ingress().get(0).cidrs()).containsExactly(block("10.0.0.0/16"));
  }

  // --- ports ----------------------------------------------------------------------------------

  @Test
  void portForms() {
    Rule r =
        rule(
            """
            podSelector: {}
            ingress:
            - ports:
              - port: 80
              - {port: 53, protocol: UDP}
              - {port: 2905, protocol: SCTP}
              - {port: 32000, endPort: 32768}
              - {port: 8080, endPort: 8080}
              - {port: http, protocol: TCP}
              - {port: dns-udp, protocol: UDP}
              - {protocol: UDP}
              - {}
            """);

    assertThat(r.ingress().get(0).ports())
        .containsExactly(
            PortProtocol.of(80, Protocol.TCP),
            PortProtocol.of(53, Protocol.UDP),
            PortProtocol.of(2905, Protocol.SCTP),
            new PortProtocol(32000, 32768, Protocol.TCP, null),
            new PortProtocol(8080, 8080, Protocol.TCP, null),
            new PortProtocol(0, 0, Protocol.TCP, "http"),
            new PortProtocol(0, 0, Protocol.UDP, "dns-udp"),
            PortProtocol.of(0, Protocol.UDP),
            PortProtocol.of(0, Protocol.TCP));
    assertThat(r.ingress().get(0).allPeers()).isTrue();
    assertThat(r.ingress().get(0).icmps()).isEmpty();
  }

  @Test
  void pathsAndIndexesOfEveryRule() {
    Rule r =
        rule(
            """
            podSelector: {}
            ingress:
            - from: [{podSelector: {}}]
            - ports: [{port: 1}]
            egress:
            - {}
            - to: [{namespaceSelector: {}}]
            - ports: [{port: 2}]
            """);

    assertThat(r.ingress())
        .extracting(PeerRule::path)
        .containsExactly("spec.ingress[0]", "spec.ingress[1]");
    assertThat(r.ingress()).extracting(PeerRule::index).containsExactly(0, 1);
    assertThat(r.egress())
        .extracting(PeerRule::path)
        .containsExactly("spec.egress[0]", "spec.egress[1]", "spec.egress[2]");
    assertThat(r.egress()).extracting(PeerRule::index).containsExactly(0, 1, 2);
  }

  // --- errors ---------------------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "podSelector: {}\\ningres: [] | spec.ingres: unknown field (expected one of: egress, ingress, podSelector, policyTypes)",
        "podSelector: {}\\ningress: [{fromm: []}] | spec.ingress[0].fromm: unknown field (expected one of: from, ports)",
        "podSelector: {}\\negress: [{from: []}] | spec.egress[0].from: unknown field (expected one of: ports, to)",
        "podSelector: {}\\ningress: [{from: [{podselector: {}}]}] | spec.ingress[0].from[0].podselector: unknown field (expected one of: ipBlock, namespaceSelector, podSelector)",
        "podSelector: {}\\ningress: [{from: [{ipBlock: {cidr: 10.0.0.0/8, excepts: []}}]}] | spec.ingress[0].from[0].ipBlock.excepts: unknown field (expected one of: cidr, except)",
        "podSelector: {}\\ningress: [{ports: [{portt: 80}]}] | spec.ingress[0].ports[0].portt: unknown field (expected one of: endPort, port, protocol)",
        "podSelector: {matchLabel: {a: b}} | spec.podSelector.matchLabel: unknown field (expected one of: matchExpressions, matchLabels)",
        "podSelector: {}\\negress: [{to: [{namespaceSelector: {matchExpressions: [{key: a, operator: Exists, value: []}]}}]}] | spec.egress[0].to[0].namespaceSelector.matchExpressions[0].value: unknown field (expected one of: key, operator, values)",
        "podSelector: {}\\nendpointSelector: {} | spec.endpointSelector: unknown field",
      })
  void unknownFieldsAreNamedByTheirFullPath(String spec, String message) {
    assertThat(problem(spec.replace("\\n", "\n") + "\n")).startsWith(PREFIX + message);
  }

  @Test
  void unknownTopLevelAndMetadataFields() {
    assertThat(CiliumPolicyParserTest.problem(np("podSelector: {}\n") + "status: {}\n"))
        .isEqualTo(
            PREFIX + "status: unknown field (expected one of: apiVersion, kind, metadata, spec)");
    assertThat(
            CiliumPolicyParserTest.problem(
                np("podSelector: {}\n").replace("  name: np1\n", "  name: np1\n  nmae: x\n")))
        .startsWith(PREFIX + "metadata.nmae: unknown field");
  }

  @Test
  void requiredFields() {
    assertThat(CiliumPolicyParserTest.problem(np("").replace("spec:\n", "")))
        .isEqualTo(PREFIX + "spec: required field is missing");
    assertThat(problem("ingress: [{}]\n"))
        .isEqualTo(
            PREFIX
                + "spec.podSelector: required field is missing (podSelector: {} selects every pod"
                + " of the namespace)");
    assertThat(
            CiliumPolicyParserTest.problem(
                "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nspec: {podSelector: {}}\n"))
        .isEqualTo("policy.yaml: document 1 (NetworkPolicy): metadata: required field is missing");
    assertThat(
            CiliumPolicyParserTest.problem(
                "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {}\n"))
        .isEqualTo(
            "policy.yaml: document 1 (NetworkPolicy): metadata.name: required field is missing");
  }

  @Test
  void wrongApiVersion() {
    assertThat(
            CiliumPolicyParserTest.problem(
                np("podSelector: {}\n")
                    .replace("networking.k8s.io/v1", "networking.k8s.io/v1beta1")))
        .isEqualTo(
            PREFIX + "apiVersion: \"networking.k8s.io/v1beta1\" (expected: networking.k8s.io/v1)");
    assertThat(
            CiliumPolicyParserTest.problem(
                np("podSelector: {}\n").replace("networking.k8s.io/v1", "cilium.io/v2")))
        .isEqualTo(PREFIX + "apiVersion: \"cilium.io/v2\" (expected: networking.k8s.io/v1)");
  }

  @Test
  void badNamesAndNamespaces() {
    assertThat(
            CiliumPolicyParserTest.problem(
                np("podSelector: {}\n").replace("name: np1", "name: Bad_Name")))
        .startsWith(
            "policy.yaml: document 1 (NetworkPolicy team-a/Bad_Name): metadata.name: \"Bad_Name\""
                + " (expected: a DNS-1123 subdomain");
    assertThat(
            CiliumPolicyParserTest.problem(
                np("podSelector: {}\n").replace("namespace: team-a", "namespace: team.a")))
        .startsWith(
            "policy.yaml: document 1 (NetworkPolicy team.a/np1): metadata.namespace: \"team.a\""
                + " (expected: a DNS-1123 label");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "policyTypes: [ingress] | spec.policyTypes[0]: \"ingress\" (expected: Ingress or Egress)",
        "policyTypes: [Ingress, Both] | spec.policyTypes[1]: \"Both\" (expected: Ingress or Egress)",
        "policyTypes: [Egress, Egress] | spec.policyTypes[1]: \"Egress\" is listed twice",
        "policyTypes: [Ingress, Egress, Ingress] | spec.policyTypes[2]: \"Ingress\" is listed twice",
        "policyTypes: Ingress | spec.policyTypes: expected a list of strings, got \"Ingress\"",
        "policyTypes: [1] | spec.policyTypes[0]: expected a string, got 1",
      })
  void badPolicyTypes(String spec, String message) {
    assertThat(problem("podSelector: {}\n" + spec + "\n")).isEqualTo(PREFIX + message);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "{}                                                      | spec.ingress[0].from[0]: must specify a peer (expected: podSelector, namespaceSelector or ipBlock)",
        "{podSelector: null}                                     | spec.ingress[0].from[0]: must specify a peer (expected: podSelector, namespaceSelector or ipBlock)",
        "{ipBlock: {cidr: 10.0.0.0/8}, podSelector: {}}          | spec.ingress[0].from[0]: ipBlock and podSelector in one peer (expected: ipBlock alone, or podSelector and/or namespaceSelector)",
        "{ipBlock: {cidr: 10.0.0.0/8}, namespaceSelector: {}}    | spec.ingress[0].from[0]: ipBlock and namespaceSelector in one peer (expected: ipBlock alone, or podSelector and/or namespaceSelector)",
        "{ipBlock: {}}                                           | spec.ingress[0].from[0].ipBlock.cidr: required field is missing",
        "{ipBlock: {cidr: 10.0.0.1}}                             | spec.ingress[0].from[0].ipBlock.cidr: \"10.0.0.1\": the prefix length is missing (expected: a CIDR such as 10.0.0.0/8 or fd00::/64)",
        "{ipBlock: {cidr: 10.0.0.0/33}}                          | spec.ingress[0].from[0].ipBlock.cidr: \"10.0.0.0/33\": prefix length 33 (expected: 0-32)",
        "{ipBlock: {cidr: 'fd00::/129'}}                         | spec.ingress[0].from[0].ipBlock.cidr: \"fd00::/129\": prefix length 129 (expected: 0-128)",
        "{ipBlock: {cidr: 10.0.0.256/24}}                        | spec.ingress[0].from[0].ipBlock.cidr: \"10.0.0.256/24\": \"10.0.0.256\" is not an IP address (expected: a CIDR such as 10.0.0.0/8 or fd00::/64)",
        "{ipBlock: {cidr: example.com/24}}                       | spec.ingress[0].from[0].ipBlock.cidr: \"example.com/24\" (expected: a CIDR such as 10.0.0.0/8 or fd00::/64)",
        "{ipBlock: {cidr: ''}}                                   | spec.ingress[0].from[0].ipBlock.cidr: \"\" (expected: a CIDR such as 10.0.0.0/8 or fd00::/64)",
        "{ipBlock: {cidr: 10.0.0.0/8, except: [11.0.0.0/16]}}    | spec.ingress[0].from[0].ipBlock.except[0]: \"11.0.0.0/16\" (expected: a strict subset of cidr 10.0.0.0/8)",
        "{ipBlock: {cidr: 10.0.0.0/16, except: [10.0.0.0/16]}}   | spec.ingress[0].from[0].ipBlock.except[0]: \"10.0.0.0/16\" (expected: a strict subset of cidr 10.0.0.0/16)",
        "{ipBlock: {cidr: 10.0.0.0/16, except: [10.0.0.0/8]}}    | spec.ingress[0].from[0].ipBlock.except[0]: \"10.0.0.0/8\" (expected: a strict subset of cidr 10.0.0.0/16)",
        "{ipBlock: {cidr: 10.0.0.0/8, except: ['fd00::/64']}}    | spec.ingress[0].from[0].ipBlock.except[0]: \"fd00::/64\" (expected: a strict subset of cidr 10.0.0.0/8)",
        "{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0]}}       | spec.ingress[0].from[0].ipBlock.except[0]: \"10.1.0.0\": the prefix length is missing (expected: a CIDR such as 10.0.0.0/8 or fd00::/64)",
        "{ipBlock: {cidr: 10.0.0.0/8, except: 10.1.0.0/16}}      | spec.ingress[0].from[0].ipBlock.except: expected a list of strings, got \"10.1.0.0/16\"",
        "{ipBlock: 10.0.0.0/8}                                   | spec.ingress[0].from[0].ipBlock: expected an object, got \"10.0.0.0/8\"",
        "{podSelector: {matchLabels: {'k8s:app': web}}}          | spec.ingress[0].from[0].podSelector.matchLabels.k8s:app: invalid label key \"k8s:app\": name part must consist of",
        "{podSelector: {matchLabels: {app: 'a b'}}}              | spec.ingress[0].from[0].podSelector.matchLabels.app: invalid label value \"a b\": ",
        "{namespaceSelector: {matchExpressions: [{key: team, operator: Equals, values: [a]}]}} | spec.ingress[0].from[0].namespaceSelector.matchExpressions[0].operator: \"Equals\" (expected: In, NotIn, Exists or DoesNotExist)",
        "{namespaceSelector: {matchExpressions: [{key: team, operator: In}]}} | spec.ingress[0].from[0].namespaceSelector.matchExpressions[0].values: must be non-empty for operator In",
      })
  void badPeers(String peer, String message) {
    assertThat(problem("podSelector: {}\ningress:\n- from:\n  - " + peer + "\n"))
        .startsWith(PREFIX + message);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "protocol: tcp                 | protocol: \"tcp\" (expected: TCP, UDP or SCTP)",
        "protocol: ANY                 | protocol: \"ANY\" (expected: TCP, UDP or SCTP)",
        "protocol: ICMP                | protocol: \"ICMP\" (expected: TCP, UDP or SCTP)",
        "port: 0                       | port: 0 (expected: 1-65535 or a port name)",
        "port: 65536                   | port: 65536 (expected: 1-65535 or a port name)",
        "port: -1                      | port: -1 (expected: 1-65535 or a port name)",
        "port: 99999999999999999999    | port: 99999999999999999999 (expected: 1-65535 or a port name)",
        "port: '80'                    | port: \"80\": must contain at least one letter; write a port number without quotes (expected: 1-65535 or a port name)",
        "port: HTTP                    | port: \"HTTP\": must contain only lowercase letters, digits and '-' (expected: 1-65535 or a port name)",
        "port: my-very-long-port-name  | port: \"my-very-long-port-name\": must be no more than 15 characters (expected: 1-65535 or a port name)",
        "port: -http                   | port: \"-http\": must not begin or end with a hyphen (expected: 1-65535 or a port name)",
        "port: web--http               | port: \"web--http\": must not contain consecutive hyphens (expected: 1-65535 or a port name)",
        "port: ''                      | port: \"\": must not be empty (expected: 1-65535 or a port name)",
        "port: 8.5                     | port: expected a number or a port name, got 8.5",
        "port: [80]                    | port: expected a number or a port name, got a list",
        "endPort: 90                   | endPort: needs a numeric port to start the range",
        "port: http, endPort: 90       | endPort: cannot be used with a named port",
        "port: 8080, endPort: 8079     | endPort: 8079 (expected: 8080-65535, not below port)",
        "port: 8080, endPort: 65536    | endPort: 65536 (expected: 1-65535)",
        "port: 8080, endPort: '9000'   | endPort: expected an integer, got \"9000\"",
      })
  void badPorts(String port, String message) {
    assertThat(problem("podSelector: {}\ningress:\n- ports:\n  - {" + port + "}\n"))
        .isEqualTo(PREFIX + "spec.ingress[0].ports[0]." + message);
  }

  @Test
  void selectorsOfThePodSelectorAreValidatedToo() {
    assertThat(problem("podSelector: {matchLabels: {app: '-web'}}\n"))
        .startsWith(PREFIX + "spec.podSelector.matchLabels.app: invalid label value \"-web\": ");
    assertThat(problem("podSelector: {matchLabels: {'': web}}\n"))
        .isEqualTo(PREFIX + "spec.podSelector.matchLabels.: label key must be non-empty");
  }

  @Test
  void errorsOfBothPolicyKindsAreListedTogether() {
    String yaml =
        np("podSelector: {}\ningress: [{ports: [{port: 0}]}]\n")
            + "---\n"
            + CiliumPolicyParserTest.cnp(
                "endpointSelector: {}\ningress:\n- fromCIDR: [10.0.0.0/33]\n");

    assertThat(CiliumPolicyParserTest.problems(yaml))
        .containsExactly(
            PREFIX + "spec.ingress[0].ports[0].port: 0 (expected: 1-65535 or a port name)",
            "policy.yaml: document 2 (CiliumNetworkPolicy team-a/p1): spec.ingress[0].fromCIDR[0]:"
                + " \"10.0.0.0/33\": prefix length 33 (expected: 0-32)");
  }
}
