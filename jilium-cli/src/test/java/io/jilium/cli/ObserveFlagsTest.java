package io.jilium.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jilium.api.flow.EventTypeFilter;
import io.jilium.api.flow.FlowFilter;
import io.jilium.api.flow.IPVersion;
import io.jilium.api.flow.TCPFlags;
import io.jilium.api.flow.TrafficDirection;
import io.jilium.api.flow.Verdict;
import io.jilium.api.observer.GetFlowsRequest;
import io.jilium.cli.observe.FilterFlags;
import io.jilium.cli.observe.FlowPrinter;
import io.jilium.cli.observe.HubbleTime;
import java.time.Instant;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** {@code jilium observe} flags -> GetFlowsRequest, as {@code hubble observe} translates them. */
class ObserveFlagsTest {
  private static final Instant NOW = Instant.parse("2025-11-26T10:00:00Z");

  private static ObserveCommand parsed(String... args) {
    ObserveCommand c = new ObserveCommand();
    new CommandLine(c).parseArgs(args);
    c.prepare(NOW);
    return c;
  }

  private static GetFlowsRequest request(String... args) {
    return parsed(args).request();
  }

  private static FlowFilter filter(UnaryOperator<FlowFilter.Builder> f) {
    return f.apply(FlowFilter.newBuilder()).build();
  }

  private static void assertError(String message, String... args) {
    assertThatThrownBy(() -> request(args)).isInstanceOf(CliException.class).hasMessage(message);
  }

  // --- selectors -------------------------------------------------------------------------------

  @Test
  void plainObserveAsksForTheLast20() {
    GetFlowsRequest r = request();
    assertThat(r.getNumber()).isEqualTo(20);
    assertThat(r.getFollow()).isFalse();
    assertThat(r.getFirst()).isFalse();
    assertThat(r.hasSince()).isFalse();
    assertThat(r.getWhitelistList()).isEmpty();
    assertThat(r.getBlacklistList()).isEmpty();
  }

  @Test
  void followAloneAsksForNothingOld() {
    GetFlowsRequest r = request("-f");
    assertThat(r.getNumber()).isZero();
    assertThat(r.getFollow()).isTrue();
    assertThat(request("--follow", "--last", "5").getNumber()).isEqualTo(5);
  }

  @Test
  void lastFirstAll() {
    assertThat(request("--last", "100").getNumber()).isEqualTo(100);
    GetFlowsRequest first = request("--first", "3");
    assertThat(first.getNumber()).isEqualTo(3);
    assertThat(first.getFirst()).isTrue();
    // --all is the largest uint64
    assertThat(Long.toUnsignedString(request("--all").getNumber()))
        .isEqualTo("18446744073709551615");
  }

