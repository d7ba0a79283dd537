package io.jilium.cli.observe;

import io.jilium.api.flow.DropReason;
import io.jilium.api.flow.EventTypeFilter;
import io.jilium.api.flow.FlowFilter;
import io.jilium.api.flow.HTTPHeader;
import io.jilium.api.flow.IPVersion;
import io.jilium.api.flow.NetworkInterface;
import io.jilium.api.flow.TCPFlags;
import io.jilium.api.flow.TrafficDirection;
import io.jilium.api.flow.Verdict;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The filter flags of {@code hubble observe}, turned into a whitelist and a blacklist exactly as
 * Hubble's CLI does. Flags are applied in command-line order: {@code --not} sends the one flag
 * after it to the blacklist. Each list is built as two filters, "left" and "right": flags naming
 * one side ({@code --from-pod}, {@code --to-port}, {@code --verdict}) go into both, flags naming
 * either side ({@code --pod}, {@code --ip}, {@code --label}, {@code --port}) put the source form
 * into the left and the destination form into the right, so the pair means "from X or to X"; when
 * both come out equal only one is sent. Namespaces ({@code -n}, {@code --from-namespace}, {@code
 * -A}) are applied to the pod and service filters at the end.
 */
public final class FilterFlags {
  /** Flags taking no value. */
  public static final List<String> SWITCHES =
      List.of("not", "ipv4", "ipv6", "all-namespaces", "from-all-namespaces", "to-all-namespaces");

  /** Flags that cannot be combined, per group (Hubble's table). */
  private static final List<List<String>> CONFLICTS =
      List.of(
          List.of(
              "from-fqdn",
              "from-ip",
              "ip",
              "fqdn",
              "from-namespace",
              "namespace",
              "from-all-namespaces",
              "all-namespaces"),
          List.of("from-fqdn", "from-ip", "ip", "fqdn", "from-pod", "pod"),
          List.of(
              "to-fqdn",
              "to-ip",
              "ip",
              "fqdn",
              "to-namespace",
              "namespace",
              "to-all-namespaces",
              "all-namespaces"),
          List.of("to-fqdn", "to-ip", "ip", "fqdn", "to-pod", "pod"),
          List.of("to-pod", "namespace", "all-namespaces"),
          List.of("from-pod", "namespace", "all-namespaces"),
          List.of("to-service", "namespace", "all-namespaces"),
          List.of("from-service", "namespace", "all-namespaces"),
          List.of("label", "from-label"),
          List.of("label", "to-label"),
          List.of("service", "from-service"),
          List.of("service", "to-service"),
          List.of("port", "to-port"),
          List.of("port", "from-port"),
          List.of("identity", "to-identity"),
          List.of("identity", "from-identity"),
          List.of("node-name", "cluster"));

