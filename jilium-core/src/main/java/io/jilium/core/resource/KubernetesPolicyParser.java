package io.jilium.core.resource;

import com.fasterxml.jackson.databind.JsonNode;
import io.jilium.core.labels.Label;
import io.jilium.core.labels.LabelSelector;
import io.jilium.core.labels.LabelSelector.Operator;
import io.jilium.core.labels.LabelSelector.Requirement;
import io.jilium.core.net.Cidr;
import io.jilium.core.policy.CidrPeer;
import io.jilium.core.policy.PeerRule;
import io.jilium.core.policy.PortProtocol;
import io.jilium.core.policy.Protocol;
import io.jilium.core.policy.Rule;
import io.jilium.core.policy.RuleOrigin;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads a Kubernetes {@code networking.k8s.io/v1} NetworkPolicy into one rule, with the API's
 * semantics (its defaulting in SetDefaults_NetworkPolicy and its validation in
 * ValidateNetworkPolicySpec):
 *
 * <ul>
 *   <li>{@code podSelector} selects pods of the policy's namespace; {@code {}} selects them all.
 *   <li>Without {@code policyTypes}, the policy covers Ingress, and Egress too when {@code egress}
 *       has at least one rule. A covered direction without rules denies everything; a direction not
 *       covered is left alone (its rules, if any, are ignored).
 *   <li>A rule without {@code from}/{@code to} (or with an empty list) admits every peer, inside
 *       the cluster or not; without {@code ports} (or with an empty list) every port and protocol.
 *   <li>A peer is a {@code podSelector} (pods of the policy's namespace), a {@code
 *       namespaceSelector} (pods of the namespaces whose labels match), both (their intersection),
 *       or an {@code ipBlock}, which in Jilium also selects pods whose addresses lie inside.
 * </ul>
 */
final class KubernetesPolicyParser {
  static final String KIND = "NetworkPolicy";
  static final String API_VERSION = "networking.k8s.io/v1";

  private static final Set<String> TOP_LEVEL = Set.of("apiVersion", "kind", "metadata", "spec");
  private static final Set<String> SPEC_FIELDS =
      Set.of("podSelector", "policyTypes", "ingress", "egress");
  private static final Set<String> INGRESS_FIELDS = Set.of("from", "ports");
  private static final Set<String> EGRESS_FIELDS = Set.of("to", "ports");
  private static final Set<String> PEER_FIELDS =
      Set.of("podSelector", "namespaceSelector", "ipBlock");
  private static final Set<String> IP_BLOCK_FIELDS = Set.of("cidr", "except");
  private static final Set<String> PORT_FIELDS = Set.of("protocol", "port", "endPort");
  private static final String PORT_FORM = "1-65535 or a port name";

  private KubernetesPolicyParser() {}

  static PolicyResource parse(Fields top) {
    top.only(TOP_LEVEL);
    Fields meta = top.requireObject("metadata");
    meta.only(ResourceParser.METADATA);
    String name = meta.requireString("name");
    ResourceParser.checkDns1123Subdomain(meta.path("name"), name);
    String namespace = meta.string("namespace").orElse("default");
    ResourceParser.checkDns1123Label(meta.path("namespace"), namespace);
    ResourceParser.labels(meta);

    Fields spec = top.requireObject("spec");
    spec.only(SPEC_FIELDS);
    Fields podSelector =
        spec.object("podSelector")
            .orElseThrow(
                () ->
                    new FieldException(
                        spec.path("podSelector"),
                        "required field is missing (podSelector: {} selects every pod of the"
                            + " namespace)"));
    LabelSelector subject =
        SelectorFields.kubernetes(podSelector, "").and(List.of(inNamespace(namespace)));

    List<PeerRule> ingress = rules(spec, "ingress", "from", namespace);
    List<PeerRule> egress = rules(spec, "egress", "to", namespace);
    boolean enforceIngress;
    boolean enforceEgress;
    List<String> types = spec.strings("policyTypes");
    if (types.isEmpty()) {
      // SetDefaults_NetworkPolicy: Ingress always, Egress when there are egress rules
      // (len(spec.Egress) != 0: "egress: []" does not count).
      enforceIngress = true;
      enforceEgress = !egress.isEmpty();
    } else {
      Set<String> listed = new HashSet<>();
      for (int i = 0; i < types.size(); i++) {
        String path = spec.path("policyTypes") + "[" + i + "]";
        String t = types.get(i);
        if (!t.equals("Ingress") && !t.equals("Egress")) {
          throw new FieldException(path, "\"" + t + "\" (expected: Ingress or Egress)");
        }
        if (!listed.add(t)) {
          throw new FieldException(path, "\"" + t + "\" is listed twice");
        }
      }
      enforceIngress = listed.contains("Ingress");
      enforceEgress = listed.contains("Egress");
    }
    // Rules of a direction the policy does not cover have no effect in Kubernetes: drop them, so
    // they cannot add allows when another policy covers that direction.
    Rule rule =
        new Rule(
            new RuleOrigin(KIND, namespace, name),
            0,
            subject,
            enforceIngress ? ingress : List.of(),
            List.of(),
            enforceEgress ? egress : List.of(),
            List.of(),
            enforceIngress,
            enforceEgress);
    return new PolicyResource(KIND, namespace, name, List.of(rule), CompactJson.of(top.raw()));
  }

