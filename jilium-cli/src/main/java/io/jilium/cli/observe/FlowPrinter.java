package io.jilium.cli.observe;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;
import io.jilium.api.flow.AuthType;
import io.jilium.api.flow.Flow;
import io.jilium.api.flow.Layer4;
import io.jilium.api.flow.Layer7;
import io.jilium.api.flow.LostEvent;
import io.jilium.api.flow.Policy;
import io.jilium.api.flow.TCPFlags;
import io.jilium.api.flow.TrafficDirection;
import io.jilium.api.flow.Verdict;
import io.jilium.api.observer.GetFlowsResponse;
import io.jilium.api.relay.NodeState;
import io.jilium.api.relay.NodeStatusEvent;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Prints {@code GetFlows} responses the way Hubble's CLI does: {@code compact} (one line per flow,
 * the default), {@code dict} (KEY: value blocks), {@code table} (aligned columns, printed at the
 * end), {@code json} (the flow, one object per line) and {@code jsonpb} (the whole response, one
 * object per line, proto field names as Hubble). Colours follow Hubble's (cyan hosts, yellow ports,
 * magenta identities, green/red/yellow verdicts) and apply to compact and dict only. Lost events
 * are reported on the error stream. Control characters from the flow are shown escaped in text
 * formats, so a flow cannot drive the terminal.
 */
public final class FlowPrinter {
  /** The output formats. */
  public enum Format {
    COMPACT,
    DICT,
    TABLE,
    JSON,
    JSONPB;

    /**
     * @throws IllegalArgumentException listing the formats
     */
    public static Format parse(String s) {
      return switch (s.toLowerCase(Locale.ROOT)) {
        case "compact" -> COMPACT;
        case "dict" -> DICT;
        case "table", "tab" -> TABLE;
        case "json" -> JSON;
        case "jsonpb" -> JSONPB;
        default ->
            throw new IllegalArgumentException(
                "\"" + s + "\" (expected one of: compact, dict, json, jsonpb, table)");
      };
    }
  }

  /** How to print. */
  public record Options(
      Format format,
      boolean color,
      Function<Timestamp, String> time,
      boolean nodeName,
      boolean policyNames,
      boolean numeric) {}

  private static final String DICT_SEPARATOR = "------------";

  private final Options opts;
  private final PrintStream out;
  private final PrintStream err;
  private final boolean color;
  private final List<String[]> tableRows = new ArrayList<>();
  private int lines;
  private JsonFormat.Printer json;

  public FlowPrinter(Options opts, PrintStream out, PrintStream err) {
    this.opts = opts;
    this.out = out;
    this.err = err;
    this.color = opts.color() && (opts.format() == Format.COMPACT || opts.format() == Format.DICT);
  }

  /** Prints one response. */
  public void write(GetFlowsResponse r) {
    switch (r.getResponseTypesCase()) {
      case FLOW -> writeFlow(r);
      case LOST_EVENTS -> writeLost(r);
      case NODE_STATUS -> writeNodeStatus(r);
      case RESPONSETYPES_NOT_SET -> {}
    }
  }

  /** Ends the output (prints the table). */
  public void close() {
    if (opts.format() == Format.TABLE && !tableRows.isEmpty()) {
      out.print(alignedTable(tableRows));
    }
    out.flush();
  }

  // --- flows -----------------------------------------------------------------------------------

