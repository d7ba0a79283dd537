package io.jilium.core.resource;

import io.jilium.core.net.IpAddress;
import io.jilium.core.policy.Protocol;
import io.jilium.core.resource.ServiceResource.IpFamilyPolicy;
import io.jilium.core.resource.ServiceResource.Port;
import io.jilium.core.resource.ServiceResource.SessionAffinity;
import io.jilium.core.resource.ServiceResource.TargetPort;
import io.jilium.core.resource.ServiceResource.TrafficPolicy;
import io.jilium.core.resource.ServiceResource.Type;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Reads a {@code v1} Service with the API server's validation (ValidateService) and defaults
 * (SetDefaults_Service). Fields Jilium does not implement yet are refused, never ignored.
 */
final class ServiceParser {
  static final String API_VERSION = "v1";

  private static final Set<String> TOP_LEVEL =
      Set.of("apiVersion", "kind", "metadata", "spec", "status");
  private static final Set<String> SPEC_FIELDS =
      Set.of(
          "type",
          "clusterIP",
          "clusterIPs",
          "ipFamilies",
          "ipFamilyPolicy",
          "ports",
          "selector",
          "sessionAffinity",
          "sessionAffinityConfig",
          "externalIPs",
          "loadBalancerIP",
          "externalTrafficPolicy",
          "internalTrafficPolicy",
          "publishNotReadyAddresses",
          "allocateLoadBalancerNodePorts",
          // known to Kubernetes, not implemented yet: refused below with a clear message
          "externalName",
          "healthCheckNodePort",
          "loadBalancerSourceRanges",
          "loadBalancerClass",
          "trafficDistribution");
  private static final Set<String> NOT_SUPPORTED =
      Set.of(
          "externalName",
          "healthCheckNodePort",
          "loadBalancerSourceRanges",
          "loadBalancerClass",
          "trafficDistribution");
  private static final Set<String> PORT_FIELDS =
      Set.of("name", "protocol", "port", "targetPort", "nodePort", "appProtocol");
  private static final Pattern DNS1035_LABEL = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");
  static final int NODE_PORT_MIN = 30000;
  static final int NODE_PORT_MAX = 32767;

  private ServiceParser() {}

