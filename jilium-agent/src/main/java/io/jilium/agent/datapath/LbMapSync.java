package io.jilium.agent.datapath;

import io.jilium.agent.service.L3n4Addr;
import io.jilium.agent.service.LbOp;
import io.jilium.agent.service.LbState;
import io.jilium.agent.service.LbWriter;
import io.jilium.bpf.maps.LbBackendsMap;
import io.jilium.bpf.maps.LbMaglevMap;
import io.jilium.bpf.maps.LbMaps;
import io.jilium.bpf.maps.LbRevNatMap;
import io.jilium.bpf.maps.LbServicesMap;
import io.jilium.core.net.IpAddress;
import io.jilium.core.policy.Protocol;
import io.jilium.core.resource.IpFamily;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Writes {@link LbOp}s, in order, into the kernel's load-balancing maps and reads them back as an
 * {@link LbState}: the only code that touches those maps. The Maglev maps live in bpf_host's object
 * and are absent until it is loaded.
 */
public final class LbMapSync implements LbWriter {
  private final LbMaps maps;
  private final LbMaglevMap maglev4;
  private final LbMaglevMap maglev6;

  /**
   * @param maglev4 null when no Maglev map is loaded (tables are then not written)
   */
  public LbMapSync(LbMaps maps, LbMaglevMap maglev4, LbMaglevMap maglev6) {
    this.maps = maps;
    this.maglev4 = maglev4;
    this.maglev6 = maglev6;
  }

  /** Whether Maglev maps are loaded. */
  public boolean hasMaglev() {
    return maglev4 != null;
  }

  /** The Maglev table of a service id in a family's map. */
  public Optional<int[]> maglevTable(IpFamily f, int serviceId) {
    LbMaglevMap m = maglev(f);
    return m == null ? Optional.empty() : m.get(serviceId);
  }

  @Override
  public void apply(List<LbOp> ops) {
    for (LbOp op : ops) {
      try {
        write(op);
      } catch (RuntimeException e) {
        throw new IllegalStateException(
            "load-balancing maps: " + describe(op) + ": " + e.getMessage(), e);
      }
    }
  }

  private void write(LbOp op) {
    switch (op) {
      case LbOp.PutBackend(int id, LbState.Backend b) ->
          backends(b.address().family())
              .put(
                  id,
                  new LbBackendsMap.Backend(
                      b.address().bytes(),
                      b.address().port(),
                      b.address().protocol().number(),
                      b.state()));
      case LbOp.DeleteBackend(IpFamily f, int id) -> backends(f).delete(id);
      case LbOp.PutRevNat(int id, L3n4Addr fe) ->
          revNat(fe.family()).put(id, new LbRevNatMap.RevNat(fe.bytes(), fe.port()));
      case LbOp.DeleteRevNat(IpFamily f, int id) -> revNat(f).delete(id);
      case LbOp.PutMaglev(IpFamily f, int id, LbState.MaglevTable t) -> {
        LbMaglevMap m = maglev(f);
        if (m != null) {
          m.put(id, t.backendIds());
        }
      }
      case LbOp.DeleteMaglev(IpFamily f, int id) -> {
        LbMaglevMap m = maglev(f);
        if (m != null) {
          m.delete(id);
        }
      }
      case LbOp.PutSlot s ->
          services(s.frontend().family())
              .put(
                  key(s.frontend(), s.slot()),
                  new LbServicesMap.Service(
                      s.backendId(), s.count(), s.revNatIndex(), s.flags(), s.affinityTimeout()));
      case LbOp.DeleteSlot(L3n4Addr fe, int slot) -> services(fe.family()).delete(key(fe, slot));
    }
  }

  private static LbServicesMap.Key key(L3n4Addr fe, int slot) {
    return new LbServicesMap.Key(fe.bytes(), fe.port(), fe.protocol().number(), slot);
  }

