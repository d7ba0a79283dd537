package io.jilium.agent.identity;

import io.jilium.core.identity.Identity;
import io.jilium.core.identity.LocalIdentityAllocator;
import io.jilium.core.labels.Label;
import io.jilium.core.labels.LabelFilter;
import io.jilium.core.labels.Labels;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Allocates identities for label sets and reports every identity that appears or disappears to a
 * listener (the policy engine's selector cache). Owned by the control loop.
 */
public final class IdentityService {
  /** Told about identities as they come and go. */
  public interface Listener {
    void identityAdded(Identity identity);

    void identityRemoved(Identity identity);
  }

  public static final String POD_NAMESPACE_LABEL = "io.kubernetes.pod.namespace";
  public static final String NAMESPACE_LABELS_PREFIX = "io.cilium.k8s.namespace.labels.";

  private final LocalIdentityAllocator allocator = new LocalIdentityAllocator();
  private final LabelFilter filter = LabelFilter.defaults();
  private final Listener listener;

  public IdentityService(Listener listener) {
    this.listener = listener;
    for (Identity reserved : allocator.all()) {
      listener.identityAdded(reserved);
    }
  }

  /**
   * The identity labels of a pod: its labels as {@code k8s:} labels, its namespace, and its
   * namespace's labels, filtered as Cilium filters identity-relevant labels.
   */
  public Labels podIdentityLabels(
      String namespace, Map<String, String> podLabels, Map<String, String> namespaceLabels) {
    List<Label> all = new ArrayList<>();
    podLabels.forEach((k, v) -> all.add(Label.k8s(k, v)));
    all.add(Label.k8s(POD_NAMESPACE_LABEL, namespace));
    namespaceLabels.forEach((k, v) -> all.add(Label.k8s(NAMESPACE_LABELS_PREFIX + k, v)));
    return filter.filter(Labels.of(all));
  }

  public Identity acquire(Labels labels) {
    boolean isNew = allocator.lookup(labels).isEmpty();
    Identity identity = allocator.acquire(labels);
    if (isNew) {
      listener.identityAdded(identity);
    }
    return identity;
  }

  public void release(Identity identity) {
    if (allocator.release(identity)) {
      listener.identityRemoved(identity);
    }
  }

  /** Re-creates an identity from saved state with no references yet. */
  public void restore(int id, Labels labels) {
    boolean isNew = allocator.lookup(id).isEmpty();
    Identity identity = allocator.restore(id, labels);
    if (isNew) {
      listener.identityAdded(identity);
    }
  }

  /** After restore: drops saved identities that no endpoint took again. */
  public void releaseUnreferenced() {
    for (Identity gone : allocator.releaseUnreferenced()) {
      listener.identityRemoved(gone);
    }
  }

  public Optional<Identity> lookup(int id) {
    return allocator.lookup(id);
  }

  public Collection<Identity> all() {
    return allocator.all();
  }

  public int references(int id) {
    return allocator.references(id);
  }
}
