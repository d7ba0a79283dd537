package io.jilium.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.jilium.api.flow.LostEventSource;
import io.jilium.api.flow.TraceObservationPoint;
import io.jilium.api.observer.GetFlowsRequest;
import io.jilium.api.observer.GetFlowsResponse;
import io.jilium.cli.rpc.UnixGrpcChannel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An agent whose events ring buffer is one page and which traces every packet: a burst of pings
 * overruns its reader, and the loss is counted in the kernel and reported as a loss notice in the
 * flow stream and in Hubble's lost_events_total. Hubble's and the agent's metrics are served on
 * their own addresses.
 */
@Tag("kernel")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class FlowLossAndMetricsKernelTest {
  private static final int HUBBLE_PORT = freePort();
  private static final int AGENT_PORT = freePort();
  private static final int HUBBLE_API_PORT = freePort();

  @RegisterExtension
  static final AgentFixture agent =
      new AgentFixture(
          "--bpf-events-ring-size",
          "4096",
          "--monitor-aggregation",
          "none",
          "--hubble-metrics-server",
          "127.0.0.1:" + HUBBLE_PORT,
          "--prometheus-serve-addr",
          "127.0.0.1:" + AGENT_PORT,
          "--hubble-listen-address",
          "127.0.0.1:" + HUBBLE_API_PORT);

  /** An ordinary grpc-java client with the generated stub, as Hubble's tools are, over TCP. */
  @Test
  void theObserverApiAnswersAStockGrpcClientOverTcp() throws Exception {
    io.grpc.ManagedChannel ch = hubbleChannel();
    try {
      var stub = io.jilium.api.observer.ObserverGrpc.newBlockingStub(ch);
      var status =
          stub.serverStatus(io.jilium.api.observer.ServerStatusRequest.getDefaultInstance());
      assertThat(status.getMaxFlows()).isEqualTo(4095);
      var nodes = stub.getNodes(io.jilium.api.observer.GetNodesRequest.getDefaultInstance());
      assertThat(nodes.getNodesList())
          .extracting(io.jilium.api.observer.Node::getName)
          .containsExactly(agent.node());
      Pod a = agent.podRun("tcp/a", "app=a");
      Pod b = agent.podRun("tcp/b", "app=b");
      Net.assertPingAllowed(a, b.ipv4());
      var flows =
          stub.getFlows(
              GetFlowsRequest.newBuilder()
                  .setNumber(5)
                  .addWhitelist(io.jilium.api.flow.FlowFilter.newBuilder().addSourcePod("tcp/a"))
                  .build());
      int n = 0;
      while (flows.hasNext()) {
        GetFlowsResponse r = flows.next();
        if (r.hasFlow()) {
          assertThat(r.getFlow().getSource().getPodName()).isEqualTo("a");
          n++;
        }
      }
      assertThat(n).isBetween(1, 5);
    } finally {
      ch.shutdownNow();
    }
  }

  /**
   * With aggregation off, a packet between two pods of the node is traced where it leaves the
   * sender, where the sender hands it to the stack and where it is delivered; with aggregation (see
   * FlowsKernelTest) only where it is delivered. Every trace names the destination's identity, the
   * one where the packet leaves the pod too.
   */
  @Test
  void withoutAggregationAPacketBetweenPodsIsTracedAtEachObservationPoint() throws Exception {
    Pod a = agent.podRun("points/a", "app=a");
    Pod b = agent.podRun("points/b", "app=b");
    Matcher src =
        Pattern.compile(" src (\\S+)").matcher(Host.run("ip", "-4", "route", "get", "1.1.1.1"));
    assertThat(src.find()).as("the host's own address").isTrue();
    String host = src.group(1);
    var start = FlowsKernelTest.now();
    Net.assertPingAllowed(a, b.ipv4());
    Net.assertPingAllowed(a, host);

    assertThat(echoRequestTraces(start, a.ipv4(), b.ipv4()))
        .containsOnly(
            Map.entry(TraceObservationPoint.FROM_ENDPOINT, b.identity()),
            Map.entry(TraceObservationPoint.TO_STACK, b.identity()),
            Map.entry(TraceObservationPoint.TO_ENDPOINT, b.identity()));
    int hostIdentity = 1;
    assertThat(echoRequestTraces(start, a.ipv4(), host))
        .containsOnly(
            Map.entry(TraceObservationPoint.FROM_ENDPOINT, hostIdentity),
            Map.entry(TraceObservationPoint.TO_STACK, hostIdentity));
  }

  /** A plaintext channel to the agent's Hubble API on TCP, as Hubble's tools open one. */
  private static io.grpc.ManagedChannel hubbleChannel() {
    return io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder.forAddress(
            "127.0.0.1", HUBBLE_API_PORT)
        .usePlaintext()
        .build();
  }

  /**
   * The observation points of the traced ICMPv4 echo requests from -> to, with their destination
   * identity.
   */
  private static Map<TraceObservationPoint, Integer> echoRequestTraces(
      com.google.protobuf.Timestamp since, String from, String to) {
    io.grpc.ManagedChannel ch = hubbleChannel();
    try {
      var flows =
          io.jilium.api.observer.ObserverGrpc.newBlockingStub(ch)
              .getFlows(
                  GetFlowsRequest.newBuilder()
                      .setSince(since)
                      .addWhitelist(
                          io.jilium.api.flow.FlowFilter.newBuilder()
                              .addSourceIp(from)
                              .addDestinationIp(to)
                              .addEventType(
                                  io.jilium.api.flow.EventTypeFilter.newBuilder().setType(4)))
                      .build());
      Map<TraceObservationPoint, Integer> points =
          new java.util.EnumMap<>(TraceObservationPoint.class);
      while (flows.hasNext()) {
        GetFlowsResponse r = flows.next();
        if (r.hasFlow() && r.getFlow().getL4().getICMPv4().getType() == 8) {
          points.put(
              r.getFlow().getTraceObservationPoint(), r.getFlow().getDestination().getIdentity());
        }
      }
      return points;
    } finally {
      ch.shutdownNow();
    }
  }

  @Test
  void aFloodOverrunsTheRingAndTheLossIsReported() throws Exception {
    Pod a = agent.podRun("loss/a", "app=a");
    Pod b = agent.podRun("loss/b", "app=b");
    try (Proc flood =
        Proc.start(Net.argv(a.netns(), "ping", "-f", "-q", "-c", "3000", "-s", "16", b.ipv4()))) {
      flood.closeStdin();
      assertThat(flood.waitForOrFail(Duration.ofSeconds(60))).as(flood.stderr()).isZero();
    }
    long kernel = agent.status().path("lostEvents").asLong();
    assertThat(kernel).as("the kernel counted lost notifications").isPositive();

    // the agent turns the kernel's count into loss notices once a second
    long reported = 0;
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (reported < kernel && System.nanoTime() < deadline) {
      reported = lostInStream();
    }
    assertThat(reported).as("lost events in the flow stream").isEqualTo(kernel);
    assertThat(metric(HUBBLE_PORT, "hubble_lost_events_total", "source=\"PERF_EVENT_RING_BUFFER\""))
        .isEqualTo(kernel);
    assertThat(metric(AGENT_PORT, "jilium_datapath_lost_events_total", "")).isEqualTo(kernel);
  }

  @Test
  void hubbleAndAgentMetricsCountWhatHappened() throws Exception {
    Pod web = Net.serverPod(agent, "met/web", "app=web");
    Pod client = agent.podRun("met/client", "app=client");
    agent.apply(
        """
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata:
          name: web-but-not-8080
          namespace: met
        spec:
          endpointSelector:
            matchLabels:
              app: web
          ingress:
          - fromEntities: [all]
          ingressDeny:
          - fromEndpoints:
            - matchLabels:
                app: client
            toPorts:
            - ports:
              - port: "8080"
                protocol: TCP
        """);
    Net.assertTcpAllowed(client, web.ipv4(), Net.HTTP);
    Net.assertTcpDropped(client, web.ipv4(), Net.ALT);

    assertThat(
            metric(
                HUBBLE_PORT,
                "hubble_flows_processed_total",
                "protocol=\"TCP\",subtype=\"to-endpoint\",type=\"Trace\",verdict=\"FORWARDED\""))
        .isPositive();
    assertThat(metric(HUBBLE_PORT, "hubble_drop_total", "protocol=\"TCP\",reason=\"POLICY_DENY\""))
        .isPositive();
    assertThat(metric(HUBBLE_PORT, "hubble_tcp_flags_total", "family=\"IPv4\",flag=\"SYN\""))
        .isPositive();
    assertThat(
            metric(HUBBLE_PORT, "hubble_port_distribution_total", "port=\"80\",protocol=\"TCP\""))
        .isPositive();
    assertThat(metric(AGENT_PORT, "cilium_endpoint", "")).isEqualTo(agent.pods().size());
    assertThat(metric(AGENT_PORT, "cilium_policy", "")).isEqualTo(1);
    assertThat(
            metric(
                AGENT_PORT,
                "cilium_drop_count_total",
                "direction=\"INGRESS\",reason=\"Policy denied by denylist\""))
        .isPositive();
  }

  private static long lostInStream() throws Exception {
    long[] lost = {0};
    try (UnixGrpcChannel ch = new UnixGrpcChannel(agent.socket())) {
      ch.call(
          "/observer.Observer/GetFlows",
          GetFlowsRequest.getDefaultInstance().toByteArray(),
          m -> {
            try {
              GetFlowsResponse r = GetFlowsResponse.parseFrom(m);
              if (r.hasLostEvents()
                  && r.getLostEvents().getSource() == LostEventSource.PERF_EVENT_RING_BUFFER) {
                lost[0] += r.getLostEvents().getNumEventsLost();
              }
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
              throw new AssertionError(e);
            }
            return true;
          });
    }
    return lost[0];
  }

  /** The value of one sample of a metric, from the Prometheus text format. */
  static long metric(int port, String name, String labels) throws Exception {
    String body =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    String series = labels.isEmpty() ? name : name + "{" + labels + "}";
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+-]+)$").matcher(body);
    if (!m.find()) {
      throw new AssertionError("no sample " + series + " in:\n" + body);
    }
    return (long) Double.parseDouble(m.group(1));
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