  private void writeFlow(GetFlowsResponse r) {
    Flow f = r.getFlow();
    switch (opts.format()) {
      case COMPACT -> out.println(compact(f));
      case DICT -> {
        if (lines > 0) {
          out.println(DICT_SEPARATOR);
        }
        out.print(dict(f));
      }
      case TABLE -> {
        if (tableRows.isEmpty()) {
          tableRows.add(
              opts.nodeName()
                  ? new String[] {
                    "TIMESTAMP", "NODE", "SOURCE", "DESTINATION", "TYPE", "VERDICT", "SUMMARY"
                  }
                  : new String[] {
                    "TIMESTAMP", "SOURCE", "DESTINATION", "TYPE", "VERDICT", "SUMMARY"
                  });
        }
        String[] hosts = hostNames(f);
        List<String> row = new ArrayList<>();
        row.add(time(f));
        if (opts.nodeName()) {
          row.add(escape(f.getNodeName()));
        }
        row.add(hosts[0]);
        row.add(hosts[1]);
        row.add(flowType(f));
        row.add(verdict(f));
        row.add(summary(f, true));
        tableRows.add(row.toArray(String[]::new));
      }
      case JSON -> out.println(json(f));
      case JSONPB -> out.println(json(r));
    }
    lines++;
  }

  /**
   * One compact line: {@code TIME [NODE]: SRC (ID) -> DST (ID) TYPE VERDICT (SUMMARY)}; replies
   * swap the ends and point back ({@code <-}); an unknown direction shows {@code <>}.
   */
  public String compact(Flow f) {
    String[] hosts = hostNames(f);
    String src = hosts[0];
    String dst = hosts[1];
    String srcId = identity(f.getSource().getIdentity());
    String dstId = identity(f.getDestination().getIdentity());
    String arrow = "->";
    if (!f.hasIsReply()) {
      arrow = "<>";
    } else if (f.getIsReply().getValue()) {
      String t = src;
      src = dst;
      dst = t;
      t = srcId;
      srcId = dstId;
      dstId = t;
      arrow = "<-";
    }
    String node = opts.nodeName() ? " [" + escape(f.getNodeName()) + "]" : "";
    return time(f)
        + node
        + ": "
        + src
        + " "
        + srcId
        + " "
        + arrow
        + " "
        + dst
        + " "
        + dstId
        + " "
        + flowType(f)
        + " "
        + verdict(f)
        + " ("
        + summary(f, true)
        + ")";
  }

  private String dict(Flow f) {
    String[] hosts = hostNames(f);
    StringBuilder sb = new StringBuilder();
    sb.append("  TIMESTAMP: ").append(time(f)).append('\n');
    if (opts.nodeName()) {
      sb.append("       NODE: ").append(escape(f.getNodeName())).append('\n');
    }
    sb.append("     SOURCE: ").append(hosts[0]).append('\n');
    sb.append("DESTINATION: ").append(hosts[1]).append('\n');
    sb.append("       TYPE: ").append(flowType(f)).append('\n');
    sb.append("    VERDICT: ").append(verdict(f)).append('\n');
    sb.append("    SUMMARY: ").append(summary(f, false)).append('\n');
    return sb.toString();
  }

  private String time(Flow f) {
    return opts.time().apply(f.hasTime() ? f.getTime() : null);
  }

  /** Source and destination as printed: pod, service, DNS names or address, with the port. */
  String[] hostNames(Flow f) {
    if (!f.hasIP()) {
      if (f.hasEthernet()) {
        return new String[] {
          host(escape(f.getEthernet().getSource())), host(escape(f.getEthernet().getDestination()))
        };
      }
      return new String[] {"", ""};
    }
    String srcNs = f.getSource().getNamespace();
    String dstNs = f.getDestination().getNamespace();
    String srcSvc = "";
    String dstSvc = "";
    if (f.hasSourceService()) {
      srcNs = f.getSourceService().getNamespace();
      srcSvc = f.getSourceService().getName();
    }
    if (f.hasDestinationService()) {
      dstNs = f.getDestinationService().getNamespace();
      dstSvc = f.getDestinationService().getName();
    }
    String[] ports = ports(f.getL4());
    return new String[] {
      host(
          hostname(
              f.getIP().getSource(),
              ports[0],
              srcNs,
              f.getSource().getPodName(),
              srcSvc,
              f.getSourceNamesList())),
      host(
          hostname(
              f.getIP().getDestination(),
              ports[1],
              dstNs,
              f.getDestination().getPodName(),
              dstSvc,
              f.getDestinationNamesList()))
    };
  }