  static ServiceResource parse(Fields top) {
    top.only(TOP_LEVEL);
    Fields meta = top.requireObject("metadata");
    meta.only(ResourceParser.METADATA);
    String name = meta.requireString("name");
    if (name.length() > 63 || !DNS1035_LABEL.matcher(name).matches()) {
      throw new FieldException(
          meta.path("name"),
          "\""
              + name
              + "\" (expected: a DNS-1035 label: at most 63 lowercase letters, digits or '-',"
              + " starting with a letter and ending with a letter or digit)");
    }
    String namespace = meta.string("namespace").orElse("default");
    ResourceParser.checkDns1123Label(meta.path("namespace"), namespace);
    Map<String, String> labels = ResourceParser.labels(meta);

    Fields spec = top.requireObject("spec");
    spec.only(SPEC_FIELDS);
    String typeText = spec.string("type").orElse("ClusterIP");
    Type type =
        switch (typeText) {
          case "ClusterIP" -> Type.CLUSTER_IP;
          case "NodePort" -> Type.NODE_PORT;
          case "LoadBalancer" -> Type.LOAD_BALANCER;
          case "ExternalName" ->
              throw new FieldException(
                  spec.path("type"),
                  "\"ExternalName\" is not supported (it is DNS-only: use a DNS CNAME, or a"
                      + " Service without selector and an EndpointSlice)");
          default ->
              throw new FieldException(
                  spec.path("type"),
                  "\"" + typeText + "\" (expected: ClusterIP, NodePort or LoadBalancer)");
        };
    for (String f : NOT_SUPPORTED) {
      if (spec.present(f)) {
        throw new FieldException(spec.path(f), "not supported yet by Jilium");
      }
    }

    // clusterIP / clusterIPs
    Optional<String> clusterIp = spec.string("clusterIP").filter(s -> !s.isEmpty());
    List<String> clusterIpsText = spec.strings("clusterIPs");
    if (clusterIp.isPresent()
        && !clusterIpsText.isEmpty()
        && !clusterIpsText.get(0).equals(clusterIp.get())) {
      throw new FieldException(
          spec.path("clusterIPs") + "[0]",
          "\""
              + clusterIpsText.get(0)
              + "\" (expected: the same as spec.clusterIP \""
              + clusterIp.get()
              + "\")");
    }
    List<String> requested = new ArrayList<>(clusterIpsText);
    String requestedPath = spec.path("clusterIPs");
    if (requested.isEmpty() && clusterIp.isPresent()) {
      requested.add(clusterIp.get());
      requestedPath = spec.path("clusterIP");
    }
    boolean headless = !requested.isEmpty() && requested.get(0).equals("None");
    List<String> clusterIps = new ArrayList<>();
    List<byte[]> clusterIpBytes = new ArrayList<>();
    if (requested.size() > 2) {
      throw new FieldException(
          requestedPath, requested.size() + " addresses (expected: at most 2, one per family)");
    }
    for (int i = 0; i < requested.size(); i++) {
      String path =
          requestedPath.endsWith("clusterIP") ? requestedPath : requestedPath + "[" + i + "]";
      String text = requested.get(i);
      if (text.equals("None")) {
        if (requested.size() > 1) {
          throw new FieldException(
              path,
              "\"None\" must be the only entry (expected: \"None\" alone for a headless Service)");
        }
        continue;
      }
      byte[] ip = ip(path, text);
      if (i == 1 && ip.length == clusterIpBytes.get(0).length) {
        throw new FieldException(
            path,
            "\""
                + text
                + "\" is of the same family as the first (expected: one IPv4 and one IPv6 address)");
      }
      clusterIpBytes.add(ip);
      clusterIps.add(IpAddress.format(ip));
    }
    if (headless && type != Type.CLUSTER_IP) {
      throw new FieldException(
          requestedPath, "may not be \"None\" for a " + type.apiName() + " Service");
    }

    // ipFamilies / ipFamilyPolicy
    List<IpFamily> families = new ArrayList<>();
    List<String> familyTexts = spec.strings("ipFamilies");
    if (familyTexts.size() > 2) {
      throw new FieldException(
          spec.path("ipFamilies"), familyTexts.size() + " families (expected: at most 2)");
    }
    for (int i = 0; i < familyTexts.size(); i++) {
      String path = spec.path("ipFamilies") + "[" + i + "]";
      String t = familyTexts.get(i);
      IpFamily f =
          IpFamily.byApiName(t)
              .orElseThrow(
                  () -> new FieldException(path, "\"" + t + "\" (expected: IPv4 or IPv6)"));
      if (families.contains(f)) {
        throw new FieldException(path, "\"" + t + "\" is listed twice");
      }
      if (i < clusterIpBytes.size() && !f.matches(clusterIpBytes.get(i))) {
        throw new FieldException(
            path,
            "\""
                + t
                + "\" does not match clusterIPs["
                + i
                + "] "
                + clusterIps.get(i)
                + " (expected: "
                + IpFamily.of(clusterIpBytes.get(i))
                + ")");
      }
      families.add(f);
    }
    Optional<IpFamilyPolicy> policy = Optional.empty();
    Optional<String> policyText = spec.string("ipFamilyPolicy");
    if (policyText.isPresent()) {
      policy =
          Optional.of(
              switch (policyText.get()) {
                case "SingleStack" -> IpFamilyPolicy.SINGLE_STACK;
                case "PreferDualStack" -> IpFamilyPolicy.PREFER_DUAL_STACK;
                case "RequireDualStack" -> IpFamilyPolicy.REQUIRE_DUAL_STACK;
                default ->
                    throw new FieldException(
                        spec.path("ipFamilyPolicy"),
                        "\""
                            + policyText.get()
                            + "\" (expected: SingleStack, PreferDualStack or RequireDualStack)");
              });
    }
    if (policy.orElse(IpFamilyPolicy.SINGLE_STACK) == IpFamilyPolicy.SINGLE_STACK
        && (families.size() > 1 || clusterIps.size() > 1)) {
      throw new FieldException(
          spec.path("ipFamilyPolicy"),
          (policy.isPresent() ? "SingleStack" : "unset (SingleStack)")
              + " with two "
              + (families.size() > 1 ? "ipFamilies" : "clusterIPs")
              + " (expected: PreferDualStack or RequireDualStack)");
    }

    // ports
    List<Port> ports = new ArrayList<>();
    List<Fields> portItems = spec.objects("ports");
    if (portItems.isEmpty() && !headless) {
      throw new FieldException(
          spec.path("ports"),
          "required: at least one port (only a headless Service may have none)");
    }
    Map<String, String> names = new HashMap<>();
    Map<String, String> portProtocols = new HashMap<>();
    Map<String, String> nodePorts = new HashMap<>();
    for (Fields p : portItems) {
      Port port = port(p, portItems.size() > 1, type);
      if (!port.name().isEmpty()) {
        String other = names.putIfAbsent(port.name(), p.path());
        if (other != null) {
          throw new FieldException(
              p.path("name"), "\"" + port.name() + "\" is also the name of " + other);
        }
      }
      String key = port.port() + "/" + port.protocol();
      String other = portProtocols.putIfAbsent(key, p.path());
      if (other != null) {
        throw new FieldException(p.path("port"), "duplicate port " + key + " (also " + other + ")");
      }
      if (port.nodePort() != 0) {
        String nkey = port.nodePort() + "/" + port.protocol();
        String otherNode = nodePorts.putIfAbsent(nkey, p.path());
        if (otherNode != null) {
          throw new FieldException(
              p.path("nodePort"), "duplicate node port " + nkey + " (also " + otherNode + ")");
        }
      }
      ports.add(port);
    }

    Map<String, String> selector = ResourceParser.labelMap(spec, "selector");

    // session affinity
    String affinityText = spec.string("sessionAffinity").orElse("None");
    SessionAffinity affinity =
        switch (affinityText) {
          case "None" -> SessionAffinity.NONE;
          case "ClientIP" -> SessionAffinity.CLIENT_IP;
          default ->
              throw new FieldException(
                  spec.path("sessionAffinity"),
                  "\"" + affinityText + "\" (expected: None or ClientIP)");
        };
    int timeout = 0;
    Optional<Fields> affinityConfig = spec.object("sessionAffinityConfig");
    if (affinity == SessionAffinity.NONE && affinityConfig.isPresent()) {
      throw new FieldException(
          spec.path("sessionAffinityConfig"),
          "must not be set when sessionAffinity is None (expected: sessionAffinity: ClientIP)");
    }
    if (affinity == SessionAffinity.CLIENT_IP) {
      timeout = ServiceResource.DEFAULT_AFFINITY_TIMEOUT_SECONDS;
      if (affinityConfig.isPresent()) {
        Fields c = affinityConfig.get();
        c.only(Set.of("clientIP"));
        Optional<Fields> clientIp = c.object("clientIP");
        if (clientIp.isPresent()) {
          clientIp.get().only(Set.of("timeoutSeconds"));
          timeout =
              clientIp.get().integer("timeoutSeconds", 1, 86400, "1-86400 seconds").orElse(timeout);
        }
      }
    }

    // external addresses
    List<String> externalIps = new ArrayList<>();
    List<String> externalTexts = spec.strings("externalIPs");
    for (int i = 0; i < externalTexts.size(); i++) {
      String path = spec.path("externalIPs") + "[" + i + "]";
      byte[] ip = ip(path, externalTexts.get(i));
      checkNotSpecial(path, externalTexts.get(i), ip);
      externalIps.add(IpAddress.format(ip));
    }
    String lbIp = "";
    Optional<String> lbIpText = spec.string("loadBalancerIP").filter(s -> !s.isEmpty());
    if (lbIpText.isPresent()) {
      if (type != Type.LOAD_BALANCER) {
        throw new FieldException(
            spec.path("loadBalancerIP"),
            "may only be used when type is LoadBalancer (type is " + type.apiName() + ")");
      }
      byte[] ip = ip(spec.path("loadBalancerIP"), lbIpText.get());
      checkNotSpecial(spec.path("loadBalancerIP"), lbIpText.get(), ip);
      lbIp = IpAddress.format(ip);
    }
    boolean allocateNodePorts = spec.bool("allocateLoadBalancerNodePorts").orElse(true);
    if (spec.has("allocateLoadBalancerNodePorts") && type != Type.LOAD_BALANCER) {
      throw new FieldException(
          spec.path("allocateLoadBalancerNodePorts"),
          "may only be used when type is LoadBalancer (type is " + type.apiName() + ")");
    }

    boolean external = type.hasNodePorts() || !externalIps.isEmpty();
    Optional<TrafficPolicy> etp = trafficPolicy(spec, "externalTrafficPolicy");
    if (etp.isPresent() && !external) {
      throw new FieldException(
          spec.path("externalTrafficPolicy"),
          "may only be set for externally reachable Services (type NodePort or LoadBalancer, or"
              + " with externalIPs)");
    }
    TrafficPolicy itp = trafficPolicy(spec, "internalTrafficPolicy").orElse(TrafficPolicy.CLUSTER);
    boolean publishNotReady = spec.bool("publishNotReadyAddresses").orElse(false);

    List<String> ingress = status(top);
    return new ServiceResource(
        namespace,
        name,
        labels,
        type,
        headless,
        clusterIps,
        families,
        policy,
        ports,
        selector,
        affinity,
        timeout,
        externalIps,
        lbIp,
        ingress,
        etp.orElse(TrafficPolicy.CLUSTER),
        itp,
        publishNotReady,
        type == Type.LOAD_BALANCER && allocateNodePorts,
        CompactJson.of(top.raw()));
  }

