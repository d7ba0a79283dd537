package io.jilium.agent.observer;

import io.jilium.api.flow.DropReason;
import io.jilium.api.flow.LostEventSource;
import io.jilium.api.flow.TraceObservationPoint;
import io.jilium.api.flow.Verdict;
import io.jilium.core.flow.PacketSummary;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Hubble's flow metrics, with Hubble's names and labels: {@code hubble_flows_processed_total},
 * {@code hubble_drop_total}, {@code hubble_tcp_flags_total}, {@code
 * hubble_port_distribution_total}, {@code hubble_icmp_total}, {@code hubble_lost_events_total}.
 * Updated by the monitor thread, which keeps the label sets it saw so that a flow costs no label
 * lookup.
 */
public final class HubbleMetrics {
  private final PrometheusRegistry registry;
  private final Counter flows;
  private final Counter drops;
  private final Counter tcpFlags;
  private final Counter ports;
  private final Counter icmp;
  private final Counter lost;
  // label sets seen, by a key of their numeric values (monitor thread only)
  private final Map<Integer, CounterDataPoint> flowPoints = new HashMap<>();
  private final Map<Integer, CounterDataPoint> flagPoints = new HashMap<>();
  private final Map<Integer, CounterDataPoint> portPoints = new HashMap<>();

  public HubbleMetrics(PrometheusRegistry registry) {
    this.registry = registry;
    flows =
        Counter.builder()
            .name("hubble_flows_processed_total")
            .help("Total number of flows processed")
            .labelNames("type", "subtype", "verdict", "protocol")
            .register(registry);
    drops =
        Counter.builder()
            .name("hubble_drop_total")
            .help("Number of drops")
            .labelNames("reason", "protocol")
            .register(registry);
    tcpFlags =
        Counter.builder()
            .name("hubble_tcp_flags_total")
            .help("TCP flag occurrences")
            .labelNames("flag", "family")
            .register(registry);
    ports =
        Counter.builder()
            .name("hubble_port_distribution_total")
            .help("Numbers of packets distributed by destination port")
            .labelNames("protocol", "port")
            .register(registry);
    icmp =
        Counter.builder()
            .name("hubble_icmp_total")
            .help("Number of ICMP messages")
            .labelNames("family", "type")
            .register(registry);
    lost =
        Counter.builder()
            .name("hubble_lost_events_total")
            .help("Number of lost events")
            .labelNames("source")
            .register(registry);
  }

  public PrometheusRegistry registry() {
    return registry;
  }

  /**
   * Counts one flow record ({@link FlowDecoder#isFlowRecord}) from its bytes, as Hubble counts the
   * flow it decodes to; the monitor thread counts every record, read by someone or not.
   */
  void record(byte[] r) {
    int type = r[0] & 0xff;
    int sub = r[1] & 0xff;
    Verdict verdict = FlowDecoder.verdict(r);
    PacketSummary p = FlowDecoder.packetHeaders(r);
    int protocol = protocolIndex(p);
    TraceObservationPoint point =
        type == FlowDecoder.TYPE_TRACE ? FlowDecoder.observationPoint(sub) : null;
    int flowKey =
        (type & 0xff) << 24
            | (point == null ? 0 : point.getNumber() & 0xff) << 16
            | (verdict.getNumber() & 0xff) << 8
            | protocol;
    CounterDataPoint dp = flowPoints.get(flowKey);
    if (dp == null) {
      dp =
          flows.labelValues(
              type(type),
              point == null ? "" : observationPointName(point),
              verdict.name(),
              PROTOCOLS[protocol]);
      flowPoints.put(flowKey, dp);
    }
    dp.inc();
    if (type == FlowDecoder.TYPE_DROP) {
      DropReason reason = DropReason.forNumber(sub);
      drops.labelValues(reason == null ? "UNRECOGNIZED" : reason.name(), PROTOCOLS[protocol]).inc();
    }
    if (type != FlowDecoder.TYPE_TRACE) {
      return; // the packet counters count each packet once: at its trace
    }
    int family = p.ipVersion() == 6 ? 1 : 0;
    if (protocol == TCP) {
      int t = p.tcpFlags();
      if ((t & PacketSummary.TCP_SYN) != 0) {
        tcpFlag((t & PacketSummary.TCP_ACK) != 0 ? 0 : 1, family);
      }
      if ((t & PacketSummary.TCP_FIN) != 0) {
        tcpFlag(2, family);
      }
      if ((t & PacketSummary.TCP_RST) != 0) {
        tcpFlag(3, family);
      }
    }
    if (!FlowDecoder.isReplyTrace(r) && (protocol == TCP || protocol == UDP)) {
      int port = p.destinationPort();
      if (port > 0) {
        int portKey = protocol << 16 | port;
        CounterDataPoint pp = portPoints.get(portKey);
        if (pp == null) {
          pp = ports.labelValues(PROTOCOLS[protocol], Integer.toString(port));
          portPoints.put(portKey, pp);
        }
        pp.inc();
      }
    }
    if (protocol == ICMPV4) {
      icmp.labelValues("IPv4", icmpV4Name(p.icmpType())).inc();
    } else if (protocol == ICMPV6) {
      icmp.labelValues("IPv6", icmpV6Name(p.icmpType())).inc();
    }
  }