  private String hostname(
      String ip, String port, String ns, String pod, String svc, List<String> names) {
    String host = ip;
    if (!opts.numeric()) {
      if (!pod.isEmpty()) {
        host = ns.isEmpty() ? pod : ns + "/" + pod;
      } else if (!svc.isEmpty()) {
        host = ns.isEmpty() ? svc : ns + "/" + svc;
      } else if (!names.isEmpty()) {
        host = String.join(",", names);
      }
    }
    host = escape(host);
    if (!port.isEmpty() && !port.equals("0")) {
      return (host.contains(":") ? "[" + host + "]" : host) + ":" + paint(33, port);
    }
    return host;
  }

  private static String[] ports(Layer4 l4) {
    return switch (l4.getProtocolCase()) {
      case TCP ->
          new String[] {
            Integer.toString(l4.getTCP().getSourcePort()),
            Integer.toString(l4.getTCP().getDestinationPort())
          };
      case UDP ->
          new String[] {
            Integer.toString(l4.getUDP().getSourcePort()),
            Integer.toString(l4.getUDP().getDestinationPort())
          };
      case SCTP ->
          new String[] {
            Integer.toString(l4.getSCTP().getSourcePort()),
            Integer.toString(l4.getSCTP().getDestinationPort())
          };
      default -> new String[] {"", ""};
    };
  }

  /** {@code (ID:1234)}, or the name of a reserved identity: {@code (world)}. */
  private String identity(int id) {
    String text =
        HubbleNames.reservedIdentity(id)
            .map(n -> "(" + n + ")")
            .orElse("(ID:" + Integer.toUnsignedString(id) + ")");
    return paint(35, text);
  }

  /** The TYPE column: L7 record, trace point, drop reason, policy verdict, capture point. */
  static String flowType(Flow f) {
    if (f.hasL7()) {
      Layer7 l7 = f.getL7();
      String type = l7.getType().name().toLowerCase(Locale.ROOT);
      return switch (l7.getRecordCase()) {
        case HTTP -> "http-" + type;
        case DNS ->
            "dns-"
                + type
                + (l7.getDns().getObservationSource().isEmpty()
                    ? ""
                    : " " + escape(l7.getDns().getObservationSource()));
        case KAFKA -> "kafka-" + type;
        default -> "l7-" + type;
      };
    }
    int subType = f.getEventType().getSubType() & 0xff;
    return switch (f.getEventType().getType()) {
      case HubbleNames.TYPE_TRACE -> HubbleNames.tracePoint(subType);
      case HubbleNames.TYPE_DROP -> HubbleNames.dropReason(subType);
      case HubbleNames.TYPE_POLICY_VERDICT ->
          "policy-verdict:"
              + HubbleNames.policyMatchType(f.getPolicyMatchType())
              + " "
              + f.getTrafficDirection().name();
      case HubbleNames.TYPE_CAPTURE -> f.getDebugCapturePoint().name();
      case HubbleNames.TYPE_TRACE_SOCK ->
          switch (f.getSockXlatePoint()) {
            case SOCK_XLATE_POINT_POST_DIRECTION_FWD -> "post-xlate-fwd";
            case SOCK_XLATE_POINT_POST_DIRECTION_REV -> "post-xlate-rev";
            case SOCK_XLATE_POINT_PRE_DIRECTION_FWD -> "pre-xlate-fwd";
            case SOCK_XLATE_POINT_PRE_DIRECTION_REV -> "pre-xlate-rev";
            default -> f.getSockXlatePoint().name();
          };
      default -> "UNKNOWN";
    };
  }

