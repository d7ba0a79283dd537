package io.jilium.core.resource;

import static io.jilium.core.resource.CiliumPolicyParserTest.PREFIX;
import static io.jilium.core.resource.CiliumPolicyParserTest.cnp;
import static io.jilium.core.resource.CiliumPolicyParserTest.in;
import static io.jilium.core.resource.CiliumPolicyParserTest.ns;
import static io.jilium.core.resource.CiliumPolicyParserTest.sel;
import static org.assertj.core.api.Assertions.assertThat;

import io.jilium.core.labels.LabelSelector.Operator;
import io.jilium.core.labels.LabelSelector.Requirement;
import io.jilium.core.net.Cidr;
import io.jilium.core.policy.CidrPeer;
import io.jilium.core.policy.IcmpField;
import io.jilium.core.policy.PeerRule;
import io.jilium.core.policy.PortProtocol;
import io.jilium.core.policy.Protocol;
import io.jilium.core.policy.Rule;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** CIDR and ICMP rules, deny sections, rule paths and contradictions of CiliumNetworkPolicy. */
class CiliumPolicyCidrIcmpTest {
  static Rule rule(String spec) {
    return CiliumPolicyParserTest.policy(cnp(spec)).rules().get(0);
  }

  static String problem(String spec) {
    return CiliumPolicyParserTest.problem(cnp(spec));
  }

  static CidrPeer cidr(String cidr, String... except) {
    return new CidrPeer(
        Cidr.parse(cidr),
        List.of(except).stream().map(Cidr::parse).toList(), /* includePods */
        false);
  }

  static IcmpField icmp4(int type) {
    return new IcmpField(false, type);
  }

  static IcmpField icmp6(int type) {
    return new IcmpField(true, type);
  }

  static final Requirement WORLD = new Requirement("reserved", "world", Operator.EXISTS, Set.of());

  // --- CIDR rules -----------------------------------------------------------------------------

  @Test
  void fromCidrListsPrefixesAndAddresses() {
    Rule r =
        rule(
            """
            endpointSelector: {}
            ingress:
            - fromCIDR:
              - 10.0.0.0/8
              - 192.168.1.1
              - 2001:db8::/32
              - fd00::1
              - 172.16.5.4/12
            """);

    assertThat(r.ingress())
        .containsExactly(
            new PeerRule(
                0,
                "spec.ingress[0]",
                List.of(),
                List.of(
                    cidr("10.0.0.0/8"),
                    cidr("192.168.1.1/32"),
                    cidr("2001:db8::/32"),
                    cidr("fd00::1/128"),
                    // host bits are cleared, as Cilium masks the prefix
                    cidr("172.16.0.0/12")),
                false,
                List.of(),
                List.of()));
    assertThat(r.ingress().get(0).cidrs()).noneMatch(CidrPeer::includePods);
    assertThat(r.enforceIngress()).isTrue();
  }

  @Test
  void cidrSetsWithExceptions() {
    Rule r =
        rule(
            """
            endpointSelector: {}
            egress:
            - toCIDRSet:
              - cidr: 10.0.0.0/8
                except: [10.96.0.0/12, 10.1.2.3/32]
              - cidr: "fd00::/64"
                except: ["fd00::/64"]
              - cidr: 0.0.0.0/0
              toPorts:
              - ports: [{port: "443", protocol: TCP}]
            """);

    assertThat(r.egress())
        .containsExactly(
            new PeerRule(
                0,
                "spec.egress[0]",
                List.of(),
                List.of(
                    cidr("10.0.0.0/8", "10.96.0.0/12", "10.1.2.3/32"),
                    // Cilium allows an except equal to its cidr (it then selects nothing)
                    cidr("fd00::/64", "fd00::/64"),
                    cidr("0.0.0.0/0")),
                false,
                List.of(PortProtocol.of(443, Protocol.TCP)),
                List.of()));
  }

