package io.jilium.agent.policy;

import io.jilium.agent.identity.IdentityService;
import io.jilium.core.identity.Identity;
import io.jilium.core.net.Cidr;
import io.jilium.core.policy.EnforcementMode;
import io.jilium.core.policy.PolicyEngine;
import io.jilium.core.policy.RuleOrigin;
import io.jilium.core.resource.PolicyResource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The policy resources in force and the engine that turns them into per-endpoint entries. Every
 * change the engine computes is queued; the endpoint manager drains the queue into the policy maps
 * ({@link #drain()}), in order. Owned by the control loop.
 */
public final class PolicyManager implements IdentityService.Listener {
  private final PolicyEngine engine;
  private final Map<RuleOrigin, PolicyResource> resources = new LinkedHashMap<>();
  private final Map<RuleOrigin, Long> resourceRevisions = new LinkedHashMap<>();
  private final List<PolicyEngine.Changes> pending = new ArrayList<>();

  public PolicyManager(EnforcementMode mode, boolean allowLocalhost) {
    this.engine = new PolicyEngine(mode, allowLocalhost);
  }

  public PolicyEngine engine() {
    return engine;
  }

  @Override
  public void identityAdded(Identity identity) {
    queue(engine.upsertIdentity(identity));
  }

  @Override
  public void identityRemoved(Identity identity) {
    queue(engine.removeIdentity(identity.id()));
  }

  /** Queues changes computed elsewhere (endpoint updates) in order with the rest. */
  public void queue(PolicyEngine.Changes changes) {
    if (!changes.isEmpty()) {
      pending.add(changes);
    }
  }

  /** The changes computed since the last drain, oldest first. */
  public List<PolicyEngine.Changes> drain() {
    List<PolicyEngine.Changes> out = List.copyOf(pending);
    pending.clear();
    return out;
  }

  /** Adds or replaces a policy; returns "created", "configured" or "unchanged". */
  public String put(PolicyResource resource) {
    PolicyResource previous = resources.get(resource.origin());
    if (previous != null && previous.json().equals(resource.json())) {
      return "unchanged";
    }
    queue(engine.putRules(resource.origin(), resource.rules()));
    resources.put(resource.origin(), resource);
    resourceRevisions.put(resource.origin(), engine.revision());
    return previous == null ? "created" : "configured";
  }

  /** Puts back a policy saved by an earlier run, with the revision it had then. */
  public void restore(PolicyResource resource, long revision) {
    put(resource);
    if (revision > 0) {
      resourceRevisions.put(resource.origin(), revision);
    }
  }

  /** Removes a policy; empty when it was not there. */
  public Optional<PolicyResource> delete(RuleOrigin origin) {
    PolicyResource previous = resources.remove(origin);
    if (previous != null) {
      queue(engine.deleteRules(origin));
      resourceRevisions.remove(origin);
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
    return engine.revision();
  }

  public void restoreRevision(long revision) {
    engine.repository().restoreRevision(revision);
  }

  /** CIDR prefixes the rules refer to (each needs a CIDR identity and an ipcache entry). */
  public Set<Cidr> prefixes() {
    return engine.prefixes();
  }
}
