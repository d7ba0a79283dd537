package io.jilium.core.policy;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the datapath decides for a new connection, computed from an endpoint's policy the way
 * bpf_lxc does: the longest-prefix entry for the remote identity and the one for any identity; a
 * deny in either drops, else an allow in either passes, else the default deny drops. Used by {@code
 * jilium policy trace}.
 */
public final class PolicyLookup {
  /** The verdict and the entry (with its rules) that decided it; no entry for default deny. */
  public record Result(boolean allowed, Optional<PolicyKey> key, Set<RuleRef> rules) {
    public boolean defaultDeny() {
      return !allowed && key.isEmpty();
    }
  }

  private PolicyLookup() {}

  public static Result decide(
      EndpointPolicy policy, int remoteIdentity, Direction d, int protocol, int port) {
    Optional<PolicyKey> exact = longestMatch(policy.entries(), remoteIdentity, d, protocol, port);
    Optional<PolicyKey> any = longestMatch(policy.entries(), 0, d, protocol, port);
    for (Optional<PolicyKey> k : java.util.List.of(exact, any)) {
      if (k.isPresent() && policy.entries().get(k.get()).deny()) {
        return new Result(false, k, policy.rulesOf(k.get()));
      }
    }
    for (Optional<PolicyKey> k : java.util.List.of(exact, any)) {
      if (k.isPresent()) {
        return new Result(true, k, policy.rulesOf(k.get()));
      }
    }
    return new Result(false, Optional.empty(), Set.of());
  }

  private static Optional<PolicyKey> longestMatch(
      Map<PolicyKey, PolicyValue> entries, int identity, Direction d, int protocol, int port) {
    PolicyKey probe = new PolicyKey(identity, d, protocol, port, PolicyKey.FULL_PREFIX);
    PolicyKey best = null;
    for (PolicyKey k : entries.keySet()) {
      if (k.identity() == identity && k.direction() == d && k.covers(probe)) {
        if (best == null || k.prefixLength() > best.prefixLength()) {
          best = k;
        }
      }
    }
    return Optional.ofNullable(best);
  }
}