  @Test
  void cidrsCombineWithOtherPeersAsAUnion() {
    Rule r =
        rule(
            """
            endpointSelector: {}
            ingress:
            - fromEndpoints: [{matchLabels: {app: db}}]
              fromEntities: [host]
              fromCIDR: [10.0.0.0/8]
              fromCIDRSet: [{cidr: 11.0.0.0/8}]
            """);

    PeerRule pr = r.ingress().get(0);
    assertThat(pr.peers())
        .containsExactly(
            sel(in("any", "app", "db"), ns("team-a")),
            sel(new Requirement("reserved", "host", Operator.EXISTS, Set.of())));
    assertThat(pr.cidrs()).containsExactly(cidr("10.0.0.0/8"), cidr("11.0.0.0/8"));
    assertThat(pr.allPeers()).isFalse();
  }

  @Test
  void emptyCidrListSelectsNoPeerAndNullIsAbsent() {
    Rule r =
        rule(
            """
            endpointSelector: {}
            ingress:
            - fromCIDR: []
              toPorts: [{ports: [{port: "80"}]}]
            - fromCIDRSet: []
              toPorts: [{ports: [{port: "80"}]}]
            - fromCIDR: null
              toPorts: [{ports: [{port: "80"}]}]
            """);

    assertThat(r.ingress()).extracting(PeerRule::allPeers).containsExactly(false, false, true);
    assertThat(r.ingress()).allMatch(pr -> pr.peers().isEmpty() && pr.cidrs().isEmpty());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "fromCIDR: [10.0.0.0/33]         | spec.ingress[0].fromCIDR[0]: \"10.0.0.0/33\": prefix length 33 (expected: 0-32)",
        "fromCIDR: ['fd00::/200']        | spec.ingress[0].fromCIDR[0]: \"fd00::/200\": prefix length 200 (expected: 0-128)",
        "fromCIDR: [10.0.0.0/08]         | spec.ingress[0].fromCIDR[0]: \"10.0.0.0/08\": prefix length \"08\" (expected: 0-32)",
        "fromCIDR: [10.0.0/8]            | spec.ingress[0].fromCIDR[0]: \"10.0.0/8\": \"10.0.0\" is not an IP address (expected: a CIDR such as 10.0.0.0/8 or fd00::/64, or an IP address)",
        "fromCIDR: [010.0.0.1]           | spec.ingress[0].fromCIDR[0]: \"010.0.0.1\": an IPv4 octet with a leading zero is ambiguous (expected: a CIDR such as 10.0.0.0/8 or fd00::/64, or an IP address)",
        "fromCIDR: ['::ffff:010.0.0.1']  | spec.ingress[0].fromCIDR[0]: \"::ffff:010.0.0.1\": an IPv4 octet with a leading zero is ambiguous (expected: a CIDR such as 10.0.0.0/8 or fd00::/64, or an IP address)",
        "fromCIDR: ['']                  | spec.ingress[0].fromCIDR[0]: \"\" (expected: a CIDR such as 10.0.0.0/8 or fd00::/64, or an IP address)",
        "fromCIDR: [' 10.0.0.0/8']       | spec.ingress[0].fromCIDR[0]: \" 10.0.0.0/8\" (expected: a CIDR such as 10.0.0.0/8 or fd00::/64, or an IP address)",
        "fromCIDR: [world]               | spec.ingress[0].fromCIDR[0]: \"world\" (expected: a CIDR such as 10.0.0.0/8 or fd00::/64, or an IP address)",
        "fromCIDR: ['fe80::1%eth0']      | spec.ingress[0].fromCIDR[0]: \"fe80::1%eth0\" (expected: a CIDR such as 10.0.0.0/8 or fd00::/64, or an IP address)",
        "fromCIDR: ['.:1']               | spec.ingress[0].fromCIDR[0]: \".:1\": \".:1\" is not an IP address (expected: a CIDR such as 10.0.0.0/8 or fd00::/64, or an IP address)",
        "fromCIDR: [10.0.0.0/-1]         | spec.ingress[0].fromCIDR[0]: \"10.0.0.0/-1\" (expected: a CIDR such as 10.0.0.0/8 or fd00::/64, or an IP address)",
        "fromCIDR: 10.0.0.0/8            | spec.ingress[0].fromCIDR: expected a list of strings, got \"10.0.0.0/8\"",
        "fromCIDR: [8]                   | spec.ingress[0].fromCIDR[0]: expected a string, got 8",
        "fromCIDRSet: [{cidr: 10.0.0.1}] | spec.ingress[0].fromCIDRSet[0].cidr: \"10.0.0.1\": the prefix length is missing (expected: a CIDR such as 10.0.0.0/8 or fd00::/64)",
        "fromCIDRSet: [{cidr: 10.0.0.0/8, except: [11.0.0.0/16]}] | spec.ingress[0].fromCIDRSet[0].except[0]: \"11.0.0.0/16\" (expected: a CIDR inside 10.0.0.0/8)",
        "fromCIDRSet: [{cidr: 10.0.0.0/16, except: [10.0.0.0/8]}] | spec.ingress[0].fromCIDRSet[0].except[0]: \"10.0.0.0/8\" (expected: a CIDR inside 10.0.0.0/16)",
        "fromCIDRSet: [{cidr: 10.0.0.0/8, except: ['::/0']}]      | spec.ingress[0].fromCIDRSet[0].except[0]: \"::/0\" (expected: a CIDR inside 10.0.0.0/8)",
        "fromCIDRSet: [{cidr: 10.0.0.0/8, except: [10.1.0.0]}]    | spec.ingress[0].fromCIDRSet[0].except[0]: \"10.1.0.0\": the prefix length is missing (expected: a CIDR such as 10.0.0.0/8 or fd00::/64)",
        "fromCIDRSet: [{}]                                        | spec.ingress[0].fromCIDRSet[0]: required: one of cidr, cidrGroupRef or cidrGroupSelector",
        "fromCIDRSet: [{except: [10.1.0.0/16]}]                   | spec.ingress[0].fromCIDRSet[0]: required: one of cidr, cidrGroupRef or cidrGroupSelector",
        "fromCIDRSet: [{cidr: 10.0.0.0/8, cidrGroupRef: office}]  | spec.ingress[0].fromCIDRSet[0]: more than one of cidr, cidrGroupRef and cidrGroupSelector (expected: exactly one)",
        "fromCIDRSet: [{cidrGroupRef: office}]                    | spec.ingress[0].fromCIDRSet[0].cidrGroupRef: not supported yet by Jilium (CiliumCIDRGroup)",
        "fromCIDRSet: [{cidrGroupSelector: {}}]                   | spec.ingress[0].fromCIDRSet[0].cidrGroupSelector: not supported yet by Jilium (CiliumCIDRGroup)",
        "fromCIDRSet: [{cidr: 10.0.0.0/8, exceptions: []}]        | spec.ingress[0].fromCIDRSet[0].exceptions: unknown field (expected one of: cidr, cidrGroupRef, cidrGroupSelector, except)",
        "fromCIDRSet: [10.0.0.0/8]                                | spec.ingress[0].fromCIDRSet[0]: expected an object, got \"10.0.0.0/8\"",
      })
  void badCidrs(String l3, String message) {
    assertThat(problem("endpointSelector: {}\ningress:\n- " + l3 + "\n"))
        .isEqualTo(PREFIX + message);
  }

  @Test
  void egressCidrErrorsNameTheirField() {
    assertThat(problem("endpointSelector: {}\negress:\n- toCIDR: [1.2.3.4/40]\n"))
        .isEqualTo(
            PREFIX + "spec.egress[0].toCIDR[0]: \"1.2.3.4/40\": prefix length 40 (expected: 0-32)");
    assertThat(
            problem(
                "endpointSelector: {}\negressDeny:\n- toCIDRSet: [{cidr: 1.2.3.0/24, except: [1.2.4.0/25]}]\n"))
        .isEqualTo(
            PREFIX
                + "spec.egressDeny[0].toCIDRSet[0].except[0]: \"1.2.4.0/25\" (expected: a CIDR"
                + " inside 1.2.3.0/24)");
  }

  // --- ICMP rules -----------------------------------------------------------------------------

  @Test
  void icmpTypesByNumberAndName() {
    Rule r =
        rule(
            """
            endpointSelector: {}
            ingress:
            - icmps:
              - fields:
                - type: 8
                - {type: EchoRequest, family: IPv4}
                - {type: "0"}
                - {type: 255}
              - fields:
                - {type: EchoRequest, family: IPv6}
                - {type: PacketTooBig, family: IPv6}
                - {type: 135, family: IPv6}
            """);

    assertThat(r.ingress())
        .containsExactly(
            new PeerRule(
                0,
                "spec.ingress[0]",
                List.of(),
                List.of(),
                true,
                List.of(),
                List.of(
                    icmp4(8), icmp4(8), icmp4(0), icmp4(255), icmp6(128), icmp6(2), icmp6(135))));
    assertThat(r.ingress().get(0).allPorts()).isFalse();
  }

  /** Cilium's names and numbers (pkg/policy/api/icmp.go), typed out again here. */
  @ParameterizedTest(name = "{0} {1} = {2}")
  @CsvSource({
    "IPv4, EchoReply, 0",
    "IPv4, DestinationUnreachable, 3",
    "IPv4, Redirect, 5",
    "IPv4, Echo, 8",
    "IPv4, EchoRequest, 8",
    "IPv4, RouterAdvertisement, 9",
    "IPv4, RouterSelection, 10",
    "IPv4, TimeExceeded, 11",
    "IPv4, ParameterProblem, 12",
    "IPv4, Timestamp, 13",
    "IPv4, TimestampReply, 14",
    "IPv4, Photuris, 40",
    "IPv4, ExtendedEchoRequest, 42",
    "IPv4, ExtendedEchoReply, 43",
    "IPv6, DestinationUnreachable, 1",
    "IPv6, PacketTooBig, 2",
    "IPv6, TimeExceeded, 3",
    "IPv6, ParameterProblem, 4",
    "IPv6, EchoRequest, 128",
    "IPv6, EchoReply, 129",
    "IPv6, MulticastListenerQuery, 130",
    "IPv6, MulticastListenerReport, 131",
    "IPv6, MulticastListenerDone, 132",
    "IPv6, RouterSolicitation, 133",
    "IPv6, RouterAdvertisement, 134",
    "IPv6, NeighborSolicitation, 135",
    "IPv6, NeighborAdvertisement, 136",
    "IPv6, RedirectMessage, 137",
    "IPv6, RouterRenumbering, 138",
    "IPv6, ICMPNodeInformationQuery, 139",
    "IPv6, ICMPNodeInformationResponse, 140",
    "IPv6, InverseNeighborDiscoverySolicitation, 141",
    "IPv6, InverseNeighborDiscoveryAdvertisement, 142",
    "IPv6, HomeAgentAddressDiscoveryRequest, 144",
    "IPv6, HomeAgentAddressDiscoveryReply, 145",
    "IPv6, MobilePrefixSolicitation, 146",
    "IPv6, MobilePrefixAdvertisement, 147",
    "IPv6, DuplicateAddressRequestCodeSuffix, 157",
    "IPv6, DuplicateAddressConfirmationCodeSuffix, 158",
    "IPv6, ExtendedEchoRequest, 160",
    "IPv6, ExtendedEchoReply, 161",
  })
  void icmpTypeNames(String family, String name, int number) {
    Rule r =
        rule(
            "endpointSelector: {}\negress:\n- icmps: [{fields: [{type: "
                + name
                + ", family: "
                + family
                + "}]}]\n");

    assertThat(r.egress().get(0).icmps())
        .containsExactly(new IcmpField(family.equals("IPv6"), number));
  }

  @Test
  void icmpsAndToPortsInOneRuleAreAUnion() {
    // Cilium's validation refuses this combination; Jilium's model takes both (see the report).
    Rule r =
        rule(
            """
            endpointSelector: {}
            egress:
            - toEndpoints: [{matchLabels: {app: db}}]
              toPorts: [{ports: [{port: "5432", protocol: TCP}]}]
              icmps: [{fields: [{type: EchoRequest}]}]
            """);

    PeerRule pr = r.egress().get(0);
    assertThat(pr.peers()).containsExactly(sel(in("any", "app", "db"), ns("team-a")));
    assertThat(pr.allPeers()).isFalse();
    assertThat(pr.ports()).containsExactly(PortProtocol.of(5432, Protocol.TCP));
    assertThat(pr.icmps()).containsExactly(icmp4(8));
  }

  @Test
  void icmpsWithoutFieldsOpenNothing() {
    Rule r =
        rule(
            """
            endpointSelector: {}
            ingress:
            - icmps: [{}]
            - icmps: [{fields: []}]
            - fromEntities: [world]
              icmps: [{}]
              toPorts: [{}]
            """);

    assertThat(r.ingress())
        .allSatisfy(
            pr -> {
              assertThat(pr.allPeers()).isFalse();
              assertThat(pr.peers()).isEmpty();
              assertThat(pr.cidrs()).isEmpty();
            });
    assertThat(r.enforceIngress()).isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "{type: 256}                    | .type: 256 (expected: 0-255 or an ICMPv4 type name)",
        "{type: -1}                     | .type: -1 (expected: 0-255 or an ICMPv4 type name)",
        "{type: 99999999999999999999}   | .type: 99999999999999999999 (expected: 0-255 or an ICMPv4 type name)",
        "{type: 256, family: IPv6}      | .type: 256 (expected: 0-255 or an ICMPv6 type name)",
        "{type: '256'}                  | .type: \"256\" (expected: 0-255 or an ICMPv4 type name: EchoReply, DestinationUnreachable, Redirect, Echo, EchoRequest, RouterAdvertisement, RouterSelection, TimeExceeded, ParameterProblem, Timestamp, TimestampReply, Photuris, ExtendedEchoRequest, ExtendedEchoReply)",
        "{type: '08'}                   | .type: \"08\" (expected: 0-255 or an ICMPv4 type name: EchoReply, DestinationUnreachable, Redirect, Echo, EchoRequest, RouterAdvertisement, RouterSelection, TimeExceeded, ParameterProblem, Timestamp, TimestampReply, Photuris, ExtendedEchoRequest, ExtendedEchoReply)",
        "{type: echoRequest}            | .type: \"echoRequest\" (expected: 0-255 or an ICMPv4 type name: EchoReply, DestinationUnreachable, Redirect, Echo, EchoRequest, RouterAdvertisement, RouterSelection, TimeExceeded, ParameterProblem, Timestamp, TimestampReply, Photuris, ExtendedEchoRequest, ExtendedEchoReply)",
        "{type: PacketTooBig}           | .type: \"PacketTooBig\" is an ICMPv6 type name (expected: family: IPv6, or 0-255 or an ICMPv4 type name)",
        "{type: Redirect, family: IPv6} | .type: \"Redirect\" is an ICMPv4 type name (expected: family: IPv4, or 0-255 or an ICMPv6 type name)",
        "{type: Echo, family: IPv6}     | .type: \"Echo\" is an ICMPv4 type name (expected: family: IPv4, or 0-255 or an ICMPv6 type name)",
        "{type: 8, family: ipv4}        | .family: \"ipv4\" (expected: IPv4 or IPv6)",
        "{type: 8, family: ''}          | .family: \"\" (expected: IPv4 or IPv6)",
        "{type: 8, family: 4}           | .family: expected a string, got 4",
        "{family: IPv4}                 | .type: required field is missing",
        "{type: null}                   | .type: required field is missing",
        "{type: 8.0}                    | .type: expected a number or a type name, got 8.0",
        "{type: [8]}                    | .type: expected a number or a type name, got a list",
        "{type: 8, code: 0}             | .code: unknown field (expected one of: family, type)",
      })
  void badIcmpFields(String field, String message) {
    assertThat(problem("endpointSelector: {}\ningress:\n- icmps: [{fields: [" + field + "]}]\n"))
        .isEqualTo(PREFIX + "spec.ingress[0].icmps[0].fields[0]" + message);
  }

  @Test
  void badIcmpRules() {
    assertThat(problem("endpointSelector: {}\ningress:\n- icmps: [{field: []}]\n"))
        .isEqualTo(
            PREFIX + "spec.ingress[0].icmps[0].field: unknown field (expected one of: fields)");
    assertThat(problem("endpointSelector: {}\ningress:\n- icmps: {fields: []}\n"))
        .isEqualTo(PREFIX + "spec.ingress[0].icmps: expected a list, got an object");
    String fields = "{type: 8}, ".repeat(41);
    assertThat(
            problem(
                "endpointSelector: {}\ningress:\n- icmps: [{fields: ["
                    + fields.substring(0, fields.length() - 2)
                    + "]}]\n"))
        .isEqualTo(
            PREFIX + "spec.ingress[0].icmps[0].fields: 41 ICMP types (expected: at most 40)");
    String forty = "{type: 8}, ".repeat(40);
    assertThat(
            rule("endpointSelector: {}\ningress:\n- icmps: [{fields: ["
                    + forty.substring(0, forty.length() - 2)
                    + "]}]\n")
                .ingress()
                .get(0)
                .icmps())
        .hasSize(40);
  }

  @Test
  void tooManyPortsInOneToPortsElement() {
    String ports = "{port: '80'}, ".repeat(41);
    assertThat(
            problem(
                "endpointSelector: {}\ningress:\n- toPorts: [{ports: ["
                    + ports.substring(0, ports.length() - 2)
                    + "]}]\n"))
        .isEqualTo(PREFIX + "spec.ingress[0].toPorts[0].ports: 41 ports (expected: at most 40)");
  }

  // --- deny sections --------------------------------------------------------------------------

  @Test
  void denySectionsTakeCidrsEntitiesEndpointsPortsAndIcmps() {
    Rule r =
        rule(
            """
            endpointSelector: {}
            ingressDeny:
            - fromCIDR: [192.0.2.0/24]
            - fromCIDRSet: [{cidr: 198.51.100.0/24, except: [198.51.100.128/25]}]
              toPorts: [{ports: [{port: "22", protocol: TCP}]}]
            - fromEntities: [world]
            - fromEndpoints: [{matchLabels: {app: bad}}]
              icmps: [{fields: [{type: EchoRequest}]}]
            egressDeny:
            - toCIDR: ["2001:db8::/32"]
              toPorts: [{ports: [{port: "25"}]}]
            - icmps: [{fields: [{type: 128, family: IPv6}]}]
            """);

    assertThat(r.ingressDeny())
        .containsExactly(
            new PeerRule(
                0,
                "spec.ingressDeny[0]",
                List.of(),
                List.of(cidr("192.0.2.0/24")),
                false,
                List.of(),
                List.of()),
            new PeerRule(
                1,
                "spec.ingressDeny[1]",
                List.of(),
                List.of(cidr("198.51.100.0/24", "198.51.100.128/25")),
                false,
                List.of(PortProtocol.of(22, Protocol.TCP)),
                List.of()),
            new PeerRule(
                2,
                "spec.ingressDeny[2]",
                List.of(
                    sel(WORLD),
                    sel(new Requirement("reserved", "world-ipv4", Operator.EXISTS, Set.of())),
                    sel(new Requirement("reserved", "world-ipv6", Operator.EXISTS, Set.of()))),
                List.of(),
                false,
                List.of(),
                List.of()),
            new PeerRule(
                3,
                "spec.ingressDeny[3]",
                List.of(sel(in("any", "app", "bad"), ns("team-a"))),
                List.of(),
                false,
                List.of(),
                List.of(icmp4(8))));
    assertThat(r.egressDeny())
        .containsExactly(
            new PeerRule(
                0,
                "spec.egressDeny[0]",
                List.of(),
                List.of(cidr("2001:db8::/32")),
                false,
                List.of(PortProtocol.of(25, Protocol.ANY)),
                List.of()),
            new PeerRule(
                1,
                "spec.egressDeny[1]",
                List.of(),
                List.of(),
                true,
                List.of(),
                List.of(icmp6(128))));
    assertThat(r.enforceIngress()).isTrue();
    assertThat(r.enforceEgress()).isTrue();
  }

  @Test
  void pathsOfEveryRuleInSpecs() {
    List<Rule> rules =
        CiliumPolicyParserTest.policy(
                """
                apiVersion: cilium.io/v2
                kind: CiliumClusterwideNetworkPolicy
                metadata: {name: c1}
                spec:
                  endpointSelector: {}
                  ingress: [{fromEntities: [host]}]
                specs:
                - endpointSelector: {}
                  egress: [{toEntities: [world]}, {toCIDR: [10.0.0.0/8]}]
                - endpointSelector: {}
                  ingressDeny: [{fromEntities: [world]}]
                  egressDeny:
                  - toEntities: [world]
                  - toEntities: [host]
                  - toCIDR: [1.1.1.1]
                """)
            .rules();

    assertThat(rules).extracting(Rule::specIndex).containsExactly(0, 1, 2);
    assertThat(rules.get(0).ingress())
        .extracting(PeerRule::path)
        .containsExactly("spec.ingress[0]");
    assertThat(rules.get(1).egress())
        .extracting(PeerRule::path)
        .containsExactly("specs[0].egress[0]", "specs[0].egress[1]");
    assertThat(rules.get(2).ingressDeny())
        .extracting(PeerRule::path)
        .containsExactly("specs[1].ingressDeny[0]");
    assertThat(rules.get(2).egressDeny())
        .extracting(PeerRule::path)
        .containsExactly(
            "specs[1].egressDeny[0]", "specs[1].egressDeny[1]", "specs[1].egressDeny[2]");
    assertThat(rules.get(2).egressDeny()).extracting(PeerRule::index).containsExactly(0, 1, 2);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "ingressDeny:\\n- toPorts: [{ports: [{port: '80', protocol: TCP}], rules: {http: [{method: GET}]}}] | spec.ingressDeny[0].toPorts[0].rules: deny rules cannot have L7 rules (expected: ports only)",
        "egressDeny:\\n- toPorts: [{ports: [{port: '53', protocol: UDP}], rules: {dns: [{matchPattern: '*'}]}}] | spec.egressDeny[0].toPorts[0].rules: deny rules cannot have L7 rules (expected: ports only)",
        "egressDeny:\\n- toPorts: [{ports: [{port: '443'}], serverNames: [example.com]}] | spec.egressDeny[0].toPorts[0].serverNames: not allowed in a deny rule (expected: ports only)",
        "egressDeny:\\n- toPorts: [{listener: {name: x}}] | spec.egressDeny[0].toPorts[0].listener: not allowed in a deny rule (expected: ports only)",
        "ingressDeny:\\n- toPorts: [{port: '80'}] | spec.ingressDeny[0].toPorts[0].port: unknown field (expected one of: ports)",
        "egressDeny:\\n- toFQDNs: [{matchName: example.com}] | spec.egressDeny[0].toFQDNs: not allowed in a deny rule",
        "ingressDeny:\\n- authentication: {mode: required} | spec.ingressDeny[0].authentication: not allowed in a deny rule",
        "ingressDeny:\\n- fromEndpoint: [{}] | spec.ingressDeny[0].fromEndpoint: unknown field (expected one of: fromCIDR, fromCIDRSet, fromEndpoints, fromEntities, fromGroups, fromNodes, fromRequires, icmps, toPorts)",
        "ingressDeny:\\n- fromNodes: [{}] | spec.ingressDeny[0].fromNodes: not supported yet by Jilium (node selectors)",
        "ingressDeny:\\n- toPorts: [{ports: [{port: '99999'}]}] | spec.ingressDeny[0].toPorts[0].ports[0].port: \"99999\" (expected: 0-65535 or a port name)",
      })
  void denySectionErrors(String spec, String message) {
    assertThat(problem("endpointSelector: {}\n" + spec.replace("\\n", "\n") + "\n"))
        .isEqualTo(PREFIX + message);
  }

  // --- contradictions and fields not supported yet --------------------------------------------

  @Test
  void endpointSelectorAndNodeSelectorContradict() {
    assertThat(problem("endpointSelector: {}\nnodeSelector: {}\n"))
        .isEqualTo(
            PREFIX
                + "spec: endpointSelector and nodeSelector are both set (expected: exactly one of"
                + " endpointSelector or nodeSelector)");
    assertThat(
            CiliumPolicyParserTest.problem(
                """
                apiVersion: cilium.io/v2
                kind: CiliumClusterwideNetworkPolicy
                metadata: {name: c1}
                specs:
                - endpointSelector: {}
                - endpointSelector: {matchLabels: {a: b}}
                  nodeSelector: {matchLabels: {a: b}}
                """))
        .isEqualTo(
            "policy.yaml: document 1 (CiliumClusterwideNetworkPolicy c1): specs[1]:"
                + " endpointSelector and nodeSelector are both set (expected: exactly one of"
                + " endpointSelector or nodeSelector)");
    assertThat(problem("nodeSelector: {matchLabels: {a: b}}\n"))
        .isEqualTo(PREFIX + "spec.nodeSelector: not supported yet by Jilium (host policies)");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "toEndpoints: [{}]          | toEndpoints",
        "toCIDR: [10.0.0.0/8]       | toCIDR",
        "toCIDRSet: [{cidr: 10.0.0.0/8}] | toCIDRSet",
        "toEntities: [world]        | toEntities",
        "toServices: [{k8sService: {serviceName: a, namespace: b}}] | toServices",
      })
  void toFqdnsWithAnotherPeerFieldContradicts(String other, String field) {
    assertThat(
            problem(
                "endpointSelector: {}\negress:\n- toFQDNs: [{matchName: example.com}]\n  "
                    + other
                    + "\n"))
        .isEqualTo(
            PREFIX
                + "spec.egress[0]: toFQDNs and "
                + field
                + " in one rule (expected: toFQDNs in a rule of its own, with toPorts at most)");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "toFQDNs: [{matchName: example.com}]\n  toPorts: [{ports: [{port: '443'}]}]",
        "toFQDNs: [{matchName: example.com}]\n  toEndpoints: []",
        "toFQDNs: []",
      })
  void toFqdnsAloneIsNotSupportedYet(String rule) {
    assertThat(problem("endpointSelector: {}\negress:\n- " + rule + "\n"))
        .isEqualTo(
            PREFIX + "spec.egress[0].toFQDNs: not supported yet by Jilium (DNS-based policy)");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "log: {value: x}                                      | spec.log: not supported yet by Jilium (policy logging)",
        "ingress:\\n- fromRequires: [{}]                      | spec.ingress[0].fromRequires: not supported yet by Jilium (requirements)",
        "egress:\\n- toRequires: [{}]                         | spec.egress[0].toRequires: not supported yet by Jilium (requirements)",
        "ingress:\\n- fromGroups: [{aws: {}}]                 | spec.ingress[0].fromGroups: not supported yet by Jilium (cloud provider groups)",
        "egress:\\n- toGroups: [{aws: {}}]                    | spec.egress[0].toGroups: not supported yet by Jilium (cloud provider groups)",
        "ingress:\\n- fromNodes: [{}]                         | spec.ingress[0].fromNodes: not supported yet by Jilium (node selectors)",
        "egress:\\n- toNodes: [{}]                            | spec.egress[0].toNodes: not supported yet by Jilium (node selectors)",
        "egress:\\n- toServices: [{}]                         | spec.egress[0].toServices: not supported yet by Jilium (service selectors)",
        "ingress:\\n- authentication: {mode: required}        | spec.ingress[0].authentication: not supported yet by Jilium (mutual authentication)",
        "egress:\\n- toPorts: [{ports: [{port: '443'}], terminatingTLS: {}}] | spec.egress[0].toPorts[0].terminatingTLS: not supported yet by Jilium (L7 policy)",
        "egress:\\n- toPorts: [{ports: [{port: '443'}], originatingTLS: {}}] | spec.egress[0].toPorts[0].originatingTLS: not supported yet by Jilium (L7 policy)",
        "egress:\\n- toPorts: [{listener: {name: x}}]         | spec.egress[0].toPorts[0].listener: not supported yet by Jilium (L7 policy)",
      })
  void notSupportedYet(String spec, String message) {
    assertThat(problem("endpointSelector: {}\n" + spec.replace("\\n", "\n") + "\n"))
        .isEqualTo(PREFIX + message);
  }

  // --- ports ----------------------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "port: '80', endPort: 99999999999 | endPort: 99999999999 (expected: 0-65535)",
        "port: '80', endPort: 4294967376  | endPort: 4294967376 (expected: 0-65535)",
        "port: '80', endPort: -5          | endPort: -5 (expected: 80-65535, not below port)",
        "port: web--http                  | port: \"web--http\": must not contain consecutive hyphens (expected: 0-65535 or a port name)",
        "port: HTTP                       | port: \"HTTP\": must contain only lowercase letters, digits and '-' (expected: 0-65535 or a port name)",
        "port: '0000000000080'            | port: \"0000000000080\" (expected: 0-65535 or a port name)",
      })
  void badPorts(String port, String message) {
    assertThat(problem("endpointSelector: {}\ningress:\n- toPorts: [{ports: [{" + port + "}]}]\n"))
        .isEqualTo(PREFIX + "spec.ingress[0].toPorts[0].ports[0]." + message);
  }
}