  /**
   * The verdict; on policy-verdict events ALLOWED/DENIED/AUDITED, with {@code --print-policy-names}
   * followed by {@code BY name (Kind), ...} for the flow's direction.
   */
  private String verdict(Flow f) {
    Verdict v = f.getVerdict();
    boolean policyVerdict = f.getEventType().getType() == HubbleNames.TYPE_POLICY_VERDICT;
    String msg = v == Verdict.UNRECOGNIZED ? Integer.toString(f.getVerdictValue()) : v.name();
    switch (v) {
      case FORWARDED, REDIRECTED -> {
        if (policyVerdict) {
          msg = "ALLOWED" + policies(f, f.getEgressAllowedByList(), f.getIngressAllowedByList());
        }
        return paint(32, msg);
      }
      case DROPPED, ERROR -> {
        if (policyVerdict) {
          msg = "DENIED" + policies(f, f.getEgressDeniedByList(), f.getIngressDeniedByList());
        }
        return paint(31, msg);
      }
      case AUDIT -> {
        return paint(33, policyVerdict ? "AUDITED" : msg);
      }
      case TRACED, TRANSLATED -> {
        return paint(33, msg);
      }
      default -> {
        return msg;
      }
    }
  }

  private String policies(Flow f, List<Policy> egress, List<Policy> ingress) {
    if (!opts.policyNames()) {
      return "";
    }
    List<Policy> ps =
        f.getTrafficDirection() == TrafficDirection.EGRESS
            ? egress
            : f.getTrafficDirection() == TrafficDirection.INGRESS ? ingress : List.of();
    StringBuilder sb = new StringBuilder();
    for (Policy p : ps) {
      if (p.getName().isEmpty()) {
        continue;
      }
      sb.append(sb.isEmpty() ? " BY " : ", ").append(escape(p.getName()));
      if (!p.getKind().isEmpty()) {
        sb.append(" (").append(escape(p.getKind())).append(')');
      }
    }
    return sb.toString();
  }

  /**
   * The flow's summary; when the agent sent none, one is derived from the L4 header as Cilium
   * writes it ("TCP Flags: SYN, ACK", "UDP", "ICMPv4 EchoRequest").
   */
  @SuppressWarnings(
      "deprecation") // Summary and auth_type are deprecated in Hubble's API, still printed
  private static String summary(Flow f, boolean withAuth) {
    String s = f.getSummary().isEmpty() ? derivedSummary(f) : f.getSummary();
    if (withAuth && f.getAuthType() != AuthType.DISABLED) {
      s += "; Auth: " + f.getAuthType().name();
    }
    return escape(s);
  }

  static String derivedSummary(Flow f) {
    if (f.hasL7()) {
      return "";
    }
    Layer4 l4 = f.getL4();
    return switch (l4.getProtocolCase()) {
      case TCP -> "TCP Flags: " + tcpFlags(l4.getTCP().getFlags());
      case UDP -> "UDP";
      case SCTP -> "SCTP";
      case ICMPV4 -> "ICMPv4 " + icmpv4(l4.getICMPv4().getType(), l4.getICMPv4().getCode());
      case ICMPV6 -> "ICMPv6 " + icmpv6(l4.getICMPv6().getType(), l4.getICMPv6().getCode());
      default -> "";
    };
  }

  /** Cilium's order: SYN, ACK, RST, FIN, PSH, URG, ECE, CWR, NS. */
  static String tcpFlags(TCPFlags t) {
    List<String> names = new ArrayList<>();
    if (t.getSYN()) {
      names.add("SYN");
    }
    if (t.getACK()) {
      names.add("ACK");
    }
    if (t.getRST()) {
      names.add("RST");
    }
    if (t.getFIN()) {
      names.add("FIN");
    }
    if (t.getPSH()) {
      names.add("PSH");
    }
    if (t.getURG()) {
      names.add("URG");
    }
    if (t.getECE()) {
      names.add("ECE");
    }
    if (t.getCWR()) {
      names.add("CWR");
    }
    if (t.getNS()) {
      names.add("NS");
    }
    return String.join(", ", names);
  }

  private static String icmpv4(int type, int code) {
    return switch (type) {
      case 0 -> "EchoReply";
      case 3 -> "DestinationUnreachable";
      case 5 -> "Redirect";
      case 8 -> "EchoRequest";
      case 11 -> "TimeExceeded";
      case 12 -> "ParameterProblem";
      default -> "type " + type + " code " + code;
    };
  }

