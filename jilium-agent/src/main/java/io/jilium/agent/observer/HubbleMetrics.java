package io.jilium.agent.observer;

import io.jilium.api.flow.Flow;
import io.jilium.api.flow.LostEventSource;
import io.jilium.api.flow.TCPFlags;
import io.jilium.api.flow.TraceObservationPoint;
import io.jilium.api.flow.Verdict;
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

  void flow(Flow f) {
    int type = f.getEventType().getType();
    int protocol = protocolIndex(f);
    int flowKey =
        (type & 0xff) << 24
            | (type == FlowDecoder.TYPE_TRACE ? f.getTraceObservationPointValue() & 0xff : 0) << 16
            | (f.getVerdictValue() & 0xff) << 8
            | protocol;
    CounterDataPoint point = flowPoints.get(flowKey);
    if (point == null) {
      point = flows.labelValues(type(f), subtype(f), f.getVerdict().name(), PROTOCOLS[protocol]);
      flowPoints.put(flowKey, point);
    }
    point.inc();
    if (f.getVerdict() == Verdict.DROPPED && type == FlowDecoder.TYPE_DROP) {
      drops.labelValues(f.getDropReasonDesc().name(), PROTOCOLS[protocol]).inc();
    }
    if (type != FlowDecoder.TYPE_TRACE) {
      return; // the packet counters count each packet once: at its trace
    }
    int family = f.getIP().getIpVersionValue() == 2 ? 1 : 0;
    if (f.getL4().hasTCP()) {
      TCPFlags t = f.getL4().getTCP().getFlags();
      if (t.getSYN()) {
        tcpFlag(t.getACK() ? 0 : 1, family);
      }
      if (t.getFIN()) {
        tcpFlag(2, family);
      }
      if (t.getRST()) {
        tcpFlag(3, family);
      }
    }
    boolean reply = f.hasIsReply() && f.getIsReply().getValue();
    if (!reply) {
      int port = destinationPort(f);
      if (port > 0) {
        int portKey = protocol << 16 | port;
        CounterDataPoint p = portPoints.get(portKey);
        if (p == null) {
          p = ports.labelValues(PROTOCOLS[protocol], Integer.toString(port));
          portPoints.put(portKey, p);
        }
        p.inc();
      }
    }
    if (f.getL4().hasICMPv4()) {
      icmp.labelValues("IPv4", icmpV4Name(f.getL4().getICMPv4().getType())).inc();
    } else if (f.getL4().hasICMPv6()) {
      icmp.labelValues("IPv6", icmpV6Name(f.getL4().getICMPv6().getType())).inc();
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

  static String type(Flow f) {
    return switch (f.getEventType().getType()) {
      case FlowDecoder.TYPE_DROP -> "Drop";
      case FlowDecoder.TYPE_TRACE -> "Trace";
      case FlowDecoder.TYPE_POLICY_VERDICT -> "PolicyVerdict";
      default -> "Unknown";
    };
  }

  static String subtype(Flow f) {
    if (f.getEventType().getType() != FlowDecoder.TYPE_TRACE) {
      return "";
    }
    return observationPointName(f.getTraceObservationPoint());
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

  static String protocol(Flow f) {
    return PROTOCOLS[protocolIndex(f)];
  }

  private static int protocolIndex(Flow f) {
    return switch (f.getL4().getProtocolCase()) {
      case TCP -> 0;
      case UDP -> 1;
      case ICMPV4 -> 2;
      case ICMPV6 -> 3;
      case SCTP -> 4;
      default -> 5;
    };
  }

  private static int destinationPort(Flow f) {
    if (f.getL4().hasTCP()) {
      return f.getL4().getTCP().getDestinationPort();
    }
    if (f.getL4().hasUDP()) {
      return f.getL4().getUDP().getDestinationPort();
    }
    return 0;
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
