package io.jilium.core.resource;

/** A resource from a manifest, identified by kind, namespace (empty if cluster-scoped) and name. */
public sealed interface Resource
    permits NamespaceResource, PolicyResource, ServiceResource, EndpointSliceResource {
  String kind();

  String namespace();

  String name();

  /** {@code Kind ns/name} or {@code Kind name}, as messages print it. */
  default String displayName() {
    return kind() + " " + (namespace().isEmpty() ? name() : namespace() + "/" + name());
  }
}
