package io.jilium.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.BoolValue;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.jilium.api.flow.CiliumEventType;
import io.jilium.api.flow.Endpoint;
import io.jilium.api.flow.Flow;
import io.jilium.api.flow.IP;
import io.jilium.api.flow.Layer4;
import io.jilium.api.flow.LostEvent;
import io.jilium.api.flow.LostEventSource;
import io.jilium.api.flow.TCP;
import io.jilium.api.flow.TCPFlags;
import io.jilium.api.flow.Verdict;
import io.jilium.api.observer.GetFlowsRequest;
import io.jilium.api.observer.GetFlowsResponse;
import io.jilium.api.observer.ObserverGrpc;
import io.jilium.api.observer.ServerStatusRequest;
import io.jilium.api.observer.ServerStatusResponse;
import io.jilium.cli.rpc.UnixGrpcChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code jilium observe} end to end against a stand-in Observer service on a Unix socket. */
class ObserveCommandTest {
  private final List<GetFlowsRequest> requests = new CopyOnWriteArrayList<>();
  private StandInAgent agent;
  private Path dir;
  private Path socket;

  @BeforeEach
  void start() {
    agent = new StandInAgent(new StandIn());
    dir = agent.dir();
    socket = agent.socket();
  }

  @AfterEach
  void stop() throws Exception {
    agent.close();
  }

  private static Flow flow(int sport, Verdict verdict) {
    return Flow.newBuilder()
        .setTime(
            com.google.protobuf.Timestamp.newBuilder().setSeconds(1764151201).setNanos(5_000_000))
        .setNodeName("node1")
        .setVerdict(verdict)
        .setIP(IP.newBuilder().setSource("10.0.0.5").setDestination("10.0.0.9"))
        .setL4(
            Layer4.newBuilder()
                .setTCP(
                    TCP.newBuilder()
                        .setSourcePort(sport)
                        .setDestinationPort(80)
                        .setFlags(TCPFlags.newBuilder().setACK(true))))
        .setSource(
            Endpoint.newBuilder().setNamespace("default").setPodName("xwing").setIdentity(300))
        .setDestination(
            Endpoint.newBuilder().setNamespace("default").setPodName("deathstar").setIdentity(301))
        .setEventType(CiliumEventType.newBuilder().setType(4).setSubType(0))
        .setIsReply(BoolValue.of(false))
        .build();
  }

  /** Answers GetFlows with two flows and a loss notice; ServerStatus with fixed figures. */
  private final class StandIn extends ObserverGrpc.ObserverImplBase {
    @Override
    public void getFlows(GetFlowsRequest r, StreamObserver<GetFlowsResponse> o) {
      requests.add(r);
      if (r.getWhitelistCount() > 0 && r.getWhitelist(0).getSourceLabelCount() > 0) {
        o.onError(
            Status.INVALID_ARGUMENT
                .withDescription("whitelist[0].source_label[0] \"(\": invalid label selector")
                .asRuntimeException());
        return;
      }
      o.onNext(GetFlowsResponse.newBuilder().setFlow(flow(40000, Verdict.FORWARDED)).build());
      o.onNext(
          GetFlowsResponse.newBuilder()
              .setLostEvents(
                  LostEvent.newBuilder()
                      .setSource(LostEventSource.OBSERVER_EVENTS_QUEUE)
                      .setNumEventsLost(3))
              .build());
      o.onNext(GetFlowsResponse.newBuilder().setFlow(flow(40001, Verdict.DROPPED)).build());
      o.onCompleted();
    }

    @Override
    public void serverStatus(ServerStatusRequest r, StreamObserver<ServerStatusResponse> o) {
      o.onNext(
          ServerStatusResponse.newBuilder()
              .setNumFlows(2)
              .setMaxFlows(4096)
              .setSeenFlows(7)
              .build());
      o.onCompleted();
    }
  }

  private int run(String... args) {
    return agent.run(args);
  }

  private String stdout() {
    return agent.stdout();
  }

  private String stderr() {
    return agent.stderr();
  }

  @Test
  void compactFlowsAndLossWarning() {
    assertThat(run("observe", "--last", "2", "--from-pod", "default/xwing")).isZero();
    assertThat(stdout())
        .isEqualTo(
            "Nov 26 10:00:01.005: default/xwing:40000 (ID:300) -> default/deathstar:80 (ID:301)"
                + " to-endpoint FORWARDED (TCP Flags: ACK)\n"
                + "Nov 26 10:00:01.005: default/xwing:40001 (ID:300) -> default/deathstar:80 (ID:301)"
                + " to-endpoint DROPPED (TCP Flags: ACK)\n");
    assertThat(stderr()).isEqualTo("EVENTS LOST: OBSERVER_EVENTS_QUEUE CPU(0) 3\n");
    assertThat(requests).hasSize(1);
    GetFlowsRequest r = requests.get(0);
    assertThat(r.getNumber()).isEqualTo(2);
    assertThat(r.getWhitelist(0).getSourcePodList()).containsExactly("default/xwing");
  }

  @Test
  void jsonpbIsOneObjectPerLine() {
    assertThat(run("observe", "-o", "jsonpb")).isZero();
    String[] lines = stdout().split("\n");
    assertThat(lines).hasSize(3);
    assertThat(lines[0]).startsWith("{\"flow\":{\"time\":\"2025-11-26T10:00:01.005Z\"");
    assertThat(lines[1])
        .isEqualTo(
            "{\"lost_events\":{\"source\":\"OBSERVER_EVENTS_QUEUE\",\"num_events_lost\":\"3\"}}");
    assertThat(requests.get(0).getNumber()).isEqualTo(20);
  }

  @Test
  void agentRefusalIsAnErrorWithExitCodeOne() {
    assertThat(run("observe", "--from-label", "(")).isEqualTo(1);
    assertThat(stderr())
        .isEqualTo("Error: whitelist[0].source_label[0] \"(\": invalid label selector\n");
  }

  @Test
  void badFlagsFailBeforeConnecting() {
    // the socket is never contacted: the error is the flag's, even with no agent at all
    String[] args = {"--socket", dir.resolve("none.sock").toString(), "observe", "--port", "http"};
    assertThat(JiliumMain.run(args)).isEqualTo(1);
    assertThat(stderr())
        .isEqualTo("Error: --port \"http\": invalid port (expected: a number 0-65535)\n");
    assertThat(requests).isEmpty();
  }

  @Test
  void printRawFiltersNeedsNoAgent() {
    String[] args = {
      "--socket",
      dir.resolve("none.sock").toString(),
      "observe",
      "--pod",
      "xwing",
      "--print-raw-filters"
    };
    assertThat(JiliumMain.run(args)).isZero();
    assertThat(stdout()).startsWith("allowlist:\n    - '{\"source_pod\":[\"xwing\"]}'\n");
  }

  @Test
  void unimplementedObserverIsExplained() throws Exception {
    agent.serve(new ObserverGrpc.ObserverImplBase() {});
    assertThat(run("observe")).isEqualTo(1);
    assertThat(stderr())
        .startsWith(
            "Error: the agent at "
                + socket
                + " does not serve Hubble's Observer API (observer.Observer/GetFlows): ");
  }

  @Test
  void serverStatus() {
    try (UnixGrpcChannel ch = new UnixGrpcChannel(socket)) {
      ServerStatusResponse s = new AgentApi(ch).serverStatus();
      assertThat(s.getNumFlows()).isEqualTo(2);
      assertThat(s.getMaxFlows()).isEqualTo(4096);
    }
  }
}