  private static final String[] FLAGS = {"SYN-ACK", "SYN", "FIN", "RST"};
  private static final String[] FAMILIES = {"IPv4", "IPv6"};

  private void tcpFlag(int flag, int family) {
    int key = flag << 1 | family;
    CounterDataPoint p = flagPoints.get(key);
    if (p == null) {
      p = tcpFlags.labelValues(FLAGS[flag], FAMILIES[family]);
      flagPoints.put(key, p);
    }
    p.inc();
  }

  void lost(LostEventSource source, long n) {
    lost.labelValues(source.name()).inc(n);
  }

  private static String type(int type) {
    return switch (type) {
      case FlowDecoder.TYPE_DROP -> "Drop";
      case FlowDecoder.TYPE_TRACE -> "Trace";
      case FlowDecoder.TYPE_POLICY_VERDICT -> "PolicyVerdict";
      default -> "Unknown";
    };
  }

  /** Hubble's names for observation points: to-endpoint, to-stack, from-endpoint, ... */
  public static String observationPointName(TraceObservationPoint p) {
    return switch (p) {
      case TO_ENDPOINT -> "to-endpoint";
      case FROM_ENDPOINT -> "from-endpoint";
      case UNKNOWN_POINT, UNRECOGNIZED -> "unknown";
      default -> p.name().toLowerCase(Locale.ROOT).replace('_', '-');
    };
  }

  private static final String[] PROTOCOLS = {"TCP", "UDP", "ICMPv4", "ICMPv6", "SCTP", "Unknown"};
  private static final int TCP = 0;
  private static final int UDP = 1;
  private static final int ICMPV4 = 2;
  private static final int ICMPV6 = 3;
  private static final int UNKNOWN = 5;

  /**
   * The flow's L4 protocol as Hubble's label names it: only what the decoder puts into {@code
   * flow.l4} counts (SCTP, fragments and unparsed packets are "Unknown").
   */
  private static int protocolIndex(PacketSummary p) {
    if (!p.isKnown()) {
      return UNKNOWN;
    }
    return switch (p.protocol()) {
      case 6 -> TCP;
      case 17 -> UDP;
      case 1 -> ICMPV4;
      case 58 -> ICMPV6;
      default -> UNKNOWN;
    };
  }

  static String icmpV4Name(int type) {
    return switch (type) {
      case 0 -> "EchoReply";
      case 3 -> "DestinationUnreachable";
      case 5 -> "Redirect";
      case 8 -> "EchoRequest";
      case 11 -> "TimeExceeded";
      case 12 -> "ParameterProblem";
      default -> Integer.toString(type);
    };
  }

  static String icmpV6Name(int type) {
    return switch (type) {
      case 1 -> "DestinationUnreachable";
      case 2 -> "PacketTooBig";
      case 3 -> "TimeExceeded";
      case 4 -> "ParameterProblem";
      case 128 -> "EchoRequest";
      case 129 -> "EchoReply";
      case 133 -> "RouterSolicitation";
      case 134 -> "RouterAdvertisement";
      case 135 -> "NeighborSolicitation";
      case 136 -> "NeighborAdvertisement";
      default -> Integer.toString(type);
    };
  }
}
