package io.jilium.agent.service;

import io.jilium.bpf.maps.LbBackendsMap;
import io.jilium.bpf.maps.LbServicesMap;
import io.jilium.core.resource.IpFamily;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The content of the load-balancing maps (bpf/lib/maps.h), desired or read back: frontends with
 * their service entry (slot 0) and backend slots, backends by id, reverse NAT by service id and
 * Maglev tables by service id. Families are kept apart where the maps are.
 *
 * @param frontends slot 0 and slots 1..n of each frontend
 * @param backends backend id -> backend (its family picks the map)
 * @param revNat (family, service id) -> the frontend replies must come from (address and port; the
 *     protocol is always ANY, as the map has none)
 * @param maglev (family, service id) -> the frontend's Maglev table
 */
public record LbState(
    Map<L3n4Addr, Frontend> frontends,
    Map<Integer, Backend> backends,
    Map<FamilyId, L3n4Addr> revNat,
    Map<FamilyId, MaglevTable> maglev) {

  // LB_SVC_F_* and LB_BACKEND_* of bpf/lib/maps.h, through the typed maps' constants
  public static final int F_NODEPORT = LbServicesMap.F_NODEPORT;
  public static final int F_EXTERNAL_IP = LbServicesMap.F_EXTERNAL_IP;
  public static final int F_AFFINITY = LbServicesMap.F_AFFINITY;
  public static final int F_LOADBALANCER = LbServicesMap.F_LOADBALANCER;
  public static final int F_CLUSTERIP = LbServicesMap.F_CLUSTERIP;
  public static final int F_MAGLEV = LbServicesMap.F_MAGLEV;
  public static final int BACKEND_ACTIVE = LbBackendsMap.ACTIVE;
  public static final int BACKEND_TERMINATING = LbBackendsMap.TERMINATING;

  public static final LbState EMPTY = new LbState(Map.of(), Map.of(), Map.of(), Map.of());

  public LbState {
    frontends = Map.copyOf(frontends);
    backends = Map.copyOf(backends);
    revNat = Map.copyOf(revNat);
    maglev = Map.copyOf(maglev);
  }

  /** A service id or a backend id within one family's map. */
  public record FamilyId(IpFamily family, int id) {}

  /**
   * A frontend's entries.
   *
   * @param id the service id ({@code rev_nat_index}) of slot 0; 0 when slot 0 is missing (only in a
   *     state read back from maps an agent left half-written)
   * @param count slot 0's count of active backends
   * @param slots backend ids of slots 1..n (0 for a missing slot); beyond {@code count} only in a
   *     state read back
   */
  public record Frontend(int id, int flags, int affinityTimeout, int count, List<Integer> slots) {
    public Frontend {
      slots = List.copyOf(slots);
    }
  }

  /** A backend: where it is, and whether it takes new connections. */
  public record Backend(L3n4Addr address, int state) {}

  /** A Maglev lookup table: backend ids, one per table slot. Immutable. */
  public static final class MaglevTable {
    private final int[] backendIds;

    public MaglevTable(int[] backendIds) {
      this.backendIds = backendIds.clone();
    }

    public int[] backendIds() {
      return backendIds.clone();
    }

    public int size() {
      return backendIds.length;
    }

    public int at(int slot) {
      return backendIds[slot];
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof MaglevTable t && Arrays.equals(backendIds, t.backendIds);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(backendIds);
    }

    @Override
    public String toString() {
      return "MaglevTable[" + backendIds.length + " slots]";
    }
  }
}