  private static List<PeerRule> rules(
      Fields spec, String field, String peersField, String namespace) {
    List<PeerRule> out = new ArrayList<>();
    List<Fields> items = spec.objects(field);
    for (int i = 0; i < items.size(); i++) {
      Fields r = items.get(i);
      r.only(peersField.equals("from") ? INGRESS_FIELDS : EGRESS_FIELDS);
      List<LabelSelector> selectors = new ArrayList<>();
      List<CidrPeer> cidrs = new ArrayList<>();
      List<Fields> peers = r.objects(peersField);
      for (Fields peer : peers) {
        peer(peer, namespace, selectors, cidrs);
      }
      List<PortProtocol> ports = new ArrayList<>();
      for (Fields p : r.objects("ports")) {
        ports.add(port(p));
      }
      out.add(new PeerRule(i, r.path(), selectors, cidrs, peers.isEmpty(), ports, List.of()));
    }
    return out;
  }

  private static void peer(
      Fields peer, String namespace, List<LabelSelector> selectors, List<CidrPeer> cidrs) {
    peer.only(PEER_FIELDS);
    boolean pods = peer.has("podSelector");
    boolean namespaces = peer.has("namespaceSelector");
    boolean ipBlock = peer.has("ipBlock");
    if (ipBlock && (pods || namespaces)) {
      throw new FieldException(
          peer.path(),
          "ipBlock and "
              + (pods ? "podSelector" : "namespaceSelector")
              + " in one peer (expected: ipBlock alone, or podSelector and/or"
              + " namespaceSelector)");
    }
    if (ipBlock) {
      cidrs.add(ipBlock(peer.requireObject("ipBlock")));
      return;
    }
    if (!pods && !namespaces) {
      throw new FieldException(
          peer.path(), "must specify a peer (expected: podSelector, namespaceSelector or ipBlock)");
    }
    LabelSelector s = LabelSelector.ALL;
    if (pods) {
      s = SelectorFields.kubernetes(peer.requireObject("podSelector"), "");
    }
    if (namespaces) {
      LabelSelector ns =
          SelectorFields.kubernetes(
              peer.requireObject("namespaceSelector"), CiliumPolicyParser.NAMESPACE_LABELS_PREFIX);
      // Namespace labels are on pods only; requiring a pod namespace keeps {} to pods as well.
      s = s.and(ns.requirements()).and(List.of(anyNamespace()));
    } else {
      s = s.and(List.of(inNamespace(namespace)));
    }
    selectors.add(s);
  }

  /** An ipBlock: a CIDR minus strictly narrower CIDRs inside it (ValidateIPBlock). */
  private static CidrPeer ipBlock(Fields b) {
    b.only(IP_BLOCK_FIELDS);
    String text = b.requireString("cidr");
    Cidr cidr = CidrText.parse(b.path("cidr"), text, false, true);
    List<Cidr> except = new ArrayList<>();
    List<String> exceptTexts = b.strings("except");
    for (int e = 0; e < exceptTexts.size(); e++) {
      String path = b.path("except") + "[" + e + "]";
      Cidr x = CidrText.parse(path, exceptTexts.get(e), false, true);
      if (!cidr.contains(x) || x.prefixLength() <= cidr.prefixLength()) {
        throw new FieldException(
            path,
            "\"" + exceptTexts.get(e) + "\" (expected: a strict subset of cidr " + cidr + ")");
      }
      except.add(x);
    }
    return new CidrPeer(cidr, except, true);
  }

  /** A NetworkPolicyPort (ValidateNetworkPolicyPort); no port means every port of the protocol. */
  private static PortProtocol port(Fields p) {
    p.only(PORT_FIELDS);
    Protocol protocol = Protocol.TCP;
    var protoText = p.string("protocol");
    if (protoText.isPresent()) {
      protocol =
          switch (protoText.get()) {
            case "TCP" -> Protocol.TCP;
            case "UDP" -> Protocol.UDP;
            case "SCTP" -> Protocol.SCTP;
            default ->
                throw new FieldException(
                    p.path("protocol"), "\"" + protoText.get() + "\" (expected: TCP, UDP or SCTP)");
          };
    }
    JsonNode port = p.raw().get("port");
    var endPort = p.integer("endPort", 1, 65535, "1-65535");
    if (port == null || port.isNull()) {
      if (endPort.isPresent()) {
        throw new FieldException(p.path("endPort"), "needs a numeric port to start the range");
      }
      return PortProtocol.of(0, protocol);
    }
    if (port.isIntegralNumber()) {
      int n = p.integer("port", 1, 65535, PORT_FORM).orElseThrow();
      if (endPort.isPresent() && endPort.get() < n) {
        throw new FieldException(
            p.path("endPort"), endPort.get() + " (expected: " + n + "-65535, not below port)");
      }
      return new PortProtocol(n, endPort.orElse(0), protocol, null);
    }
    if (!port.isTextual()) {
      throw new FieldException(
          p.path("port"), "expected a number or a port name, got " + Fields.describe(port));
    }
    // IntOrString: a quoted number is a string, hence a (necessarily invalid) name.
    String name = port.asText();
    String error = PortNames.error(name).orElse(null);
    if (error != null) {
      String hint = name.matches("[0-9]+") ? "; write a port number without quotes" : "";
      throw new FieldException(
          p.path("port"), "\"" + name + "\": " + error + hint + " (expected: " + PORT_FORM + ")");
    }
    if (endPort.isPresent()) {
      throw new FieldException(p.path("endPort"), "cannot be used with a named port");
    }
    return new PortProtocol(0, 0, protocol, name);
  }

  private static Requirement inNamespace(String namespace) {
    return new Requirement(
        Label.SOURCE_K8S, CiliumPolicyParser.POD_NAMESPACE_LABEL, Operator.IN, Set.of(namespace));
  }

  private static Requirement anyNamespace() {
    return new Requirement(
        Label.SOURCE_K8S, CiliumPolicyParser.POD_NAMESPACE_LABEL, Operator.EXISTS, Set.of());
  }
}
