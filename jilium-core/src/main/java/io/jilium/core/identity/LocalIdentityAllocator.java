package io.jilium.core.identity;

import io.jilium.core.labels.Labels;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The allocator of standalone mode: identities live on this node only. Ids start at 256 and the
 * lowest free id is reused, so a restart that restores the same label sets gets the same ids. Not
 * thread-safe: owned by the agent's control loop.
 */
public final class LocalIdentityAllocator implements IdentityAllocator {
  private final int minId;
  private final int maxId;
  private final TreeMap<Integer, Identity> byId = new TreeMap<>();
  private final Map<Labels, Identity> byLabels = new HashMap<>();
  private final Map<Integer, Integer> refs = new HashMap<>();

  public LocalIdentityAllocator() {
    this(ReservedIdentity.MIN_ALLOCATED, ReservedIdentity.MAX_ALLOCATED);
  }

  public LocalIdentityAllocator(int minId, int maxId) {
    this.minId = minId;
    this.maxId = maxId;
    for (ReservedIdentity r : ReservedIdentity.values()) {
      Identity id = new Identity(r.id(), r.labels());
      byId.put(r.id(), id);
      byLabels.put(r.labels(), id);
    }
  }

  /** Re-creates an identity with a known id (restore after restart), with zero references. */
  public Identity restore(int id, Labels labels) {
    Identity existing = byLabels.get(labels);
    if (existing != null) {
      if (existing.id() != id) {
        throw new IllegalStateException(
            "labels " + labels + " restored as " + id + " but already identity " + existing.id());
      }
      return existing;
    }
    if (byId.containsKey(id)) {
      throw new IllegalStateException("identity " + id + " restored twice with different labels");
    }
    Identity identity = new Identity(id, labels);
    byId.put(id, identity);
    byLabels.put(labels, identity);
    refs.put(id, 0);
    return identity;
  }

  @Override
  public Identity acquire(Labels labels) {
    Identity identity = byLabels.get(labels);
    if (identity == null) {
      identity = new Identity(nextFreeId(), labels);
      byId.put(identity.id(), identity);
      byLabels.put(labels, identity);
    }
    if (!identity.isReserved()) {
      refs.merge(identity.id(), 1, Integer::sum);
    }
    return identity;
  }

  private int nextFreeId() {
    int candidate = minId;
    for (int id : byId.tailMap(minId, true).keySet()) {
      if (id != candidate) {
        break;
      }
      candidate++;
    }
    if (candidate > maxId) {
      throw new IllegalStateException(
          "no free identity: all " + (maxId - minId + 1) + " ids from " + minId + " are in use");
    }
    return candidate;
  }

  @Override
  public boolean release(Identity identity) {
    if (identity.isReserved()) {
      return false;
    }
    Integer n = refs.get(identity.id());
    if (n == null) {
      throw new IllegalStateException("identity " + identity.id() + " released but not held");
    }
    if (n > 1) {
      refs.put(identity.id(), n - 1);
      return false;
    }
    refs.remove(identity.id());
    byId.remove(identity.id());
    byLabels.remove(identity.labels());
    return true;
  }

  /** Removes restored identities nobody acquired again (after a restart's reconciliation). */
  public List<Identity> releaseUnreferenced() {
    List<Identity> gone = new ArrayList<>();
    for (var it = refs.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      if (e.getValue() == 0) {
        Identity identity = byId.remove(e.getKey());
        byLabels.remove(identity.labels());
        gone.add(identity);
        it.remove();
      }
    }
    return gone;
  }

  @Override
  public Optional<Identity> lookup(int id) {
    return Optional.ofNullable(byId.get(id));
  }

  @Override
  public Optional<Identity> lookup(Labels labels) {
    return Optional.ofNullable(byLabels.get(labels));
  }

  @Override
  public Collection<Identity> all() {
    return List.copyOf(byId.values());
  }

  @Override
  public int references(int id) {
    return refs.getOrDefault(id, 0);
  }
}
