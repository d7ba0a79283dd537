package io.jilium.agent.service;

import io.jilium.core.policy.Protocol;
import io.jilium.core.resource.IpFamily;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The load-balancing maps in memory, applying operations one at a time and checking after each one
 * what a datapath lookup could see: a frontend's slot 0 names only present slots, every slot names
 * a present backend of the family, slot 0's service id has a reverse NAT entry, and a Maglev
 * frontend with backends has its table. A violation is the "window" the write order must avoid.
 */
final class FakeLbMaps implements LbWriter {
  private record SlotKey(L3n4Addr frontend, int slot) {}

  private final Map<SlotKey, LbOp.PutSlot> slots = new HashMap<>();
  private final Map<Integer, LbState.Backend> backends = new HashMap<>();
  private final Map<LbState.FamilyId, L3n4Addr> revNat = new HashMap<>();
  private final Map<LbState.FamilyId, LbState.MaglevTable> maglev = new HashMap<>();
  final List<LbOp> log = new ArrayList<>();
  int failAfter = -1;

  @Override
  public void apply(List<LbOp> ops) {
    for (LbOp op : ops) {
      if (failAfter == 0) {
        throw new IllegalStateException("injected failure at " + op);
      }
      if (failAfter > 0) {
        failAfter--;
      }
      log.add(op);
      switch (op) {
        case LbOp.PutBackend p -> backends.put(p.id(), p.backend());
        case LbOp.DeleteBackend d -> backends.remove(d.id());
        case LbOp.PutRevNat p ->
            revNat.put(
                new LbState.FamilyId(p.frontend().family(), p.id()),
                new L3n4Addr(p.frontend().address(), p.frontend().port(), Protocol.ANY));
        case LbOp.DeleteRevNat d -> revNat.remove(new LbState.FamilyId(d.family(), d.id()));
        case LbOp.PutMaglev p -> maglev.put(new LbState.FamilyId(p.family(), p.id()), p.table());
        case LbOp.DeleteMaglev d -> maglev.remove(new LbState.FamilyId(d.family(), d.id()));
        case LbOp.PutSlot p -> slots.put(new SlotKey(p.frontend(), p.slot()), p);
        case LbOp.DeleteSlot d -> slots.remove(new SlotKey(d.frontend(), d.slot()));
      }
      check(op);
    }
  }

  private void check(LbOp after) {
    for (var e : slots.entrySet()) {
      if (e.getKey().slot() != 0) {
        continue;
      }
      L3n4Addr fe = e.getKey().frontend();
      LbOp.PutSlot s0 = e.getValue();
      IpFamily f = fe.family();
      if (!revNat.containsKey(new LbState.FamilyId(f, s0.revNatIndex()))) {
        throw new AssertionError("after " + after + ": " + fe + " has no reverse NAT entry");
      }
      if ((s0.flags() & LbState.F_MAGLEV) != 0
          && s0.count() > 0
          && !maglev.containsKey(new LbState.FamilyId(f, s0.revNatIndex()))) {
        throw new AssertionError("after " + after + ": " + fe + " has no Maglev table");
      }
      for (int i = 1; i <= s0.count(); i++) {
        LbOp.PutSlot s = slots.get(new SlotKey(fe, i));
        if (s == null) {
          throw new AssertionError("after " + after + ": " + fe + " slot " + i + " missing");
        }
        LbState.Backend b = backends.get(s.backendId());
        if (b == null || b.address().family() != f) {
          throw new AssertionError(
              "after "
                  + after
                  + ": "
                  + fe
                  + " slot "
                  + i
                  + " names missing backend "
                  + s.backendId());
        }
      }
    }
  }

  @Override
  public LbState read() {
    Map<L3n4Addr, TreeMap<Integer, LbOp.PutSlot>> byFe = new HashMap<>();
    slots.forEach(
        (k, v) -> byFe.computeIfAbsent(k.frontend(), x -> new TreeMap<>()).put(k.slot(), v));
    Map<L3n4Addr, LbState.Frontend> fes = new HashMap<>();
    byFe.forEach(
        (fe, m) -> {
          LbOp.PutSlot s0 = m.get(0);
          List<Integer> ids = new ArrayList<>();
          for (int i = 1; i <= m.lastKey(); i++) {
            ids.add(m.containsKey(i) ? m.get(i).backendId() : 0);
          }
          fes.put(
              fe,
              s0 == null
                  ? new LbState.Frontend(0, 0, 0, 0, ids)
                  : new LbState.Frontend(
                      s0.revNatIndex(), s0.flags(), s0.affinityTimeout(), s0.count(), ids));
        });
    return new LbState(fes, backends, revNat, maglev);
  }

  int slotCount() {
    return slots.size();
  }
}
