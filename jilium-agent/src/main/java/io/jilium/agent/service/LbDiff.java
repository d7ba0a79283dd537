package io.jilium.agent.service;

import java.util.ArrayList;
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
    for (var e : sorted(to.backends()).entrySet()) {
      if (!e.getValue().equals(from.backends().get(e.getKey()))) {
        ops.add(new LbOp.PutBackend(e.getKey(), e.getValue()));
      }
    }
    // 2. reverse NAT and Maglev
    for (var e : sortedIds(to.revNat()).entrySet()) {
      if (!e.getValue().equals(from.revNat().get(e.getKey()))) {
        ops.add(new LbOp.PutRevNat(e.getKey().id(), e.getValue()));
      }
    }
    for (var e : sortedIds(to.maglev()).entrySet()) {
      if (!e.getValue().equals(from.maglev().get(e.getKey()))) {
        ops.add(new LbOp.PutMaglev(e.getKey().family(), e.getKey().id(), e.getValue()));
      }
    }
    // 3. frontends, new and changed
    for (var e : sorted(to.frontends()).entrySet()) {
      L3n4Addr fe = e.getKey();
      LbState.Frontend want = e.getValue();
      LbState.Frontend had = from.frontends().get(fe);
      if (want.equals(had)) {
        continue;
      }
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
    for (var e : sorted(from.frontends()).entrySet()) {
      if (to.frontends().containsKey(e.getKey())) {
        continue;
      }
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
    for (var k : sortedIds(from.maglev()).keySet()) {
      if (!to.maglev().containsKey(k)) {
        ops.add(new LbOp.DeleteMaglev(k.family(), k.id()));
      }
    }
    for (var k : sortedIds(from.revNat()).keySet()) {
      if (!to.revNat().containsKey(k)) {
        ops.add(new LbOp.DeleteRevNat(k.family(), k.id()));
      }
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
