package io.jilium.agent.datapath;

import io.jilium.agent.service.L3n4Addr;
import io.jilium.agent.service.LbOp;
import io.jilium.agent.service.LbState;
import io.jilium.agent.service.LbWriter;
import io.jilium.bpf.MapBatchException;
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

  /**
   * Writes {@code ops} in order. A run of consecutive operations of one kind on one map goes in one
   * batch call (applied by the kernel entry by entry, in order, so readers see the same sequence of
   * states as with single writes; 10,000 services are 80,000 entries).
   */
  @Override
  public void apply(List<LbOp> ops) {
    int i = 0;
    while (i < ops.size()) {
      int j = i + 1;
      while (j < ops.size() && sameBatch(ops.get(i), ops.get(j))) {
        j++;
      }
      List<LbOp> run = ops.subList(i, j);
      try {
        if (run.size() == 1) {
          write(run.getFirst());
        } else {
          writeBatch(run);
        }
      } catch (MapBatchException e) {
        throw new IllegalStateException(
            "load-balancing maps: "
                + describe(run.get(e.index()))
                + " (batch of "
                + run.size()
                + "): "
                + e.getCause().getMessage(),
            e);
      } catch (RuntimeException e) {
        throw new IllegalStateException(
            "load-balancing maps: " + describe(run.getFirst()) + ": " + e.getMessage(), e);
      }
      i = j;
    }
  }

  /** Whether {@code b} can share a batch call with {@code a}: same kind, same map. */
  private static boolean sameBatch(LbOp a, LbOp b) {
    return switch (a) {
      case LbOp.PutBackend x when b instanceof LbOp.PutBackend y ->
          x.backend().address().family() == y.backend().address().family();
      case LbOp.DeleteBackend x when b instanceof LbOp.DeleteBackend y -> x.family() == y.family();
      case LbOp.PutRevNat x when b instanceof LbOp.PutRevNat y ->
          x.frontend().family() == y.frontend().family();
      case LbOp.DeleteRevNat x when b instanceof LbOp.DeleteRevNat y -> x.family() == y.family();
      case LbOp.PutSlot x when b instanceof LbOp.PutSlot y ->
          x.frontend().family() == y.frontend().family();
      case LbOp.DeleteSlot x when b instanceof LbOp.DeleteSlot y ->
          x.frontend().family() == y.frontend().family();
      default -> false;
    };
  }

  /** A run that {@link #sameBatch} grouped: one batch call. */
  private void writeBatch(List<LbOp> run) {
    switch (run.getFirst()) {
      case LbOp.PutBackend first -> {
        List<Map.Entry<Integer, LbBackendsMap.Backend>> entries = new ArrayList<>(run.size());
        for (LbOp op : run) {
          LbOp.PutBackend p = (LbOp.PutBackend) op;
          entries.add(Map.entry(p.id(), backend(p.backend())));
        }
        backends(first.backend().address().family()).putAll(entries);
      }
      case LbOp.DeleteBackend first ->
          backends(first.family())
              .deleteAll(run.stream().map(op -> ((LbOp.DeleteBackend) op).id()).toList());
      case LbOp.PutRevNat first -> {
        List<Map.Entry<Integer, LbRevNatMap.RevNat>> entries = new ArrayList<>(run.size());
        for (LbOp op : run) {
          LbOp.PutRevNat p = (LbOp.PutRevNat) op;
          entries.add(Map.entry(p.id(), revNat(p.frontend())));
        }
        revNat(first.frontend().family()).putAll(entries);
      }
      case LbOp.DeleteRevNat first ->
          revNat(first.family())
              .deleteAll(run.stream().map(op -> ((LbOp.DeleteRevNat) op).id()).toList());
      case LbOp.PutSlot first -> {
        List<Map.Entry<LbServicesMap.Key, LbServicesMap.Service>> entries =
            new ArrayList<>(run.size());
        for (LbOp op : run) {
          LbOp.PutSlot p = (LbOp.PutSlot) op;
          entries.add(Map.entry(key(p.frontend(), p.slot()), service(p)));
        }
        services(first.frontend().family()).putAll(entries);
      }
      case LbOp.DeleteSlot first ->
          services(first.frontend().family())
              .deleteAll(
                  run.stream()
                      .map(
                          op ->
                              key(((LbOp.DeleteSlot) op).frontend(), ((LbOp.DeleteSlot) op).slot()))
                      .toList());
      default -> throw new IllegalArgumentException("not a batch: " + run.getFirst());
    }
  }

  private void write(LbOp op) {
    switch (op) {
      case LbOp.PutBackend(int id, LbState.Backend b) ->
          backends(b.address().family()).put(id, backend(b));
      case LbOp.DeleteBackend(IpFamily f, int id) -> backends(f).delete(id);
      case LbOp.PutRevNat(int id, L3n4Addr fe) -> revNat(fe.family()).put(id, revNat(fe));
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
          services(s.frontend().family()).put(key(s.frontend(), s.slot()), service(s));
      case LbOp.DeleteSlot(L3n4Addr fe, int slot) -> services(fe.family()).delete(key(fe, slot));
    }
  }

  private static LbBackendsMap.Backend backend(LbState.Backend b) {
    return new LbBackendsMap.Backend(
        b.address().bytes(), b.address().port(), b.address().protocol().number(), b.state());
  }

  private static LbRevNatMap.RevNat revNat(L3n4Addr fe) {
    return new LbRevNatMap.RevNat(fe.bytes(), fe.port());
  }

  private static LbServicesMap.Service service(LbOp.PutSlot s) {
    return new LbServicesMap.Service(
        s.backendId(), s.count(), s.revNatIndex(), s.flags(), s.affinityTimeout());
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
