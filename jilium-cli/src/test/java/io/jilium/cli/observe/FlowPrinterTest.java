package io.jilium.cli.observe;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.BoolValue;
import com.google.protobuf.Int32Value;
import com.google.protobuf.Timestamp;
import io.jilium.api.flow.CiliumEventType;
import io.jilium.api.flow.DNS;
import io.jilium.api.flow.DropReason;
import io.jilium.api.flow.Endpoint;
import io.jilium.api.flow.Ethernet;
import io.jilium.api.flow.Flow;
import io.jilium.api.flow.FlowType;
import io.jilium.api.flow.HTTP;
import io.jilium.api.flow.ICMPv4;
import io.jilium.api.flow.ICMPv6;
import io.jilium.api.flow.IP;
import io.jilium.api.flow.IPVersion;
import io.jilium.api.flow.L7FlowType;
import io.jilium.api.flow.Layer4;
import io.jilium.api.flow.Layer7;
import io.jilium.api.flow.LostEvent;
import io.jilium.api.flow.LostEventSource;
import io.jilium.api.flow.Policy;
import io.jilium.api.flow.Service;
import io.jilium.api.flow.TCP;
import io.jilium.api.flow.TCPFlags;
import io.jilium.api.flow.TrafficDirection;
import io.jilium.api.flow.UDP;
import io.jilium.api.flow.Verdict;
import io.jilium.api.observer.GetFlowsResponse;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Hubble's output formats, checked line by line on hand-built flows. */
class FlowPrinterTest {
  /** Nov 26 10:00:01.123 UTC. */
  private static final Timestamp T =
      HubbleTime.toTimestamp(Instant.parse("2025-11-26T10:00:01.123456789Z"));

  private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
  private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
  private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

  private static FlowPrinter.Options options(FlowPrinter.Format f) {
    return new FlowPrinter.Options(
        f, false, HubbleTime.formatter("StampMilli"), false, false, false);
  }

  private FlowPrinter printer(FlowPrinter.Options o) {
    return new FlowPrinter(o, out, err);
  }

  private String printed(FlowPrinter.Options o, GetFlowsResponse... responses) {
    FlowPrinter p = printer(o);
    for (GetFlowsResponse r : responses) {
      p.write(r);
    }
    p.close();
    return outBytes.toString(StandardCharsets.UTF_8);
  }

  private static GetFlowsResponse response(Flow f) {
    return GetFlowsResponse.newBuilder()
        .setFlow(f)
        .setNodeName(f.getNodeName())
        .setTime(f.getTime())
        .build();
  }

  private static Endpoint pod(String ns, String name, int identity) {
    return Endpoint.newBuilder().setNamespace(ns).setPodName(name).setIdentity(identity).build();
  }

  private static Layer4 tcp(int sport, int dport, TCPFlags flags) {
    return Layer4.newBuilder()
        .setTCP(TCP.newBuilder().setSourcePort(sport).setDestinationPort(dport).setFlags(flags))
        .build();
  }

  /** xwing -> deathstar:80, SYN, as a policy-verdict denial at ingress. */
  @SuppressWarnings("deprecation")
  private static Flow.Builder policyDenied() {
    return Flow.newBuilder()
        .setTime(T)
        .setNodeName("node1")
        .setVerdict(Verdict.DROPPED)
        .setDropReasonDesc(DropReason.POLICY_DENIED)
        .setIP(
            IP.newBuilder()
                .setSource("10.0.0.5")
                .setDestination("10.0.0.9")
                .setIpVersion(IPVersion.IPv4))
        .setL4(tcp(42818, 80, TCPFlags.newBuilder().setSYN(true).build()))
        .setSource(pod("default", "xwing", 1234))
        .setDestination(pod("default", "deathstar-1", 5678))
        .setType(FlowType.L3_L4)
        .setEventType(CiliumEventType.newBuilder().setType(5))
        .setTrafficDirection(TrafficDirection.INGRESS)
        .setSummary("TCP Flags: SYN");
  }

  @Test
  void compactPolicyVerdictOfUnknownDirection() {
    assertThat(printer(options(FlowPrinter.Format.COMPACT)).compact(policyDenied().build()))
        .isEqualTo(
            "Nov 26 10:00:01.123: default/xwing:42818 (ID:1234) <> default/deathstar-1:80"
                + " (ID:5678) policy-verdict:none INGRESS DENIED (TCP Flags: SYN)");
  }

