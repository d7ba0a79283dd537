package io.jilium.cli.observe;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The names Hubble's CLI reads and prints for numbers carried in flows: monitor message types and
 * sub types (Cilium pkg/monitor/api), drop reasons, policy match types and reserved identities. The
 * drop reasons and reserved identities equal jilium-core's (HubbleNamesTest compares them); the CLI
 * keeps its own copy so that it does not load the control plane's classes.
 */
public final class HubbleNames {
  private HubbleNames() {}

  /** Monitor message types by name, as {@code --type} takes them. */
  public static final Map<String, Integer> MESSAGE_TYPES =
      ordered(
          "drop", 1,
          "debug", 2,
          "capture", 3,
          "trace", 4,
          "policy-verdict", 5,
          "recorder", 6,
          "trace-sock", 7,
          "l7", 129,
          "agent", 130);

  public static final int TYPE_DROP = 1;
  public static final int TYPE_CAPTURE = 3;
  public static final int TYPE_TRACE = 4;
  public static final int TYPE_POLICY_VERDICT = 5;
  public static final int TYPE_TRACE_SOCK = 7;
  public static final int TYPE_L7 = 129;
  public static final int TYPE_AGENT = 130;

  /** Trace observation points (trace sub types) by name: {@code trace:to-endpoint}. */
  public static final Map<String, Integer> TRACE_POINTS =
      ordered(
          "to-endpoint", 0,
          "to-proxy", 1,
          "to-host", 2,
          "to-stack", 3,
          "to-overlay", 4,
          "from-endpoint", 5,
          "from-proxy", 6,
          "from-host", 7,
          "from-stack", 8,
          "from-overlay", 9,
          "from-network", 10,
          "to-network", 11,
          "from-crypto", 12,
          "to-crypto", 13);

  /** Agent notification sub types by name: {@code agent:policy-updated}. */
  public static final Map<String, Integer> AGENT_SUBTYPES =
      ordered(
          "unspecified", 0,
          "message", 1,
          "agent-started", 2,
          "endpoint-regenerate-success", 3,
          "endpoint-regenerate-failure", 4,
          "policy-updated", 5,
          "policy-deleted", 6,
          "endpoint-created", 7,
          "endpoint-deleted", 8,
          "ipcache-upserted", 9,
          "ipcache-deleted", 10,
          "service-upserted", 11,
          "service-deleted", 12);

  /** Reserved identities by name, as {@code --identity} takes them. */
  public static final Map<String, Integer> RESERVED_IDENTITIES =
      ordered(
          "host", 1,
          "world", 2,
          "unmanaged", 3,
          "health", 4,
          "init", 5,
          "remote-node", 6,
          "kube-apiserver", 7,
          "ingress", 8,
          "world-ipv4", 9,
          "world-ipv6", 10);

  private static final Map<Integer, String> DROP_REASONS = new LinkedHashMap<>();

