package io.jilium.bpf.maps;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.jilium.bpf.BpfMap;
import io.jilium.bpf.sys.LibBpf;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** {@code jl_policy}: endpoint id -> that endpoint's policy map (a hash of maps). */
public final class PolicyMapsOuter {
  public static final String NAME = "jl_policy";

  private final BpfMap map;

  public PolicyMapsOuter(BpfMap map) {
    this.map = map;
  }

  /** Points {@code endpointId} at {@code inner}; the datapath sees the new map at once. */
  public void put(int endpointId, PolicyMap inner) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment k = a.allocate(JAVA_INT);
      k.set(JAVA_INT, 0, endpointId);
      MemorySegment v = a.allocate(JAVA_INT);
      v.set(JAVA_INT, 0, inner.raw().fd());
      map.update(k, v, LibBpf.BPF_ANY);
    }
  }

  public boolean delete(int endpointId) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment k = a.allocate(JAVA_INT);
      k.set(JAVA_INT, 0, endpointId);
      return map.delete(k);
    }
  }

  /** The kernel id of the inner map of {@code endpointId}, or -1. */
  public int innerMapId(int endpointId) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment k = a.allocate(JAVA_INT);
      k.set(JAVA_INT, 0, endpointId);
      MemorySegment v = a.allocate(JAVA_INT);
      return map.lookup(k, v) ? v.get(JAVA_INT, 0) : -1;
    }
  }

  public BpfMap raw() {
    return map;
  }
}
