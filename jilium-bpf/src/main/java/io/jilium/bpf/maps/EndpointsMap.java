package io.jilium.bpf.maps;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.jilium.bpf.BpfMap;
import io.jilium.bpf.sys.LibBpf;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/** {@code jl_endpoints}: host-side ifindex -> endpoint. */
public final class EndpointsMap {
  public static final String NAME = "jl_endpoints";

  /** One endpoint as the datapath sees it ({@code struct endpoint_info}). */
  public record Info(
      int endpointId,
      int identity,
      int flags,
      int ifindex,
      byte[] ipv4,
      byte[] ipv6,
      byte[] mac,
      byte[] nodeMac) {}

  private final BpfMap map;

  public EndpointsMap(BpfMap map) {
    this.map = map;
  }

  public void put(Info info) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment k = a.allocate(DatapathLayouts.ENDPOINT_KEY);
      k.set(JAVA_INT, 0, info.ifindex());
      MemorySegment v = a.allocate(DatapathLayouts.ENDPOINT_INFO);
      v.set(JAVA_INT, 0, info.endpointId());
      v.set(JAVA_INT, 4, info.identity());
      v.set(JAVA_INT, 8, info.flags());
      v.set(JAVA_INT, 12, info.ifindex());
      if (info.ipv4() != null) {
        Bytes.putBytes(v, 16, info.ipv4());
      }
      if (info.ipv6() != null) {
        Bytes.putBytes(v, 20, info.ipv6());
      }
      Bytes.putBytes(v, 36, info.mac());
      Bytes.putBytes(v, 42, info.nodeMac());
      map.update(k, v, LibBpf.BPF_ANY);
    }
  }

  public boolean delete(int ifindex) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment k = a.allocate(DatapathLayouts.ENDPOINT_KEY);
      k.set(JAVA_INT, 0, ifindex);
      return map.delete(k);
    }
  }

  public List<Info> dump() {
    List<Info> out = new ArrayList<>();
    map.forEach(
        (k, v) ->
            out.add(
                new Info(
                    v.get(JAVA_INT, 0),
                    v.get(JAVA_INT, 4),
                    v.get(JAVA_INT, 8),
                    v.get(JAVA_INT, 12),
                    Bytes.getBytes(v, 16, 4),
                    Bytes.getBytes(v, 20, 16),
                    Bytes.getBytes(v, 36, 6),
                    Bytes.getBytes(v, 42, 6))));
    return out;
  }

  public BpfMap raw() {
    return map;
  }
}