  @Test
  void compactDropWithReason() {
    Flow f =
        policyDenied()
            .setEventType(CiliumEventType.newBuilder().setType(1).setSubType(133))
            .setIsReply(BoolValue.of(false))
            .build();
    assertThat(printer(options(FlowPrinter.Format.COMPACT)).compact(f))
        .isEqualTo(
            "Nov 26 10:00:01.123: default/xwing:42818 (ID:1234) -> default/deathstar-1:80"
                + " (ID:5678) Policy denied DROPPED (TCP Flags: SYN)");
  }

  @Test
  @SuppressWarnings("deprecation")
  void compactTraceReplyFlipsTheEnds() {
    Flow f =
        policyDenied()
            .setVerdict(Verdict.FORWARDED)
            .setEventType(CiliumEventType.newBuilder().setType(4).setSubType(0))
            .setIsReply(BoolValue.of(true))
            .setSource(pod("default", "deathstar-1", 5678))
            .setDestination(pod("default", "xwing", 1234))
            .setL4(tcp(80, 42818, TCPFlags.newBuilder().setSYN(true).setACK(true).build()))
            .setSummary("TCP Flags: SYN, ACK")
            .build();
    assertThat(printer(options(FlowPrinter.Format.COMPACT)).compact(f))
        .isEqualTo(
            "Nov 26 10:00:01.123: default/xwing:42818 (ID:1234) <- default/deathstar-1:80"
                + " (ID:5678) to-endpoint FORWARDED (TCP Flags: SYN, ACK)");
  }

  @Test
  void reservedIdentitiesAddressesAndIpv6() {
    Flow f =
        Flow.newBuilder()
            .setTime(T)
            .setVerdict(Verdict.FORWARDED)
            .setIP(IP.newBuilder().setSource("fd00::1").setDestination("2001:db8::2"))
            .setL4(
                Layer4.newBuilder()
                    .setUDP(UDP.newBuilder().setSourcePort(5353).setDestinationPort(53)))
            .setSource(Endpoint.newBuilder().setIdentity(1))
            .setDestination(Endpoint.newBuilder().setIdentity(2))
            .setEventType(CiliumEventType.newBuilder().setType(4).setSubType(11))
            .setIsReply(BoolValue.of(false))
            .build();
    assertThat(printer(options(FlowPrinter.Format.COMPACT)).compact(f))
        .isEqualTo(
            "Nov 26 10:00:01.123: [fd00::1]:5353 (host) -> [2001:db8::2]:53 (world) to-network"
                + " FORWARDED (UDP)");
  }

  @Test
  void identityZeroIsUnknownAndIcmpHasNoPort() {
    Flow f =
        Flow.newBuilder()
            .setTime(T)
            .setVerdict(Verdict.DROPPED)
            .setIP(IP.newBuilder().setSource("10.0.0.1").setDestination("10.0.0.2"))
            .setL4(Layer4.newBuilder().setICMPv4(ICMPv4.newBuilder().setType(8)))
            .setSource(Endpoint.newBuilder().setIdentity(0))
            .setDestination(Endpoint.newBuilder().setIdentity(70000))
            .setEventType(CiliumEventType.newBuilder().setType(1).setSubType(181))
            .setIsReply(BoolValue.of(false))
            .build();
    assertThat(printer(options(FlowPrinter.Format.COMPACT)).compact(f))
        .isEqualTo(
            "Nov 26 10:00:01.123: 10.0.0.1 (unknown) -> 10.0.0.2 (ID:70000) Policy denied by"
                + " denylist DROPPED (ICMPv4 EchoRequest)");
  }

