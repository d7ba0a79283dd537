package io.jilium.agent.service;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The map writes that take the maps from one {@link LbState} to another, in the order that leaves
 * no window (docs/architecture.md, "Services (agent)"):
 *
 * <ol>
 *   <li>new and changed backends;
 *   <li>reverse NAT and Maglev tables of new and changed frontends;
 *   <li>per frontend: changed slots 1..n, then slot 0 (count, flags), then slots beyond n;
 *   <li>removed frontends: slot 0 first (the frontend disappears at once), then its slots;
 *   <li>reverse NAT and Maglev entries no frontend uses any more;
 *   <li>backends no frontend refers to any more.
 * </ol>
 *
 * A lookup therefore finds either the old or the new frontend, never a count naming a missing slot
 * or a slot naming a missing backend. Pure; the order within each step is sorted, so the same
 * states give the same operations.
 */
public final class LbDiff {
  private LbDiff() {}

  public static List<LbOp> diff(LbState from, LbState to) {
    List<LbOp> ops = new ArrayList<>();
    // 1. backends
    for (var e : sorted(changed(to.backends(), from.backends())).entrySet()) {
      ops.add(new LbOp.PutBackend(e.getKey(), e.getValue()));
    }
    // 2. reverse NAT and Maglev
    for (var e : sortedIds(changed(to.revNat(), from.revNat())).entrySet()) {
      ops.add(new LbOp.PutRevNat(e.getKey().id(), e.getValue()));
    }
    for (var e : sortedIds(changed(to.maglev(), from.maglev())).entrySet()) {
      ops.add(new LbOp.PutMaglev(e.getKey().family(), e.getKey().id(), e.getValue()));
    }
    // 3. frontends, new and changed
    for (var e : sorted(changed(to.frontends(), from.frontends())).entrySet()) {
      L3n4Addr fe = e.getKey();
      LbState.Frontend want = e.getValue();
      LbState.Frontend had = from.frontends().get(fe);
      List<Integer> old = had == null ? List.of() : had.slots();
      boolean idChanged = had == null || had.id() != want.id();
      for (int i = 0; i < want.slots().size(); i++) {
        if (idChanged || i >= old.size() || !Objects.equals(old.get(i), want.slots().get(i))) {
          ops.add(new LbOp.PutSlot(fe, i + 1, want.slots().get(i), 0, want.id(), 0, 0));
        }
      }
      if (had == null
          || idChanged
          || had.count() != want.count()
          || had.flags() != want.flags()
          || had.affinityTimeout() != want.affinityTimeout()) {
        ops.add(
            new LbOp.PutSlot(
                fe, 0, 0, want.count(), want.id(), want.flags(), want.affinityTimeout()));
      }
      for (int i = want.slots().size(); i < old.size(); i++) {
        if (old.get(i) != 0) {
          ops.add(new LbOp.DeleteSlot(fe, i + 1));
        }
      }
    }
    // 4. frontends removed
    for (var e : sorted(gone(from.frontends(), to.frontends())).entrySet()) {
      if (e.getValue().id() != 0) {
        ops.add(new LbOp.DeleteSlot(e.getKey(), 0));
      }
      List<Integer> slots = e.getValue().slots();
      for (int i = 0; i < slots.size(); i++) {
        if (slots.get(i) != 0) {
          ops.add(new LbOp.DeleteSlot(e.getKey(), i + 1));
        }
      }
    }
    // 5. reverse NAT and Maglev entries nobody uses
    for (var k : sortedIds(gone(from.maglev(), to.maglev())).keySet()) {
      ops.add(new LbOp.DeleteMaglev(k.family(), k.id()));
    }
    for (var k : sortedIds(gone(from.revNat(), to.revNat())).keySet()) {
      ops.add(new LbOp.DeleteRevNat(k.family(), k.id()));
    }
    // 6. backends nobody refers to (or whose id now names a backend of the other family)
    for (var e : sorted(from.backends()).entrySet()) {
      LbState.Backend now = to.backends().get(e.getKey());
      if (now == null || now.address().family() != e.getValue().address().family()) {
        ops.add(new LbOp.DeleteBackend(e.getValue().address().family(), e.getKey()));
      }
    }
    return ops;
  }

  /** The entries of {@code to} that {@code from} lacks or holds otherwise. */
  private static <K, V> Map<K, V> changed(Map<K, V> to, Map<K, V> from) {
    Map<K, V> out = new HashMap<>();
    to.forEach(
        (k, v) -> {
          if (!v.equals(from.get(k))) {
            out.put(k, v);
          }
        });
    return out;
  }

  /** The entries of {@code from} whose keys {@code to} lacks. */
  private static <K, V> Map<K, V> gone(Map<K, V> from, Map<K, V> to) {
    Map<K, V> out = new HashMap<>();
    from.forEach(
        (k, v) -> {
          if (!to.containsKey(k)) {
            out.put(k, v);
          }
        });
    return out;
  }

  // sorting only what changed: the same states give the same operations, at the cost of the change
  private static <K extends Comparable<K>, V> Map<K, V> sorted(Map<K, V> m) {
    return new TreeMap<>(m);
  }

  private static <V> Map<LbState.FamilyId, V> sortedIds(Map<LbState.FamilyId, V> m) {
    TreeMap<LbState.FamilyId, V> t =
        new TreeMap<>(
            java.util.Comparator.comparing(LbState.FamilyId::family)
                .thenComparingInt(LbState.FamilyId::id));
    t.putAll(m);
    return t;
  }
}