  static {
    String[] texts = {
      "130", "Invalid source mac",
      "131", "Invalid destination mac",
      "132", "Invalid source ip",
      "133", "Policy denied",
      "134", "Invalid packet",
      "135", "CT: Truncated or invalid header",
      "136", "Fragmentation needed",
      "137", "CT: Unknown L4 protocol",
      "138", "CT: Can't create entry from packet",
      "139", "Unsupported L3 protocol",
      "140", "Missed tail call",
      "141", "Error writing to packet",
      "142", "Unknown L4 protocol",
      "143", "Unknown ICMPv4 code",
      "144", "Unknown ICMPv4 type",
      "145", "Unknown ICMPv6 code",
      "146", "Unknown ICMPv6 type",
      "147", "Error retrieving tunnel key",
      "148", "Error retrieving tunnel options",
      "149", "Invalid Geneve option",
      "150", "Unknown L3 target address",
      "151", "Stale or unroutable IP",
      "152", "No matching local container found",
      "153", "Error while correcting L3 checksum",
      "154", "Error while correcting L4 checksum",
      "155", "CT: Map insertion failed",
      "156", "Invalid IPv6 extension header",
      "157", "IP fragmentation not supported",
      "158", "Service backend not found",
      "160", "No tunnel/encapsulation endpoint (datapath BUG!)",
      "161", "NAT 46/64 not enabled",
      "162", "Reached EDT rate-limiting drop horizon",
      "163", "Unknown connection tracking state",
      "164", "Local host is unreachable",
      "165", "No configuration available to perform policy decision",
      "166", "Unsupported L2 protocol",
      "167", "No mapping for NAT masquerade",
      "168", "Unsupported protocol for NAT masquerade",
      "169", "FIB lookup failed",
      "170", "Encapsulation traffic is prohibited",
      "171", "Invalid identity",
      "172", "Unknown sender",
      "173", "NAT not needed",
      "174", "Is a ClusterIP",
      "175", "First logical datagram fragment not found",
      "176", "Forbidden ICMPv6 message",
      "177", "Denied by LB src range check",
      "178", "Socket lookup failed",
      "179", "Socket assign failed",
      "180", "Proxy redirection not supported for protocol",
      "181", "Policy denied by denylist",
      "182", "VLAN traffic disallowed by VLAN filter",
      "183", "Incorrect VNI from VTEP",
      "184", "Failed to update or lookup TC buffer",
      "185", "No SID was found for the IP address",
      "186", "SRv6 state was removed during tail call",
      "187", "L3 translation from IPv4 to IPv6 failed (NAT46)",
      "188", "L3 translation from IPv6 to IPv4 failed (NAT64)",
      "189", "Authentication required",
      "190", "No conntrack map found",
      "191", "No nat map found",
      "192", "Invalid ClusterID",
      "193", "Unsupported packet protocol for DSR encapsulation",
      "194", "No egress gateway found",
      "195", "Traffic is unencrypted",
      "196", "TTL exceeded",
      "197", "No node ID found",
      "198", "Rate limited",
      "202", "Host datapath not ready",
      "203", "Endpoint policy program not available",
      "204", "No Egress IP configured",
    };
    for (int i = 0; i < texts.length; i += 2) {
      DROP_REASONS.put(Integer.parseInt(texts[i]), texts[i + 1]);
    }
  }

  /** Cilium's text for a drop code ("Policy denied"), or the number for unknown codes. */
  public static String dropReason(int code) {
    String text = DROP_REASONS.get(code);
    return text != null ? text : Integer.toString(code);
  }

  /** Every drop code with a text (for tests). */
  static Map<Integer, String> dropReasons() {
    return Collections.unmodifiableMap(DROP_REASONS);
  }

  /** The observation point of a trace sub type ("to-endpoint"), or the number. */
  public static String tracePoint(int subType) {
    return nameOf(TRACE_POINTS, subType).orElse(Integer.toString(subType));
  }

  /** A policy-verdict's match type as Cilium prints it. */
  public static String policyMatchType(int type) {
    return switch (type) {
      case 0 -> "none";
      case 1 -> "L3-Only";
      case 2 -> "L3-L4";
      case 3 -> "L4-Only";
      case 4 -> "all";
      case 5 -> "L3-Proto";
      case 6 -> "Proto-Only";
      default -> "unknown";
    };
  }

  /** The name of a reserved identity ("host"); 0 is "unknown"; other ids have none. */
  public static Optional<String> reservedIdentity(int id) {
    if (id == 0) {
      return Optional.of("unknown");
    }
    return nameOf(RESERVED_IDENTITIES, id);
  }

  static Optional<String> nameOf(Map<String, Integer> names, int value) {
    for (Map.Entry<String, Integer> e : names.entrySet()) {
      if (e.getValue() == value) {
        return Optional.of(e.getKey());
      }
    }
    return Optional.empty();
  }

  private static Map<String, Integer> ordered(Object... pairs) {
    Map<String, Integer> m = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put((String) pairs[i], (Integer) pairs[i + 1]);
    }
    return Collections.unmodifiableMap(m);
  }
}
