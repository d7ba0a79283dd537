package io.jilium.bpf.maps;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.jilium.bpf.BpfMap;
import io.jilium.bpf.sys.LibBpf;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code jl_lb4_maglev} / {@code jl_lb6_maglev} (bpf_host.c): a hash of maps from a service's
 * {@code rev_nat_index} to an array of one element holding its Maglev lookup table, {@link
 * #tableSize()} backend ids (Cilium's layout). A table is replaced whole and atomically: {@link
 * #put} builds a new inner map and swaps it in, so the datapath never sees half a table.
 */
public final class LbMaglevMap {
  public static final String NAME4 = "jl_lb4_maglev";
  public static final String NAME6 = "jl_lb6_maglev";

  private final BpfMap outer;
  private final boolean ipv6;
  private final int tableSize;

  /**
   * @param tableSize M, the number of backend ids in every table: the value the object was loaded
   *     with ({@code lb_maglev_size})
   */
  public LbMaglevMap(BpfMap outer, boolean ipv6, int tableSize) {
    if (tableSize < 1) {
      throw new IllegalArgumentException("Maglev table size: " + tableSize + " (expected: >= 1)");
    }
    this.outer = outer;
    this.ipv6 = ipv6;
    this.tableSize = tableSize;
  }

  public boolean ipv6() {
    return ipv6;
  }

  public int tableSize() {
    return tableSize;
  }

  /** Installs (or replaces) the table of service {@code revNatIndex}: backend ids by slot. */
  public void put(int revNatIndex, int[] table) {
    if (table.length != tableSize) {
      throw new IllegalArgumentException(
          "Maglev table of service "
              + revNatIndex
              + ": "
              + table.length
              + " slots (expected: "
              + tableSize
              + ", the size the datapath was loaded with)");
    }
    try (Arena a = Arena.ofConfined();
        BpfMap inner =
            BpfMap.create(
                LibBpf.BPF_MAP_TYPE_ARRAY,
                ipv6 ? "jl_lb6_maglev_i" : "jl_lb4_maglev_i",
                4,
                tableSize * 4,
                1,
                0)) {
      MemorySegment zero = a.allocate(JAVA_INT);
      inner.update(zero, a.allocateFrom(JAVA_INT, table), LibBpf.BPF_ANY);
      MemorySegment fd = a.allocate(JAVA_INT);
      fd.set(JAVA_INT, 0, inner.fd());
      // the outer map holds the inner one from here on; our fd is closed on leaving
      outer.update(key(a, revNatIndex), fd, LibBpf.BPF_ANY);
    }
  }

  public boolean delete(int revNatIndex) {
    try (Arena a = Arena.ofConfined()) {
      return outer.delete(key(a, revNatIndex));
    }
  }

  /** The table of service {@code revNatIndex}, as the datapath reads it. */
  public Optional<int[]> get(int revNatIndex) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment id = a.allocate(JAVA_INT);
      if (!outer.lookup(key(a, revNatIndex), id)) {
        return Optional.empty();
      }
      try (BpfMap inner =
          BpfMap.openById(id.get(JAVA_INT, 0), "Maglev table of service " + revNatIndex)) {
        MemorySegment v = a.allocate((long) inner.valueSize(), 8);
        if (!inner.lookup(a.allocate(JAVA_INT), v)) {
          return Optional.empty();
        }
        return Optional.of(v.toArray(JAVA_INT));
      }
    }
  }

  /** The services that have a table. */
  public Set<Integer> keys() {
    Set<Integer> out = new TreeSet<>();
    outer.forEach((k, v) -> out.add(k.get(JAVA_SHORT, 0) & 0xffff));
    return out;
  }

  public BpfMap raw() {
    return outer;
  }

  private static MemorySegment key(Arena a, int revNatIndex) {
    Lb.checkRange("rev_nat_index", revNatIndex, 1, 0xffff);
    MemorySegment k = a.allocate(JAVA_SHORT);
    k.set(JAVA_SHORT, 0, (short) revNatIndex);
    return k;
  }
}
