package io.jilium.agent.observer;

import io.jilium.agent.observer.FlowLabelSelector.FlowLabel;
import io.jilium.api.flow.DropReason;
import io.jilium.api.flow.EventTypeFilter;
import io.jilium.api.flow.Flow;
import io.jilium.api.flow.FlowFilter;
import io.jilium.api.flow.HTTP;
import io.jilium.api.flow.HTTPHeader;
import io.jilium.api.flow.IPVersion;
import io.jilium.api.flow.Layer4;
import io.jilium.api.flow.NetworkInterface;
import io.jilium.api.flow.TCPFlags;
import io.jilium.api.flow.TrafficDirection;
import io.jilium.api.flow.Verdict;
import io.jilium.api.flow.Workload;
import io.jilium.core.net.Cidr;
import io.jilium.core.net.IpAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Hubble's flow filter semantics ({@code GetFlowsRequest.whitelist/blacklist}): a flow passes when
 * it matches at least one whitelist filter (or the whitelist is empty) and no blacklist filter.
 * Within one {@link FlowFilter} every field that is set must match (AND); within one repeated field
 * any value may match (OR). Field by field the meaning is Hubble's (cilium pkg/hubble/filters), see
 * docs/observe.md.
 *
 * <p>Filters are validated and compiled once; the resulting predicate is pure and thread-safe.
 * Fields Jilium cannot evaluate (CEL expressions) are refused, never ignored.
 */
public final class FlowFilters {
  /** Monitor message types that appear in flows (Cilium pkg/monitor/api). */
  static final int MESSAGE_TYPE_ACCESS_LOG = 129;

  private static final Pattern HTTP_STATUS_FULL = Pattern.compile("[1-5][0-9]{2}");
  private static final Pattern HTTP_STATUS_PREFIX = Pattern.compile("[1-5][0-9]?\\+");

  private FlowFilters() {}

  /**
   * Compiles a request's filters.
   *
   * @throws IllegalArgumentException for an invalid filter, naming the field path and the value,
   *     e.g. {@code whitelist[0].source_ip[1] "10.0.0.0/33": prefix length 33 (expected: 0-32)}
   */
  public static Predicate<Flow> compile(List<FlowFilter> whitelist, List<FlowFilter> blacklist) {
    List<Predicate<Flow>> allow = compileList("whitelist", whitelist);
    List<Predicate<Flow>> deny = compileList("blacklist", blacklist);
    if (allow.isEmpty() && deny.isEmpty()) {
      return flow -> true;
    }
    return flow -> (allow.isEmpty() || anyMatches(allow, flow)) && !anyMatches(deny, flow);
  }

  private static List<Predicate<Flow>> compileList(String name, List<FlowFilter> filters) {
    List<Predicate<Flow>> out = new ArrayList<>(filters.size());
    for (int i = 0; i < filters.size(); i++) {
      out.add(compile(name + "[" + i + "]", filters.get(i)));
    }
    return out;
  }

  private static boolean anyMatches(List<Predicate<Flow>> filters, Flow flow) {
    for (Predicate<Flow> f : filters) {
      if (f.test(flow)) {
        return true;
      }
    }
    return false;
  }