  @Test
  void sinceAndUntil() {
    GetFlowsRequest r = request("--since", "5m", "--until", "2025-11-26T09:58:00Z");
    assertThat(r.getSince())
        .isEqualTo(HubbleTime.toTimestamp(Instant.parse("2025-11-26T09:55:00Z")));
    assertThat(r.getUntil())
        .isEqualTo(HubbleTime.toTimestamp(Instant.parse("2025-11-26T09:58:00Z")));
    // a time range replaces the default count
    assertThat(r.getNumber()).isZero();
    // --until is not sent when following
    GetFlowsRequest f = request("--since", "1h", "--until", "1m", "-f");
    assertThat(f.hasUntil()).isFalse();
    assertThat(f.getSince().getSeconds()).isEqualTo(NOW.getEpochSecond() - 3600);
    // --all with a time range is not "last 2^64"
    assertThat(request("--all", "--since", "5m").getNumber()).isZero();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "--first 1 --last 2|cannot set both --first and --last",
        "--first 1 --all|cannot set both --first and --all",
        "--first 1 -f|cannot set both --first and --follow",
        "--last 1 --all|cannot set both --last and --all",
        "--last -2|--last -2 (expected: a number >= 1)"
      })
  void contradictorySelectors(String args, String message) {
    assertError(message, args.split(" "));
  }

  @Test
  void unreadableSince() {
    assertThatThrownBy(() -> request("--since", "yesterday"))
        .isInstanceOf(CliException.class)
        .hasMessageStartingWith("--since \"yesterday\" (expected: a duration back from now");
  }

  // --- filters ---------------------------------------------------------------------------------

  @Test
  void podMeansFromOrTo() {
    assertThat(request("--pod", "default/xwing").getWhitelistList())
        .containsExactly(
            filter(f -> f.addSourcePod("default/xwing")),
            filter(f -> f.addDestinationPod("default/xwing")));
  }

  @Test
  void fromAndToGoIntoOneFilter() {
    assertThat(
            request("--from-pod", "xwing", "--to-pod", "deathstar", "--to-port", "80")
                .getWhitelistList())
        .containsExactly(
            filter(
                f ->
                    f.addSourcePod("xwing")
                        .addDestinationPod("deathstar")
                        .addDestinationPort("80")));
  }

  @Test
  void bothSidedFlagsCombineWithOneSidedOnes() {
    assertThat(
            request("--ip", "1.2.3.4", "--ip", "5.6.7.8", "--verdict", "DROPPED")
                .getWhitelistList())
        .containsExactly(
            filter(
                f -> f.addSourceIp("1.2.3.4").addSourceIp("5.6.7.8").addVerdict(Verdict.DROPPED)),
            filter(
                f ->
                    f.addDestinationIp("1.2.3.4")
                        .addDestinationIp("5.6.7.8")
                        .addVerdict(Verdict.DROPPED)));
  }

  @Test
  void notMovesTheNextFlagToTheBlacklist() {
    GetFlowsRequest r =
        request(
            "--from-ip",
            "1.2.3.4",
            "--from-ip",
            "5.6.7.8",
            "--not",
            "--to-ip",
            "5.5.5.5",
            "--verdict",
            "DROPPED",
            "-t",
            "l7");
    assertThat(r.getWhitelistList())
        .containsExactly(
            filter(
                f ->
                    f.addSourceIp("1.2.3.4")
                        .addSourceIp("5.6.7.8")
                        .addVerdict(Verdict.DROPPED)
                        .addEventType(EventTypeFilter.newBuilder().setType(129))));
    assertThat(r.getBlacklistList()).containsExactly(filter(f -> f.addDestinationIp("5.5.5.5")));
  }

  @Test
  void negatedBothSidedFlagsGiveTwoBlacklistFilters() {
    GetFlowsRequest r =
        request(
            "--ip",
            "1.2.3.4",
            "--not",
            "--pod",
            "deathstar",
            "--not",
            "--http-status",
            "200",
            "--http-method",
            "get",
            "--node-name",
            "k8s*");
    assertThat(r.getWhitelistList())
        .containsExactly(
            filter(f -> f.addSourceIp("1.2.3.4").addHttpMethod("get").addNodeName("k8s*")),
            filter(f -> f.addDestinationIp("1.2.3.4").addHttpMethod("get").addNodeName("k8s*")));
    assertThat(r.getBlacklistList())
        .containsExactly(
            filter(f -> f.addSourcePod("deathstar").addHttpStatusCode("200")),
            filter(f -> f.addDestinationPod("deathstar").addHttpStatusCode("200")));
  }

  @Test
  void onlyNegatedFlagsLeaveTheWhitelistEmpty() {
    GetFlowsRequest r = request("--not", "--protocol", "icmp", "--not", "--protocol", "udp");
    assertThat(r.getWhitelistList()).isEmpty();
    assertThat(r.getBlacklistList())
        .containsExactly(filter(f -> f.addProtocol("icmp").addProtocol("udp")));
  }

  @Test
  void attachedValuesAndShortOptions() {
    GetFlowsRequest r = request("--from-port=8080", "-tdrop", "-l", "tier in (a,b)");
    assertThat(r.getWhitelistList())
        .containsExactly(
            filter(
                f ->
                    f.addSourcePort("8080")
                        .addEventType(EventTypeFilter.newBuilder().setType(1))
                        .addSourceLabel("tier in (a,b)")),
            filter(
                f ->
                    f.addSourcePort("8080")
                        .addEventType(EventTypeFilter.newBuilder().setType(1))
                        .addDestinationLabel("tier in (a,b)")));
  }

  @Test
  void namespaces() {
    assertThat(request("-n", "kube-system").getWhitelistList())
        .containsExactly(
            filter(f -> f.addSourcePod("kube-system/")),
            filter(f -> f.addDestinationPod("kube-system/")));
    assertThat(request("--pod", "coredns", "-n", "kube-system").getWhitelistList())
        .containsExactly(
            filter(f -> f.addSourcePod("kube-system/coredns")),
            filter(f -> f.addDestinationPod("kube-system/coredns")));
    assertThat(request("--from-namespace", "a", "--to-namespace", "b").getWhitelistList())
        .containsExactly(filter(f -> f.addSourcePod("a/").addDestinationPod("b/")));
    assertThat(request("-A", "--service", "kube-dns").getWhitelistList())
        .containsExactly(
            filter(f -> f.addSourceService("/kube-dns")),
            filter(f -> f.addDestinationService("/kube-dns")));
  }

  @Test
  void eventTypes() {
    assertThat(
            request(
                    "-t",
                    "trace:to-endpoint",
                    "-t",
                    "policy-verdict",
                    "-t",
                    "254",
                    "-t",
                    "255:127",
                    "-t",
                    "agent:policy-updated")
                .getWhitelist(0)
                .getEventTypeList())
        .containsExactly(
            EventTypeFilter.newBuilder().setType(4).setMatchSubType(true).setSubType(0).build(),
            EventTypeFilter.newBuilder().setType(5).build(),
            EventTypeFilter.newBuilder().setType(254).build(),
            EventTypeFilter.newBuilder().setType(255).setMatchSubType(true).setSubType(127).build(),
            EventTypeFilter.newBuilder().setType(130).setMatchSubType(true).setSubType(5).build());
  }

  @Test
  void valuesAreTranslated() {
    FlowFilter f =
        request(
                "--identity",
                "world",
                "--tcp-flags",
                "syn,ACK",
                "--ipv4",
                "--traffic-direction",
                "Ingress",
                "--drop-reason-desc",
                "policy_denied")
            .getWhitelist(0);
    assertThat(f.getSourceIdentityList()).containsExactly(2);
    assertThat(f.getTcpFlagsList())
        .containsExactly(TCPFlags.newBuilder().setSYN(true).setACK(true).build());
    assertThat(f.getIpVersionList()).containsExactly(IPVersion.IPv4);
    assertThat(f.getTrafficDirectionList()).containsExactly(TrafficDirection.INGRESS);
    assertThat(f.getDropReasonDescList())
        .containsExactly(io.jilium.api.flow.DropReason.POLICY_DENIED);
    assertThat(request("--to-identity", "0x100").getWhitelist(0).getDestinationIdentityList())
        .containsExactly(256);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "--port http|--port \"http\": invalid port (expected: a number 0-65535)",
        "--to-port 65536|--to-port \"65536\": invalid port (expected: a number 0-65535)",
        "--ip 10.0.0.256|--ip \"10.0.0.256\": invalid IP address (expected: an address like"
            + " 10.0.0.1 or fd00::1, or a CIDR like 10.0.0.0/8)",
        "--from-ip 10.0.0.0/33|--from-ip \"10.0.0.0/33\": invalid CIDR (expected:"
            + " ADDRESS/PREFIX-LENGTH with a length 0-32)",
        "--verdict DROP|--verdict \"DROP\": expected one of: FORWARDED, DROPPED, AUDIT, REDIRECTED,"
            + " ERROR, TRACED, TRANSLATED",
        "--http-status 6xx|--http-status \"6xx\": expected: a status code like 404 or a prefix like"
            + " 4+ or 40+",
        "--protocol quic|--protocol \"quic\": unknown protocol (expected: tcp, udp, sctp, icmp,"
            + " icmpv4, icmpv6, dns, http or kafka)",
        "--traffic-direction in|--traffic-direction \"in\": expected: ingress or egress",
        "--tcp-flags syn,fyn|--tcp-flags \"syn,fyn\": unknown TCP flag \"fyn\" (expected:"
            + " comma-separated SYN, ACK, FIN, RST, PSH, URG, ECE, CWR, NS)",
        "-t trace:nowhere|--type \"trace:nowhere\": unknown sub type \"nowhere\" (expected:"
            + " to-endpoint, to-proxy, to-host, to-stack, to-overlay, from-endpoint, from-proxy,"
            + " from-host, from-stack, from-overlay, from-network, to-network, from-crypto,"
            + " to-crypto or a number)",
        "-t bogus|--type \"bogus\": unknown event type \"bogus\" (expected: TYPE[:SUBTYPE] with"
            + " TYPE one of drop, debug, capture, trace, policy-verdict, recorder, trace-sock, l7,"
            + " agent or a number)",
        "--identity nobody|--identity \"nobody\": invalid security identity (expected one of host,"
            + " world, unmanaged, health, init, remote-node, kube-apiserver, ingress, world-ipv4,"
            + " world-ipv6 or a number)",
        "--http-path /a(b|--http-path \"/a(b\": invalid regular expression: Unclosed group",
        "--ip-version 5|--ip-version \"5\": expected: none, v4 or v6",
        "--ip 1.1.1.1 --from-ip 2.2.2.2|filters --from-ip and --ip cannot be combined",
        "--port 80 --to-port 81|filters --port and --to-port cannot be combined",
        "--from-pod a -n b|filters --from-pod and --namespace cannot be combined",
        "--pod x/a -n b|namespace conflict: \"b\" does not contain \"x/a\"",
        "--not --not --pod a|--not: consecutive --not (each --not negates one filter flag)",
        "--pod a --not|--not: trailing --not (expected a filter flag after it, e.g. --not --verdict"
            + " DROPPED)",
        "-o xml|--output \"xml\" (expected one of: compact, dict, json, jsonpb, table)",
        "-o table -f|--output table cannot be combined with --follow (a table is printed at the"
            + " end; use compact or dict)",
        "--color sometimes|--color \"sometimes\" (expected: auto, always or never)",
        "--time-format iso|--time-format \"iso\" (expected one of: StampMilli, YearMonthDay,"
            + " YearMonthDayHour, YearMonthDayHourMinute, RFC3339, RFC3339Milli, RFC3339Micro,"
            + " RFC3339Nano, RFC1123Z)"
      })
  void badValuesNameTheFlagTheValueAndTheExpectation(String args, String message) {
    assertError(message, args.split(" "));
  }

  @Test
  void aFilterFlagWithoutValueIsAParseError() {
    ObserveCommand c = new ObserveCommand();
    assertThatThrownBy(() -> new CommandLine(c).parseArgs("--verdict", "DROPPED", "--pod"))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessage("Missing required parameter for option '--pod' ([NS/]POD)");
  }

  @Test
  void printingOptions() {
    FlowPrinter.Options o =
        parsed(
                "-o",
                "JSONPB",
                "--color",
                "always",
                "--print-node-name",
                "--print-policy-names",
                "--numeric")
            .printing();
    assertThat(o.format()).isEqualTo(FlowPrinter.Format.JSONPB);
    assertThat(o.color()).isTrue();
    assertThat(o.nodeName()).isTrue();
    assertThat(o.policyNames()).isTrue();
    assertThat(o.numeric()).isTrue();
    assertThat(parsed().printing().format()).isEqualTo(FlowPrinter.Format.COMPACT);
    assertThat(parsed("--color", "never").printing().color()).isFalse();
  }

  @Test
  void rawFilters() {
    assertThat(
            ObserveCommand.rawFilters(request("--pod", "xwing", "--not", "--verdict", "DROPPED")))
        .isEqualTo(
            """
            allowlist:
                - '{"source_pod":["xwing"]}'
                - '{"destination_pod":["xwing"]}'
            denylist:
                - '{"verdict":["DROPPED"]}'
            """);
    assertThat(ObserveCommand.rawFilters(request())).isEmpty();
  }

  @Test
  void everyFilterFlagIsAnOption() {
    CommandLine cl = new CommandLine(new ObserveCommand());
    List<String> missing =
        FilterFlags.names().stream()
            .filter(n -> cl.getCommandSpec().findOption("--" + n) == null)
            .toList();
    assertThat(missing).as("filter flags without an option").isEmpty();
  }
}
