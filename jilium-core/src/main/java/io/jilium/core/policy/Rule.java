package io.jilium.core.policy;

import io.jilium.core.labels.LabelSelector;
import java.util.List;

/**
 * A policy rule in the form every policy kind is translated into. {@code subject} selects the
 * endpoints the rule applies to (already confined to the policy's namespace where the kind requires
 * it); peer selectors are likewise already scoped.
 *
 * @param enforceIngress whether the rule puts its subjects into default-deny for ingress
 * @param enforceEgress the same for egress
 */
public record Rule(
    RuleOrigin origin,
    int specIndex,
    LabelSelector subject,
    List<PeerRule> ingress,
    List<PeerRule> ingressDeny,
    List<PeerRule> egress,
    List<PeerRule> egressDeny,
    boolean enforceIngress,
    boolean enforceEgress) {
  public Rule {
    ingress = List.copyOf(ingress);
    ingressDeny = List.copyOf(ingressDeny);
    egress = List.copyOf(egress);
    egressDeny = List.copyOf(egressDeny);
  }

  public List<PeerRule> rules(Direction d, boolean deny) {
    if (d == Direction.INGRESS) {
      return deny ? ingressDeny : ingress;
    }
    return deny ? egressDeny : egress;
  }
}
