/**
 * Kubernetes-shaped resources (Namespace, NetworkPolicy, CiliumNetworkPolicy, ...) read from YAML
 * or JSON manifests, validated strictly (unknown fields are errors) with messages that name the
 * file, the document, the field path and what was expected.
 */
package io.jilium.core.resource;
