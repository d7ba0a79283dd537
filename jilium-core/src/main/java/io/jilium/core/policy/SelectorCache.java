package io.jilium.core.policy;

import io.jilium.core.identity.Identity;
import io.jilium.core.labels.Label;
import io.jilium.core.labels.LabelSelector;
import io.jilium.core.labels.Labels;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which identities each selector in use selects. Selections are computed once per distinct selector
 * and kept current as identities come and go, so resolving policy never scans all identities per
 * rule. Not thread-safe: owned by the control loop.
 */
public final class SelectorCache {
  private final Map<Integer, Labels> identities = new HashMap<>();
  private final Map<LabelSelector, TreeSet<Integer>> selections = new HashMap<>();

  /** key=value -> identities with such a label (any source): narrows new selectors' scans. */
  private final Map<String, Set<Integer>> postings = new HashMap<>();

  /** Addresses of the endpoints of each identity, for peers that select pods by address. */
  private final Map<Integer, List<byte[]>> addresses = new HashMap<>();

  private final Map<CidrPeer, TreeSet<Integer>> podSelections = new HashMap<>();

  /** Adds (or relabels) an identity; returns the selectors whose selection changed. */
  public List<LabelSelector> upsertIdentity(Identity identity) {
    Labels previous = identities.put(identity.id(), identity.labels());
    if (identity.labels().equals(previous)) {
      return List.of();
    }
    if (previous != null) {
      unindex(identity.id(), previous);
    }
    index(identity.id(), identity.labels());
    List<LabelSelector> changed = new ArrayList<>();
    for (var e : selections.entrySet()) {
      boolean now = e.getKey().matches(identity.labels());
      boolean before = e.getValue().contains(identity.id());
      if (now && !before) {
        e.getValue().add(identity.id());
        changed.add(e.getKey());
      } else if (!now && before) {
        e.getValue().remove(identity.id());
        changed.add(e.getKey());
      }
    }
    return changed;
  }

  /** Removes an identity; returns the selectors that had selected it. */
  public List<LabelSelector> removeIdentity(int id) {
    setAddresses(id, List.of());
    Labels gone = identities.remove(id);
    if (gone == null) {
      return List.of();
    }
    unindex(id, gone);
    List<LabelSelector> changed = new ArrayList<>();
    for (var e : selections.entrySet()) {
      if (e.getValue().remove(id)) {
        changed.add(e.getKey());
      }
    }
    return changed;
  }

  /** The identities {@code selector} selects, sorted; computed on first use and then kept. */
  public Set<Integer> selections(LabelSelector selector) {
    TreeSet<Integer> sel = selections.get(selector);
    if (sel == null) {
      sel = new TreeSet<>();
      for (int id : candidates(selector)) {
        Labels l = identities.get(id);
        if (l != null && selector.matches(l)) {
          sel.add(id);
        }
      }
      selections.put(selector, sel);
    }
    return Collections.unmodifiableSet(sel);
  }

  /** The identities that can match: those having the label of the smallest equality requirement. */
  private Collection<Integer> candidates(LabelSelector selector) {
    Collection<Integer> best = null;
    for (LabelSelector.Requirement r : selector.requirements()) {
      if (r.operator() == LabelSelector.Operator.IN && r.values().size() == 1) {
        Set<Integer> p =
            postings.getOrDefault(r.key() + "=" + r.values().iterator().next(), Set.of());
        if (best == null || p.size() < best.size()) {
          best = p;
        }
      }
    }
    return best != null ? List.copyOf(best) : List.copyOf(identities.keySet());
  }

  private void index(int id, Labels labels) {
    for (Label l : labels) {
      postings.computeIfAbsent(l.key() + "=" + l.value(), k -> new HashSet<>()).add(id);
    }
  }

  private void unindex(int id, Labels labels) {
    for (Label l : labels) {
      Set<Integer> p = postings.get(l.key() + "=" + l.value());
      if (p != null) {
        p.remove(id);
        if (p.isEmpty()) {
          postings.remove(l.key() + "=" + l.value());
        }
      }
    }
  }

  /** Forgets selectors no rule uses any more. */
  public void retainSelectors(Set<LabelSelector> inUse) {
    selections.keySet().retainAll(inUse);
  }

  /**
   * Sets the addresses of the endpoints that have identity {@code id} (empty: none); returns the
   * address-based peers whose selection changed.
   */
  public List<CidrPeer> setAddresses(int id, List<byte[]> addrs) {
    if (addrs.isEmpty()) {
      if (addresses.remove(id) == null) {
        return List.of();
      }
    } else {
      addresses.put(id, List.copyOf(addrs));
    }
    List<CidrPeer> changed = new ArrayList<>();
    for (var e : podSelections.entrySet()) {
      boolean now = selectsByAddress(e.getKey(), id);
      boolean before = e.getValue().contains(id);
      if (now != before) {
        if (now) {
          e.getValue().add(id);
        } else {
          e.getValue().remove(id);
        }
        changed.add(e.getKey());
      }
    }
    return changed;
  }

  /**
   * The identities whose endpoints all have their address of the peer's family inside it
   * (Kubernetes ipBlock semantics on pods; an identity is the unit the datapath enforces).
   */
  public Set<Integer> podSelections(CidrPeer peer) {
    TreeSet<Integer> sel = podSelections.get(peer);
    if (sel == null) {
      sel = new TreeSet<>();
      for (int id : addresses.keySet()) {
        if (selectsByAddress(peer, id)) {
          sel.add(id);
        }
      }
      podSelections.put(peer, sel);
    }
    return Collections.unmodifiableSet(sel);
  }

  public void retainPodSelectors(Set<CidrPeer> inUse) {
    podSelections.keySet().retainAll(inUse);
  }

  private boolean selectsByAddress(CidrPeer peer, int id) {
    List<byte[]> addrs = addresses.get(id);
    if (addrs == null) {
      return false;
    }
    int family = peer.cidr().address().length;
    boolean any = false;
    for (byte[] a : addrs) {
      if (a.length != family) {
        continue;
      }
      if (!peer.contains(a)) {
        return false;
      }
      any = true;
    }
    return any;
  }

  public Labels labels(int id) {
    return identities.get(id);
  }

  public int identityCount() {
    return identities.size();
  }

  public int selectorCount() {
    return selections.size();
  }
}
