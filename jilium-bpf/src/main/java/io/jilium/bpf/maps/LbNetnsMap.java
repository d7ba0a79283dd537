package io.jilium.bpf.maps;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.jilium.bpf.BpfMap;
import io.jilium.bpf.sys.LibBpf;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code jl_lb_netns}: network namespace cookie -> kind. The socket hooks translate only sockets of
 * the namespaces listed here (the host's and every pod's).
 */
public final class LbNetnsMap {
  public static final String NAME = "jl_lb_netns";

  /** {@code LB_NETNS_HOST}. */
  public static final int HOST = 1;

  /** {@code LB_NETNS_POD}. */
  public static final int POD = 2;

  private final BpfMap map;

  public LbNetnsMap(BpfMap map) {
    this.map = map;
  }

  public void put(long cookie, int kind) {
    if (kind != HOST && kind != POD) {
      throw new IllegalArgumentException(
          "netns " + cookie + " kind: " + kind + " (expected: HOST=1 or POD=2)");
    }
    try (Arena a = Arena.ofConfined()) {
      MemorySegment v = a.allocate(JAVA_INT);
      v.set(JAVA_INT, 0, kind);
      map.update(key(a, cookie), v, LibBpf.BPF_ANY);
    }
  }

  public boolean delete(long cookie) {
    try (Arena a = Arena.ofConfined()) {
      return map.delete(key(a, cookie));
    }
  }

  public Map<Long, Integer> dump() {
    Map<Long, Integer> out = new LinkedHashMap<>();
    map.forEach((k, v) -> out.put(k.get(JAVA_LONG, 0), v.get(JAVA_INT, 0)));
    return out;
  }

  private static MemorySegment key(Arena a, long cookie) {
    MemorySegment k = a.allocate(JAVA_LONG);
    k.set(JAVA_LONG, 0, cookie);
    return k;
  }

  public BpfMap raw() {
    return map;
  }
}