  private static Port port(Fields p, boolean nameRequired, Type type) {
    p.only(PORT_FIELDS);
    String name = p.string("name").orElse("");
    if (name.isEmpty() && nameRequired) {
      throw new FieldException(p.path("name"), "required when the Service has more than one port");
    }
    if (!name.isEmpty()) {
      ResourceParser.checkDns1123Label(p.path("name"), name);
    }
    Protocol protocol = protocol(p);
    int port =
        p.integer("port", 1, 65535, "1-65535")
            .orElseThrow(() -> new FieldException(p.path("port"), "required field is missing"));
    TargetPort target = TargetPort.number(port);
    var raw = p.raw().get("targetPort");
    if (raw != null && !raw.isNull()) {
      if (raw.isIntegralNumber()) {
        target =
            TargetPort.number(
                p.integer("targetPort", 1, 65535, "1-65535 or a port name").orElseThrow());
      } else if (raw.isTextual()) {
        String t = raw.asText();
        String error = PortNames.error(t).orElse(null);
        if (error != null) {
          String hint = t.matches("[0-9]+") ? "; write a port number without quotes" : "";
          throw new FieldException(
              p.path("targetPort"),
              "\"" + t + "\": " + error + hint + " (expected: 1-65535 or " + PortNames.FORM + ")");
        }
        target = TargetPort.named(t);
      } else {
        throw new FieldException(
            p.path("targetPort"), "expected a number or a port name, got " + Fields.describe(raw));
      }
    }
    p.string("appProtocol"); // informational; type-checked only
    int nodePort = 0;
    if (p.has("nodePort")) {
      if (!type.hasNodePorts()) {
        throw new FieldException(
            p.path("nodePort"),
            "may not be used when type is ClusterIP (expected: NodePort or LoadBalancer)");
      }
      nodePort =
          p.integer(
                  "nodePort",
                  NODE_PORT_MIN,
                  NODE_PORT_MAX,
                  NODE_PORT_MIN + "-" + NODE_PORT_MAX + ", the node port range")
              .orElseThrow();
    }
    return new Port(name, protocol, port, target, nodePort);
  }