  /** One filter: the conjunction of its set fields (an empty filter matches every flow). */
  static Predicate<Flow> compile(String path, FlowFilter f) {
    List<Predicate<Flow>> all = new ArrayList<>();
    String p = path + ".";

    if (f.getUuidCount() > 0) {
      Set<String> ids = Set.copyOf(f.getUuidList());
      all.add(flow -> ids.contains(flow.getUuid()));
    }

    if (f.getSourceIpCount() > 0) {
      all.add(ips(p + "source_ip", f.getSourceIpList(), flow -> flow.getIP().getSource()));
    }
    if (f.getSourceIpXlatedCount() > 0) {
      all.add(
          ips(
              p + "source_ip_xlated",
              f.getSourceIpXlatedList(),
              flow -> flow.getIP().getSourceXlated()));
    }
    if (f.getDestinationIpCount() > 0) {
      all.add(
          ips(
              p + "destination_ip",
              f.getDestinationIpList(),
              flow -> flow.getIP().getDestination()));
    }

    if (f.getSourcePodCount() > 0) {
      all.add(
          namespacedNames(
              p + "source_pod",
              f.getSourcePodList(),
              flow -> flow.getSource().getNamespace(),
              flow -> flow.getSource().getPodName()));
    }
    if (f.getDestinationPodCount() > 0) {
      all.add(
          namespacedNames(
              p + "destination_pod",
              f.getDestinationPodList(),
              flow -> flow.getDestination().getNamespace(),
              flow -> flow.getDestination().getPodName()));
    }
    if (f.getSourceServiceCount() > 0) {
      all.add(
          namespacedNames(
              p + "source_service",
              f.getSourceServiceList(),
              flow -> flow.getSourceService().getNamespace(),
              flow -> flow.getSourceService().getName()));
    }
    if (f.getDestinationServiceCount() > 0) {
      all.add(
          namespacedNames(
              p + "destination_service",
              f.getDestinationServiceList(),
              flow -> flow.getDestinationService().getNamespace(),
              flow -> flow.getDestinationService().getName()));
    }

    if (f.getSourceFqdnCount() > 0) {
      all.add(fqdns(p + "source_fqdn", f.getSourceFqdnList(), Flow::getSourceNamesList));
    }
    if (f.getDestinationFqdnCount() > 0) {
      all.add(
          fqdns(p + "destination_fqdn", f.getDestinationFqdnList(), Flow::getDestinationNamesList));
    }
    if (f.getDnsQueryCount() > 0) {
      List<Pattern> queries = regexes(p + "dns_query", f.getDnsQueryList());
      all.add(flow -> flow.getL7().hasDns() && anyFinds(queries, flow.getL7().getDns().getQuery()));
    }

    if (f.getSourceLabelCount() > 0) {
      all.add(
          labels(
              p + "source_label",
              f.getSourceLabelList(),
              true,
              flow -> flow.getSource().getLabelsList()));
    }
    if (f.getDestinationLabelCount() > 0) {
      all.add(
          labels(
              p + "destination_label",
              f.getDestinationLabelList(),
              true,
              flow -> flow.getDestination().getLabelsList()));
    }
    if (f.getNodeLabelsCount() > 0) {
      all.add(labels(p + "node_labels", f.getNodeLabelsList(), false, Flow::getNodeLabelsList));
    }

    if (f.getSourceIdentityCount() > 0) {
      Set<Integer> ids = Set.copyOf(f.getSourceIdentityList());
      all.add(flow -> ids.contains(flow.getSource().getIdentity()));
    }
    if (f.getDestinationIdentityCount() > 0) {
      Set<Integer> ids = Set.copyOf(f.getDestinationIdentityList());
      all.add(flow -> ids.contains(flow.getDestination().getIdentity()));
    }

    if (f.getSourceWorkloadCount() > 0) {
      List<Workload> ws = f.getSourceWorkloadList();
      all.add(flow -> workloadMatches(ws, flow.getSource().getWorkloadsList()));
    }
    if (f.getDestinationWorkloadCount() > 0) {
      List<Workload> ws = f.getDestinationWorkloadList();
      all.add(flow -> workloadMatches(ws, flow.getDestination().getWorkloadsList()));
    }
    if (f.getSourceClusterNameCount() > 0) {
      Set<String> names = clusterNames(p + "source_cluster_name", f.getSourceClusterNameList());
      all.add(flow -> names.contains(flow.getSource().getClusterName()));
    }
    if (f.getDestinationClusterNameCount() > 0) {
      Set<String> names =
          clusterNames(p + "destination_cluster_name", f.getDestinationClusterNameList());
      all.add(flow -> names.contains(flow.getDestination().getClusterName()));
    }

    if (f.getTrafficDirectionCount() > 0) {
      Set<TrafficDirection> dirs = Set.copyOf(f.getTrafficDirectionList());
      all.add(flow -> dirs.contains(flow.getTrafficDirection()));
    }
    if (f.getVerdictCount() > 0) {
      Set<Verdict> verdicts = Set.copyOf(f.getVerdictList());
      all.add(flow -> verdicts.contains(flow.getVerdict()));
    }
    if (f.getDropReasonDescCount() > 0) {
      Set<DropReason> reasons = Set.copyOf(f.getDropReasonDescList());
      // only drops have a drop reason
      all.add(
          flow ->
              flow.getVerdict() == Verdict.DROPPED && reasons.contains(flow.getDropReasonDesc()));
    }
    if (f.getInterfaceCount() > 0) {
      List<NetworkInterface> ifaces = f.getInterfaceList();
      all.add(flow -> flow.hasInterface() && interfaceMatches(ifaces, flow.getInterface()));
    }
    if (f.getEventTypeCount() > 0) {
      List<EventTypeFilter> types = f.getEventTypeList();
      all.add(flow -> flow.hasEventType() && eventTypeMatches(types, flow));
    }

    if (f.getHttpStatusCodeCount() > 0) {
      requireL7EventType(p + "http_status_code", f);
      all.add(httpStatus(p + "http_status_code", f.getHttpStatusCodeList()));
    }
    if (f.getHttpMethodCount() > 0) {
      requireL7EventType(p + "http_method", f);
      List<String> methods = f.getHttpMethodList();
      all.add(
          flow -> {
            HTTP http = flow.getL7().hasHttp() ? flow.getL7().getHttp() : null;
            if (http == null || http.getMethod().isEmpty()) {
              return false;
            }
            for (String m : methods) {
              if (m.equalsIgnoreCase(http.getMethod())) {
                return true;
              }
            }
            return false;
          });
    }
    if (f.getHttpPathCount() > 0) {
      requireL7EventType(p + "http_path", f);
      List<Pattern> paths = regexes(p + "http_path", f.getHttpPathList());
      all.add(
          flow -> {
            if (!flow.getL7().hasHttp() || flow.getL7().getHttp().getUrl().isEmpty()) {
              return false;
            }
            String urlPath = requestPath(flow.getL7().getHttp().getUrl());
            return urlPath != null && anyFinds(paths, urlPath);
          });
    }
    if (f.getHttpUrlCount() > 0) {
      requireL7EventType(p + "http_url", f);
      List<Pattern> urls = regexes(p + "http_url", f.getHttpUrlList());
      all.add(
          flow ->
              flow.getL7().hasHttp()
                  && !flow.getL7().getHttp().getUrl().isEmpty()
                  && anyFinds(urls, flow.getL7().getHttp().getUrl()));
    }
    if (f.getHttpHeaderCount() > 0) {
      requireL7EventType(p + "http_header", f);
      List<HTTPHeader> headers = f.getHttpHeaderList();
      all.add(flow -> flow.getL7().hasHttp() && headerMatches(headers, flow.getL7().getHttp()));
    }

    if (f.getProtocolCount() > 0) {
      all.add(protocols(p + "protocol", f.getProtocolList()));
    }
    if (f.getSourcePortCount() > 0) {
      all.add(ports(p + "source_port", f.getSourcePortList(), true));
    }
    if (f.getDestinationPortCount() > 0) {
      all.add(ports(p + "destination_port", f.getDestinationPortList(), false));
    }
    if (f.getReplyCount() > 0) {
      List<Boolean> replies = f.getReplyList();
      all.add(
          flow -> {
            // an unknown reply direction counts as "not a reply" for drops only (as Hubble, for
            // clients that filtered on the deprecated "reply" field, always false on drops)
            if (!flow.hasIsReply() && flow.getVerdict() != Verdict.DROPPED) {
              return false;
            }
            return replies.contains(flow.getIsReply().getValue());
          });
    }
    if (f.getTcpFlagsCount() > 0) {
      List<TCPFlags> flags = f.getTcpFlagsList();
      all.add(
          flow ->
              flow.getL4().hasTCP()
                  && flow.getL4().getTCP().hasFlags()
                  && tcpFlagsMatch(flags, flow.getL4().getTCP().getFlags()));
    }
    if (f.getNodeNameCount() > 0) {
      Pattern nodes = compiled(p + "node_name", f.getNodeNameList(), NamePatterns::nodeName);
      all.add(
          flow ->
              !flow.getNodeName().isEmpty()
                  && nodes.matcher(NamePatterns.qualifiedNodeName(flow.getNodeName())).matches());
    }
    if (f.getIpVersionCount() > 0) {
      Set<IPVersion> versions = Set.copyOf(f.getIpVersionList());
      all.add(flow -> versions.contains(flow.getIP().getIpVersion()));
    }
    if (f.getTraceIdCount() > 0) {
      Set<String> ids = Set.copyOf(f.getTraceIdList());
      all.add(flow -> ids.contains(flow.getTraceContext().getParent().getTraceId()));
    }
    if (f.getIpTraceIdCount() > 0) {
      Set<Long> ids = Set.copyOf(f.getIpTraceIdList());
      all.add(flow -> ids.contains(flow.getIpTraceId().getTraceId()));
    }
    if (f.getEncryptedCount() > 0) {
      Set<Boolean> values = Set.copyOf(f.getEncryptedList());
      all.add(flow -> values.contains(flow.getIP().getEncrypted()));
    }
    if (f.getExperimental().getCelExpressionCount() > 0) {
      throw invalid(
          p + "experimental.cel_expression[0]",
          f.getExperimental().getCelExpression(0),
          "CEL expressions are not supported by Jilium");
    }

    List<Predicate<Flow>> conjuncts = List.copyOf(all);
    return flow -> {
      for (int i = 0; i < conjuncts.size(); i++) {
        if (!conjuncts.get(i).test(flow)) {
          return false;
        }
      }
      return true;
    };
  }