  private static String describe(LbOp op) {
    return switch (op) {
      case LbOp.PutBackend(int id, LbState.Backend b) -> "put backend " + id + " " + b.address();
      case LbOp.DeleteBackend(IpFamily f, int id) -> "delete " + f + " backend " + id;
      case LbOp.PutRevNat(int id, L3n4Addr fe) -> "put reverse NAT " + id + " " + fe;
      case LbOp.DeleteRevNat(IpFamily f, int id) -> "delete " + f + " reverse NAT " + id;
      case LbOp.PutMaglev(IpFamily f, int id, LbState.MaglevTable t) ->
          "put " + f + " Maglev table of service " + id;
      case LbOp.DeleteMaglev(IpFamily f, int id) ->
          "delete " + f + " Maglev table of service " + id;
      case LbOp.PutSlot s -> "put service " + s.frontend() + " slot " + s.slot();
      case LbOp.DeleteSlot(L3n4Addr fe, int slot) -> "delete service " + fe + " slot " + slot;
    };
  }

  @Override
  public LbState read() {
    Map<L3n4Addr, LbState.Frontend> frontends = new HashMap<>();
    Map<Integer, LbState.Backend> backends = new HashMap<>();
    Map<LbState.FamilyId, L3n4Addr> revNat = new HashMap<>();
    Map<LbState.FamilyId, LbState.MaglevTable> maglev = new HashMap<>();
    for (IpFamily f : IpFamily.values()) {
      Map<L3n4Addr, TreeMap<Integer, LbServicesMap.Service>> slots = new HashMap<>();
      for (var e : services(f).dump()) {
        LbServicesMap.Key k = e.getKey();
        Optional<Protocol> p = Protocol.byNumber(k.proto());
        if (p.isEmpty()) {
          continue; // not written by an agent; left alone
        }
        slots
            .computeIfAbsent(
                new L3n4Addr(IpAddress.format(k.address()), k.port(), p.get()),
                x -> new TreeMap<>())
            .put(k.slot(), e.getValue());
      }
      slots.forEach(
          (fe, bySlot) -> {
            LbServicesMap.Service s0 = bySlot.get(0);
            int n = bySlot.isEmpty() ? 0 : bySlot.lastKey();
            List<Integer> ids = new ArrayList<>();
            for (int i = 1; i <= n; i++) {
              LbServicesMap.Service s = bySlot.get(i);
              ids.add(s == null ? 0 : s.backendId());
            }
            frontends.put(
                fe,
                s0 == null
                    ? new LbState.Frontend(0, 0, 0, 0, ids)
                    : new LbState.Frontend(
                        s0.revNatIndex(), s0.flags(), s0.affinityTimeout(), s0.count(), ids));
          });
      backends(f)
          .dump()
          .forEach(
              (id, b) ->
                  Protocol.byNumber(b.proto())
                      .ifPresent(
                          p ->
                              backends.put(
                                  id,
                                  new LbState.Backend(
                                      new L3n4Addr(IpAddress.format(b.address()), b.port(), p),
                                      b.state()))));
      revNat(f)
          .dump()
          .forEach(
              (id, r) ->
                  revNat.put(
                      new LbState.FamilyId(f, id),
                      new L3n4Addr(IpAddress.format(r.address()), r.port(), Protocol.ANY)));
      LbMaglevMap m = maglev(f);
      if (m != null) {
        for (int id : m.keys()) {
          m.get(id)
              .ifPresent(t -> maglev.put(new LbState.FamilyId(f, id), new LbState.MaglevTable(t)));
        }
      }
    }
    return new LbState(frontends, backends, revNat, maglev);
  }

  private LbServicesMap services(IpFamily f) {
    return f == IpFamily.IPV4 ? maps.services4() : maps.services6();
  }

  private LbBackendsMap backends(IpFamily f) {
    return f == IpFamily.IPV4 ? maps.backends4() : maps.backends6();
  }

  private LbRevNatMap revNat(IpFamily f) {
    return f == IpFamily.IPV4 ? maps.revNat4() : maps.revNat6();
  }

  private LbMaglevMap maglev(IpFamily f) {
    return f == IpFamily.IPV4 ? maglev4 : maglev6;
  }
}
