package io.jilium.core.policy;

import io.jilium.core.labels.Labels;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;

/**
 * Resolves the rules selecting one endpoint into policy map entries, from scratch; the agent keeps
 * all endpoints current incrementally with {@link PolicyEngine}, which implements the semantics.
 *
 * <p>Semantics, as Cilium documents them: a direction is enforced (default-deny) when a rule
 * selecting the endpoint covers it, or always under {@code --policy-enforcement always}; an
 * unenforced direction gets one allow-all entry (plus the entries of selecting rules that opt out
 * of default deny, so their denies still apply). Allow entries are the union of all rules. Deny
 * wins over any allow: an allow entry that a deny entry of the same identity covers is removed, and
 * the datapath drops when either of its two lookups (exact identity, any identity) finds a deny.
 * With allow-localhost the host may always reach the endpoint.
 */
public final class PolicyResolver {
  public static final RuleOrigin ALLOW_ANY_INGRESS = PolicyEngine.ALLOW_ANY_INGRESS;
  public static final RuleOrigin ALLOW_ANY_EGRESS = PolicyEngine.ALLOW_ANY_EGRESS;
  public static final RuleOrigin ALLOW_LOCALHOST = PolicyEngine.ALLOW_LOCALHOST;

  private final EnforcementMode mode;
  private final boolean allowLocalhost;

  public PolicyResolver(EnforcementMode mode, boolean allowLocalhost) {
    this.mode = mode;
    this.allowLocalhost = allowLocalhost;
  }

  /**
   * Resolves one endpoint from scratch (a one-off {@link PolicyEngine}).
   *
   * @param subject the endpoint's identity labels
   * @param ownPorts the endpoint's named ports (for ingress rules naming ports)
   * @param peerPorts named ports by name, of any peer (for egress rules naming ports)
   */
  public EndpointPolicy resolve(
      Labels subject,
      Collection<NamedPort> ownPorts,
      Function<String, Collection<NamedPort>> peerPorts,
      PolicyRepository repository,
      SelectorCache cache) {
    PolicyEngine engine = new PolicyEngine(mode, allowLocalhost, repository, cache);
    engine.setPeerPorts((identity, name) -> peerPorts.apply(name));
    engine.upsertEndpoint(1, subject, List.copyOf(ownPorts));
    return engine.policy(1);
  }
}
