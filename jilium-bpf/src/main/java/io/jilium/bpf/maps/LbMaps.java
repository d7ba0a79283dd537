package io.jilium.bpf.maps;

import io.jilium.bpf.BpfMap;
import java.util.List;
import java.util.function.Function;

/**
 * The load-balancing maps of bpf/lib/maps.h for both families, as typed views. Every datapath
 * object pins all of them under the node's pin directory, so any loaded datapath hands out the same
 * maps.
 */
public record LbMaps(
    LbServicesMap services4,
    LbServicesMap services6,
    LbBackendsMap backends4,
    LbBackendsMap backends6,
    LbRevNatMap revNat4,
    LbRevNatMap revNat6,
    LbNetnsMap netns) {
  public static final String AFFINITY4 = "jl_lb4_affinity";
  public static final String AFFINITY6 = "jl_lb6_affinity";
  public static final String SOCK_REVNAT4 = "jl_lb4_sock_revnat";
  public static final String SOCK_REVNAT6 = "jl_lb6_sock_revnat";
  public static final String CT4 = "jl_lb4_ct";
  public static final String CT6 = "jl_lb6_ct";

  /** Every load-balancing map every datapath object declares and pins (Maglev excepted). */
  public static final List<String> MAP_NAMES =
      List.of(
          LbServicesMap.NAME4,
          LbServicesMap.NAME6,
          LbBackendsMap.NAME4,
          LbBackendsMap.NAME6,
          LbRevNatMap.NAME4,
          LbRevNatMap.NAME6,
          AFFINITY4,
          AFFINITY6,
          SOCK_REVNAT4,
          SOCK_REVNAT6,
          CT4,
          CT6,
          LbNetnsMap.NAME);

  /** The typed views over opened maps, looked up by name. */
  public static LbMaps of(Function<String, BpfMap> maps) {
    return new LbMaps(
        new LbServicesMap(maps.apply(LbServicesMap.NAME4), false),
        new LbServicesMap(maps.apply(LbServicesMap.NAME6), true),
        new LbBackendsMap(maps.apply(LbBackendsMap.NAME4), false),
        new LbBackendsMap(maps.apply(LbBackendsMap.NAME6), true),
        new LbRevNatMap(maps.apply(LbRevNatMap.NAME4), false),
        new LbRevNatMap(maps.apply(LbRevNatMap.NAME6), true),
        new LbNetnsMap(maps.apply(LbNetnsMap.NAME)));
  }
}
