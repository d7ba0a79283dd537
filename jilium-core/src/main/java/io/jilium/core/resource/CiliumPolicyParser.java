package io.jilium.core.resource;

import com.fasterxml.jackson.databind.JsonNode;
import io.jilium.core.identity.ReservedIdentity;
import io.jilium.core.labels.Label;
import io.jilium.core.labels.LabelSelector;
import io.jilium.core.labels.LabelSelector.Operator;
import io.jilium.core.labels.LabelSelector.Requirement;
import io.jilium.core.labels.LabelValidation;
import io.jilium.core.policy.PeerRule;
import io.jilium.core.policy.PortProtocol;
import io.jilium.core.policy.Protocol;
import io.jilium.core.policy.Rule;
import io.jilium.core.policy.RuleOrigin;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
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

  /** Fields Cilium has that Jilium does not enforce yet: refused, never silently ignored. */
  private static final Set<String> NOT_YET =
      Set.of(
          "nodeSelector",
          "fromRequires",
          "toRequires",
          "fromCIDR",
          "fromCIDRSet",
          "toCIDR",
          "toCIDRSet",
          "fromGroups",
          "toGroups",
          "fromNodes",
          "toNodes",
          "toServices",
          "toFQDNs",
          "icmps",
          "authentication",
          "log");

  private static final Set<String> SELECTOR_FIELDS = Set.of("matchLabels", "matchExpressions");
  private static final Set<String> EXPRESSION_FIELDS = Set.of("key", "operator", "values");
  private static final Set<String> PORT_RULE_FIELDS =
      Set.of("ports", "rules", "listener", "serverNames", "originatingTLS", "terminatingTLS");
  private static final Set<String> PORT_FIELDS = Set.of("port", "endPort", "protocol");
  private static final Pattern PORT_NAME = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?");
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
    return new PolicyResource(kind, namespace, name, rules, compactJson(top.raw()));
  }

  private static Rule parseRule(Fields spec, RuleOrigin origin, int index, String namespace) {
    spec.only(RULE_FIELDS);
    refuseNotYet(spec);
    Fields es =
        spec.object("endpointSelector")
            .orElseThrow(
                () ->
                    new FieldException(spec.path("endpointSelector"), "required field is missing"));
    LabelSelector subject = selector(es);
    if (namespace != null) {
      subject = subject.and(List.of(namespaceRequirement(namespace)));
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
      Fields r = items.get(i);
      r.only(ingress ? INGRESS_FIELDS : EGRESS_FIELDS);
      refuseNotYet(r);
      String endpointsField = ingress ? "fromEndpoints" : "toEndpoints";
      String entitiesField = ingress ? "fromEntities" : "toEntities";
      List<LabelSelector> peers = new ArrayList<>();
      boolean anyPeerField = r.present(endpointsField) || r.present(entitiesField);
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
      List<PortProtocol> ports = new ArrayList<>();
      List<Fields> toPorts = r.objects("toPorts");
      for (Fields pr : toPorts) {
        pr.only(PORT_RULE_FIELDS);
        for (String l7 :
            List.of("rules", "listener", "serverNames", "originatingTLS", "terminatingTLS")) {
          if (pr.present(l7)) {
            throw new FieldException(pr.path(l7), "not supported yet by Jilium (L7 policy)");
          }
        }
        if (deny && pr.present("rules")) {
          throw new FieldException(pr.path("rules"), "deny rules cannot have L7 rules");
        }
        for (Fields p : pr.objects("ports")) {
          ports.add(port(p));
        }
      }
      if (!toPorts.isEmpty() && ports.isEmpty()) {
        // as in Cilium, toPorts elements without ports open nothing (not every port)
        out.add(new PeerRule(i, List.of(), false, List.of()));
        continue;
      }
      // Without peer fields only toPorts opens to every peer; an empty rule ({}) allows nothing.
      boolean allPeers = !anyPeerField && !toPorts.isEmpty();
      out.add(new PeerRule(i, peers, allPeers, ports));
    }
    return out;
  }

  private static void refuseNotYet(Fields f) {
    for (String n : NOT_YET) {
      if (f.present(n)) {
        throw new FieldException(f.path(n), "not supported yet by Jilium");
      }
    }
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
    int endPort = p.integer("endPort").map(Long::intValue).orElse(0);
    if (portText.chars().allMatch(Character::isDigit) && !portText.isEmpty()) {
      long port;
      try {
        port = Long.parseLong(portText);
      } catch (NumberFormatException e) {
        port = -1;
      }
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
    if (portText.length() > 15
        || !PORT_NAME.matcher(portText).matches()
        || !portText.matches(".*[a-z].*")) {
      throw new FieldException(
          p.path("port"), "\"" + portText + "\" (expected: 0-65535 or a port name)");
    }
    if (endPort != 0) {
      throw new FieldException(p.path("endPort"), "cannot be used with a named port");
    }
    return new PortProtocol(0, 0, protocol, portText);
  }

  static LabelSelector selector(Fields f) {
    f.only(SELECTOR_FIELDS);
    List<Requirement> reqs = new ArrayList<>();
    for (Map.Entry<String, String> e : f.stringMap("matchLabels").entrySet()) {
      String path = f.path("matchLabels") + "." + e.getKey();
      checkSelectorKey(path, e.getKey());
      checkSelectorValue(path, e.getValue());
      reqs.add(LabelSelector.requirement(e.getKey(), Operator.IN, Set.of(e.getValue())));
    }
    List<Fields> exprs = f.objects("matchExpressions");
    for (Fields x : exprs) {
      x.only(EXPRESSION_FIELDS);
      String key = x.requireString("key");
      checkSelectorKey(x.path("key"), key);
      String opText = x.requireString("operator");
      Operator op;
      try {
        op = Operator.fromK8sName(opText);
      } catch (IllegalArgumentException e) {
        throw new FieldException(
            x.path("operator"), "\"" + opText + "\" (expected: In, NotIn, Exists or DoesNotExist)");
      }
      List<String> values = x.strings("values");
      if ((op == Operator.IN || op == Operator.NOT_IN) && values.isEmpty()) {
        throw new FieldException(x.path("values"), "must be non-empty for operator " + opText);
      }
      if ((op == Operator.EXISTS || op == Operator.DOES_NOT_EXIST) && !values.isEmpty()) {
        throw new FieldException(x.path("values"), "must be empty for operator " + opText);
      }
      for (int v = 0; v < values.size(); v++) {
        checkSelectorValue(x.path("values") + "[" + v + "]", values.get(v));
      }
      reqs.add(LabelSelector.requirement(key, op, new LinkedHashSet<>(values)));
    }
    return LabelSelector.of(reqs);
  }

  /** Kubernetes' label key rules (as Cilium checks selectors), after an optional source prefix. */
  private static void checkSelectorKey(String path, String key) {
    if (key.isEmpty()) {
      throw new FieldException(path, "label key must be non-empty");
    }
    int colon = key.indexOf(':');
    String bare = colon > 0 ? key.substring(colon + 1) : key;
    LabelValidation.keyError(bare)
        .ifPresent(
            err -> {
              throw new FieldException(path, "invalid label key \"" + key + "\": " + err);
            });
  }

  private static void checkSelectorValue(String path, String value) {
    LabelValidation.valueError(value)
        .ifPresent(
            err -> {
              throw new FieldException(path, "invalid label value \"" + value + "\": " + err);
            });
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

  private static String compactJson(JsonNode n) {
    return n.toString();
  }
}
