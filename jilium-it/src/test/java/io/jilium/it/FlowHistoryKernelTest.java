package io.jilium.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Timestamp;
import io.jilium.api.flow.Flow;
import io.jilium.api.flow.FlowFilter;
import io.jilium.api.flow.TraceObservationPoint;
import io.jilium.api.observer.GetFlowsRequest;
import io.jilium.api.observer.GetFlowsResponse;
import io.jilium.cli.rpc.UnixGrpcChannel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * History beyond the ring buffer: an agent with a 16-flow ring and {@code --flow-store} answers a
 * query for a time range the ring no longer holds from disk, also after a restart, through the
 * Observer API and through {@code jilium observe --since}.
 */
@Tag("kernel")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class FlowHistoryKernelTest {
  private static final Path STORE = tempDir();

  @RegisterExtension
  static final AgentFixture agent =
      new AgentFixture(
          "--flow-store",
          STORE.toString(),
          "--flow-store-max-size",
          "64Mi",
          "--hubble-event-buffer-capacity",
          "16",
          "--hubble-metrics-server",
          "",
          "--prometheus-serve-addr",
          "");

  @AfterAll
  static void removeStore() throws IOException {
    try (Stream<Path> s = Files.walk(STORE)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  @Test
  void flowsTheRingLostAreAnsweredFromDiskAlsoAfterARestart() throws Exception {
    Pod web = Net.serverPod(agent, "hist/web", "app=web");
    Pod early = agent.podRun("hist/early", "app=early");
    Pod noisy = agent.podRun("hist/noisy", "app=noisy");
    Instant start = Instant.now().minusSeconds(1);
    Net.assertTcpAllowed(early, web.ipv4(), Net.HTTP);
    // enough later traffic to push every flow of the early connection out of a 16-flow ring
    for (int i = 0; i < 10; i++) {
      Net.assertTcpAllowed(noisy, web.ipv4(), Net.HTTP);
    }
    assertThat(flows(null, "hist/early"))
        .as("the ring alone no longer holds the early connection")
        .isEmpty();

    List<Flow> fromDisk = awaitFlows(start, "hist/early");
    assertThat(fromDisk)
        .anyMatch(
            f ->
                f.getTraceObservationPoint() == TraceObservationPoint.TO_ENDPOINT
                    && f.getL4().getTCP().getFlags().getSYN()
                    && f.getDestination().getPodName().equals("web"));

    agent.stop();
    agent.restart();
    List<Flow> afterRestart = flows(start, "hist/early");
    assertThat(afterRestart)
        .extracting(Flow::getUuid)
        .containsAll(fromDisk.stream().map(Flow::getUuid).toList());

    CliResult r =
        agent
            .cli("observe", "--since", start.toString(), "--from-pod", "hist/early", "-o", "json")
            .assertOk();
    List<JsonNode> lines = new ArrayList<>();
    for (String line : r.stdout().strip().split("\n")) {
      lines.add(new ObjectMapper().readTree(line));
    }
    assertThat(lines)
        .extracting(j -> j.path("uuid").asText())
        .containsAll(fromDisk.stream().map(Flow::getUuid).toList());
  }

  /** The store hands flows to the disk within a second; a bounded wait for them. */
  private static List<Flow> awaitFlows(Instant since, String fromPod) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    List<Flow> got = flows(since, fromPod);
    while (got.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(200);
      got = flows(since, fromPod);
    }
    return got;
  }

  private static List<Flow> flows(Instant since, String fromPod) throws Exception {
    GetFlowsRequest.Builder req =
        GetFlowsRequest.newBuilder().addWhitelist(FlowFilter.newBuilder().addSourcePod(fromPod));
    if (since != null) {
      req.setSince(
          Timestamp.newBuilder().setSeconds(since.getEpochSecond()).setNanos(since.getNano()));
    }
    List<Flow> out = new ArrayList<>();
    try (UnixGrpcChannel ch = new UnixGrpcChannel(agent.socket())) {
      ch.call(
          "/observer.Observer/GetFlows",
          req.build().toByteArray(),
          m -> {
            try {
              GetFlowsResponse resp = GetFlowsResponse.parseFrom(m);
              if (resp.hasFlow()) {
                out.add(resp.getFlow());
              }
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
              throw new AssertionError(e);
            }
            return true;
          });
    }
    return out;
  }

  private static Path tempDir() {
    try {
      return Files.createTempDirectory("jilium-it-flow-store-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
