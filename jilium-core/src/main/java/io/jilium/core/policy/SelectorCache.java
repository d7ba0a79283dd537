package io.jilium.core.policy;

import io.jilium.core.identity.Identity;
import io.jilium.core.labels.LabelSelector;
import io.jilium.core.labels.Labels;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
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

  /** Adds (or relabels) an identity; returns the selectors whose selection changed. */
  public List<LabelSelector> upsertIdentity(Identity identity) {
    Labels previous = identities.put(identity.id(), identity.labels());
    if (identity.labels().equals(previous)) {
      return List.of();
    }
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
    if (identities.remove(id) == null) {
      return List.of();
    }
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
      for (var e : identities.entrySet()) {
        if (selector.matches(e.getValue())) {
          sel.add(e.getKey());
        }
      }
      selections.put(selector, sel);
    }
    return Collections.unmodifiableSet(sel);
  }

  /** Forgets selectors no rule uses any more. */
  public void retainSelectors(Set<LabelSelector> inUse) {
    selections.keySet().retainAll(inUse);
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