  static Protocol protocol(Fields p) {
    String text = p.string("protocol").orElse("TCP");
    return switch (text) {
      case "TCP" -> Protocol.TCP;
      case "UDP" -> Protocol.UDP;
      case "SCTP" -> Protocol.SCTP;
      default ->
          throw new FieldException(
              p.path("protocol"), "\"" + text + "\" (expected: TCP, UDP or SCTP)");
    };
  }

  private static Optional<TrafficPolicy> trafficPolicy(Fields spec, String field) {
    return spec.string(field)
        .map(
            t ->
                switch (t) {
                  case "Cluster" -> TrafficPolicy.CLUSTER;
                  case "Local" -> TrafficPolicy.LOCAL;
                  default ->
                      throw new FieldException(
                          spec.path(field), "\"" + t + "\" (expected: Cluster or Local)");
                });
  }

  private static List<String> status(Fields top) {
    Optional<Fields> status = top.object("status");
    if (status.isEmpty()) {
      return List.of();
    }
    status.get().only(Set.of("loadBalancer", "conditions"));
    Optional<Fields> lb = status.get().object("loadBalancer");
    if (lb.isEmpty()) {
      return List.of();
    }
    lb.get().only(Set.of("ingress"));
    List<String> out = new ArrayList<>();
    for (Fields i : lb.get().objects("ingress")) {
      i.only(Set.of("ip", "hostname", "ipMode", "ports"));
      if (i.present("hostname")) {
        throw new FieldException(i.path("hostname"), "not supported yet by Jilium (expected: ip)");
      }
      if (i.present("ports")) {
        throw new FieldException(i.path("ports"), "not supported yet by Jilium");
      }
      Optional<String> mode = i.string("ipMode");
      if (mode.isPresent() && !mode.get().equals("VIP")) {
        throw new FieldException(
            i.path("ipMode"),
            "\"" + mode.get() + "\" is not supported yet by Jilium (expected: VIP)");
      }
      String text = i.requireString("ip");
      byte[] ip = ip(i.path("ip"), text);
      checkNotSpecial(i.path("ip"), text, ip);
      out.add(IpAddress.format(ip));
    }
    return out;
  }

