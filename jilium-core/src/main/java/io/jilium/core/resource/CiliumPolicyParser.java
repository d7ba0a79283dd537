package io.jilium.core.resource;

import com.fasterxml.jackson.databind.JsonNode;
import io.jilium.core.identity.ReservedIdentity;
import io.jilium.core.labels.Label;
import io.jilium.core.labels.LabelSelector;
import io.jilium.core.labels.LabelSelector.Operator;
import io.jilium.core.labels.LabelSelector.Requirement;
import io.jilium.core.net.Cidr;
import io.jilium.core.policy.CidrPeer;
import io.jilium.core.policy.IcmpField;
import io.jilium.core.policy.PeerRule;
import io.jilium.core.policy.PortProtocol;
import io.jilium.core.policy.Protocol;
import io.jilium.core.policy.Rule;
import io.jilium.core.policy.RuleOrigin;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy ({@code cilium.io/v2}) into rules,
 * with Cilium's scoping: a CNP's endpointSelector is confined to its namespace, and its peer
 * selectors too unless they name the pod namespace or namespace labels; a CCNP has no implicit
 * namespace.
 */
final class CiliumPolicyParser {
  static final String POD_NAMESPACE_LABEL = "io.kubernetes.pod.namespace";
  static final String NAMESPACE_LABELS_PREFIX = "io.cilium.k8s.namespace.labels.";

  private static final Set<String> RULE_FIELDS =
      Set.of(
          "endpointSelector",
          "nodeSelector",
          "ingress",
          "ingressDeny",
          "egress",
          "egressDeny",
          "labels",
          "description",
          "enableDefaultDeny",
          "log");
  private static final Set<String> INGRESS_FIELDS =
      Set.of(
          "fromEndpoints",
          "fromRequires",
          "fromCIDR",
          "fromCIDRSet",
          "fromEntities",
          "fromGroups",
          "fromNodes",
          "toPorts",
          "icmps",
          "authentication");
  private static final Set<String> EGRESS_FIELDS =
      Set.of(
          "toEndpoints",
          "toRequires",
          "toCIDR",
          "toCIDRSet",
          "toEntities",
          "toServices",
          "toFQDNs",
          "toGroups",
          "toNodes",
          "toPorts",
          "icmps",
          "authentication");

  /** Fields of allow rules that Cilium's deny rules (IngressDenyRule, EgressDenyRule) lack. */
  private static final List<String> ALLOW_ONLY = List.of("toFQDNs", "authentication");

  private static final Set<String> INGRESS_DENY_FIELDS = without(INGRESS_FIELDS, ALLOW_ONLY);
  private static final Set<String> EGRESS_DENY_FIELDS = without(EGRESS_FIELDS, ALLOW_ONLY);

  /** The L3 fields of an egress rule that Cilium refuses next to toFQDNs. */
  private static final List<String> EGRESS_L3 =
      List.of(
          "toEndpoints", "toCIDR", "toCIDRSet", "toEntities", "toServices", "toGroups", "toNodes");

  /**
   * Fields Cilium has that Jilium does not enforce yet, with what they are: refused, never silently
   * ignored.
   */
  private static final Map<String, String> NOT_YET = notYet();

  private static final List<String> L7_FIELDS =
      List.of("rules", "listener", "serverNames", "originatingTLS", "terminatingTLS");
  private static final Set<String> PORT_RULE_FIELDS =
      Set.of("ports", "rules", "listener", "serverNames", "originatingTLS", "terminatingTLS");
  private static final Set<String> PORT_FIELDS = Set.of("port", "endPort", "protocol");
  private static final Set<String> CIDR_RULE_FIELDS =
      Set.of("cidr", "except", "cidrGroupRef", "cidrGroupSelector");
  private static final Set<String> ICMP_RULE_FIELDS = Set.of("fields");
  private static final Set<String> ICMP_FIELD_FIELDS = Set.of("type", "family");
  private static final Pattern NUMBER = Pattern.compile("-?[0-9]+");
  private static final Pattern ICMP_NUMBER = Pattern.compile("0|[1-9][0-9]{0,2}");