  @Test
  void servicesAndDnsNamesNameTheEnds() {
    Flow f =
        Flow.newBuilder()
            .setTime(T)
            .setVerdict(Verdict.FORWARDED)
            .setIP(IP.newBuilder().setSource("10.0.0.1").setDestination("10.96.0.10"))
            .setL4(tcp(1000, 443, TCPFlags.newBuilder().setACK(true).build()))
            .addSourceNames("client.example.com")
            .setDestinationService(Service.newBuilder().setNamespace("kube-system").setName("api"))
            .setEventType(CiliumEventType.newBuilder().setType(4).setSubType(5))
            .setIsReply(BoolValue.of(false))
            .build();
    FlowPrinter p = printer(options(FlowPrinter.Format.COMPACT));
    assertThat(p.compact(f))
        .isEqualTo(
            "Nov 26 10:00:01.123: client.example.com:1000 (unknown) -> kube-system/api:443"
                + " (unknown) from-endpoint FORWARDED (TCP Flags: ACK)");
    FlowPrinter numeric =
        printer(
            new FlowPrinter.Options(
                FlowPrinter.Format.COMPACT,
                false,
                HubbleTime.formatter("RFC3339"),
                false,
                false,
                true));
    assertThat(numeric.compact(f))
        .startsWith("2025-11-26T10:00:01Z: 10.0.0.1:1000 (unknown) -> 10.96.0.10:443 (unknown)");
  }

  @Test
  void nodeNameAndPolicyNames() {
    Flow allowed =
        policyDenied()
            .setVerdict(Verdict.FORWARDED)
            .setTrafficDirection(TrafficDirection.EGRESS)
            .addEgressAllowedBy(
                Policy.newBuilder()
                    .setName("allow-web")
                    .setNamespace("default")
                    .setKind("CiliumNetworkPolicy"))
            .addEgressAllowedBy(Policy.newBuilder().setName("allow-all").setKind("NetworkPolicy"))
            .addIngressAllowedBy(Policy.newBuilder().setName("not-this-direction").setKind("X"))
            .build();
    FlowPrinter p =
        printer(
            new FlowPrinter.Options(
                FlowPrinter.Format.COMPACT,
                false,
                HubbleTime.formatter("StampMilli"),
                true,
                true,
                false));
    assertThat(p.compact(allowed))
        .isEqualTo(
            "Nov 26 10:00:01.123 [node1]: default/xwing:42818 (ID:1234) <> default/deathstar-1:80"
                + " (ID:5678) policy-verdict:none EGRESS ALLOWED BY allow-web (CiliumNetworkPolicy),"
                + " allow-all (NetworkPolicy) (TCP Flags: SYN)");
    Flow denied =
        policyDenied()
            .setPolicyMatchType(2)
            .addIngressDeniedBy(
                Policy.newBuilder().setName("deny-xwing").setKind("CiliumNetworkPolicy"))
            .build();
    assertThat(p.compact(denied))
        .endsWith(
            "policy-verdict:L3-L4 INGRESS DENIED BY deny-xwing (CiliumNetworkPolicy) (TCP Flags: SYN)");
    // without the flag, no names
    assertThat(printer(options(FlowPrinter.Format.COMPACT)).compact(denied))
        .contains(" DENIED (TCP");
  }

  @Test
  void colours() {
    Flow f =
        policyDenied()
            .setEventType(CiliumEventType.newBuilder().setType(1).setSubType(133))
            .setIsReply(BoolValue.of(false))
            .build();
    FlowPrinter p =
        printer(
            new FlowPrinter.Options(
                FlowPrinter.Format.COMPACT,
                true,
                HubbleTime.formatter("StampMilli"),
                false,
                false,
                false));
    assertThat(p.compact(f))
        .isEqualTo(
            "Nov 26 10:00:01.123: \u001b[36mdefault/xwing:\u001b[33m42818\u001b[0m\u001b[0m"
                + " \u001b[35m(ID:1234)\u001b[0m -> \u001b[36mdefault/deathstar-1:\u001b[33m80\u001b[0m\u001b[0m"
                + " \u001b[35m(ID:5678)\u001b[0m Policy denied \u001b[31mDROPPED\u001b[0m (TCP Flags: SYN)");
  }

  @Test
  void tablesNeverHaveColours() {
    String table =
        printed(
            new FlowPrinter.Options(
                FlowPrinter.Format.TABLE,
                true,
                HubbleTime.formatter("StampMilli"),
                false,
                false,
                false),
            response(policyDenied().build()));
    assertThat(table).doesNotContain("\u001b");
  }

  @Test
  @SuppressWarnings("deprecation")
  void controlCharactersAreEscaped() {
    Flow f =
        policyDenied()
            .setSummary("evil\u001b[2Jtext\r")
            .setSource(pod("default", "a\u0007b", 1))
            .build();
    assertThat(printer(options(FlowPrinter.Format.COMPACT)).compact(f))
        .contains("default/a^Gb:42818")
        .endsWith("(evil^[[2Jtext^M)");
  }

