package io.jilium.core.resource;

import io.jilium.core.policy.Rule;
import io.jilium.core.policy.RuleOrigin;
import java.util.List;

/**
 * A policy resource (CiliumNetworkPolicy, ...) translated into rules. {@code json} is the document
 * as applied, for {@code jilium policy get}.
 */
public record PolicyResource(
    String kind, String namespace, String name, List<Rule> rules, String json) implements Resource {
  public PolicyResource {
    rules = List.copyOf(rules);
  }

  public RuleOrigin origin() {
    return new RuleOrigin(kind, namespace, name);
  }
}