  static IllegalArgumentException invalid(String path, String value, String why) {
    return new IllegalArgumentException(path + " \"" + value + "\": " + why);
  }

  // --- addresses -------------------------------------------------------------------------------

  /** Exact addresses or CIDRs ("/" present); a flow without the address never matches. */
  private static Predicate<Flow> ips(String path, List<String> values, Function<Flow, String> get) {
    List<byte[]> exact = new ArrayList<>();
    List<Cidr> cidrs = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      String v = values.get(i);
      try {
        if (v.indexOf('/') >= 0) {
          cidrs.add(Cidr.parse(v));
        } else {
          exact.add(IpAddress.parse(v));
        }
      } catch (IllegalArgumentException e) {
        throw invalid(
            path + "[" + i + "]",
            v,
            (v.indexOf('/') >= 0 ? "invalid CIDR" : "invalid IP address")
                + " (expected: an address like 10.0.0.1 or fd00::1, or a CIDR like 10.0.0.0/8)");
      }
    }
    return flow -> {
      String ip = get.apply(flow);
      if (ip.isEmpty()) {
        return false;
      }
      byte[] addr;
      try {
        addr = IpAddress.parse(ip);
      } catch (IllegalArgumentException e) {
        return false;
      }
      for (byte[] e : exact) {
        if (Arrays.equals(e, addr)) {
          return true;
        }
      }
      for (Cidr c : cidrs) {
        if (c.contains(addr)) {
          return true;
        }
      }
      return false;
    };
  }

  // --- Kubernetes names ------------------------------------------------------------------------

  private record NamespacedName(String namespace, String prefix) {}

  /**
   * {@code [namespace/]name-prefix}: without a namespace, "default"; {@code ns/} is every name in
   * the namespace; an empty namespace ({@code /xwing}, {@code /}) is any namespace (Hubble since
   * Cilium 1.15, what {@code --all-namespaces} sends). The name is a prefix ({@code xwing} matches
   * {@code xwing-5d8f}). Endpoints without namespace and name never match.
   */
  private static Predicate<Flow> namespacedNames(
      String path,
      List<String> values,
      Function<Flow, String> namespace,
      Function<Flow, String> name) {
    List<NamespacedName> filters = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      String v = values.get(i);
      String[] parts = v.split("/", -1);
      if (parts.length > 1) {
        filters.add(new NamespacedName(parts[0], parts[1]));
      } else if (parts[0].isEmpty()) {
        throw invalid(path + "[" + i + "]", v, "empty name (expected: [NAMESPACE/][NAME-PREFIX])");
      } else {
        filters.add(new NamespacedName("default", parts[0]));
      }
    }
    return flow -> {
      String ns = namespace.apply(flow);
      String n = name.apply(flow);
      if (ns.isEmpty() && n.isEmpty()) {
        return false;
      }
      for (NamespacedName f : filters) {
        if ((f.namespace().isEmpty() || f.namespace().equals(ns)) && n.startsWith(f.prefix())) {
          return true;
        }
      }
      return false;
    };
  }

  private static Predicate<Flow> fqdns(
      String path, List<String> patterns, Function<Flow, List<String>> names) {
    Pattern re = compiled(path, patterns, NamePatterns::fqdn);
    return flow -> {
      for (String n : names.apply(flow)) {
        if (re.matcher(n).matches()) {
          return true;
        }
      }
      return false;
    };
  }

  /** Compiles a pattern list, turning the reason a pattern is bad into a field-path error. */
  private static Pattern compiled(
      String path, List<String> patterns, Function<List<String>, Pattern> compile) {
    for (int i = 0; i < patterns.size(); i++) {
      try {
        compile.apply(List.of(patterns.get(i)));
      } catch (IllegalArgumentException e) {
        String msg = e.getMessage();
        // NamePatterns' messages start with the quoted pattern
        String why = msg.substring(msg.indexOf("\": ") + 3);
        throw invalid(path + "[" + i + "]", patterns.get(i), why);
      }
    }
    return compile.apply(patterns);
  }

  private static Set<String> clusterNames(String path, List<String> names) {
    for (int i = 0; i < names.size(); i++) {
      if (names.get(i).isEmpty()) {
        throw invalid(path + "[" + i + "]", "", "empty cluster name");
      }
    }
    return new HashSet<>(names);
  }

  // --- labels ----------------------------------------------------------------------------------

  private static Predicate<Flow> labels(
      String path,
      List<String> selectors,
      boolean ciliumSources,
      Function<Flow, List<String>> get) {
    List<FlowLabelSelector> parsed = new ArrayList<>();
    for (int i = 0; i < selectors.size(); i++) {
      try {
        parsed.add(FlowLabelSelector.parse(selectors.get(i), ciliumSources));
      } catch (IllegalArgumentException e) {
        throw invalid(
            path + "[" + i + "]",
            selectors.get(i),
            "invalid label selector: "
                + e.getMessage()
                + " (expected: comma-separated requirements like k8s:app=web, tier in (a,b), !debug)");
      }
    }
    return flow -> {
      List<FlowLabel> labels = FlowLabel.parseAll(get.apply(flow), !ciliumSources);
      for (FlowLabelSelector s : parsed) {
        if (s.matches(labels)) {
          return true;
        }
      }
      return false;
    };
  }

  // --- endpoints, events -----------------------------------------------------------------------

  private static boolean workloadMatches(List<Workload> filters, List<Workload> workloads) {
    for (Workload w : workloads) {
      for (Workload f : filters) {
        if ((f.getName().isEmpty() || f.getName().equals(w.getName()))
            && (f.getKind().isEmpty() || f.getKind().equals(w.getKind()))) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean interfaceMatches(List<NetworkInterface> filters, NetworkInterface i) {
    for (NetworkInterface f : filters) {
      if (f.getIndex() > 0 && f.getIndex() != i.getIndex()) {
        continue;
      }
      if (!f.getName().isEmpty() && !f.getName().equals(i.getName())) {
        continue;
      }
      return true;
    }
    return false;
  }

  /** Type 0 matches every type; the sub type only counts when match_sub_type is set. */
  private static boolean eventTypeMatches(List<EventTypeFilter> filters, Flow flow) {
    int type = flow.getEventType().getType();
    int subType = flow.getEventType().getSubType();
    for (EventTypeFilter f : filters) {
      if (f.getType() != 0 && f.getType() != type) {
        continue;
      }
      if (f.getMatchSubType() && f.getSubType() != subType) {
        continue;
      }
      return true;
    }
    return false;
  }

  // --- L7 --------------------------------------------------------------------------------------

  /** HTTP fields only exist on l7 events: an event type filter must allow them. */
  private static void requireL7EventType(String path, FlowFilter f) {
    if (f.getEventTypeCount() == 0) {
      return;
    }
    for (EventTypeFilter t : f.getEventTypeList()) {
      if (t.getType() == MESSAGE_TYPE_ACCESS_LOG) {
        return;
      }
    }
    String field = path.substring(path.lastIndexOf('.') + 1);
    throw new IllegalArgumentException(
        path
            + ": filtering by "
            + field
            + " requires the event type filter to match 'l7' events (type "
            + MESSAGE_TYPE_ACCESS_LOG
            + ")");
  }

  private static Predicate<Flow> httpStatus(String path, List<String> codes) {
    List<String> full = new ArrayList<>();
    List<String> prefixes = new ArrayList<>();
    for (int i = 0; i < codes.size(); i++) {
      String c = codes.get(i);
      if (HTTP_STATUS_FULL.matcher(c).matches()) {
        full.add(c);
      } else if (HTTP_STATUS_PREFIX.matcher(c).matches()) {
        prefixes.add(c.substring(0, c.length() - 1));
      } else {
        throw invalid(
            path + "[" + i + "]",
            c,
            "invalid status code (expected: a code like 404 or a prefix like 4+ or 40+)");
      }
    }
    return flow -> {
      if (!flow.getL7().hasHttp() || flow.getL7().getHttp().getCode() == 0) {
        return false; // not a response
      }
      String code = String.format(Locale.ROOT, "%03d", flow.getL7().getHttp().getCode());
      if (full.contains(code)) {
        return true;
      }
      for (String p : prefixes) {
        if (code.startsWith(p)) {
          return true;
        }
      }
      return false;
    };
  }

  /** The path of a request URI (absolute URI or absolute path), decoded; null when invalid. */
  static String requestPath(String url) {
    try {
      URI uri = new URI(url);
      if (!uri.isAbsolute() && !url.startsWith("/")) {
        return null;
      }
      return uri.getPath() == null ? "" : uri.getPath();
    } catch (URISyntaxException e) {
      return null;
    }
  }

  private static boolean headerMatches(List<HTTPHeader> filters, HTTP http) {
    for (HTTPHeader h : http.getHeadersList()) {
      for (HTTPHeader f : filters) {
        if ((f.getKey().isEmpty() || f.getKey().equals(h.getKey()))
            && (f.getValue().isEmpty() || f.getValue().equals(h.getValue()))) {
          return true;
        }
      }
    }
    return false;
  }

  private static List<Pattern> regexes(String path, List<String> values) {
    List<Pattern> out = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      try {
        out.add(Pattern.compile(values.get(i)));
      } catch (PatternSyntaxException e) {
        throw invalid(
            path + "[" + i + "]",
            values.get(i),
            "invalid regular expression: " + e.getDescription() + " near index " + e.getIndex());
      }
    }
    return out;
  }

  /** Unanchored search, as Go's Regexp.MatchString. */
  private static boolean anyFinds(List<Pattern> patterns, String s) {
    for (Pattern p : patterns) {
      if (p.matcher(s).find()) {
        return true;
      }
    }
    return false;
  }

  // --- L4 --------------------------------------------------------------------------------------

  @SuppressWarnings("deprecation") // Kafka records are deprecated in Hubble's API, still filtered
  private static Predicate<Flow> protocols(String path, List<String> values) {
    Set<String> l4 = new HashSet<>();
    Set<String> l7 = new HashSet<>();
    for (int i = 0; i < values.size(); i++) {
      String proto = values.get(i).toLowerCase(Locale.ROOT);
      switch (proto) {
        case "icmp", "icmpv4", "icmpv6", "tcp", "udp", "sctp" -> l4.add(proto);
        case "dns", "http", "kafka" -> l7.add(proto);
        default ->
            throw invalid(
                path + "[" + i + "]",
                values.get(i),
                "unknown protocol (expected: tcp, udp, sctp, icmp, icmpv4, icmpv6, dns, http or"
                    + " kafka)");
      }
    }
    return flow -> {
      Layer4 l4h = flow.getL4();
      if ((l4.contains("icmp") && (l4h.hasICMPv4() || l4h.hasICMPv6()))
          || (l4.contains("icmpv4") && l4h.hasICMPv4())
          || (l4.contains("icmpv6") && l4h.hasICMPv6())
          || (l4.contains("tcp") && l4h.hasTCP())
          || (l4.contains("udp") && l4h.hasUDP())
          || (l4.contains("sctp") && l4h.hasSCTP())) {
        return true;
      }
      return (l7.contains("dns") && flow.getL7().hasDns())
          || (l7.contains("http") && flow.getL7().hasHttp())
          || (l7.contains("kafka") && flow.getL7().hasKafka());
    };
  }

  /** Decimal ports 0-65535; only TCP, UDP and SCTP flows have ports. */
  private static Predicate<Flow> ports(String path, List<String> values, boolean source) {
    Set<Integer> ports = new HashSet<>();
    for (int i = 0; i < values.size(); i++) {
      String v = values.get(i);
      int port = -1;
      if (!v.isEmpty() && v.length() <= 5 && v.chars().allMatch(Character::isDigit)) {
        port = Integer.parseInt(v);
      }
      if (port < 0 || port > 65535) {
        throw invalid(path + "[" + i + "]", v, "invalid port (expected: a number 0-65535)");
      }
      ports.add(port);
    }
    return flow -> {
      Layer4 l4 = flow.getL4();
      int port;
      if (l4.hasTCP()) {
        port = source ? l4.getTCP().getSourcePort() : l4.getTCP().getDestinationPort();
      } else if (l4.hasUDP()) {
        port = source ? l4.getUDP().getSourcePort() : l4.getUDP().getDestinationPort();
      } else if (l4.hasSCTP()) {
        port = source ? l4.getSCTP().getSourcePort() : l4.getSCTP().getDestinationPort();
      } else {
        return false;
      }
      return ports.contains(port & 0xffff);
    };
  }

  /** Some flag set whose flags are all present in the flow's flags. */
  private static boolean tcpFlagsMatch(List<TCPFlags> filters, TCPFlags flags) {
    for (TCPFlags f : filters) {
      if ((f.getFIN() && !flags.getFIN())
          || (f.getSYN() && !flags.getSYN())
          || (f.getRST() && !flags.getRST())
          || (f.getPSH() && !flags.getPSH())
          || (f.getACK() && !flags.getACK())
          || (f.getURG() && !flags.getURG())
          || (f.getECE() && !flags.getECE())
          || (f.getCWR() && !flags.getCWR())
          || (f.getNS() && !flags.getNS())) {
        continue;
      }
      return true;
    }
    return false;
  }
}
