package io.jilium.core.policy;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The resolved policy of one endpoint: the exact entries its datapath policy map must hold, and
 * whether each direction is enforced.
 */
public record EndpointPolicy(
    SortedMap<PolicyKey, PolicyValue> entries,
    boolean ingressEnforced,
    boolean egressEnforced,
    long revision,
    SortedMap<PolicyKey, java.util.Set<RuleRef>> rules) {
  public EndpointPolicy {
    entries = Collections.unmodifiableSortedMap(new TreeMap<>(entries));
    rules = Collections.unmodifiableSortedMap(new TreeMap<>(rules));
  }

  public EndpointPolicy(
      SortedMap<PolicyKey, PolicyValue> entries,
      boolean ingressEnforced,
      boolean egressEnforced,
      long revision) {
    this(entries, ingressEnforced, egressEnforced, revision, new TreeMap<>());
  }

  /** The rules that produced the entry for {@code key}. */
  public java.util.Set<RuleRef> rulesOf(PolicyKey key) {
    return rules.getOrDefault(key, java.util.Set.of());
  }

  public boolean enforced(Direction d) {
    return d == Direction.INGRESS ? ingressEnforced : egressEnforced;
  }
}
