package io.jilium.agent.service;

import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Numeric ids for keys (service ids = {@code rev_nat_index} per frontend, backend ids per backend
 * address): the lowest free id from 1 to a maximum, stable while the key exists. {@link #sync}
 * takes ids for new keys before it frees those of vanished keys, so an id never names two things
 * within one change (the datapath may still hold the old meaning until the change is written).
 */
public final class IdAllocator<K> {
  private final String what;
  private final int max;
  private final Map<K, Integer> ids = new HashMap<>();
  private final BitSet used = new BitSet();

  /**
   * @param what what the ids are, for messages ("service id")
   * @param max the largest id
   */
  public IdAllocator(String what, int max) {
    this.what = what;
    this.max = max;
    used.set(0); // 0 means "none" in the maps
  }

  public Optional<Integer> get(K key) {
    return Optional.ofNullable(ids.get(key));
  }

  /** The id of a key that must have one. */
  public int id(K key) {
    Integer id = ids.get(key);
    if (id == null) {
      throw new IllegalStateException(what + " of " + key + " was never allocated");
    }
    return id;
  }

  public int size() {
    return ids.size();
  }

  /** Every key with its id, ordered by id. */
  public Map<Integer, K> byId() {
    Map<Integer, K> out = new TreeMap<>();
    ids.forEach((k, id) -> out.put(id, k));
    return out;
  }

  /**
   * Takes {@code id} for {@code key} (restore after a restart); false if it is taken or out of
   * range.
   */
  public boolean restore(K key, int id) {
    if (id < 1 || id > max || used.get(id) || ids.containsKey(key)) {
      return false;
    }
    ids.put(key, id);
    used.set(id);
    return true;
  }

  /**
   * Gives every wanted key an id (keeping existing ones) and frees the ids of all other keys. All
   * or nothing: throws, changing nothing, when the ids run out.
   */
  public void sync(Collection<K> wanted) {
    Set<K> wantedSet = wanted instanceof Set<K> s ? s : new HashSet<>(wanted);
    List<K> missing = wantedSet.stream().filter(k -> !ids.containsKey(k)).toList();
    if (!missing.isEmpty()) {
      int free = max - (used.cardinality() - 1);
      if (missing.size() > free) {
        throw new IllegalStateException(
            "no free "
                + what
                + ": "
                + ids.size()
                + " in use, "
                + missing.size()
                + " more needed (at most "
                + max
                + ")");
      }
      int next = 1;
      for (K k : missing.stream().sorted(this::order).toList()) {
        next = used.nextClearBit(next);
        ids.put(k, next);
        used.set(next);
      }
    }
    if (ids.size() > wantedSet.size()) {
      var it = ids.entrySet().iterator();
      while (it.hasNext()) {
        var e = it.next();
        if (!wantedSet.contains(e.getKey())) {
          used.clear(e.getValue());
          it.remove();
        }
      }
    }
  }

  @SuppressWarnings("unchecked")
  private int order(K a, K b) {
    // deterministic ids for the same sequence of changes
    if (a instanceof Comparable<?> ca) {
      return ((Comparable<Object>) ca).compareTo(b);
    }
    return a.toString().compareTo(b.toString());
  }
}
