package io.jilium.bpf.maps;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.jilium.bpf.BpfMap;
import io.jilium.bpf.sys.LibBpf;
import io.jilium.core.net.Cidr;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code jl_ipcache}: LPM prefix -> identity. */
public final class IpCacheMap {
  public static final String NAME = "jl_ipcache";
  private static final int STATIC_PREFIX_BITS = 32;
  private static final byte FAMILY_V4 = 1;
  private static final byte FAMILY_V6 = 2;

  /**
   * Flag of a pod of this node: the datapath traces its packets where they are delivered to it, not
   * also where the sending pod hands them to the stack.
   */
  public static final int FLAG_LOCAL_ENDPOINT = 0x1;

  private static final long FLAGS_OFFSET =
      DatapathLayouts.REMOTE_ENDPOINT_INFO.byteOffset(
          java.lang.foreign.MemoryLayout.PathElement.groupElement("flags"));

  /**
   * The value: identity, flags ({@code FLAG_*}) and, for remote nodes later, the tunnel endpoint.
   */
  public record Value(int identity, int flags, byte[] tunnelEndpoint) {}

  private final BpfMap map;

  public IpCacheMap(BpfMap map) {
    this.map = map;
  }

  public void put(Cidr prefix, int identity) {
    put(prefix, identity, 0);
  }

  public void put(Cidr prefix, int identity, int flags) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment k = key(a, prefix);
      MemorySegment v = a.allocate(DatapathLayouts.REMOTE_ENDPOINT_INFO);
      v.set(JAVA_INT, 0, identity);
      v.set(JAVA_BYTE, FLAGS_OFFSET, (byte) flags);
      map.update(k, v, LibBpf.BPF_ANY);
    }
  }

  public boolean delete(Cidr prefix) {
    try (Arena a = Arena.ofConfined()) {
      return map.delete(key(a, prefix));
    }
  }

  public Map<Cidr, Value> dump() {
    Map<Cidr, Value> out = new LinkedHashMap<>();
    map.forEach(
        (k, v) -> {
          int bits = k.get(JAVA_INT, 0) - STATIC_PREFIX_BITS;
          boolean v4 = k.get(JAVA_BYTE, 4) == FAMILY_V4;
          byte[] ip = Bytes.getBytes(k, 8, v4 ? 4 : 16);
          out.put(
              new Cidr(ip, bits),
              new Value(
                  v.get(JAVA_INT, 0),
                  v.get(JAVA_BYTE, FLAGS_OFFSET) & 0xff,
                  Bytes.getBytes(v, 4, 4)));
        });
    return out;
  }

  private static MemorySegment key(Arena a, Cidr prefix) {
    MemorySegment k = a.allocate(DatapathLayouts.IPCACHE_KEY);
    k.set(JAVA_INT, 0, STATIC_PREFIX_BITS + prefix.prefixLength());
    k.set(JAVA_BYTE, 4, prefix.isIpv4() ? FAMILY_V4 : FAMILY_V6);
    Bytes.putBytes(k, 8, prefix.address());
    return k;
  }

  public BpfMap raw() {
    return map;
  }
}
