package io.jilium.core.resource;

import java.util.Map;
import java.util.TreeMap;

/**
 * A {@code v1} Namespace: its labels feed the identities of its pods. Like Kubernetes, every
 * namespace carries {@code kubernetes.io/metadata.name=<name>}.
 */
public record NamespaceResource(String name, Map<String, String> labels) implements Resource {
  public static final String METADATA_NAME_LABEL = "kubernetes.io/metadata.name";

  public NamespaceResource {
    TreeMap<String, String> l = new TreeMap<>(labels);
    l.put(METADATA_NAME_LABEL, name);
    labels = java.util.Collections.unmodifiableSortedMap(l);
  }

  /** The namespace created implicitly when a pod names it first. */
  public static NamespaceResource implicit(String name) {
    return new NamespaceResource(name, Map.of());
  }

  @Override
  public String kind() {
    return "Namespace";
  }

  @Override
  public String namespace() {
    return "";
  }
}
