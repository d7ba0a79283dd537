package io.jilium.bench;

import io.jilium.core.identity.Identity;
import io.jilium.core.identity.ReservedIdentity;
import io.jilium.core.labels.Label;
import io.jilium.core.labels.LabelSelector;
import io.jilium.core.labels.LabelSelector.Operator;
import io.jilium.core.labels.LabelSelector.Requirement;
import io.jilium.core.labels.Labels;
import io.jilium.core.policy.EnforcementMode;
import io.jilium.core.policy.PeerRule;
import io.jilium.core.policy.PolicyEngine;
import io.jilium.core.policy.PortProtocol;
import io.jilium.core.policy.Protocol;
import io.jilium.core.policy.Rule;
import io.jilium.core.policy.RuleOrigin;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The policy scale workload of issue 3: 1,000 policies, 5,000 identities, 500 endpoints, seeded. 50
 * namespaces; each identity is (namespace, app, tier, version); each endpoint has one of them.
 * Policies select an app in their namespace and allow a few peers (same-namespace apps, tiers,
 * another namespace by label) on one to three ports; one in ten adds an egress rule, one in twenty
 * a deny.
 */
final class PolicyWorkload {
  static final int NAMESPACES = 50;
  static final int IDENTITIES = 5000;
  static final int ENDPOINTS = 500;
  static final int POLICIES = 1000;
  static final String[] TIERS = {"web", "api", "db", "cache"};

  final List<Identity> identities = new ArrayList<>();
  final List<RuleOrigin> origins = new ArrayList<>();
  final List<List<Rule>> rules = new ArrayList<>();
  final int[] endpointIdentity = new int[ENDPOINTS];
  private final Random rnd;

  PolicyWorkload(long seed) {
    rnd = new Random(seed);
    for (int i = 0; i < IDENTITIES; i++) {
      identities.add(new Identity(ReservedIdentity.MIN_ALLOCATED + i, labels(i % NAMESPACES, i)));
    }
    for (int e = 0; e < ENDPOINTS; e++) {
      endpointIdentity[e] = rnd.nextInt(IDENTITIES);
    }
    for (int p = 0; p < POLICIES; p++) {
      RuleOrigin o = new RuleOrigin("CiliumNetworkPolicy", "ns" + (p % NAMESPACES), "p" + p);
      origins.add(o);
      rules.add(List.of(rule(o, p, 0)));
    }
  }

  static Labels labels(int ns, int i) {
    return Labels.of(
        Label.k8s("app", "app" + (i / NAMESPACES) % 20),
        Label.k8s("tier", TIERS[i % TIERS.length]),
        Label.k8s("version", "v" + (i / 1000)),
        Label.k8s("io.kubernetes.pod.namespace", "ns" + ns),
        Label.k8s("io.cilium.k8s.namespace.labels.team", "team" + ns % 10));
  }

  /** Policy {@code p}; {@code variant} shifts its ports, for "a policy changed". */
  Rule rule(RuleOrigin o, int p, int variant) {
    String ns = o.namespace();
    Requirement inNs =
        new Requirement(Label.SOURCE_K8S, "io.kubernetes.pod.namespace", Operator.IN, Set.of(ns));
    // every (namespace, app) is the subject of one policy; every fourth policy selects a tier
    LabelSelector subject =
        (p % 4 == 0
                ? LabelSelector.matchLabels(Map.of("tier", TIERS[(p / 4) % 4]))
                : LabelSelector.matchLabels(Map.of("app", "app" + (p / NAMESPACES) % 20)))
            .and(List.of(inNs));
    List<PeerRule> ingress = new ArrayList<>();
    int peers = 1 + p % 3;
    for (int i = 0; i < peers; i++) {
      LabelSelector peer =
          switch ((p + i) % 3) {
            case 0 ->
                LabelSelector.matchLabels(Map.of("app", "app" + (p + i) % 20)).and(List.of(inNs));
            case 1 ->
                LabelSelector.matchLabels(Map.of("tier", TIERS[(p + i) % 4])).and(List.of(inNs));
            default ->
                LabelSelector.matchLabels(
                    Map.of(
                        "io.cilium.k8s.namespace.labels.team",
                        "team" + (p + i) % 10,
                        "tier",
                        "web"));
          };
      List<PortProtocol> ports = new ArrayList<>();
      for (int k = 0; k < 1 + (p + i) % 3; k++) {
        ports.add(PortProtocol.of(8000 + (p * 3 + k + variant) % 500, Protocol.TCP));
      }
      ingress.add(
          new PeerRule(
              i, "spec.ingress[" + i + "]", List.of(peer), List.of(), false, ports, List.of()));
    }
    List<PeerRule> egress = new ArrayList<>();
    if (p % 10 == 0) {
      egress.add(
          new PeerRule(
              0,
              "spec.egress[0]",
              List.of(LabelSelector.matchLabels(Map.of("tier", "db")).and(List.of(inNs))),
              List.of(),
              false,
              List.of(PortProtocol.of(5432, Protocol.TCP)),
              List.of()));
    }
    List<PeerRule> deny = new ArrayList<>();
    if (p % 20 == 0) {
      deny.add(
          new PeerRule(
              0,
              "spec.ingressDeny[0]",
              List.of(LabelSelector.matchLabels(Map.of("version", "v0")).and(List.of(inNs))),
              List.of(),
              false,
              List.of(PortProtocol.of(22, Protocol.TCP)),
              List.of()));
    }
    return new Rule(o, 0, subject, ingress, deny, egress, List.of(), true, !egress.isEmpty());
  }

  /** Builds the engine from scratch: every identity, policy and endpoint. */
  PolicyEngine build() {
    PolicyEngine e = new PolicyEngine(EnforcementMode.DEFAULT, true);
    for (ReservedIdentity r : ReservedIdentity.values()) {
      e.upsertIdentity(new Identity(r.id(), r.labels()));
    }
    for (Identity i : identities) {
      e.upsertIdentity(i);
    }
    for (int p = 0; p < POLICIES; p++) {
      e.putRules(origins.get(p), rules.get(p));
    }
    for (int ep = 0; ep < ENDPOINTS; ep++) {
      e.upsertEndpoint(ep + 1, identities.get(endpointIdentity[ep]).labels(), List.of());
    }
    return e;
  }
}
