package io.jilium.agent.identity;

import io.jilium.core.identity.CidrLabels;
import io.jilium.core.identity.Identity;
import io.jilium.core.identity.LocalIdentityAllocator;
import io.jilium.core.identity.ReservedIdentity;
import io.jilium.core.labels.Label;
import io.jilium.core.labels.LabelFilter;
import io.jilium.core.labels.Labels;
import io.jilium.core.net.Cidr;
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

  /** CIDR identities: node-local, with bit 24 set, never shared with other nodes. */
  private final LocalIdentityAllocator localAllocator =
      new LocalIdentityAllocator(
          ReservedIdentity.LOCAL_SCOPE_FLAG + 1, ReservedIdentity.LOCAL_SCOPE_FLAG + 0xFFFFFF);

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
    LocalIdentityAllocator a = allocatorFor(labels);
    boolean isNew = a.lookup(labels).isEmpty();
    Identity identity = a.acquire(labels);
    if (isNew) {
      listener.identityAdded(identity);
    }
    return identity;
  }

  /** The identity of a CIDR prefix (labels cidr:...), allocated on first use. */
  public Identity acquireCidr(Cidr prefix) {
    return acquire(CidrLabels.of(prefix));
  }

  public void release(Identity identity) {
    if (allocatorFor(identity.id()).release(identity)) {
      listener.identityRemoved(identity);
    }
  }

  /** Re-creates an identity from saved state with no references yet. */
  public void restore(int id, Labels labels) {
    LocalIdentityAllocator a = allocatorFor(id);
    boolean isNew = a.lookup(id).isEmpty();
    Identity identity = a.restore(id, labels);
    if (isNew) {
      listener.identityAdded(identity);
    }
  }

  /** After restore: drops saved identities that nothing took again. */
  public void releaseUnreferenced() {
    for (LocalIdentityAllocator a : List.of(allocator, localAllocator)) {
      for (Identity gone : a.releaseUnreferenced()) {
        listener.identityRemoved(gone);
      }
    }
  }

  public Optional<Identity> lookup(int id) {
    return allocatorFor(id).lookup(id);
  }

  public Collection<Identity> all() {
    List<Identity> out = new ArrayList<>(allocator.all());
    for (Identity i : localAllocator.all()) {
      if (!i.isReserved()) {
        out.add(i);
      }
    }
    return out;
  }

  public int references(int id) {
    return allocatorFor(id).references(id);
  }

  private LocalIdentityAllocator allocatorFor(Labels labels) {
    return labels.hasSource(Label.SOURCE_CIDR) ? localAllocator : allocator;
  }

  private LocalIdentityAllocator allocatorFor(int id) {
    return (id & ReservedIdentity.LOCAL_SCOPE_FLAG) != 0 ? localAllocator : allocator;
  }
}