  private static final Pattern IPV4 =
      Pattern.compile(
          "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
  private static final Pattern HTTP_STATUS = Pattern.compile("[1-5][0-9]{2}|[1-5][0-9]?\\+");

  private Tracker whitelist;
  private Tracker blacklist;
  private boolean negateNext;

  /** One list being built: left and right filter and the namespace modifiers. */
  private static final class Tracker {
    FlowFilter.Builder left;
    FlowFilter.Builder right;
    final List<String> ns = new ArrayList<>();
    final List<String> srcNs = new ArrayList<>();
    final List<String> dstNs = new ArrayList<>();
    final List<String> changed = new ArrayList<>();

    void both(Consumer<FlowFilter.Builder> update) {
      left(update);
      right(update);
    }

    void left(Consumer<FlowFilter.Builder> update) {
      if (left == null) {
        left = FlowFilter.newBuilder();
      }
      update.accept(left);
    }

    void right(Consumer<FlowFilter.Builder> update) {
      if (right == null) {
        right = FlowFilter.newBuilder();
      }
      update.accept(right);
    }

    List<FlowFilter> filters() {
      if (left == null && right == null && ns.isEmpty() && srcNs.isEmpty() && dstNs.isEmpty()) {
        return List.of();
      }
      FlowFilter.Builder l = left == null ? FlowFilter.newBuilder() : left.clone();
      FlowFilter.Builder r = right == null ? FlowFilter.newBuilder() : right.clone();
      if (!dstNs.isEmpty()) {
        applyDestination(dstNs, l);
        applyDestination(dstNs, r);
      }
      if (!srcNs.isEmpty()) {
        applySource(srcNs, l);
        applySource(srcNs, r);
      }
      if (!ns.isEmpty()) {
        applySource(ns, l);
        applyDestination(ns, r);
      }
      FlowFilter lf = l.build();
      FlowFilter rf = r.build();
      return lf.equals(rf) ? List.of(lf) : List.of(lf, rf);
    }
  }

  /**
   * Applies one flag (name without dashes; switches take "true").
   *
   * @throws IllegalArgumentException naming the flag, the value and what is expected
   */
  public void set(String flag, String value) {
    if (flag.equals("not")) {
      if (negateNext) {
        throw new IllegalArgumentException(
            "--not: consecutive --not (each --not negates one filter flag)");
      }
      negateNext = true;
      return;
    }
    Tracker t;
    if (negateNext) {
      negateNext = false;
      if (blacklist == null) {
        blacklist = new Tracker();
      }
      t = blacklist;
    } else {
      if (whitelist == null) {
        whitelist = new Tracker();
      }
      t = whitelist;
    }
    if (!t.changed.contains(flag)) {
      t.changed.add(flag);
    }
    checkConflicts(t);
    apply(t, flag, value);
    checkNamespaces(t, t.left);
    checkNamespaces(t, t.right);
  }

  /** Ends the flags: a trailing {@code --not} is an error. */
  public void finish() {
    if (negateNext) {
      throw new IllegalArgumentException(
          "--not: trailing --not (expected a filter flag after it, e.g. --not --verdict DROPPED)");
    }
  }

  public List<FlowFilter> whitelist() {
    return whitelist == null ? List.of() : whitelist.filters();
  }

  public List<FlowFilter> blacklist() {
    return blacklist == null ? List.of() : blacklist.filters();
  }

  private static void checkConflicts(Tracker t) {
    for (List<String> group : CONFLICTS) {
      for (String flag : group) {
        if (!t.changed.contains(flag)) {
          continue;
        }
        for (String other : group) {
          if (!other.equals(flag) && t.changed.contains(other)) {
            throw new IllegalArgumentException(
                "filters --" + flag + " and --" + other + " cannot be combined");
          }
        }
      }
    }
  }

  private static void apply(Tracker t, String flag, String v) {
    switch (flag) {
      case "uuid" -> t.both(f -> f.addUuid(v));
      case "fqdn" -> {
        t.left(f -> f.addSourceFqdn(v));
        t.right(f -> f.addDestinationFqdn(v));
      }
      case "from-fqdn" -> t.both(f -> f.addSourceFqdn(v));
      case "to-fqdn" -> t.both(f -> f.addDestinationFqdn(v));
      case "pod" -> {
        t.left(f -> f.addSourcePod(v));
        t.right(f -> f.addDestinationPod(v));
      }
      case "from-pod" -> t.both(f -> f.addSourcePod(v));
      case "to-pod" -> t.both(f -> f.addDestinationPod(v));
      case "ip" -> {
        String ip = address(flag, v);
        t.left(f -> f.addSourceIp(ip));
        t.right(f -> f.addDestinationIp(ip));
      }
      case "from-ip" -> t.both(f -> f.addSourceIp(address(flag, v)));
      case "to-ip" -> t.both(f -> f.addDestinationIp(address(flag, v)));
      case "snat-ip" -> t.both(f -> f.addSourceIpXlated(address(flag, v)));
      case "ipv4" -> t.both(f -> f.addIpVersion(IPVersion.IPv4));
      case "ipv6" -> t.both(f -> f.addIpVersion(IPVersion.IPv6));
      case "ip-version" -> t.both(f -> f.addIpVersion(ipVersion(v)));
      case "label" -> {
        t.left(f -> f.addSourceLabel(v));
        t.right(f -> f.addDestinationLabel(v));
      }
      case "from-label" -> t.both(f -> f.addSourceLabel(v));
      case "to-label" -> t.both(f -> f.addDestinationLabel(v));
      case "namespace" -> t.ns.add(v);
      case "from-namespace" -> t.srcNs.add(v);
      case "to-namespace" -> t.dstNs.add(v);
      case "all-namespaces" -> t.ns.add("");
      case "from-all-namespaces" -> t.srcNs.add("");
      case "to-all-namespaces" -> t.dstNs.add("");
      case "service" -> {
        t.left(f -> f.addSourceService(v));
        t.right(f -> f.addDestinationService(v));
      }
      case "from-service" -> t.both(f -> f.addSourceService(v));
      case "to-service" -> t.both(f -> f.addDestinationService(v));
      case "port" -> {
        String p = port(flag, v);
        t.left(f -> f.addSourcePort(p));
        t.right(f -> f.addDestinationPort(p));
      }
      case "from-port" -> t.both(f -> f.addSourcePort(port(flag, v)));
      case "to-port" -> t.both(f -> f.addDestinationPort(port(flag, v)));
      case "trace-id" -> t.both(f -> f.addTraceId(v));
      case "verdict" -> t.both(f -> f.addVerdict(verdict(v)));
      case "drop-reason-desc" -> t.both(f -> f.addDropReasonDesc(dropReason(v)));
      case "http-status" -> t.both(f -> f.addHttpStatusCode(httpStatus(v)));
      case "http-method" -> t.both(f -> f.addHttpMethod(v));
      case "http-path" -> t.both(f -> f.addHttpPath(regex(flag, v)));
      case "http-url" -> t.both(f -> f.addHttpUrl(regex(flag, v)));
      case "http-header" -> {
        int colon = v.indexOf(':');
        if (colon < 0) {
          throw invalid(flag, v, "expected: NAME:VALUE, e.g. x-user:alice");
        }
        HTTPHeader h =
            HTTPHeader.newBuilder()
                .setKey(v.substring(0, colon))
                .setValue(v.substring(colon + 1))
                .build();
        t.both(f -> f.addHttpHeader(h));
      }
      case "type" -> t.both(f -> f.addEventType(eventType(v)));
      case "protocol" -> t.both(f -> f.addProtocol(protocol(v)));
      case "identity" -> {
        int id = identity(flag, v);
        t.left(f -> f.addSourceIdentity(id));
        t.right(f -> f.addDestinationIdentity(id));
      }
      case "from-identity" -> t.both(f -> f.addSourceIdentity(identity(flag, v)));
      case "to-identity" -> t.both(f -> f.addDestinationIdentity(identity(flag, v)));
      case "node-name" -> t.both(f -> f.addNodeName(v));
      case "node-label" -> t.both(f -> f.addNodeLabels(v));
      case "cluster" -> t.both(f -> f.addNodeName(v + "/"));
      case "tcp-flags" -> t.both(f -> f.addTcpFlags(tcpFlags(v)));
      case "traffic-direction" -> t.both(f -> f.addTrafficDirection(direction(v)));
      case "interface" -> t.both(f -> f.addInterface(NetworkInterface.newBuilder().setName(v)));
      default -> throw new IllegalArgumentException("--" + flag + ": not a filter flag");
    }
  }

  // --- namespaces ------------------------------------------------------------------------------

  private static void applySource(List<String> namespaces, FlowFilter.Builder f) {
    if (f.getSourcePodCount() == 0 && f.getSourceServiceCount() == 0) {
      f.addSourcePod("");
    }
    List<String> pods = withNamespaces(f.getSourcePodList(), namespaces);
    List<String> services = withNamespaces(f.getSourceServiceList(), namespaces);
    f.clearSourcePod().addAllSourcePod(pods).clearSourceService().addAllSourceService(services);
  }

  private static void applyDestination(List<String> namespaces, FlowFilter.Builder f) {
    if (f.getDestinationPodCount() == 0 && f.getDestinationServiceCount() == 0) {
      f.addDestinationPod("");
    }
    List<String> pods = withNamespaces(f.getDestinationPodList(), namespaces);
    List<String> services = withNamespaces(f.getDestinationServiceList(), namespaces);
    f.clearDestinationPod()
        .addAllDestinationPod(pods)
        .clearDestinationService()
        .addAllDestinationService(services);
  }

  /** Names without a namespace get each namespace; names with one keep it. */
  private static List<String> withNamespaces(List<String> names, List<String> namespaces) {
    if (names.isEmpty()) {
      return List.copyOf(names);
    }
    List<String> out = new ArrayList<>();
    for (String name : names) {
      if (name.contains("/")) {
        out.add(name);
        continue;
      }
      for (String ns : namespaces) {
        out.add(ns + "/" + name);
      }
    }
    return out;
  }

  private static String namespaceOf(String name) {
    int slash = name.indexOf('/');
    return slash < 0 ? "" : name.substring(0, slash);
  }

  private static void checkNamespaces(Tracker t, FlowFilter.Builder f) {
    if (f == null) {
      return;
    }
    namespaceConflict(t.ns, f.getSourcePodList());
    namespaceConflict(t.ns, f.getSourceServiceList());
    namespaceConflict(t.ns, f.getDestinationPodList());
    namespaceConflict(t.ns, f.getDestinationServiceList());
    namespaceConflict(t.srcNs, f.getSourcePodList());
    namespaceConflict(t.srcNs, f.getSourceServiceList());
    namespaceConflict(t.dstNs, f.getDestinationPodList());
    namespaceConflict(t.dstNs, f.getDestinationServiceList());
    inconsistentNamespaces(f.getSourcePodList(), f.getSourceServiceList());
    inconsistentNamespaces(f.getDestinationPodList(), f.getDestinationServiceList());
  }

  private static void namespaceConflict(List<String> namespaces, List<String> names) {
    for (String ns : namespaces) {
      for (String name : names) {
        String n = namespaceOf(name);
        if (!n.isEmpty() && !n.equals(ns)) {
          throw new IllegalArgumentException(
              "namespace conflict: \"" + ns + "\" does not contain \"" + name + "\"");
        }
      }
    }
  }

  private static void inconsistentNamespaces(List<String> pods, List<String> services) {
    for (String pod : pods) {
      String podNs = namespaceOf(pod);
      if (podNs.isEmpty()) {
        continue;
      }
      for (String svc : services) {
        if (!namespaceOf(svc).equals(podNs)) {
          throw new IllegalArgumentException(
              "namespace of service \"" + svc + "\" conflicts with pod \"" + pod + "\"");
        }
      }
    }
  }

  // --- values ----------------------------------------------------------------------------------

  private static IllegalArgumentException invalid(String flag, String value, String expected) {
    return new IllegalArgumentException("--" + flag + " \"" + value + "\": " + expected);
  }

  /** An address or CIDR, checked here so that the error names the flag. */
  private static String address(String flag, String v) {
    String addr = v;
    int slash = v.indexOf('/');
    if (slash >= 0) {
      addr = v.substring(0, slash);
      String len = v.substring(slash + 1);
      int max = addr.contains(":") ? 128 : 32;
      if (!len.matches("\\d{1,3}") || Integer.parseInt(len) > max || !isAddress(addr)) {
        throw invalid(
            flag, v, "invalid CIDR (expected: ADDRESS/PREFIX-LENGTH with a length 0-" + max + ")");
      }
      return v;
    }
    if (!isAddress(addr)) {
      throw invalid(
          flag,
          v,
          "invalid IP address (expected: an address like 10.0.0.1 or fd00::1, or a CIDR like"
              + " 10.0.0.0/8)");
    }
    return v;
  }

  private static boolean isAddress(String s) {
    if (!s.contains(":")) {
      return IPV4.matcher(s).matches();
    }
    if (!s.matches("[0-9A-Fa-f:.]+")) {
      return false;
    }
    try {
      InetAddress.ofLiteral(s);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static String port(String flag, String v) {
    if (!v.matches("\\d{1,5}") || Integer.parseInt(v) > 65535) {
      throw invalid(flag, v, "invalid port (expected: a number 0-65535)");
    }
    return v;
  }

  private static IPVersion ipVersion(String v) {
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "4", "v4", "ipv4", "ip4" -> IPVersion.IPv4;
      case "6", "v6", "ipv6", "ip6" -> IPVersion.IPv6;
      case "none" -> IPVersion.IP_NOT_USED;
      default -> throw invalid("ip-version", v, "expected: none, v4 or v6");
    };
  }

  private static Verdict verdict(String v) {
    String upper = v.toUpperCase(Locale.ROOT);
    for (Verdict x : Verdict.values()) {
      if (x != Verdict.UNRECOGNIZED && x != Verdict.VERDICT_UNKNOWN && x.name().equals(upper)) {
        return x;
      }
    }
    throw invalid(
        "verdict",
        v,
        "expected one of: FORWARDED, DROPPED, AUDIT, REDIRECTED, ERROR, TRACED, TRANSLATED");
  }

  private static DropReason dropReason(String v) {
    String upper = v.toUpperCase(Locale.ROOT);
    for (DropReason x : DropReason.values()) {
      if (x != DropReason.UNRECOGNIZED && x.name().equals(upper)) {
        return x;
      }
    }
    throw invalid(
        "drop-reason-desc",
        v,
        "expected a drop reason name such as POLICY_DENIED, POLICY_DENY or"
            + " UNSUPPORTED_L3_PROTOCOL");
  }

  private static String httpStatus(String v) {
    if (!HTTP_STATUS.matcher(v).matches()) {
      throw invalid(
          "http-status", v, "expected: a status code like 404 or a prefix like 4+ or 40+");
    }
    return v;
  }

  private static String regex(String flag, String v) {
    try {
      Pattern.compile(v);
      return v;
    } catch (PatternSyntaxException e) {
      throw invalid(flag, v, "invalid regular expression: " + e.getDescription());
    }
  }

  private static String protocol(String v) {
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "icmp", "icmpv4", "icmpv6", "tcp", "udp", "sctp", "dns", "http", "kafka" -> v;
      default ->
          throw invalid(
              "protocol",
              v,
              "unknown protocol (expected: tcp, udp, sctp, icmp, icmpv4, icmpv6, dns, http or"
                  + " kafka)");
    };
  }

  /**
   * {@code TYPE[:SUBTYPE]}, names or numbers: {@code drop}, {@code trace:to-endpoint}, {@code 4:0}.
   */
  private static EventTypeFilter eventType(String v) {
    String[] parts = v.split(":", 2);
    EventTypeFilter.Builder b = EventTypeFilter.newBuilder();
    Integer type = HubbleNames.MESSAGE_TYPES.get(parts[0]);
    if (type == null) {
      type = unsigned(parts[0]);
      if (type == null) {
        throw invalid(
            "type",
            v,
            "unknown event type \""
                + parts[0]
                + "\" (expected: TYPE[:SUBTYPE] with TYPE one of "
                + String.join(", ", HubbleNames.MESSAGE_TYPES.keySet())
                + " or a number)");
      }
    }
    b.setType(type);
    if (parts.length > 1) {
      Integer sub =
          switch (type) {
            case HubbleNames.TYPE_TRACE -> HubbleNames.TRACE_POINTS.get(parts[1]);
            case HubbleNames.TYPE_AGENT -> HubbleNames.AGENT_SUBTYPES.get(parts[1]);
            default -> null;
          };
      if (sub == null) {
        sub = unsigned(parts[1]);
      }
      if (sub == null) {
        String names =
            type == HubbleNames.TYPE_TRACE
                ? String.join(", ", HubbleNames.TRACE_POINTS.keySet()) + " or a number"
                : type == HubbleNames.TYPE_AGENT
                    ? String.join(", ", HubbleNames.AGENT_SUBTYPES.keySet()) + " or a number"
                    : "a number";
        throw invalid("type", v, "unknown sub type \"" + parts[1] + "\" (expected: " + names + ")");
      }
      b.setMatchSubType(true).setSubType(sub);
    }
    return b.build();
  }

  private static Integer unsigned(String s) {
    if (!s.matches("\\d{1,10}")) {
      return null;
    }
    long n = Long.parseLong(s);
    return n > 0xffffffffL ? null : (int) n;
  }

  /** A reserved identity name ({@code world}) or a number (decimal or 0x hex). */
  private static int identity(String flag, String v) {
    Integer reserved = HubbleNames.RESERVED_IDENTITIES.get(v);
    if (reserved != null) {
      return reserved;
    }
    try {
      long n =
          v.startsWith("0x") || v.startsWith("0X")
              ? Long.parseLong(v.substring(2), 16)
              : Long.parseLong(v);
      if (n >= 0 && n <= 0xffffffffL && !v.startsWith("+") && !v.startsWith("-")) {
        return (int) n;
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw invalid(
        flag,
        v,
        "invalid security identity (expected one of "
            + String.join(", ", HubbleNames.RESERVED_IDENTITIES.keySet())
            + " or a number)");
  }

  /** Comma-separated flag names, all of which must be set: {@code syn}, {@code syn,ack}. */
  private static TCPFlags tcpFlags(String v) {
    TCPFlags.Builder b = TCPFlags.newBuilder();
    for (String f : v.split(",", -1)) {
      switch (f.strip().toUpperCase(Locale.ROOT)) {
        case "SYN" -> b.setSYN(true);
        case "FIN" -> b.setFIN(true);
        case "RST" -> b.setRST(true);
        case "PSH" -> b.setPSH(true);
        case "ACK" -> b.setACK(true);
        case "URG" -> b.setURG(true);
        case "ECE" -> b.setECE(true);
        case "CWR" -> b.setCWR(true);
        case "NS" -> b.setNS(true);
        default ->
            throw invalid(
                "tcp-flags",
                v,
                "unknown TCP flag \""
                    + f
                    + "\" (expected: comma-separated "
                    + String.join(
                        ", ",
                        Arrays.asList("SYN", "ACK", "FIN", "RST", "PSH", "URG", "ECE", "CWR", "NS"))
                    + ")");
      }
    }
    return b.build();
  }

  private static TrafficDirection direction(String v) {
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "ingress" -> TrafficDirection.INGRESS;
      case "egress" -> TrafficDirection.EGRESS;
      default -> throw invalid("traffic-direction", v, "expected: ingress or egress");
    };
  }

  /** Every filter flag name. */
  public static List<String> names() {
    return List.of(
        "not",
        "uuid",
        "fqdn",
        "from-fqdn",
        "to-fqdn",
        "pod",
        "from-pod",
        "to-pod",
        "ip",
        "from-ip",
        "to-ip",
        "snat-ip",
        "ipv4",
        "ipv6",
        "ip-version",
        "label",
        "from-label",
        "to-label",
        "namespace",
        "from-namespace",
        "to-namespace",
        "all-namespaces",
        "from-all-namespaces",
        "to-all-namespaces",
        "service",
        "from-service",
        "to-service",
        "port",
        "from-port",
        "to-port",
        "trace-id",
        "verdict",
        "drop-reason-desc",
        "http-status",
        "http-method",
        "http-path",
        "http-url",
        "http-header",
        "type",
        "protocol",
        "identity",
        "from-identity",
        "to-identity",
        "node-name",
        "node-label",
        "cluster",
        "tcp-flags",
        "traffic-direction",
        "interface");
  }
}