  @Test
  void dictBlocksAreSeparated() {
    String dict =
        printed(
            options(FlowPrinter.Format.DICT),
            response(policyDenied().build()),
            response(policyDenied().setVerdict(Verdict.FORWARDED).build()));
    assertThat(dict)
        .isEqualTo(
            """
              TIMESTAMP: Nov 26 10:00:01.123
                 SOURCE: default/xwing:42818
            DESTINATION: default/deathstar-1:80
                   TYPE: policy-verdict:none INGRESS
                VERDICT: DENIED
                SUMMARY: TCP Flags: SYN
            ------------
              TIMESTAMP: Nov 26 10:00:01.123
                 SOURCE: default/xwing:42818
            DESTINATION: default/deathstar-1:80
                   TYPE: policy-verdict:none INGRESS
                VERDICT: ALLOWED
                SUMMARY: TCP Flags: SYN
            """);
  }

  @Test
  void tableColumnsAreAligned() {
    Flow trace =
        policyDenied()
            .setVerdict(Verdict.FORWARDED)
            .setEventType(CiliumEventType.newBuilder().setType(4).setSubType(0))
            .build();
    String table =
        printed(
            new FlowPrinter.Options(
                FlowPrinter.Format.TABLE,
                false,
                HubbleTime.formatter("StampMilli"),
                true,
                false,
                false),
            response(policyDenied().build()),
            response(trace));
    assertThat(table)
        .isEqualTo(
            """
            TIMESTAMP             NODE    SOURCE                DESTINATION              TYPE                          VERDICT     SUMMARY
            Nov 26 10:00:01.123   node1   default/xwing:42818   default/deathstar-1:80   policy-verdict:none INGRESS   DENIED      TCP Flags: SYN
            Nov 26 10:00:01.123   node1   default/xwing:42818   default/deathstar-1:80   to-endpoint                   FORWARDED   TCP Flags: SYN
            """);
  }

  @Test
  void jsonIsTheFlowAndJsonpbTheResponse() {
    Flow f = policyDenied().setIsReply(BoolValue.of(false)).build();
    String json = printed(options(FlowPrinter.Format.JSON), response(f));
    assertThat(json).endsWith("}\n").doesNotContain("\n{");
    assertThat(json)
        .startsWith("{\"time\":\"2025-11-26T10:00:01.123456789Z\",")
        .contains("\"verdict\":\"DROPPED\"")
        .contains(
            "\"IP\":{\"source\":\"10.0.0.5\",\"destination\":\"10.0.0.9\",\"ipVersion\":\"IPv4\"}")
        .contains(
            "\"l4\":{\"TCP\":{\"source_port\":42818,\"destination_port\":80,\"flags\":{\"SYN\":true}}}")
        .contains("\"source\":{\"identity\":1234,\"namespace\":\"default\",\"pod_name\":\"xwing\"}")
        .contains("\"Type\":\"L3_L4\"")
        .contains("\"node_name\":\"node1\"")
        .contains("\"event_type\":{\"type\":5}")
        .contains("\"traffic_direction\":\"INGRESS\"")
        .contains("\"drop_reason_desc\":\"POLICY_DENIED\"")
        .contains("\"is_reply\":false")
        .contains("\"Summary\":\"TCP Flags: SYN\"");

    outBytes.reset();
    String jsonpb = printed(options(FlowPrinter.Format.JSONPB), response(f));
    assertThat(jsonpb)
        .startsWith("{\"flow\":{\"time\":\"2025-11-26T10:00:01.123456789Z\",")
        .endsWith(",\"node_name\":\"node1\",\"time\":\"2025-11-26T10:00:01.123456789Z\"}\n");
  }

