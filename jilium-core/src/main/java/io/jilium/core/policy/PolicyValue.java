package io.jilium.core.policy;

import java.util.Set;
import java.util.TreeSet;

/** The value of a datapath policy entry: allow or deny, and the rules that produced it. */
public record PolicyValue(boolean deny, int proxyPort, Set<RuleOrigin> derivedFrom) {
  public PolicyValue {
    derivedFrom = Set.copyOf(derivedFrom);
  }

  public static PolicyValue allow(RuleOrigin origin) {
    return new PolicyValue(false, 0, Set.of(origin));
  }

  public static PolicyValue deny(RuleOrigin origin) {
    return new PolicyValue(true, 0, Set.of(origin));
  }

  /** Same verdict, proxy port and enforcement: the datapath sees no difference. */
  public boolean sameDatapathValue(PolicyValue o) {
    return deny == o.deny && proxyPort == o.proxyPort && unenforced() == o.unenforced();
  }

  /** The agent's allow-all of a direction no policy enforces. */
  public boolean unenforced() {
    return derivedFrom.contains(PolicyEngine.ALLOW_ANY_INGRESS)
        || derivedFrom.contains(PolicyEngine.ALLOW_ANY_EGRESS);
  }

  PolicyValue mergedWith(PolicyValue o) {
    Set<RuleOrigin> all = new TreeSet<>(derivedFrom);
    all.addAll(o.derivedFrom);
    return new PolicyValue(deny || o.deny, Math.max(proxyPort, o.proxyPort), all);
  }

  public java.util.List<RuleOrigin> sortedOrigins() {
    return java.util.List.copyOf(new TreeSet<>(derivedFrom));
  }
}