  private static String icmpv6(int type, int code) {
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
      case 137 -> "Redirect";
      default -> "type " + type + " code " + code;
    };
  }

  // --- other responses -------------------------------------------------------------------------

  private void writeLost(GetFlowsResponse r) {
    if (opts.format() == Format.JSONPB) {
      out.println(json(r));
      return;
    }
    LostEvent l = r.getLostEvents();
    err.println(
        "EVENTS LOST: "
            + l.getSource().name()
            + " CPU("
            + l.getCpu().getValue()
            + ") "
            + Long.toUnsignedString(l.getNumEventsLost()));
    err.flush();
  }

  /** Relay node changes: only errors and unavailable nodes are shown (as Hubble, not debugging). */
  private void writeNodeStatus(GetFlowsResponse r) {
    NodeStatusEvent s = r.getNodeStatus();
    if (s.getStateChange() != NodeState.NODE_ERROR
        && s.getStateChange() != NodeState.NODE_UNAVAILABLE) {
      return;
    }
    if (opts.format() == Format.JSONPB || opts.format() == Format.JSON) {
      err.println(json(r));
      return;
    }
    String nodes = String.join(", ", s.getNodeNamesList());
    String prefix =
        opts.time().apply(r.hasTime() ? r.getTime() : null) + " [" + escape(r.getNodeName()) + "]";
    err.println(
        s.getStateChange() == NodeState.NODE_ERROR
            ? prefix
                + ": Error \""
                + escape(s.getMessage())
                + "\" on "
                + s.getNodeNamesCount()
                + " nodes: "
                + escape(nodes)
            : prefix + ": " + s.getNodeNamesCount() + " nodes are unavailable: " + escape(nodes));
  }

  // --- helpers ---------------------------------------------------------------------------------

  /** One JSON object on one line, proto field names, fields with default values left out. */
  public String json(MessageOrBuilder m) {
    if (json == null) {
      json = JsonFormat.printer().preservingProtoFieldNames().omittingInsignificantWhitespace();
    }
    try {
      return json.print(m);
    } catch (InvalidProtocolBufferException e) {
      // only an Any of a type this client does not know can fail: print without extensions
      if (m instanceof GetFlowsResponse r && r.hasFlow()) {
        return json(r.toBuilder().setFlow(r.getFlow().toBuilder().clearExtensions()).build());
      }
      if (m instanceof Flow f) {
        return json(f.toBuilder().clearExtensions().build());
      }
      throw new IllegalStateException("cannot print as JSON: " + e.getMessage(), e);
    }
  }

  private String host(String s) {
    return paint(36, s);
  }

  /** An ANSI colour (fatih/color's sequences) when colouring is on. */
  private String paint(int code, String s) {
    return color ? "\u001b[" + code + "m" + s + "\u001b[0m" : s;
  }

  /** Control characters in caret notation ({@code ^[} for ESC), so flows cannot drive a TTY. */
  static String escape(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        StringBuilder sb = new StringBuilder(s.length() + 8).append(s, 0, i);
        for (int j = i; j < s.length(); j++) {
          char d = s.charAt(j);
          if (d < 0x20 || d == 0x7f) {
            sb.append('^').append((char) (d ^ 0x40));
          } else {
            sb.append(d);
          }
        }
        return sb.toString();
      }
    }
    return s;
  }

  /** Columns left-aligned, three spaces apart, no trailing spaces. */
  static String alignedTable(List<String[]> rows) {
    int columns = rows.get(0).length;
    int[] width = new int[columns];
    for (String[] r : rows) {
      for (int i = 0; i < columns; i++) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (String[] r : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < columns; i++) {
        line.append(r[i]);
        if (i < columns - 1) {
          line.append(" ".repeat(width[i] - r[i].length() + 3));
        }
      }
      sb.append(line.toString().stripTrailing()).append('\n');
    }
    return sb.toString();
  }
}
