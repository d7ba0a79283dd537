package io.jilium.agent;

import io.jilium.agent.endpoint.NamespaceStore;
import io.jilium.agent.endpoint.NotFoundException;
import io.jilium.agent.service.ServiceManager;
import io.jilium.core.policy.RuleOrigin;
import io.jilium.core.resource.EndpointSliceResource;
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

  /**
   * @param where per resource, where it came from ({@code svc.yaml: document 2}), for messages
   */
  Agent.ApplyResult apply(List<Resource> resources, List<String> where, boolean delete) {
    if (delete) {
      for (Resource r : resources) {
        boolean exists =
            switch (r) {
              case PolicyResource p -> agent.policy().get(p.origin()).isPresent();
              case NamespaceResource n -> agent.namespaces().get(n.name()).isPresent();
              case ServiceResource _, EndpointSliceResource _ -> agent.services().exists(r);
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
    // Services and slices are undone from a snapshot, taken only when the apply has any
    ServiceManager.Snapshot oldServices =
        resources.stream()
                .anyMatch(r -> r instanceof ServiceResource || r instanceof EndpointSliceResource)
            ? agent.services().snapshot()
            : null;
    List<Resource> services = new ArrayList<>();
    List<String> servicesWhere = new ArrayList<>();
    List<Integer> servicesAt = new ArrayList<>();
    try {
      for (int index = 0; index < resources.size(); index++) {
        Resource r = resources.get(index);
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
          case ServiceResource _, EndpointSliceResource _ -> {
            if (!delete) {
              oldNamespaces.putIfAbsent(r.namespace(), agent.namespaces().get(r.namespace()));
              agent.namespaces().ensure(r.namespace());
            }
            servicesAt.add(actions.size());
            actions.add(null); // filled in below, in the order of the manifests
            services.add(r);
            servicesWhere.add(index < where.size() ? where.get(index) : r.displayName());
          }
        }
      }
      if (!services.isEmpty()) {
        List<String[]> done = agent.services().apply(services, servicesWhere, delete);
        for (int i = 0; i < done.size(); i++) {
          actions.set(servicesAt.get(i), done.get(i));
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
      rollback(oldPolicies, oldNamespaces, oldServices, e);
      throw e;
    }
  }

  private void rollback(
      Map<RuleOrigin, Optional<PolicyResource>> oldPolicies,
      Map<String, Optional<NamespaceStore.Namespace>> oldNamespaces,
      ServiceManager.Snapshot oldServices,
      RuntimeException cause) {
    try {
      if (oldServices != null) {
        agent.services().rollback(oldServices);
      }
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