  // Cilium's limits per toPorts element and per icmps element (maxPorts, maxICMPFields).
  private static final int MAX_PORTS = 40;
  private static final int MAX_ICMP_FIELDS = 40;

  private static final Set<String> ENTITIES =
      Set.of(
          "all",
          "world",
          "world-ipv4",
          "world-ipv6",
          "cluster",
          "host",
          "remote-node",
          "kube-apiserver",
          "ingress",
          "init",
          "health",
          "unmanaged");

  private CiliumPolicyParser() {}

  private static Set<String> without(Set<String> all, List<String> some) {
    Set<String> out = new HashSet<>(all);
    some.forEach(out::remove);
    return Set.copyOf(out);
  }

  /** In a fixed order, so a rule with several such fields always gets the same message. */
  private static Map<String, String> notYet() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("nodeSelector", "host policies");
    m.put("log", "policy logging");
    m.put("fromRequires", "requirements");
    m.put("toRequires", "requirements");
    m.put("fromGroups", "cloud provider groups");
    m.put("toGroups", "cloud provider groups");
    m.put("fromNodes", "node selectors");
    m.put("toNodes", "node selectors");
    m.put("toServices", "service selectors");
    m.put("toFQDNs", "DNS-based policy");
    m.put("authentication", "mutual authentication");
    m.put("cidrGroupRef", "CiliumCIDRGroup");
    m.put("cidrGroupSelector", "CiliumCIDRGroup");
    return Collections.unmodifiableMap(m);
  }

  static PolicyResource parse(Fields top, String kind) {
    top.only(ResourceParser.TOP_LEVEL);
    Fields meta = top.requireObject("metadata");
    meta.only(ResourceParser.METADATA);
    String name = meta.requireString("name");
    ResourceParser.checkDns1123Subdomain(meta.path("name"), name);
    boolean clusterwide = kind.equals("CiliumClusterwideNetworkPolicy");
    String namespace = "";
    if (!clusterwide) {
      namespace = meta.string("namespace").orElse("default");
      ResourceParser.checkDns1123Label(meta.path("namespace"), namespace);
    }
    ResourceParser.labels(meta);
    RuleOrigin origin = new RuleOrigin(kind, namespace, name);
    List<Fields> specs = new ArrayList<>();
    top.object("spec").ifPresent(specs::add);
    specs.addAll(top.objects("specs"));
    if (specs.isEmpty()) {
      throw new FieldException("spec", "required: a policy needs spec or specs");
    }
    List<Rule> rules = new ArrayList<>();
    for (int i = 0; i < specs.size(); i++) {
      rules.add(parseRule(specs.get(i), origin, i, clusterwide ? null : namespace));
    }
    return new PolicyResource(kind, namespace, name, rules, CompactJson.of(top.raw()));
  }

  private static Rule parseRule(Fields spec, RuleOrigin origin, int index, String namespace) {
    spec.only(RULE_FIELDS);
    if (spec.has("endpointSelector") && spec.has("nodeSelector")) {
      // Cilium's own validation refuses this before it knows whether host policies are enabled.
      throw new FieldException(
          spec.path(),
          "endpointSelector and nodeSelector are both set (expected: exactly one of"
              + " endpointSelector or nodeSelector)");
    }
    refuseNotYet(spec);
    Fields es =
        spec.object("endpointSelector")
            .orElseThrow(
                () ->
                    new FieldException(spec.path("endpointSelector"), "required field is missing"));
    LabelSelector subject = selector(es);
    if (namespace != null) {
      subject = withoutWrittenNamespace(es, subject).and(List.of(namespaceRequirement(namespace)));
    }
    List<PeerRule> ingress = peerRules(spec, "ingress", true, false, namespace);
    List<PeerRule> ingressDeny = peerRules(spec, "ingressDeny", true, true, namespace);
    List<PeerRule> egress = peerRules(spec, "egress", false, false, namespace);
    List<PeerRule> egressDeny = peerRules(spec, "egressDeny", false, true, namespace);
    boolean enforceIngress = !ingress.isEmpty() || !ingressDeny.isEmpty();
    boolean enforceEgress = !egress.isEmpty() || !egressDeny.isEmpty();
    var dd = spec.object("enableDefaultDeny");
    if (dd.isPresent()) {
      // As in Cilium, the flag only matters for a direction the rule has rules for.
      dd.get().only(Set.of("ingress", "egress"));
      enforceIngress &= dd.get().bool("ingress").orElse(true);
      enforceEgress &= dd.get().bool("egress").orElse(true);
    }
    spec.stringMap("labels");
    spec.string("description");
    return new Rule(
        origin,
        index,
        subject,
        ingress,
        ingressDeny,
        egress,
        egressDeny,
        enforceIngress,
        enforceEgress);
  }

  private static List<PeerRule> peerRules(
      Fields spec, String field, boolean ingress, boolean deny, String namespace) {
    List<PeerRule> out = new ArrayList<>();
    List<Fields> items = spec.objects(field);
    for (int i = 0; i < items.size(); i++) {
      out.add(peerRule(items.get(i), i, ingress, deny, namespace));
    }
    return out;
  }

  private static PeerRule peerRule(
      Fields r, int index, boolean ingress, boolean deny, String namespace) {
    if (deny) {
      for (String f : ALLOW_ONLY) {
        if (r.present(f)) {
          throw new FieldException(r.path(f), "not allowed in a deny rule");
        }
      }
    }
    r.only(
        ingress
            ? (deny ? INGRESS_DENY_FIELDS : INGRESS_FIELDS)
            : (deny ? EGRESS_DENY_FIELDS : EGRESS_FIELDS));
    if (!ingress && nonEmpty(r, "toFQDNs")) {
      for (String other : EGRESS_L3) {
        if (nonEmpty(r, other)) {
          // Cilium: "combining ToFQDNs and ToEndpoints is not supported"; FQDN rules stand alone.
          throw new FieldException(
              r.path(),
              "toFQDNs and "
                  + other
                  + " in one rule (expected: toFQDNs in a rule of its own, with toPorts at"
                  + " most)");
        }
      }
    }
    refuseNotYet(r);
    String endpointsField = ingress ? "fromEndpoints" : "toEndpoints";
    String entitiesField = ingress ? "fromEntities" : "toEntities";
    String cidrField = ingress ? "fromCIDR" : "toCIDR";
    String cidrSetField = ingress ? "fromCIDRSet" : "toCIDRSet";
    // A null list is absent (as in Go); an empty one is an L3 field selecting nothing.
    boolean anyL3 =
        r.has(endpointsField) || r.has(entitiesField) || r.has(cidrField) || r.has(cidrSetField);

    List<LabelSelector> peers = new ArrayList<>();
    for (Fields sel : r.objects(endpointsField)) {
      LabelSelector s = selector(sel);
      if (!namesNamespace(s)) {
        // A clusterwide policy's peers are still only pods (Cilium: namespace label Exists).
        s = s.and(List.of(namespace != null ? namespaceRequirement(namespace) : anyNamespace()));
      }
      peers.add(s);
    }
    List<String> entities = r.strings(entitiesField);
    for (int e = 0; e < entities.size(); e++) {
      peers.addAll(entitySelectors(r.path(entitiesField) + "[" + e + "]", entities.get(e)));
    }
    List<CidrPeer> cidrs = new ArrayList<>();
    List<String> cidrTexts = r.strings(cidrField);
    for (int c = 0; c < cidrTexts.size(); c++) {
      String path = r.path(cidrField) + "[" + c + "]";
      cidrs.add(CidrPeer.of(CidrText.parse(path, cidrTexts.get(c), true, false)));
    }
    for (Fields cs : r.objects(cidrSetField)) {
      cidrs.add(cidrRule(cs));
    }

    List<PortProtocol> ports = new ArrayList<>();
    List<Fields> toPorts = r.objects("toPorts");
    for (Fields pr : toPorts) {
      ports.addAll(portRule(pr, deny));
    }
    List<IcmpField> icmps = new ArrayList<>();
    List<Fields> icmpRules = r.objects("icmps");
    for (Fields ir : icmpRules) {
      icmps.addAll(icmpRule(ir));
    }
    boolean l4 = !toPorts.isEmpty() || !icmpRules.isEmpty();
    if (l4 && ports.isEmpty() && icmps.isEmpty()) {
      // As in Cilium, toPorts (or icmps) elements without ports open nothing, not every port.
      return new PeerRule(index, r.path(), List.of(), List.of(), false, List.of(), List.of());
    }
    // Without L3 fields, toPorts or icmps apply to every peer; an empty rule ({}) allows nothing.
    boolean allPeers = !anyL3 && l4;
    return new PeerRule(index, r.path(), peers, cidrs, allPeers, ports, icmps);
  }

  /** A list field present with at least one element (how Cilium counts an L3 member). */
  private static boolean nonEmpty(Fields f, String field) {
    JsonNode v = f.raw().get(field);
    return v != null && !v.isNull() && !(v.isArray() && v.isEmpty());
  }

  private static void refuseNotYet(Fields f) {
    for (var e : NOT_YET.entrySet()) {
      if (f.present(e.getKey())) {
        throw new FieldException(
            f.path(e.getKey()), "not supported yet by Jilium (" + e.getValue() + ")");
      }
    }
  }

  /** A {@code fromCIDRSet}/{@code toCIDRSet} element: a prefix and prefixes cut out of it. */
  private static CidrPeer cidrRule(Fields cs) {
    cs.only(CIDR_RULE_FIELDS);
    int set = 0;
    for (String f : List.of("cidr", "cidrGroupRef", "cidrGroupSelector")) {
      set += cs.has(f) ? 1 : 0;
    }
    if (set == 0) {
      throw new FieldException(
          cs.path(), "required: one of cidr, cidrGroupRef or cidrGroupSelector");
    }
    if (set > 1) {
      throw new FieldException(
          cs.path(),
          "more than one of cidr, cidrGroupRef and cidrGroupSelector (expected: exactly one)");
    }
    refuseNotYet(cs);
    Cidr cidr = CidrText.parse(cs.path("cidr"), cs.requireString("cidr"), false, false);
    List<Cidr> except = new ArrayList<>();
    List<String> exceptTexts = cs.strings("except");
    for (int e = 0; e < exceptTexts.size(); e++) {
      String path = cs.path("except") + "[" + e + "]";
      Cidr x = CidrText.parse(path, exceptTexts.get(e), false, false);
      // Cilium allows an except equal to its cidr; it must not reach outside it.
      if (!cidr.contains(x)) {
        throw new FieldException(
            path, "\"" + exceptTexts.get(e) + "\" (expected: a CIDR inside " + cidr + ")");
      }
      except.add(x);
    }
    return new CidrPeer(cidr, except, false);
  }

  private static List<PortProtocol> portRule(Fields pr, boolean deny) {
    if (deny) {
      // A deny rule's toPorts is a PortDenyRule: ports only.
      for (String l7 : L7_FIELDS) {
        if (pr.present(l7)) {
          throw new FieldException(
              pr.path(l7),
              l7.equals("rules")
                  ? "deny rules cannot have L7 rules (expected: ports only)"
                  : "not allowed in a deny rule (expected: ports only)");
        }
      }
      pr.only(Set.of("ports"));
    } else {
      pr.only(PORT_RULE_FIELDS);
      for (String l7 : L7_FIELDS) {
        if (pr.present(l7)) {
          throw new FieldException(pr.path(l7), "not supported yet by Jilium (L7 policy)");
        }
      }
    }
    List<Fields> ports = pr.objects("ports");
    if (ports.size() > MAX_PORTS) {
      throw new FieldException(
          pr.path("ports"), ports.size() + " ports (expected: at most " + MAX_PORTS + ")");
    }
    List<PortProtocol> out = new ArrayList<>();
    for (Fields p : ports) {
      out.add(port(p));
    }
    return out;
  }

  private static PortProtocol port(Fields p) {
    p.only(PORT_FIELDS);
    String portText = p.scalar("port").orElse("0");
    Protocol protocol = Protocol.ANY;
    var protoText = p.string("protocol");
    if (protoText.isPresent()) {
      protocol =
          Protocol.byPolicyName(protoText.get())
              .orElseThrow(
                  () ->
                      new FieldException(
                          p.path("protocol"),
                          "\"" + protoText.get() + "\" (expected: TCP, UDP, SCTP or ANY)"));
    }
    int endPort = p.integer("endPort", Integer.MIN_VALUE, Integer.MAX_VALUE, "0-65535").orElse(0);
    if (NUMBER.matcher(portText).matches()) {
      long port = portText.length() > 9 ? -1 : Long.parseLong(portText);
      if (port < 0 || port > 65535) {
        throw new FieldException(
            p.path("port"), "\"" + portText + "\" (expected: 0-65535 or a port name)");
      }
      if (endPort != 0 && (endPort < port || endPort > 65535)) {
        throw new FieldException(
            p.path("endPort"),
            endPort + " (expected: " + Math.max(port, 1) + "-65535, not below port)");
      }
      if (endPort != 0 && port == 0) {
        throw new FieldException(p.path("endPort"), "needs a port to start the range");
      }
      return new PortProtocol((int) port, endPort, protocol, null);
    }
    String nameError = PortNames.error(portText).orElse(null);
    if (nameError != null) {
      throw new FieldException(
          p.path("port"),
          "\"" + portText + "\": " + nameError + " (expected: 0-65535 or a port name)");
    }
    if (endPort != 0) {
      throw new FieldException(p.path("endPort"), "cannot be used with a named port");
    }
    return new PortProtocol(0, 0, protocol, portText);
  }

  private static List<IcmpField> icmpRule(Fields ir) {
    ir.only(ICMP_RULE_FIELDS);
    List<Fields> fields = ir.objects("fields");
    if (fields.size() > MAX_ICMP_FIELDS) {
      throw new FieldException(
          ir.path("fields"),
          fields.size() + " ICMP types (expected: at most " + MAX_ICMP_FIELDS + ")");
    }
    List<IcmpField> out = new ArrayList<>();
    for (Fields f : fields) {
      out.add(icmpField(f));
    }
    return out;
  }

  /** {@code {type, family}}: a number 0-255 or one of the family's type names; IPv4 by default. */
  private static IcmpField icmpField(Fields f) {
    f.only(ICMP_FIELD_FIELDS);
    boolean ipv6 = false;
    var family = f.string("family");
    if (family.isPresent()) {
      ipv6 =
          switch (family.get()) {
            case "IPv4" -> false;
            case "IPv6" -> true;
            default ->
                throw new FieldException(
                    f.path("family"), "\"" + family.get() + "\" (expected: IPv4 or IPv6)");
          };
    }
    String v = ipv6 ? "ICMPv6" : "ICMPv4";
    JsonNode type = f.raw().get("type");
    if (type == null || type.isNull()) {
      throw new FieldException(f.path("type"), "required field is missing");
    }
    if (type.isIntegralNumber()) {
      if (!type.canConvertToInt() || type.asInt() < 0 || type.asInt() > 255) {
        throw new FieldException(
            f.path("type"), type.asText() + " (expected: 0-255 or an " + v + " type name)");
      }
      return new IcmpField(ipv6, type.asInt());
    }
    if (!type.isTextual()) {
      throw new FieldException(
          f.path("type"), "expected a number or a type name, got " + Fields.describe(type));
    }
    String text = type.asText();
    if (ICMP_NUMBER.matcher(text).matches() && Integer.parseInt(text) <= 255) {
      return new IcmpField(ipv6, Integer.parseInt(text));
    }
    var number = IcmpTypes.byName(ipv6, text);
    if (number.isPresent()) {
      return new IcmpField(ipv6, number.get());
    }
    if (IcmpTypes.byName(!ipv6, text).isPresent()) {
      throw new FieldException(
          f.path("type"),
          "\""
              + text
              + "\" is an "
              + (ipv6 ? "ICMPv4" : "ICMPv6")
              + " type name (expected: family: "
              + (ipv6 ? "IPv4" : "IPv6")
              + ", or 0-255 or an "
              + v
              + " type name)");
    }
    throw new FieldException(
        f.path("type"),
        "\""
            + text
            + "\" (expected: 0-255 or an "
            + v
            + " type name: "
            + String.join(", ", (ipv6 ? IcmpTypes.IPV6 : IcmpTypes.IPV4).keySet())
            + ")");
  }

  static LabelSelector selector(Fields f) {
    return SelectorFields.cilium(f);
  }

  /**
   * A namespaced policy's endpointSelector without the pod namespace its matchLabels name: as in
   * Cilium, the endpointSelector always applies in the policy's namespace, and the namespace it
   * names ({@code k8s:io.kubernetes.pod.namespace} in matchLabels) is replaced by the policy's
   * ("removing illegal namespace match"), not added to it. Other forms of the key (no source,
   * matchExpressions) stay and are ANDed, as Cilium does.
   */
  private static LabelSelector withoutWrittenNamespace(Fields es, LabelSelector subject) {
    JsonNode written =
        es.raw().path("matchLabels").path(Label.SOURCE_K8S + ":" + POD_NAMESPACE_LABEL);
    if (!written.isTextual()) {
      return subject;
    }
    Requirement fromMatchLabels =
        new Requirement(
            Label.SOURCE_K8S, POD_NAMESPACE_LABEL, Operator.IN, Set.of(written.asText()));
    // the same requirement written again as an expression is the user's and stays
    for (JsonNode x : es.raw().path("matchExpressions")) {
      Requirement r =
          LabelSelector.requirement(
              x.path("key").asText(),
              Operator.fromK8sName(x.path("operator").asText()),
              valuesOf(x.path("values")));
      if (r.equals(fromMatchLabels)) {
        return subject;
      }
    }
    List<Requirement> kept = new ArrayList<>(subject.requirements());
    kept.remove(fromMatchLabels);
    return LabelSelector.of(kept);
  }

  private static Set<String> valuesOf(JsonNode values) {
    Set<String> out = new HashSet<>();
    values.forEach(v -> out.add(v.asText()));
    return out;
  }

  private static Requirement namespaceRequirement(String namespace) {
    return new Requirement(Label.SOURCE_K8S, POD_NAMESPACE_LABEL, Operator.IN, Set.of(namespace));
  }

  private static Requirement anyNamespace() {
    return new Requirement(Label.SOURCE_K8S, POD_NAMESPACE_LABEL, Operator.EXISTS, Set.of());
  }

  /** Whether a peer selector already decides the namespace (so the policy's is not added). */
  private static boolean namesNamespace(LabelSelector s) {
    for (Requirement r : s.requirements()) {
      if (r.key().equals(POD_NAMESPACE_LABEL)
          || r.key().startsWith(NAMESPACE_LABELS_PREFIX)
          || r.source().equals(Label.SOURCE_RESERVED)) {
        return true;
      }
    }
    return false;
  }

  /** An entity as selectors over reserved labels (and pods, for cluster). */
  static List<LabelSelector> entitySelectors(String path, String entity) {
    if (!ENTITIES.contains(entity)) {
      throw new FieldException(
          path,
          "\""
              + entity
              + "\" (expected one of: "
              + String.join(", ", new java.util.TreeSet<>(ENTITIES))
              + ")");
    }
    return switch (entity) {
      case "all" -> List.of(LabelSelector.ALL);
      case "world" -> reserved("world", "world-ipv4", "world-ipv6");
      case "cluster" -> {
        List<LabelSelector> l =
            new ArrayList<>(
                reserved(
                    "host",
                    "remote-node",
                    "kube-apiserver",
                    "init",
                    "health",
                    "unmanaged",
                    "ingress"));
        l.add(
            LabelSelector.of(
                List.of(
                    new Requirement(
                        Label.SOURCE_K8S, POD_NAMESPACE_LABEL, Operator.EXISTS, Set.of()))));
        yield l;
      }
      default -> reserved(entity);
    };
  }

  private static List<LabelSelector> reserved(String... names) {
    List<LabelSelector> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (String n : names) {
      if (seen.add(n) && ReservedIdentity.byName(n).isPresent()) {
        out.add(
            LabelSelector.of(
                List.of(new Requirement(Label.SOURCE_RESERVED, n, Operator.EXISTS, Set.of()))));
      }
    }
    return out;
  }
}
