package io.jilium.agent;

import io.jilium.agent.endpoint.NamespaceStore;
import io.jilium.agent.endpoint.NotFoundException;
import io.jilium.core.policy.RuleOrigin;
import io.jilium.core.resource.EndpointSliceResource;
import io.jilium.core.resource.ManifestException;
import io.jilium.core.resource.NamespaceResource;
import io.jilium.core.resource.PolicyResource;
import io.jilium.core.resource.Resource;
import io.jilium.core.resource.ServiceResource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a set of parsed resources as one change: every policy map is updated before it returns,
 * and if anything fails every resource is put back as it was and the maps follow. Runs on the
 * control loop.
 */
final class ResourceApplier {
  private static final Logger LOG = LoggerFactory.getLogger(ResourceApplier.class);

  private final Agent agent;

  ResourceApplier(Agent agent) {
    this.agent = agent;
  }

  Agent.ApplyResult apply(List<Resource> resources, boolean delete) {
    for (Resource r : resources) {
      if (r instanceof ServiceResource || r instanceof EndpointSliceResource) {
        // Parsed and validated by jilium-core; the agent does not load-balance yet (issue 5).
        throw new ManifestException(
            r.displayName() + ": " + r.kind() + " is not supported by this agent yet");
      }
    }
    if (delete) {
      for (Resource r : resources) {
        boolean exists =
            switch (r) {
              case PolicyResource p -> agent.policy().get(p.origin()).isPresent();
              case NamespaceResource n -> agent.namespaces().get(n.name()).isPresent();
              case ServiceResource _, EndpointSliceResource _ -> false;
            };
        if (!exists) {
          throw new NotFoundException(r.displayName() + " not found");
        }
      }
    }
    Map<RuleOrigin, Optional<PolicyResource>> oldPolicies = new LinkedHashMap<>();
    Map<String, Optional<NamespaceStore.Namespace>> oldNamespaces = new LinkedHashMap<>();
    List<String[]> actions = new ArrayList<>();
    Set<String> touchedNamespaces = new LinkedHashSet<>();
    try {
      for (Resource r : resources) {
        switch (r) {
          case PolicyResource p -> {
            oldPolicies.putIfAbsent(p.origin(), agent.policy().get(p.origin()));
            if (!p.namespace().isEmpty()) {
              oldNamespaces.putIfAbsent(p.namespace(), agent.namespaces().get(p.namespace()));
              agent.namespaces().ensure(p.namespace());
            }
            String action = delete ? "deleted" : agent.policy().put(p);
            if (delete) {
              agent.policy().delete(p.origin());
            }
            actions.add(new String[] {p.kind(), p.namespace(), p.name(), action});
          }
          case NamespaceResource n -> {
            oldNamespaces.putIfAbsent(n.name(), agent.namespaces().get(n.name()));
            String action;
            if (delete) {
              agent.namespaces().reset(n.name());
              action = "deleted";
            } else {
              Optional<NamespaceStore.Namespace> prev = agent.namespaces().get(n.name());
              agent.namespaces().put(n);
              action =
                  prev.isEmpty() || prev.get().implicit()
                      ? "created"
                      : prev.get().labels().equals(n.labels()) ? "unchanged" : "configured";
            }
            touchedNamespaces.add(n.name());
            actions.add(new String[] {n.kind(), "", n.name(), action});
          }
          case ServiceResource _, EndpointSliceResource _ ->
              throw new IllegalStateException("refused above: " + r.displayName());
        }
      }
      for (String ns : touchedNamespaces) {
        agent.endpoints().namespaceChanged(ns);
      }
      agent.endpoints().syncCidrIdentities();
      agent.endpoints().flushPolicy();
      agent.persist();
      LOG.atInfo()
          .addKeyValue("resources", resources.size())
          .addKeyValue("delete", delete)
          .addKeyValue("policyRevision", agent.policy().revision())
          .log("resources applied");
      return new Agent.ApplyResult(actions, agent.policy().revision());
    } catch (RuntimeException e) {
      rollback(oldPolicies, oldNamespaces, e);
      throw e;
    }
  }

  private void rollback(
      Map<RuleOrigin, Optional<PolicyResource>> oldPolicies,
      Map<String, Optional<NamespaceStore.Namespace>> oldNamespaces,
      RuntimeException cause) {
    try {
      for (var e : oldPolicies.entrySet()) {
        if (e.getValue().isPresent()) {
          agent.policy().put(e.getValue().get());
        } else {
          agent.policy().delete(e.getKey());
        }
      }
      for (var e : oldNamespaces.entrySet()) {
        if (e.getValue().isPresent()) {
          agent.namespaces().restore(e.getValue().get());
        } else {
          agent.namespaces().reset(e.getKey());
        }
        agent.endpoints().namespaceChanged(e.getKey());
      }
      agent.endpoints().syncCidrIdentities();
      agent.endpoints().resyncAllPolicyMaps();
      agent.persist();
      LOG.atWarn()
          .addKeyValue("cause", cause.getMessage())
          .log("apply failed; previous resources restored");
    } catch (RuntimeException r) {
      cause.addSuppressed(r);
    }
  }
}
