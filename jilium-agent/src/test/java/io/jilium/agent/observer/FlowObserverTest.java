package io.jilium.agent.observer;

import static org.assertj.core.api.Assertions.assertThat;

import io.jilium.api.flow.Flow;
import io.jilium.api.flow.LostEventSource;
import io.jilium.api.observer.GetFlowsResponse;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The ring buffer's bounds, the kernel-loss accounting of the flow pipeline, and flows decoded when
 * first read.
 */
class FlowObserverTest {
  private static final ObserverDirectory.EndpointView CLIENT =
      new ObserverDirectory.EndpointView(
          1, 300, "ns1", "client", List.of("k8s:app=client"), "lxc1", 11);

  private final AtomicReference<ObserverDirectory> directory =
      new AtomicReference<>(ObserverDirectory.EMPTY);
  private final FlowRing ring = new FlowRing(4);
  private final FlowObserver observer =
      new FlowObserver(
          new FlowDecoder(directory::get, 0),
          ring,
          "n1",
          new HubbleMetrics(new PrometheusRegistry()));

  @Test
  void theFirstKernelCountIsABaselineAndOnlyRisesAreReported() {
    observer.lostInKernel(100); // lost before this agent: not reported again
    assertThat(ring.next()).isZero();

    observer.lostInKernel(130);
    observer.lostInKernel(130);
    observer.lostInKernel(131);

    List<GetFlowsResponse> events = ring.since(0).stream().map(FlowEvent::response).toList();
    assertThat(events).hasSize(2);
    assertThat(events)
        .allMatch(
            e ->
                e.getLostEvents().getSource() == LostEventSource.PERF_EVENT_RING_BUFFER
                    && e.getNodeName().equals("n1"));
    assertThat(events)
        .extracting(e -> e.getLostEvents().getNumEventsLost())
        .containsExactly(30L, 1L);
  }

  @Test
  void theRingKeepsTheNewestAndClampsReadsToWhatItHolds() throws Exception {
    for (int i = 1; i <= 6; i++) {
      observer.lostInKernel(i == 1 ? 0 : i); // baseline 0, then rises of 2, 1, 1, 1, 1
    }
    assertThat(ring.next()).isEqualTo(5);
    assertThat(ring.oldest()).isEqualTo(1);
    assertThat(ring.since(0))
        .extracting(e -> e.response().getLostEvents().getNumEventsLost())
        .containsExactly(1L, 1L, 1L, 1L);
    assertThat(ring.await(5, 10)).as("nothing newer arrives").isFalse();
    assertThat(ring.await(4, 10)).isTrue();
  }

  @Test
  void recordsOfUnknownTypesAndTruncatedRecordsAreIgnored() {
    observer.onRecord(new byte[] {9, 0, 0});
    byte[] unknown = new byte[64];
    unknown[0] = 42;
    observer.onRecord(unknown);
    assertThat(observer.seenFlows()).isZero();
    assertThat(ring.next()).isZero();
  }

  @Test
  void aRecordIsDecodedOnceAgainstTheDirectoryOfWhenItWasRead() throws Exception {
    directory.set(directoryWith("web"));
    observer.onRecord(
        FlowRecords.header(FlowDecoder.TYPE_TRACE, 0, 2, FlowRecords.tcp(1, 2, 40000, 80, 2)));
    // the pod is renamed (recreated) after the record was read, before anyone reads the flow
    directory.set(directoryWith("web-2"));

    FlowEvent e = ring.since(0).getFirst();
    assertThat(e.timeNanos()).isEqualTo(5_000_000_000L);
    List<Callable<GetFlowsResponse>> readers = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      readers.add(e::response);
    }
    Set<String> uuids = new HashSet<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
      for (Future<GetFlowsResponse> f : pool.invokeAll(readers)) {
        uuids.add(f.get().getFlow().getUuid());
      }
    }
    assertThat(uuids).as("every reader sees the same flow").hasSize(1);
    Flow f = e.response().getFlow();
    assertThat(f.getUuid()).isIn(uuids);
    assertThat(f.getDestination().getPodName()).isEqualTo("web");
    assertThat(e.response().getNodeName()).isEqualTo("n1");
    assertThat(observer.seenFlows()).isEqualTo(1);
  }

  @Test
  void aSinkGetsEveryFlowAtOnceAndReadersTheSameFlow() {
    directory.set(directoryWith("web"));
    List<Flow> sunk = new ArrayList<>();
    observer.setSink(sunk::add);
    observer.onRecord(
        FlowRecords.header(FlowDecoder.TYPE_TRACE, 0, 2, FlowRecords.tcp(1, 2, 40000, 80, 2)));
    directory.set(directoryWith("web-2"));

    assertThat(sunk).hasSize(1);
    assertThat(sunk.getFirst().getDestination().getPodName()).isEqualTo("web");
    assertThat(ring.since(0).getFirst().response().getFlow()).isSameAs(sunk.getFirst());
  }

  @Test
  void aNewDirectoryHasTheRecordsOfTheOldOneDecodedSoThatOnlyOneIsHeld() {
    directory.set(directoryWith("web"));
    byte[] syn =
        FlowRecords.header(FlowDecoder.TYPE_TRACE, 0, 2, FlowRecords.tcp(1, 2, 40000, 80, 2));
    observer.onRecord(syn);
    observer.onRecord(syn);
    assertThat(ring.since(0)).noneMatch(FlowEvent::decoded);

    directory.set(directoryWith("web-2"));
    observer.onRecord(syn);

    List<FlowEvent> held = ring.since(0);
    assertThat(held).extracting(FlowEvent::decoded).containsExactly(true, true, false);
    assertThat(held)
        .extracting(e -> e.response().getFlow().getDestination().getPodName())
        .containsExactly("web", "web", "web-2");
  }

  private static ObserverDirectory directoryWith(String webPod) {
    ObserverDirectory.EndpointView web =
        new ObserverDirectory.EndpointView(
            2, 301, "ns1", webPod, List.of("k8s:app=web"), "lxc2", 12);
    return new ObserverDirectory(
        "node-a",
        Map.of(1, CLIENT, 2, web),
        Map.of("10.0.0.1", CLIENT, "10.0.0.2", web),
        Map.of(),
        Map.of());
  }
}
