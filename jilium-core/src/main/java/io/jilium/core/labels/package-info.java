/**
 * Labels with their source ({@code k8s:app=web}), label sets, Kubernetes-style selectors with
 * Cilium's source semantics, validation of label keys and values, and the filter that decides which
 * labels are relevant to identity.
 */
package io.jilium.core.labels;
