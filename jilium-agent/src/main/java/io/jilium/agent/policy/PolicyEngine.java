package io.jilium.agent.policy;

import io.jilium.agent.identity.IdentityService;
import io.jilium.core.identity.Identity;
import io.jilium.core.labels.Labels;
import io.jilium.core.policy.EndpointPolicy;
import io.jilium.core.policy.EnforcementMode;
import io.jilium.core.policy.NamedPort;
import io.jilium.core.policy.PolicyRepository;
import io.jilium.core.policy.PolicyResolver;
import io.jilium.core.policy.RuleOrigin;
import io.jilium.core.policy.SelectorCache;
import io.jilium.core.resource.PolicyResource;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The policy resources in force and the machinery to resolve them for an endpoint. Keeps the
 * selector cache in step with identities. Owned by the control loop.
 */
public final class PolicyEngine implements IdentityService.Listener {
  private final PolicyRepository repository = new PolicyRepository();
  private final SelectorCache selectorCache = new SelectorCache();
  private final PolicyResolver resolver;
  private final Map<RuleOrigin, PolicyResource> resources = new LinkedHashMap<>();
  private final Map<RuleOrigin, Long> resourceRevisions = new LinkedHashMap<>();

  public PolicyEngine(EnforcementMode mode, boolean allowLocalhost) {
    this.resolver = new PolicyResolver(mode, allowLocalhost);
  }

  @Override
  public void identityAdded(Identity identity) {
    selectorCache.upsertIdentity(identity);
  }

  @Override
  public void identityRemoved(Identity identity) {
    selectorCache.removeIdentity(identity.id());
  }

  /** Adds or replaces a policy; returns "created", "configured" or "unchanged". */
  public String put(PolicyResource resource) {
    PolicyResource previous = resources.get(resource.origin());
    if (previous != null && previous.json().equals(resource.json())) {
      return "unchanged";
    }
    long revision = repository.replace(resource.origin(), resource.rules());
    resources.put(resource.origin(), resource);
    resourceRevisions.put(resource.origin(), revision);
    return previous == null ? "created" : "configured";
  }

  /** Removes a policy; empty when it was not there. */
  public Optional<PolicyResource> delete(RuleOrigin origin) {
    PolicyResource previous = resources.remove(origin);
    if (previous != null) {
      repository.delete(origin);
      resourceRevisions.remove(origin);
      selectorCache.retainSelectors(repository.peerSelectors());
    }
    return Optional.ofNullable(previous);
  }

  public Optional<PolicyResource> get(RuleOrigin origin) {
    return Optional.ofNullable(resources.get(origin));
  }

  public Collection<PolicyResource> all() {
    return List.copyOf(resources.values());
  }

  public long revisionOf(RuleOrigin origin) {
    return resourceRevisions.getOrDefault(origin, 0L);
  }

  public long revision() {
    return repository.revision();
  }

  public void restoreRevision(long revision) {
    repository.restoreRevision(revision);
  }

  public EndpointPolicy resolve(
      Labels subject,
      Collection<NamedPort> ownPorts,
      Function<String, Collection<NamedPort>> peerPorts) {
    return resolver.resolve(subject, ownPorts, peerPorts, repository, selectorCache);
  }

  /** Whether any rule of {@code origin} selects {@code subject}. */
  public boolean selects(RuleOrigin origin, Labels subject) {
    return repository.rules(origin).stream().anyMatch(r -> r.subject().matches(subject));
  }

  public SelectorCache selectorCache() {
    return selectorCache;
  }
}