  @Test
  void lostEventsGoToStandardError() {
    GetFlowsResponse lost =
        GetFlowsResponse.newBuilder()
            .setLostEvents(
                LostEvent.newBuilder()
                    .setSource(LostEventSource.HUBBLE_RING_BUFFER)
                    .setNumEventsLost(42)
                    .setCpu(Int32Value.of(1)))
            .build();
    String text = printed(options(FlowPrinter.Format.COMPACT), lost);
    assertThat(text).isEmpty();
    assertThat(errBytes.toString(StandardCharsets.UTF_8))
        .isEqualTo("EVENTS LOST: HUBBLE_RING_BUFFER CPU(1) 42\n");

    errBytes.reset();
    outBytes.reset();
    String jsonpb = printed(options(FlowPrinter.Format.JSONPB), lost);
    assertThat(jsonpb)
        .isEqualTo(
            "{\"lost_events\":{\"source\":\"HUBBLE_RING_BUFFER\",\"num_events_lost\":\"42\",\"cpu\":1}}\n");
    assertThat(errBytes.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void flowTypes() {
    Flow.Builder b = Flow.newBuilder();
    assertThat(
            FlowPrinter.flowType(
                b.setEventType(CiliumEventType.newBuilder().setType(4).setSubType(5)).build()))
        .isEqualTo("from-endpoint");
    assertThat(
            FlowPrinter.flowType(
                b.setEventType(CiliumEventType.newBuilder().setType(4).setSubType(99)).build()))
        .isEqualTo("99");
    assertThat(
            FlowPrinter.flowType(
                b.setEventType(CiliumEventType.newBuilder().setType(1).setSubType(250)).build()))
        .isEqualTo("250");
    assertThat(
            FlowPrinter.flowType(b.setEventType(CiliumEventType.newBuilder().setType(42)).build()))
        .isEqualTo("UNKNOWN");
    Flow http =
        Flow.newBuilder()
            .setEventType(CiliumEventType.newBuilder().setType(129))
            .setL7(
                Layer7.newBuilder()
                    .setType(L7FlowType.RESPONSE)
                    .setHttp(HTTP.newBuilder().setCode(200)))
            .build();
    assertThat(FlowPrinter.flowType(http)).isEqualTo("http-response");
    Flow dns =
        Flow.newBuilder()
            .setL7(
                Layer7.newBuilder()
                    .setType(L7FlowType.REQUEST)
                    .setDns(DNS.newBuilder().setObservationSource("proxy")))
            .build();
    assertThat(FlowPrinter.flowType(dns)).isEqualTo("dns-request proxy");
  }

  @Test
  @SuppressWarnings("deprecation")
  void summaryIsDerivedWhenTheAgentSentNone() {
    assertThat(FlowPrinter.derivedSummary(policyDenied().setSummary("").build()))
        .isEqualTo("TCP Flags: SYN");
    Flow all =
        Flow.newBuilder()
            .setL4(
                tcp(
                    1,
                    2,
                    TCPFlags.newBuilder()
                        .setFIN(true)
                        .setACK(true)
                        .setPSH(true)
                        .setNS(true)
                        .build()))
            .build();
    assertThat(FlowPrinter.derivedSummary(all)).isEqualTo("TCP Flags: ACK, FIN, PSH, NS");
    assertThat(
            FlowPrinter.derivedSummary(
                Flow.newBuilder()
                    .setL4(Layer4.newBuilder().setICMPv6(ICMPv6.newBuilder().setType(135)))
                    .build()))
        .isEqualTo("ICMPv6 NeighborSolicitation");
    assertThat(
            FlowPrinter.derivedSummary(
                Flow.newBuilder()
                    .setL4(
                        Layer4.newBuilder().setICMPv4(ICMPv4.newBuilder().setType(42).setCode(1)))
                    .build()))
        .isEqualTo("ICMPv4 type 42 code 1");
  }

  @Test
  void flowsWithoutAddressesShowMacsOrNothing() {
    Flow arp =
        Flow.newBuilder()
            .setTime(T)
            .setEthernet(
                Ethernet.newBuilder()
                    .setSource("02:00:00:00:00:01")
                    .setDestination("ff:ff:ff:ff:ff:ff"))
            .build();
    FlowPrinter p = printer(options(FlowPrinter.Format.COMPACT));
    assertThat(p.hostNames(arp)).containsExactly("02:00:00:00:00:01", "ff:ff:ff:ff:ff:ff");
    assertThat(p.compact(Flow.getDefaultInstance()))
        .isEqualTo("N/A:  (unknown) <>  (unknown) UNKNOWN VERDICT_UNKNOWN ()");
  }
}
