package io.jilium.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.jilium.api.flow.Flow;
import io.jilium.api.flow.FlowFilter;
import io.jilium.api.flow.Policy;
import io.jilium.api.flow.TraceObservationPoint;
import io.jilium.api.flow.TraceReason;
import io.jilium.api.flow.TrafficDirection;
import io.jilium.api.flow.Verdict;
import io.jilium.api.observer.GetFlowsRequest;
import io.jilium.api.observer.GetFlowsResponse;
import io.jilium.api.observer.ServerStatusRequest;
import io.jilium.api.observer.ServerStatusResponse;
import io.jilium.cli.rpc.UnixGrpcChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Flows for known traffic, read through Hubble's Observer API on the agent's socket: policy
 * verdicts with the policies that decided, traces at the observation points with direction and
 * reply, drops with their reason, both endpoints named, IPv4 and IPv6, TCP and ICMP; monitor
 * aggregation keeps an established connection's traces bounded.
 */
@Tag("kernel")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class FlowsKernelTest {
  @RegisterExtension static final AgentFixture agent = new AgentFixture();

  private static final String GET_FLOWS = "/observer.Observer/GetFlows";

  private static final String POLICY =
      """
      apiVersion: cilium.io/v2
      kind: CiliumNetworkPolicy
      metadata:
        name: web-from-client
        namespace: flows
      spec:
        endpointSelector:
          matchLabels:
            app: web
        ingress:
        - fromEndpoints:
          - matchLabels:
              app: client
          toPorts:
          - ports:
            - port: "80"
              protocol: TCP
          icmps:
          - fields:
            - type: EchoRequest
              family: IPv6
      """;

  @Test
  void anAllowedConnectionHasAVerdictTracesBothWaysAndNamedEnds() throws Exception {
    Pod web = Net.serverPod(agent, "flows/web", "app=web");
    Pod client = agent.podRun("flows/client", "app=client");
    agent.apply(POLICY);
    Timestamp start = now();
    Net.assertTcpAllowed(client, web.ipv4(), Net.HTTP);

    List<Flow> flows = flowsBetween(start, client.ipv4(), web.ipv4());
    Flow verdict =
        one(
            flows,
            f -> f.getEventType().getType() == 5,
            "the policy verdict of the new connection");
    assertThat(verdict.getVerdict()).isEqualTo(Verdict.FORWARDED);
    assertThat(verdict.getTrafficDirection()).isEqualTo(TrafficDirection.INGRESS);
    assertThat(verdict.getPolicyMatchType()).as("L3-L4 match").isEqualTo(2);
    assertThat(verdict.getIngressAllowedByList())
        .extracting(Policy::getKind, Policy::getNamespace, Policy::getName)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("CiliumNetworkPolicy", "flows", "web-from-client"));
    assertThat(verdict.getSource().getPodName()).isEqualTo("client");
    assertThat(verdict.getDestination().getPodName()).isEqualTo("web");

    Flow syn =
        one(
            flows,
            f ->
                f.getTraceObservationPoint() == TraceObservationPoint.TO_ENDPOINT
                    && f.getIP().getDestination().equals(web.ipv4())
                    && f.getL4().getTCP().getFlags().getSYN(),
            "the SYN delivered to web");
    assertThat(syn.getVerdict()).isEqualTo(Verdict.FORWARDED);
    assertThat(syn.getTraceReason()).isEqualTo(TraceReason.NEW);
    assertThat(syn.getIsReply().getValue()).isFalse();
    assertThat(syn.getTrafficDirection()).isEqualTo(TrafficDirection.INGRESS);
    assertThat(syn.getSource().getIdentity()).isEqualTo(client.identity());
    assertThat(syn.getSource().getNamespace()).isEqualTo("flows");
    assertThat(syn.getSource().getLabelsList()).contains("k8s:app=client");
    assertThat(syn.getDestination().getIdentity()).isEqualTo(web.identity());
    assertThat(syn.getDestination().getID()).isEqualTo(web.endpointId());
    assertThat(syn.getL4().getTCP().getDestinationPort()).isEqualTo(Net.HTTP);
    assertThat(syn.getNodeName()).isEqualTo(agent.node());
    assertThat(syn.getInterface().getName()).isEqualTo(web.interfaceName());

    Flow synAck =
        one(
            flows,
            f ->
                f.getTraceObservationPoint() == TraceObservationPoint.TO_ENDPOINT
                    && f.getIP().getDestination().equals(client.ipv4())
                    && f.getL4().getTCP().getFlags().getSYN(),
            "the SYN-ACK delivered to client");
    assertThat(synAck.getL4().getTCP().getFlags().getACK()).isTrue();
    assertThat(synAck.getIsReply().getValue()).isTrue();
    assertThat(synAck.getTraceReason()).isEqualTo(TraceReason.REPLY);
    assertThat(synAck.getTrafficDirection())
        .as("a reply on client's own connection")
        .isEqualTo(TrafficDirection.EGRESS);

    assertThat(flows)
        .as(
            "between two pods of one node a packet is traced where it is delivered, not also where"
                + " it leaves the sender (as Cilium reports local delivery)")
        .noneMatch(f -> f.getTraceObservationPoint() == TraceObservationPoint.TO_STACK);
    assertThat(flows).noneMatch(f -> f.getVerdict() == Verdict.DROPPED);

    // what tells the sender's program: the ipcache marks this node's pods
    java.util.Map<String, String> flags = new java.util.HashMap<>();
    agent
        .json("bpf", "ipcache", "list", "-o", "json")
        .forEach(e -> flags.put(e.path("prefix").asText(), e.path("flags").asText()));
    assertThat(flags)
        .containsEntry(web.ipv4() + "/32", "local-endpoint")
        .containsEntry(client.ipv6() + "/128", "local-endpoint")
        .containsEntry("0.0.0.0/0", "");
  }

  @Test
  void aConnectionLeavingTheNodeIsTracedToTheStack() throws Exception {
    Pod client = agent.podRun("flows/client6", "app=client");
    try (ExternalPeer outside = ExternalPeer.create("jlf-")) {
      Timestamp start = now();
      Reachability.Cell c =
          Prober.tcp(
              Prober.Peer.of(client),
              java.net.InetAddress.getByName(outside.address()),
              ExternalPeer.PORTS.getFirst(),
              Duration.ofSeconds(5));
      assertThat(c.outcome()).as(c.detail()).isEqualTo(Reachability.Outcome.ANSWERED);

      List<Flow> flows = flowsBetween(start, client.ipv4(), outside.address());
      Flow syn =
          one(
              flows,
              f ->
                  f.getTraceObservationPoint() == TraceObservationPoint.TO_STACK
                      && f.getL4().getTCP().getFlags().getSYN()
                      && !f.getL4().getTCP().getFlags().getACK(),
              "the SYN handed to the stack");
      assertThat(syn.getIP().getSource()).isEqualTo(client.ipv4());
      assertThat(syn.getTrafficDirection()).isEqualTo(TrafficDirection.EGRESS);
      assertThat(syn.getTraceReason()).isEqualTo(TraceReason.NEW);
      assertThat(syn.getSource().getPodName()).isEqualTo("client6");
      assertThat(syn.getDestination().getLabelsList())
          .anyMatch(l -> l.startsWith("reserved:world"));
      assertThat(flows)
          .as("the SYN-ACK delivered to client")
          .anyMatch(
              f ->
                  f.getTraceObservationPoint() == TraceObservationPoint.TO_ENDPOINT
                      && f.getL4().getTCP().getFlags().getSYN()
                      && f.getL4().getTCP().getFlags().getACK());
    }
  }

  @Test
  void aDeniedConnectionHasADeniedVerdictAndAPolicyDrop() throws Exception {
    Pod web = Net.serverPod(agent, "flows/web2", "app=web");
    Pod intruder = agent.podRun("flows/intruder", "app=intruder");
    agent.apply(POLICY);
    Timestamp start = now();
    Net.assertTcpDropped(intruder, web.ipv4(), Net.HTTP);

    List<Flow> flows = flowsBetween(start, intruder.ipv4(), web.ipv4());
    assertThat(flows)
        .as("denied: a policy verdict with no matching rule")
        .anyMatch(
            f ->
                f.getEventType().getType() == 5
                    && f.getVerdict() == Verdict.DROPPED
                    && f.getPolicyMatchType() == 0
                    && f.getTrafficDirection() == TrafficDirection.INGRESS
                    && f.getDropReasonDescValue() == 133);
    Flow drop =
        flows.stream()
            .filter(f -> f.getEventType().getType() == 1)
            .findFirst()
            .orElseThrow(() -> new AssertionError("no drop flow in " + flows));
    assertThat(drop.getVerdict()).isEqualTo(Verdict.DROPPED);
    assertThat(drop.getDropReasonDesc().name()).isEqualTo("POLICY_DENIED");
    assertThat(drop.getSource().getPodName()).isEqualTo("intruder");
    assertThat(drop.getDestination().getPodName()).isEqualTo("web2");
    assertThat(drop.getTrafficDirection()).isEqualTo(TrafficDirection.INGRESS);
    assertThat(flows)
        .noneMatch(f -> f.getTraceObservationPoint() == TraceObservationPoint.TO_ENDPOINT);
  }

  @Test
  void aDenyRuleIsNamedOnTheDrop() throws Exception {
    Pod web = Net.serverPod(agent, "flows/web3", "app=web");
    Pod client = agent.podRun("flows/client3", "app=client");
    agent.apply(POLICY);
    agent.apply(
        """
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata:
          name: no-clients
          namespace: flows
        spec:
          endpointSelector:
            matchLabels:
              app: web
          ingressDeny:
          - fromEndpoints:
            - matchLabels:
                app: client
        """);
    Timestamp start = now();
    Net.assertTcpDropped(client, web.ipv4(), Net.HTTP);

    List<Flow> flows = flowsBetween(start, client.ipv4(), web.ipv4());
    // the client retransmits its SYN while it waits: one drop and one verdict per attempt
    Flow drop = first(flows, f -> f.getEventType().getType() == 1, "a drop");
    assertThat(drop.getDropReasonDesc().name()).isEqualTo("POLICY_DENY");
    assertThat(drop.getIngressDeniedByList())
        .extracting(Policy::getName)
        .containsExactly("no-clients");
    Flow verdict = first(flows, f -> f.getEventType().getType() == 5, "a verdict");
    assertThat(verdict.getVerdict()).isEqualTo(Verdict.DROPPED);
    assertThat(verdict.getPolicyMatchType()).as("L3 only: the deny names no ports").isEqualTo(1);
    assertThat(verdict.getIngressDeniedByList())
        .extracting(Policy::getName)
        .containsExactly("no-clients");
  }

  @Test
  void icmpv6EchoHasTracesBothWays() throws Exception {
    Pod web = Net.serverPod(agent, "flows/web4", "app=web");
    Pod client = agent.podRun("flows/client4", "app=client");
    agent.apply(POLICY);
    Timestamp start = now();
    Net.assertPingAllowed(client, web.ipv6());

    List<Flow> flows = flowsBetween(start, client.ipv6(), web.ipv6());
    Flow request =
        one(
            flows,
            f ->
                f.getTraceObservationPoint() == TraceObservationPoint.TO_ENDPOINT
                    && f.getL4().getICMPv6().getType() == 128,
            "the echo request delivered to web");
    assertThat(request.getIP().getIpVersionValue()).as("IPv6").isEqualTo(2);
    assertThat(request.getSource().getPodName()).isEqualTo("client4");
    Flow reply =
        one(
            flows,
            f ->
                f.getTraceObservationPoint() == TraceObservationPoint.TO_ENDPOINT
                    && f.getL4().getICMPv6().getType() == 129,
            "the echo reply delivered to client");
    assertThat(reply.getIsReply().getValue()).isTrue();
    assertThat(flows)
        .anyMatch(f -> f.getEventType().getType() == 5 && f.getL4().getICMPv6().getType() == 128);
  }

  @Test
  void anEstablishedConnectionIsTracedOnItsFlagsNotPerPacket() throws Exception {
    Pod web = Net.serverPod(agent, "flows/web5", "app=web");
    Pod client = agent.podRun("flows/client5", "app=client");
    Timestamp start = now();
    try (Net.Connection c = Net.Connection.open(client, web.ipv4(), Net.ECHO)) {
      for (int i = 0; i < 50; i++) {
        c.assertFlows();
      }
    }
    List<Flow> traces =
        flowsBetween(start, client.ipv4(), web.ipv4()).stream()
            .filter(f -> f.getEventType().getType() == 4)
            .toList();
    // 50 round trips are 100+ packets each way; medium aggregation traces the first packet,
    // the first SYN-ACK and the FIN/RST of each direction, each where it is delivered
    assertThat(traces.size()).as("traces: %s", traces).isBetween(3, 8);
    assertThat(traces)
        .anyMatch(
            f -> f.getL4().getTCP().getFlags().getFIN() || f.getL4().getTCP().getFlags().getRST());
  }

  @Test
  void observeJsonShowsTheSameFlows() throws Exception {
    Pod web = Net.serverPod(agent, "flows/web6", "app=web");
    Pod client = agent.podRun("flows/client6", "app=client");
    Pod intruder = agent.podRun("flows/intruder6", "app=intruder");
    agent.apply(POLICY);
    String since = java.time.Instant.now().minusSeconds(1).toString();
    Net.assertTcpAllowed(client, web.ipv4(), Net.HTTP);
    Net.assertTcpDropped(intruder, web.ipv4(), Net.HTTP);

    List<com.fasterxml.jackson.databind.JsonNode> allowed =
        observeJson("--since", since, "--from-pod", "flows/client6", "--to-pod", "flows/web6");
    assertThat(allowed)
        .as("the SYN delivered to web")
        .anyMatch(
            j ->
                j.path("verdict").asText().equals("FORWARDED")
                    && j.path("trace_observation_point").asText().equals("TO_ENDPOINT")
                    && j.path("source").path("pod_name").asText().equals("client6")
                    && j.path("destination").path("pod_name").asText().equals("web6")
                    && j.path("l4").path("TCP").path("flags").path("SYN").asBoolean()
                    && j.path("is_reply").asText().equals("false"));
    assertThat(allowed)
        .as("the verdict names the policy")
        .anyMatch(
            j ->
                j.path("event_type").path("type").asInt() == 5
                    && j.path("ingress_allowed_by")
                        .path(0)
                        .path("name")
                        .asText()
                        .equals("web-from-client"));

    List<com.fasterxml.jackson.databind.JsonNode> dropped =
        observeJson("--since", since, "--verdict", "DROPPED", "--from-pod", "flows/intruder6");
    assertThat(dropped).isNotEmpty();
    assertThat(dropped).allMatch(j -> j.path("verdict").asText().equals("DROPPED"));
    assertThat(dropped)
        .anyMatch(
            j ->
                j.path("drop_reason_desc").asText().equals("POLICY_DENIED")
                    && j.path("destination").path("pod_name").asText().equals("web6")
                    && j.path("traffic_direction").asText().equals("INGRESS"));
    // --not turns the next filter into a denylist entry
    assertThat(
            observeJson(
                "--since", since, "--from-pod", "flows/intruder6", "--not", "--verdict", "DROPPED"))
        .noneMatch(j -> j.path("verdict").asText().equals("DROPPED"));
  }

  private static List<com.fasterxml.jackson.databind.JsonNode> observeJson(String... filters)
      throws Exception {
    List<String> args = new ArrayList<>(List.of("observe", "-o", "json"));
    args.addAll(List.of(filters));
    CliResult r = agent.cli(args.toArray(String[]::new)).assertOk();
    List<com.fasterxml.jackson.databind.JsonNode> out = new ArrayList<>();
    com.fasterxml.jackson.databind.ObjectMapper json =
        new com.fasterxml.jackson.databind.ObjectMapper();
    for (String line : r.stdout().strip().split("\n")) {
      if (!line.isBlank()) {
        out.add(json.readTree(line));
      }
    }
    return out;
  }

  @Test
  void serverStatusCountsTheBuffer() throws Exception {
    try (UnixGrpcChannel ch = new UnixGrpcChannel(agent.socket())) {
      ServerStatusResponse s =
          ServerStatusResponse.parseFrom(
              ch.unary(
                  "/observer.Observer/ServerStatus",
                  ServerStatusRequest.getDefaultInstance().toByteArray()));
      assertThat(s.getMaxFlows()).isEqualTo(4095);
      assertThat(s.getNumFlows()).isLessThanOrEqualTo(s.getMaxFlows());
      assertThat(s.getNumConnectedNodes().getValue()).isEqualTo(1);
    }
  }

  // ---- helpers ----

  static Timestamp now() {
    long ms = System.currentTimeMillis();
    return Timestamp.newBuilder()
        .setSeconds(ms / 1000)
        .setNanos((int) (ms % 1000) * 1_000_000)
        .build();
  }

  /** Every flow since {@code start} between two addresses (either way), via GetFlows. */
  static List<Flow> flowsBetween(Timestamp start, String a, String b) throws Exception {
    GetFlowsRequest req =
        GetFlowsRequest.newBuilder()
            .setSince(start)
            .addWhitelist(FlowFilter.newBuilder().addSourceIp(a).addDestinationIp(b))
            .addWhitelist(FlowFilter.newBuilder().addSourceIp(b).addDestinationIp(a))
            .build();
    List<Flow> out = new ArrayList<>();
    try (UnixGrpcChannel ch = new UnixGrpcChannel(agent.socket())) {
      ch.call(
          GET_FLOWS,
          req.toByteArray(),
          m -> {
            try {
              GetFlowsResponse r = GetFlowsResponse.parseFrom(m);
              if (r.hasFlow()) {
                out.add(r.getFlow());
              }
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
              throw new AssertionError(e);
            }
            return true;
          });
    }
    // the filter is the server's; the addresses are checked here as well
    for (Flow f : out) {
      String s = f.getIP().getSource();
      String d = f.getIP().getDestination();
      assertThat((s.equals(a) && d.equals(b)) || (s.equals(b) && d.equals(a)))
          .as("server-side filter let through %s -> %s", s, d)
          .isTrue();
    }
    return out;
  }

  private static Flow first(List<Flow> flows, Predicate<Flow> p, String what) {
    return flows.stream()
        .filter(p)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + what + " among " + flows));
  }

  private static Flow one(List<Flow> flows, Predicate<Flow> p, String what) {
    List<Flow> matching = flows.stream().filter(p).toList();
    assertThat(matching).as("%s among %s", what, flows).hasSize(1);
    return matching.getFirst();
  }
}