  /** An IP address; IPv4 octets with leading zeros are refused as ambiguous, as Kubernetes does. */
  static byte[] ip(String path, String text) {
    return ip(() -> path, text);
  }

  /**
   * {@link #ip(String, String)} with the path built only for an error (addresses by the 10,000).
   */
  static byte[] ip(Supplier<String> path, String text) {
    String expected = " (expected: an IPv4 or IPv6 address)";
    if (text.indexOf(':') < 0 && hasLeadingZeroOctet(text)) {
      throw new FieldException(
          path.get(),
          "\"" + text + "\": an IPv4 octet with a leading zero is ambiguous" + expected);
    }
    try {
      return IpAddress.parse(text);
    } catch (IllegalArgumentException e) {
      throw new FieldException(path.get(), "\"" + text + "\" is not an IP address" + expected);
    }
  }

  /**
   * A '0' followed by a digit at the start of a dotted part ({@code 010.0.0.1}, {@code 10.01...}).
   */
  private static boolean hasLeadingZeroOctet(String text) {
    for (int i = 0; i + 1 < text.length(); i++) {
      if ((i == 0 || text.charAt(i - 1) == '.')
          && text.charAt(i) == '0'
          && Character.isDigit(text.charAt(i + 1))) {
        return true;
      }
    }
    return false;
  }

  /** ValidateNonSpecialIP: no unspecified, loopback, link-local or multicast address. */
  static void checkNotSpecial(String path, String text, byte[] ip) {
    java.net.InetAddress a;
    try {
      a = java.net.InetAddress.getByAddress(ip);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
    String what =
        a.isAnyLocalAddress()
            ? "unspecified"
            : a.isLoopbackAddress()
                ? "loopback"
                : a.isLinkLocalAddress()
                    ? "link-local"
                    : a.isMulticastAddress() ? "multicast" : null;
    if (what != null) {
      throw new FieldException(
          path,
          "\"" + text + "\" is a " + what + " address (expected: a routable unicast address)");
    }
  }
}
