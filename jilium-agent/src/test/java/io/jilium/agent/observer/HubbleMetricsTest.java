package io.jilium.agent.observer;

import static io.jilium.agent.observer.FlowRecords.buf;
import static io.jilium.agent.observer.FlowRecords.header;
import static io.jilium.agent.observer.FlowRecords.icmp;
import static io.jilium.agent.observer.FlowRecords.tcp;
import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Hubble's flow metrics counted from the datapath's records: the names and label values Hubble
 * gives the flows these records decode to (hubble/metrics: flow, drop, tcp, port-distribution,
 * icmp).
 */
class HubbleMetricsTest {
  private static final int TO_ENDPOINT = 0;
  private static final int TO_STACK = 3;

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final HubbleMetrics metrics = new HubbleMetrics(registry);

  @Test
  void aNewConnectionsSynIsAFlowAFlagAndAPort() {
    metrics.record(trace(TO_STACK, 0, tcp(1, 2, 40000, 80, 0x02)));
    metrics.record(trace(TO_ENDPOINT, 0, tcp(1, 2, 40000, 80, 0x02)));

    assertThat(values("hubble_flows_processed_total"))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "protocol=TCP,subtype=to-stack,type=Trace,verdict=FORWARDED", 1.0,
                "protocol=TCP,subtype=to-endpoint,type=Trace,verdict=FORWARDED", 1.0));
    assertThat(values("hubble_tcp_flags_total"))
        .containsExactly(Map.entry("family=IPv4,flag=SYN", 2.0));
    assertThat(values("hubble_port_distribution_total"))
        .containsExactly(Map.entry("port=80,protocol=TCP", 2.0));
  }

  @Test
  void aReplyCountsItsFlagsButNotItsPort() {
    metrics.record(trace(TO_ENDPOINT, 2, tcp(2, 1, 80, 40000, 0x12))); // reason: reply
    metrics.record(trace(TO_ENDPOINT, 2, tcp(2, 1, 80, 40000, 0x14))); // RST-ACK

    assertThat(values("hubble_tcp_flags_total"))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("family=IPv4,flag=SYN-ACK", 1.0, "family=IPv4,flag=RST", 1.0));
    assertThat(values("hubble_port_distribution_total")).isEmpty();
  }

  @Test
  void verdictsAndDropsAreFlowsButNotPackets() {
    byte[] denied = header(FlowDecoder.TYPE_POLICY_VERDICT, 0, 2, tcp(1, 2, 40000, 80, 0x02));
    buf(denied).putInt(20, -181);
    byte[] allowed = header(FlowDecoder.TYPE_POLICY_VERDICT, 0, 2, tcp(1, 2, 40001, 80, 0x02));
    byte[] audited = header(FlowDecoder.TYPE_POLICY_VERDICT, 0, 2, tcp(1, 2, 40002, 80, 0x02));
    buf(audited).putInt(20, -181).put(29, (byte) 1);
    byte[] drop = header(FlowDecoder.TYPE_DROP, 181, 2, tcp(1, 2, 40000, 80, 0x02));
    for (byte[] r : new byte[][] {denied, allowed, audited, drop}) {
      metrics.record(r);
    }

    assertThat(values("hubble_flows_processed_total"))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "protocol=TCP,subtype=,type=PolicyVerdict,verdict=DROPPED", 1.0,
                "protocol=TCP,subtype=,type=PolicyVerdict,verdict=FORWARDED", 1.0,
                "protocol=TCP,subtype=,type=PolicyVerdict,verdict=AUDIT", 1.0,
                "protocol=TCP,subtype=,type=Drop,verdict=DROPPED", 1.0));
    assertThat(values("hubble_drop_total"))
        .containsExactly(Map.entry("protocol=TCP,reason=POLICY_DENY", 1.0));
    assertThat(values("hubble_tcp_flags_total")).isEmpty();
    assertThat(values("hubble_port_distribution_total")).isEmpty();
  }

  @Test
  void icmpIsCountedByTypeAndAnUnparsedPacketIsUnknown() {
    metrics.record(trace(TO_ENDPOINT, 0, icmp(1, 2, 8)));
    metrics.record(trace(TO_ENDPOINT, 0, new byte[20])); // neither IPv4 nor IPv6

    assertThat(values("hubble_icmp_total"))
        .containsExactly(Map.entry("family=IPv4,type=EchoRequest", 1.0));
    assertThat(values("hubble_flows_processed_total"))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "protocol=ICMPv4,subtype=to-endpoint,type=Trace,verdict=FORWARDED", 1.0,
                "protocol=Unknown,subtype=to-endpoint,type=Trace,verdict=FORWARDED", 1.0));
  }

  private static byte[] trace(int point, int reason, byte[] packet) {
    byte[] r = header(FlowDecoder.TYPE_TRACE, point, 1, packet);
    r[26] = (byte) reason;
    return r;
  }

  /** A counter's data points: "label=value,..." (sorted by label name) to value. */
  private Map<String, Double> values(String name) {
    Map<String, Double> out = new TreeMap<>();
    for (MetricSnapshot m : registry.scrape()) {
      if (!(m instanceof CounterSnapshot c)
          || !(c.getMetadata().getPrometheusName() + "_total").equals(name)) {
        continue;
      }
      for (CounterSnapshot.CounterDataPointSnapshot p : c.getDataPoints()) {
        StringBuilder key = new StringBuilder();
        p.getLabels()
            .forEach(
                l ->
                    key.append(key.isEmpty() ? "" : ",")
                        .append(l.getName())
                        .append('=')
                        .append(l.getValue()));
        out.put(key.toString(), p.getValue());
      }
    }
    return out;
  }
}
