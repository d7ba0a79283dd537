package io.jilium.agent.endpoint;

import io.jilium.core.resource.NamespaceResource;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Namespaces and their labels. A namespace is created implicitly (with only {@code
 * kubernetes.io/metadata.name}) when a pod names it first, or explicitly by {@code jilium apply}.
 * Owned by the control loop.
 */
public final class NamespaceStore {
  /** A namespace; {@code implicit} until applied explicitly. */
  public record Namespace(NamespaceResource resource, boolean implicit) {
    public Map<String, String> labels() {
      return resource.labels();
    }
  }

  private final TreeMap<String, Namespace> namespaces = new TreeMap<>();

  public Namespace ensure(String name) {
    return namespaces.computeIfAbsent(
        name, n -> new Namespace(NamespaceResource.implicit(n), true));
  }

  /** Sets the labels from an applied Namespace; returns the previous state, if any. */
  public Optional<Namespace> put(NamespaceResource resource) {
    return Optional.ofNullable(namespaces.put(resource.name(), new Namespace(resource, false)));
  }

  public void restore(Namespace ns) {
    namespaces.put(ns.resource().name(), ns);
  }

  /** Makes an explicit namespace implicit again (its labels reset), as deleting it does. */
  public Optional<Namespace> reset(String name) {
    Namespace previous = namespaces.get(name);
    if (previous == null) {
      return Optional.empty();
    }
    namespaces.put(name, new Namespace(NamespaceResource.implicit(name), true));
    return Optional.of(previous);
  }

  public Optional<Namespace> get(String name) {
    return Optional.ofNullable(namespaces.get(name));
  }

  public Map<String, String> labels(String name) {
    return get(name).map(Namespace::labels).orElse(NamespaceResource.implicit(name).labels());
  }

  public java.util.Collection<Namespace> all() {
    return namespaces.values();
  }
}
