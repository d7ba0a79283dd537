package io.jilium.agent.observer;

import static org.assertj.core.api.Assertions.assertThat;

import io.jilium.api.flow.LostEventSource;
import io.jilium.api.observer.GetFlowsResponse;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The ring buffer's bounds and the kernel-loss accounting of the flow pipeline. */
class FlowObserverTest {
  private final FlowRing ring = new FlowRing(4);
  private final FlowObserver observer =
      new FlowObserver(
          new FlowDecoder(() -> ObserverDirectory.EMPTY, 0),
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

    List<GetFlowsResponse> events = ring.since(0);
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
        .extracting(e -> e.getLostEvents().getNumEventsLost())
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
}
