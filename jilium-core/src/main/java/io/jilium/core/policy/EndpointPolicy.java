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
    long revision) {
  public EndpointPolicy {
    entries = Collections.unmodifiableSortedMap(new TreeMap<>(entries));
  }

  public boolean enforced(Direction d) {
    return d == Direction.INGRESS ? ingressEnforced : egressEnforced;
  }
}
